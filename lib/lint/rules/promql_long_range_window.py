"""Flags: a range or subquery window longer than max_range (default 1d) written into a query.

Why: the window is read for every series at every point of the graph: [30d] over a busy counter
loads billions of samples, hits Prometheus' sample limit, and times out. Long windows belong in
recording rules.

Bad:
    sum(increase(http_server_requests_total[30d]))
Good:
    sum(service:http_server_requests:error_ratio_rate30d)
"""

import re
from datetime import timedelta

import promql_parser as pp

from dashgen.lint import promql
from dashgen.lint.context import Finding
from dashgen.lint.variables import sentinel_for

ID = "promql/long-range-window"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "promql"
HELP = "precompute it with a recording rule, or use [$__range] so the window follows the dashboard"


def check(ctx):
    if ctx.promql is None:
        return
    limit = _duration(ctx.config.max_range)
    for node, _ in ctx.nodes:
        if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)):
            window = promql.range_of(node)
            if window > limit and sentinel_for(window) is None:
                shown = pp.display_duration(window)
                yield Finding(f"reads a {shown} window, over max_range {ctx.config.max_range}",
                              ctx.find(rf"\[({re.escape(shown)}|[^\]]*)[:\]]"))


def _duration(text: str) -> timedelta:
    return pp.parse_duration(text)
