"""Flags: a panel type Grafana 12 no longer ships: graph, singlestat, table-old, and the Angular
piechart and worldmap plugins.

Why: Grafana 12 removed Angular; it converts these panels when the dashboard loads, not always
faithfully, and the stored JSON keeps the old type until someone saves it by hand.

Bad:
    {"type": "graph", "title": "CPU"}
Good:
    {"type": "timeseries", "title": "CPU"}
"""

from dashgen.compile.legacy import DEPRECATED_PANEL_TYPES
from dashgen.lint.context import Finding

ID = "dashboard/deprecated-panel-type"
SUMMARY = "a panel type Grafana 12 no longer ships (graph, singlestat...)"
CATEGORY = "conventions"
SEVERITY = "error"
LANGUAGE = "panel"
HELP = "rebuild the panel as the suggested type"


def check(ctx):
    kind = ctx.panel.get("type")
    if isinstance(kind, str) and kind in DEPRECATED_PANEL_TYPES:
        yield Finding(f"panel type {kind!r} was removed in Grafana 12; use {DEPRECATED_PANEL_TYPES[kind]}")
