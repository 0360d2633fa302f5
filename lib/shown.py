"""What a dashboard shows: the one comparison push and `dashgen diff --env` make between a live
dashboard and the build, or between two versions of a live dashboard.

Grafana changes a dashboard's JSON when it saves it, in ways that change nothing on the screen:
someone who opens a dashboard and presses Save has not edited it. `shown` takes out exactly the
differences `grafana-contract.md` §3.6 lists, each below with its reference, and nothing else; a
difference whose meaning is unclear stays, so it counts as a change (a real edit is never hidden).
"""

from __future__ import annotations

from dashgen.compile.layout import all_panels
from dashgen.ui_defaults import PANEL_DEFAULTS, TIMEPICKER_DEFAULTS, VARIABLE_DEFAULTS

# Top-level keys and the values Grafana's save drops (§3.6: liveNow false, weekStart "") or adds
# (preload false), so present-with-this-value and absent say the same.
_DASHBOARD_DEFAULTS = {"liveNow": False, "weekStart": "", "preload": False}
# On panels: empty links and transformations and transparent false are dropped (§3.6).
_PANEL_DROPPED = {"links": [], "transformations": [], "transparent": False}


def shown(model: dict) -> dict:
    """The model as far as it decides what the dashboard shows (a new dict; `model` is untouched)."""
    model = _without_nulls(model)  # a copy without nulls: sortedDeepCloneWithoutNulls drops them (§3.6)
    for key in ("id", "version"):  # the database's, replaced on every save (§3.6)
        model.pop(key, None)
    _drop_defaults(model, _DASHBOARD_DEFAULTS)
    if isinstance(model.get("timepicker"), dict):
        _drop_defaults(model["timepicker"], TIMEPICKER_DEFAULTS)  # default entries are dropped (§3.6)
    templating = model.get("templating")
    for variable in templating.get("list", []) if isinstance(templating, dict) else []:
        if isinstance(variable, dict):
            _drop_defaults(variable, VARIABLE_DEFAULTS)  # hide 0, multi false... dropped (§3.6)
    for panel in all_panels(model.get("panels", [])):  # lists of objects: checked where answers enter
        _panel(panel)
    return model


def same_thing(a: dict, b: dict) -> bool:
    """Whether two dashboard models show the same thing."""
    return shown(a) == shown(b)


def _panel(panel: dict) -> None:
    panel.pop("pluginVersion", None)  # written by every save from the UI (§3.6)
    _drop_defaults(panel, _PANEL_DROPPED)
    if "timeFrom" not in panel and "timeShift" not in panel:
        panel.pop("hideTimeOverride", None)  # dropped without a time override to hide (§3.6)
    field_config = panel.get("fieldConfig")
    if not isinstance(field_config, dict):
        return
    for override in field_config.get("overrides") or []:
        for prop in override.get("properties") or [] if isinstance(override, dict) else []:
            if isinstance(prop, dict) and prop.get("id") == "thresholds":
                _fixed_thresholds(prop.get("value"))
    defaults = field_config.get("defaults")
    if not isinstance(defaults, dict):
        return
    _fixed_thresholds(defaults.get("thresholds"))
    plugin = PANEL_DEFAULTS.get(panel.get("type"))
    if plugin is None:
        return  # a plugin whose defaults dashgen does not know: anything it merged in counts
    if isinstance(panel.get("options"), dict):
        _drop_defaults(panel["options"], plugin.get("options", {}))
    _drop_defaults(defaults, plugin.get("fieldConfig.defaults", {}))
    if isinstance(defaults.get("custom"), dict):
        _drop_defaults(defaults["custom"], plugin.get("fieldConfig.defaults.custom", {}))
        if not defaults["custom"]:
            del defaults["custom"]  # nothing set: the plugin's defaults, as when it is absent


def _fixed_thresholds(thresholds) -> None:
    """What fixThresholds does on load (§3.6; on defaults and overrides alike): the base step is
    -Infinity whatever its value says (saved as 0, as null or without a value), and a missing mode
    is absolute. So the base step's value says nothing, and absolute and no mode say the same."""
    if not isinstance(thresholds, dict):
        return
    if thresholds.get("mode") == "absolute":
        del thresholds["mode"]
    steps = thresholds.get("steps")
    if isinstance(steps, list) and steps and isinstance(steps[0], dict):
        steps[0].pop("value", None)


def _drop_defaults(values: dict, defaults: dict) -> None:
    """Removes from `values` every entry equal to its default (objects compared key by key, and
    dropped once nothing but defaults was in them): present at the default and absent are the same
    once the plugin has loaded (its defaults are merged in, §3.6)."""
    for key, default in defaults.items():
        if key not in values:
            continue
        if isinstance(default, dict) and isinstance(values[key], dict):
            _drop_defaults(values[key], default)
            if not values[key]:
                del values[key]
        elif values[key] == default and type(values[key]) is type(default) or _same_number(values[key], default):
            del values[key]


def _same_number(a, b) -> bool:
    """1 and 1.0 are one JSON number; True is not 1."""
    numbers = (int, float)
    return isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) \
        and not isinstance(b, bool) and a == b


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
