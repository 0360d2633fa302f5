"""Flags: a range or subquery window longer than max_range (default 1d) written into a query.

Why: the window is read for every series at every point of the graph: [30d] over a busy counter
loads billions of samples, hits Prometheus' sample limit, and times out. Long windows belong in
recording rules.

Bad:
    sum(increase(http_server_requests_total[30d]))
Good:
    sum(service:http_server_requests:error_ratio_rate30d)
"""

import promql_parser as pp

from dashgen.lint.context import Finding
from dashgen.lint.variables import sentinel_for

ID = "promql/long-range-window"
SUMMARY = "a range or subquery window longer than max_range (default 1d)"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "promql"
DASHBOARDS_ONLY = True  # a rule file is evaluated on fixed windows, without a dashboard
HELP = "precompute it with a recording rule, or use [$__range] so the window follows the dashboard"


def check(ctx):
    if ctx.promql is None:
        return
    for node, _ in ctx.nodes:
        if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)):
            if node.range > ctx.config.max_window and sentinel_for(node.range) is None:
                span = ctx.locate(node)
                written = ctx.written(span)[1:-1].split(":")[0].strip()  # `25h` of `[25h]` or `[25h:5m]`
                shown = written or pp.display_duration(node.range)
                yield Finding(f"reads a {shown} window, over max_range {ctx.config.max_range}", span)
