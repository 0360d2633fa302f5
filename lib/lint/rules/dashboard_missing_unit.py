"""Flags: a panel that shows numbers (time series, stat, gauge, bar gauge, bar chart) without a unit.

Why: "0.25" could be seconds, a ratio or requests per second; at 3 a.m. a missing unit is a wrong
conclusion. Value mappings count as a unit (they name the values).

Bad:
    {"type": "stat", "title": "Latency", "fieldConfig": {"defaults": {}}}
Good:
    {"type": "stat", "title": "Latency", "fieldConfig": {"defaults": {"unit": "s"}}}
"""

from dashgen.lint.context import Finding

ID = "dashboard/missing-unit"
CATEGORY = "conventions"
SEVERITY = "warning"
LANGUAGE = "panel"
HELP = "set fieldConfig.defaults.unit (the helpers in dashgen.panels take unit=...)"
NUMERIC = {"timeseries", "stat", "gauge", "bargauge", "barchart"}


def check(ctx):
    if ctx.panel.get("type") not in NUMERIC:
        return
    field_config = ctx.panel.get("fieldConfig") or {}
    defaults = field_config.get("defaults") or {}
    by_override = any(
        p.get("id") == "unit" for o in field_config.get("overrides") or [] for p in o.get("properties") or []
    )
    if not defaults.get("unit") and not defaults.get("mappings") and not by_override:
        yield Finding("shows numbers without a unit")
