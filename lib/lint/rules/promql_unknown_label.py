"""Flags: a label matched or grouped by that the metric does not have, per the catalogue. Labels a
query makes itself (label_replace, label_join, count_values) count as present, and `without (x)`
is left alone: dropping a label that is not there is harmless.

Why: a matcher on a missing label matches nothing (`=`) or everything (`!=`), and a grouping by it
collapses every series into one; either way the panel quietly shows the wrong thing.

Bad:
    sum by (status) (rate(http_server_requests_total[5m]))
Good:
    sum by (status_code) (rate(http_server_requests_total[5m]))
"""

from dashgen.lint import promql
from dashgen.lint.context import Finding
from dashgen.lint.promql import ALWAYS_THERE
from dashgen.lint.variables import is_placeholder

ID = "promql/unknown-label"
SUMMARY = "a label the metric does not have, per the catalogue"
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "promql"
HELP = "use a label the metric has (see the catalogue), or add the label to its catalogue entry"


def check(ctx):
    if ctx.promql is None or ctx.catalogue is None:
        return
    for selector in ctx.selectors:
        known = ctx.catalogue.lookup(selector.name) if selector.name else None
        if known is None:
            continue
        metric, labels = known
        for i, (name, _, _) in enumerate(promql.matchers(selector)):
            if name not in labels and name not in ALWAYS_THERE and not is_placeholder(name):
                span = ctx.matcher_span(selector, i)
                yield Finding(f"{metric.name} has no label {name}", span and (span[0], span[0] + len(name)))
    for node, _ in ctx.nodes:
        kind, labels = promql.grouping(node)
        if kind != "by":
            continue
        available = promql.available_labels(node.expr, ctx.catalogue)
        for label in labels:
            if available is not None and label not in available | ALWAYS_THERE and not is_placeholder(label):
                yield Finding(f"groups by {label}, which none of its metrics has", ctx.label_span(node, label))
