"""Flags: a panel that shows numbers (time series, stat, gauge, bar gauge, bar chart) without a unit.

Why: "0.25" could be seconds, a ratio or requests per second; at 3 a.m. a missing unit is a wrong
conclusion. Value mappings count as a unit (they name the values). A stat that shows its series'
names and no number (`options.textMode` "name" or "none") needs none.

Bad:
    {"type": "stat", "title": "Latency", "fieldConfig": {"defaults": {}}}
Good:
    {"type": "stat", "title": "Latency", "fieldConfig": {"defaults": {"unit": "s"}}}
"""

from dashgen.lint.context import Finding

ID = "dashboard/missing-unit"
SUMMARY = "a panel that shows numbers without a unit"
CATEGORY = "conventions"
SEVERITY = "warning"
LANGUAGE = "panel"
HELP = "set fieldConfig.defaults.unit (the helpers in dashgen.panels take unit=...)"
NUMERIC = {"timeseries", "stat", "gauge", "bargauge", "barchart"}
TEXT_ONLY = {"name", "none"}  # a stat's textMode that draws no value


def check(ctx):
    if not isinstance(ctx.panel.get("type"), str) or ctx.panel["type"] not in NUMERIC:
        return
    if ctx.panel["type"] == "stat" and _dict(ctx.panel.get("options")).get("textMode") in TEXT_ONLY:
        return
    field_config = _dict(ctx.panel.get("fieldConfig"))
    defaults = _dict(field_config.get("defaults"))
    by_override = any(
        _dict(p).get("id") == "unit"
        for o in _list(field_config.get("overrides")) for p in _list(_dict(o).get("properties"))
    )
    if not defaults.get("unit") and not defaults.get("mappings") and not by_override:
        yield Finding("shows numbers without a unit")


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []
