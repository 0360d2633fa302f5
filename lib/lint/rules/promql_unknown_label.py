"""Flags: a label matched or grouped by that the metric does not have, per the catalogue.

Why: a matcher on a missing label matches nothing (`=`) or everything (`!=`), and a grouping by it
collapses every series into one; either way the panel quietly shows the wrong thing.

Bad:
    sum by (status) (rate(http_server_requests_total[5m]))
Good:
    sum by (status_code) (rate(http_server_requests_total[5m]))
"""

import re

from dashgen.lint import promql
from dashgen.lint.context import Finding

ID = "promql/unknown-label"
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "promql"
HELP = "use a label the metric has (see the catalogue), or add the label to its catalogue entry"
ALWAYS_THERE = {"__name__", "job", "instance"}  # set by Prometheus on every scraped series


def check(ctx):
    if ctx.promql is None or ctx.catalogue is None:
        return
    for selector in ctx.selectors:
        known = ctx.catalogue.lookup(selector.name) if selector.name else None
        if known is None:
            continue
        metric, labels = known
        for name, _, _ in promql.matchers(selector):
            if name not in labels and name not in ALWAYS_THERE:
                yield Finding(f"{metric.name} has no label {name}", ctx.find(rf"\b({re.escape(name)})\s*[=!]", 1))
    for node, _ in ctx.nodes:
        kind, labels = promql.grouping(node)
        if kind is None:
            continue
        available = set()
        for selector in promql.selectors(node):
            known = ctx.catalogue.lookup(selector.name) if selector.name else None
            if known is None:
                available = None
                break
            available |= set(known[1])
        for label in labels:
            if available is not None and label not in available | ALWAYS_THERE and not label.startswith("__gv_"):
                yield Finding(f"groups by {label}, which none of its metrics has",
                              ctx.find(rf"\b(by|without)\s*\([^)]*?\b({re.escape(label)})\b", 2))
