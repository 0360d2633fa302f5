"""Strips what grafanalib writes but Grafana 12.3 does not store: the legacy fields (the nulls are
left out by dashgen.compile.plain)."""

from __future__ import annotations

from dashgen.compile import legacy
from dashgen.compile.fields import clean_field_defaults

# Grafana adds this built-in annotation to every dashboard it saves.
BUILTIN_ANNOTATION = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}

# Top-level fields Grafana writes on every save, with the values it writes for a new dashboard.
DASHBOARD_DEFAULTS = {
    "fiscalYearStartMonth": 0,
    "liveNow": False,
    "weekStart": "",
}

# The keys a row panel has in Grafana's model; grafanalib gives rows every panel field.
ROW_KEYS = ("collapsed", "datasource", "gridPos", "id", "panels", "repeat", "title", "type")


def _without(obj: dict, keys) -> dict:
    """`obj` without `keys`, changed in place: every object here is the compile's own, fresh from to_plain."""
    for key in obj.keys() & keys:
        del obj[key]
    return obj


def clean_dashboard(dash: dict) -> dict:
    """The top level of a dashboard, without legacy fields and with Grafana's own defaults."""
    dash = _without(dash, legacy.DASHBOARD)
    if "timepicker" in dash:
        dash["timepicker"] = _without(dash["timepicker"], legacy.TIMEPICKER)
    for key, default in DASHBOARD_DEFAULTS.items():
        dash.setdefault(key, default)
    annotations = dash.setdefault("annotations", {}).setdefault("list", [])
    if not any(a.get("builtIn") == 1 for a in annotations if isinstance(a, dict)):
        annotations.insert(0, dict(BUILTIN_ANNOTATION))
    dash["templating"] = {"list": [clean_variable(v) for v in dash.get("templating", {}).get("list", [])]}
    return dash


def clean_variable(var: dict) -> dict:
    var = _without(var, legacy.VARIABLE)
    if var.get("type") != "interval":
        var = _without(var, legacy.INTERVAL_ONLY)
    current = var.get("current")
    if isinstance(current, dict):
        current = _without(current, legacy.VARIABLE_CURRENT)
        if "text" in current and "value" in current:
            var["current"] = current
        else:
            del var["current"]  # nothing selected yet: Grafana picks the first value when it loads
    return var


# What Grafana 12.3's UI writes on every panel of a core plugin it saves (grafana-contract.md §3.6):
# the options are in 12.3's form, so no plugin migration runs on them when the dashboard loads.
# Another plugin's panel carries that plugin's own version, which only the plugin knows.
PLUGIN_VERSION = "12.3.0"
CORE_PANEL_TYPES = frozenset({  # grafana-contract.md §9.3 (public/app/features/plugins/built_in_plugins.ts)
    "timeseries", "stat", "gauge", "bargauge", "barchart", "table", "logs", "traces", "nodeGraph", "piechart",
    "text", "heatmap", "histogram", "state-timeline", "status-history", "trend", "xychart", "candlestick",
    "geomap", "canvas", "flamegraph", "dashlist", "alertlist", "annolist", "news", "live", "debug",
    "gettingstarted", "welcome",
})


def clean_panel(panel: dict) -> dict:
    """A panel without legacy fields; rows are cut down to the keys a row has."""
    if panel.get("type") == "row":
        return {"collapsed": False, "panels": [], **{k: panel[k] for k in ROW_KEYS if k in panel}}
    panel = _without(panel, legacy.PANEL)
    if panel.get("type") in CORE_PANEL_TYPES:
        panel.setdefault("pluginVersion", PLUGIN_VERSION)
    field_config = panel.setdefault("fieldConfig", {})
    clean_field_defaults(panel.get("type", ""), field_config.setdefault("defaults", {}))
    field_config.setdefault("overrides", [])
    panel["targets"] = [clean_target(t) for t in panel.get("targets", [])]
    return panel


def clean_target(target: dict) -> dict:
    target = _without(target, legacy.TARGET)
    if "expr" in target and target.get("query") == target["expr"]:
        del target["query"]  # grafanalib copies expr into query; Prometheus and Loki read only expr
    return target
