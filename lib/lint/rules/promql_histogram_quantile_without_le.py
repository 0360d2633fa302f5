"""Flags: histogram_quantile() over an aggregation that drops the `le` label.

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
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "keep le in the grouping: sum by (<labels>, le) (rate(x_bucket[$__rate_interval]))"


def check(ctx):
    if ctx.promql is None:
        return
    for node, _ in ctx.nodes:
        if not (isinstance(node, pp.Call) and node.func.name == "histogram_quantile" and len(node.args) == 2):
            continue
        if not any((s.name or "").endswith("_bucket") for s in promql.selectors(node.args[1])):
            continue  # native histograms have no le
        for inner, _ in promql.walk(node.args[1]):
            kind, labels = promql.grouping(inner)
            if (kind == "by" and "le" not in labels) or (kind == "without" and "le" in labels) or \
                    (isinstance(inner, pp.AggregateExpr) and kind is None):
                yield Finding("the aggregation inside histogram_quantile() drops le, so no quantile can be computed",
                              ctx.find(r"\b(sum|max|min|avg)\s*(by|without)?\s*(\([^)]*\))?"))
                break
