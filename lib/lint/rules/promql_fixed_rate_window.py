"""Flags: rate(), irate(), increase() (or deriv, delta, changes...) over a fixed window such as [5m],
or a fixed subquery range ([5m:]), in a panel query.

Why: a fixed window is too short when the panel shows a week (every point is a spike) and too long
when it shows an hour; $__rate_interval follows the zoom and is never shorter than four scrapes.

Bad:
    sum(rate(http_server_requests_total[5m]))
Good:
    sum(rate(http_server_requests_total[$__rate_interval]))
"""

import promql_parser as pp

from dashgen.lint.context import Finding
from dashgen.lint.rules._ranges import rate_windows
from dashgen.lint.variables import sentinel_for

ID = "promql/fixed-rate-window"
SUMMARY = "rate() and the like over a fixed window such as [5m] in a panel"
CATEGORY = "conventions"
SEVERITY = "warning"
LANGUAGE = "promql"
DASHBOARDS_ONLY = True  # a rule file is evaluated on fixed windows, without a dashboard
HELP = "use [$__rate_interval] for rates, [$__range] for a total over the dashboard's range"


def check(ctx):
    if ctx.promql is None or ctx.query.kind != "panel":
        return
    for function, node, window in rate_windows(ctx):
        if sentinel_for(window) is None:
            span = ctx.locate(node)
            shown = ctx.written(span, f"[{pp.display_duration(window)}]")
            yield Finding(f"{function}() over a fixed {shown}; it does not follow the dashboard's zoom", span)
