"""Field defaults (fieldConfig.defaults) as Grafana 12.3 stores them; grafanalib writes several of
them in the shapes of older Grafana versions."""

from __future__ import annotations

# The table panel's migration from custom.displayMode (Grafana < 10) to custom.cellOptions.
TABLE_CELL_OPTIONS = {
    "auto": {"type": "auto"},
    "color-text": {"type": "color-text"},
    "color-background": {"type": "color-background", "mode": "gradient"},
    "color-background-solid": {"type": "color-background", "mode": "basic"},
    "gradient-gauge": {"type": "gauge", "mode": "gradient"},
    "lcd-gauge": {"type": "gauge", "mode": "lcd"},
    "basic": {"type": "gauge", "mode": "basic"},
    "json-view": {"type": "json-view"},
    "image": {"type": "image"},
}


def clean_field_defaults(panel_type: str, defaults: dict) -> None:
    """Rewrites grafanalib's older shapes in place."""
    thresholds = defaults.get("thresholds")
    if isinstance(thresholds, dict):
        steps = thresholds.get("steps")
        if steps in ([], ""):
            del defaults["thresholds"]  # grafanalib's placeholders ([] and Stat's ''); Grafana writes none
        elif isinstance(steps, list):
            thresholds["steps"] = [_step(s) for s in steps]
            _base_value(thresholds["steps"][0])
    custom = defaults.get("custom")
    if not isinstance(custom, dict):
        return
    scale = custom.get("scaleDistribution")
    if isinstance(scale, dict) and scale.get("type") == "linear":
        scale.pop("log", None)  # the log base means nothing on a linear axis; Grafana does not store it
    mode = custom.get("displayMode")
    if panel_type == "table" and isinstance(mode, str) and mode in TABLE_CELL_OPTIONS:
        custom["cellOptions"] = dict(TABLE_CELL_OPTIONS[custom.pop("displayMode")])


def _base_value(step) -> None:
    """The base step is -Infinity to Grafana whatever its value says; its type requires a value, and
    Grafana 12.3's UI saves 0 (grafana-contract.md §3.6), so dashgen writes 0 too: a save in the UI
    then changes nothing there, and `id` stays the file's only null."""
    if isinstance(step, dict) and step.get("value") is None:
        step["value"] = 0


def _step(step):
    """grafanalib's Threshold writes {op, yaxis, line, index, value: 'null'}; Grafana stores {color, value}."""
    if not isinstance(step, dict) or "index" not in step:
        return step
    if step.get("index") == 0 or step.get("value") == "null":
        return {"color": step.get("color")}
    return {"color": step.get("color"), "value": step.get("value")}
