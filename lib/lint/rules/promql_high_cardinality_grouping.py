"""Flags: an aggregation that groups by an unbounded label (a trace, request, user, session,
merchant or device id), or by a label the catalogue says has tens of thousands of values. A label
none of the grouped metrics has is left to promql/unknown-label: it makes no series at all.

Why: each value becomes its own series: the query returns one line per id, Prometheus loads all of
them, and Grafana draws a legend nobody can read. Ids belong in traces and logs.

Bad:
    count by (device_id) (device_battery_level_ratio < 0.1)
Good:
    count by (env) (device_battery_level_ratio < 0.1)
"""

from dashgen.lint import promql
from dashgen.lint.context import Finding
from dashgen.lint.estimate import UNBOUNDED_LABEL_VALUES
from dashgen.lint.variables import is_placeholder

ID = "promql/high-cardinality-grouping"
SUMMARY = "an aggregation grouped by an unbounded label (a trace, user or device id...)"
CATEGORY = "cardinality"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "group by bounded labels; to see one id, select it with an equality matcher (label=\"$id\")"


def check(ctx):
    if ctx.promql is None:
        return
    for node, _ in ctx.nodes:
        kind, labels = promql.grouping(node)
        if kind != "by":
            continue
        available = promql.available_labels(node.expr, ctx.catalogue)
        for label in labels:
            if is_placeholder(label) or (available is not None and label not in available):
                continue
            values = ctx.catalogue.labels.get(label) if ctx.catalogue is not None else None
            if ctx.config.is_high_cardinality(label) or (values or 0) >= UNBOUNDED_LABEL_VALUES:
                count = f" (~{values:,} values)" if values else ""
                yield Finding(f"groups by {label}, an unbounded label{count}", ctx.label_span(node, label))
