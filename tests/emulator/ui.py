"""What Grafana 12.3's UI writes when someone opens a dashboard and presses Save (contract §3.6).

The Scenes UI does not send back the JSON it loaded: each panel's plugin merges its defaults in when
it loads, and the save rebuilds the JSON from the scene's state, then `sortedDeepCloneWithoutNulls(
dashboard, true)`. So an "open, Save" with no edit still changes the JSON. `saved_by_ui` applies
those changes; the README lists each rule with its source. Nothing here changes what is shown.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from .panel_defaults import CORE_PANELS, PANEL_DEFAULTS, SINGLE_STAT_MIGRATED

# @grafana/schema 12.3.0 `defaultTimePickerConfig` (dist/esm/raw/dashboard/x/dashboard_types.gen.mjs);
# transformSceneToSaveModel.ts `removeDefaults` drops the timepicker entries equal to it.
TIMEPICKER_DEFAULTS: dict[str, Any] = {
    "hidden": False,
    "quick_ranges": [],
    "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"],
}
# sceneVariablesSetToVariables.ts, "Remove some defaults": deleted when falsy, and when equal to these.
_VARIABLE_FALSY_DROPPED = ("skipUrlSync", "multi")
_VARIABLE_DROPPED = {"hide": 0, "label": "", "sort": 0}
# Types whose save model carries allowCustomValue (the same file); the scene's default is true.
_CUSTOM_VALUE_TYPES = frozenset({"query", "custom", "datasource"})
# Panel keys vizPanelToPanel deletes when empty or false.
_PANEL_DROPPED = {"links": [], "transformations": [], "transparent": False}


def saved_by_ui(model: dict, grafana_version: str) -> dict:
    """`model` as the 12.3 UI would save it after loading it: a new dict, `model` is untouched.
    id, uid and version stay as given: ui_save puts the database's id and next version in first,
    as the server does on every save, and keeps the uid."""
    model = copy.deepcopy(model)
    for panel in panels_of(model):
        loaded_plugin(panel, grafana_version)
        _panel_save_model(panel)
    _dashboard_save_model(model)
    return sorted_without_nulls(model)


def panels_of(model: dict) -> list[dict]:
    """Every panel that is not a row: top-level ones and those a collapsed row holds."""
    found = []
    for panel in model.get("panels") or []:
        if not isinstance(panel, dict):
            continue
        if panel.get("type") == "row":
            found.extend(p for p in panel.get("panels") or [] if isinstance(p, dict))
        else:
            found.append(panel)
    return found


def loaded_plugin(panel: dict, grafana_version: str) -> None:
    """What loading a core plugin does (VizPanel._pluginLoaded): its migration when the stored
    pluginVersion is not the plugin's, its defaults merged under the panel's values, fixThresholds,
    and pluginVersion (a core plugin's version is Grafana's). Other types: untouched."""
    kind = panel.get("type")
    if kind not in CORE_PANELS or "libraryPanel" in panel:
        return
    if kind in SINGLE_STAT_MIGRATED and panel.get("pluginVersion") != grafana_version:
        single_stat_migration(panel)
    defaults = PANEL_DEFAULTS.get(kind, {})
    panel["pluginVersion"] = grafana_version
    options = panel.get("options")
    panel["options"] = merged(defaults.get("options", {}), options if isinstance(options, dict) else {})
    field_config = panel.get("fieldConfig") if isinstance(panel.get("fieldConfig"), dict) else {}
    current = field_config.get("defaults") if isinstance(field_config.get("defaults"), dict) else {}
    overrides = field_config.get("overrides")
    panel["fieldConfig"] = {
        "defaults": merged(defaults.get("fieldConfigDefaults", {}), current),
        "overrides": overrides if overrides is not None else [],
    }
    _fix_all_thresholds(panel["fieldConfig"])


def single_stat_migration(panel: dict) -> None:
    """sharedSingleStatMigrationHandler (@grafana/ui 12.3.0 SingleStatBaseOptions.mjs), the branches a
    panel without pre-7 `fieldOptions` reaches. A missing pluginVersion reads as "6.1"."""
    if _js_falsy(panel.get("options")):
        panel["options"] = {"reduceOptions": {"calcs": ["mean"]}, "orientation": "horizontal"}
        return
    previous = _parse_float(panel.get("pluginVersion") or "6.1")
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, dict) else None
    if not isinstance(defaults, dict):
        return
    if previous < 7.1 and defaults.get("title") is not None:
        defaults["displayName"] = defaults.pop("title")
    ceiling = {"percent": 100, "percentunit": 1}.get(defaults.get("unit"))
    if previous < 8 and ceiling is not None:
        for key, value in (("min", 0), ("max", ceiling)):
            if type(defaults.get(key)) not in (int, float):  # lodash isNumber
                defaults[key] = value


def _parse_float(text: object) -> float:
    """JavaScript's parseFloat: the leading number of a string ("12.3.0" is 12.3), else NaN."""
    found = re.match(r"\s*([+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)", text) if isinstance(text, str) else None
    return float(found[1]) if found else math.nan


def merged(defaults: dict, current: dict) -> dict:
    """lodash mergeWith({}, defaults, current) with arrays taken whole from `current`: objects merge
    key by key, anything else in `current` wins (a null too, which the save then drops)."""
    out = copy.deepcopy(defaults)
    for key, value in current.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _fix_all_thresholds(field_config: dict) -> None:
    """fixThresholds on fieldConfig.defaults.thresholds and on every override property with id
    "thresholds" (getPanelOptionsWithDefaults.mjs, @grafana/data 12.3.0)."""
    if isinstance(field_config["defaults"].get("thresholds"), dict):
        fix_thresholds(field_config["defaults"]["thresholds"])
    overrides = field_config["overrides"]
    for override in overrides if isinstance(overrides, list) else []:
        properties = override.get("properties") if isinstance(override, dict) else None
        for prop in properties if isinstance(properties, list) else []:
            if isinstance(prop, dict) and prop.get("id") == "thresholds" and isinstance(prop.get("value"), dict):
                fix_thresholds(prop["value"])


def fix_thresholds(thresholds: dict) -> None:
    """No mode: "absolute". No steps: []. Otherwise the first step's value becomes -Infinity, which
    the save's convertInfinity writes as 0 (so 0 here)."""
    if _js_falsy(thresholds.get("mode")):
        thresholds["mode"] = "absolute"
    steps = thresholds.get("steps")
    if _js_falsy(steps):
        thresholds["steps"] = []
    elif isinstance(steps, list) and steps and isinstance(steps[0], dict):
        steps[0]["value"] = 0


def _panel_save_model(panel: dict) -> None:
    """vizPanelToPanel: empty links and transformations and a false transparent are deleted; the
    panel time range (and so hideTimeOverride) only exists with timeFrom or timeShift."""
    for key, dropped in _PANEL_DROPPED.items():
        if key in panel and panel[key] == dropped and type(panel[key]) is type(dropped):
            del panel[key]
    if _js_falsy(panel.get("timeFrom")) and _js_falsy(panel.get("timeShift")):
        panel.pop("hideTimeOverride", None)


def _dashboard_save_model(model: dict) -> None:
    """Top level (liveNow false and weekStart "" dropped, preload false added), timepicker
    defaults dropped, and the variable defaults."""
    if model.get("liveNow") is False:
        del model["liveNow"]
    if model.get("weekStart") == "":
        del model["weekStart"]
    model.setdefault("preload", False)
    if isinstance(model.get("timepicker"), dict):
        _drop_equal(model["timepicker"], TIMEPICKER_DEFAULTS)
    templating = model.get("templating")
    variables = templating.get("list") if isinstance(templating, dict) else None
    for variable in variables if isinstance(variables, list) else []:
        if isinstance(variable, dict):
            _variable_save_model(variable)


def _variable_save_model(variable: dict) -> None:
    for key in _VARIABLE_FALSY_DROPPED:
        if key in variable and _js_falsy(variable[key]):
            del variable[key]
    _drop_equal(variable, _VARIABLE_DROPPED)
    if variable.get("type") in _CUSTOM_VALUE_TYPES:
        variable.setdefault("allowCustomValue", True)


def _js_falsy(value: Any) -> bool:
    """JavaScript's `!value` for JSON values: an empty list or object is truthy there."""
    return value is None or value is False or value == "" or (type(value) in (int, float) and value == 0)


def _drop_equal(values: dict, defaults: dict) -> None:
    for key, default in defaults.items():
        if key in values and values[key] == default and type(values[key]) is type(default):
            del values[key]


def sorted_without_nulls(value: Any) -> Any:
    """sortedDeepCloneWithoutNulls: object keys sorted, null members of objects removed (nulls
    inside arrays stay), recursively. Infinity cannot be in a JSON model, so convertInfinity has
    nothing left to do here (fix_thresholds already wrote 0)."""
    if isinstance(value, list):
        return [sorted_without_nulls(item) for item in value]
    if isinstance(value, dict):
        return {key: sorted_without_nulls(value[key]) for key in sorted(value) if value[key] is not None}
    return value
