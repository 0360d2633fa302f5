"""Flags: histogram_quantile() over an aggregation that drops the `le` label. Only the operands that
read `_bucket` series are followed: in `sum by (le) (rate(x_bucket[5m])) * on (job) group_left ()
max by (job) (up)` the `max` is not over buckets. topk, bottomk and limitk keep every label.

Why: the quantile is computed from the buckets, which `le` tells apart; without it Prometheus has
one bucket per group and returns nothing (or NaN), so the latency panel is silently empty.

Bad:
    histogram_quantile(0.99, sum by (service) (rate(http_server_request_duration_seconds_bucket[5m])))
Good:
    histogram_quantile(0.99, sum by (service, le) (rate(http_server_request_duration_seconds_bucket[5m])))
"""

import promql_parser as pp

from dashgen.lint import promql
from dashgen.lint.context import Finding

ID = "promql/histogram-quantile-without-le"
SUMMARY = "histogram_quantile() over an aggregation that drops the le label"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "keep le in the grouping: sum by (<labels>, le) (rate(x_bucket[$__rate_interval]))"
KEEP_LABELS = {"topk", "bottomk", "limitk", "limit_ratio"}


def check(ctx):
    if ctx.promql is None:
        return
    for node, _ in ctx.nodes:
        if isinstance(node, pp.Call) and node.func.name == "histogram_quantile" and len(node.args) == 2:
            dropping = next(_aggregations_dropping_le(node.args[1]), None)
            if dropping is not None:
                yield Finding("the aggregation inside histogram_quantile() drops le, so no quantile can be computed",
                              ctx.locate(dropping))


def _aggregations_dropping_le(expr):
    """Aggregations over `_bucket` series under `expr` whose grouping loses `le`, outermost first."""
    buckets = _reading_buckets(expr)
    stack = [expr]
    while stack:
        node = stack.pop()
        if id(node) not in buckets:
            continue  # native histograms have no le; other operands do not feed the quantile's buckets
        kind, labels = promql.grouping(node)
        if isinstance(node, pp.AggregateExpr) and str(node.op) not in KEEP_LABELS:
            if kind is None or (kind == "by") != ("le" in labels):
                yield node
        stack.extend(reversed(promql.children(node)))


def _reading_buckets(expr) -> set[int]:
    """ids of the nodes under `expr` (itself included) with a `_bucket` selector below them."""
    found: set[int] = set()
    for node, ancestors in promql.walk(expr):
        if isinstance(node, pp.VectorSelector) and (node.name or "").endswith("_bucket"):
            found.update(id(n) for n in ancestors + (node,))
    return found
