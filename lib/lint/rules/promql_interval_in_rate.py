"""Flags: rate(), irate() or increase() over [$__interval].

Why: $__interval is the time between two points of the graph, which can be shorter than two
scrapes; rate() then finds fewer than two samples and the graph has holes. $__rate_interval is
$__interval but at least four scrape intervals.

Bad:
    sum(rate(http_server_requests_total[$__interval]))
Good:
    sum(rate(http_server_requests_total[$__rate_interval]))
"""

from dashgen.lint import promql
from dashgen.lint.context import Finding
from dashgen.lint.rules._ranges import rate_windows
from dashgen.lint.variables import sentinel_for

ID = "promql/interval-in-rate"
SUMMARY = "rate(), irate() or increase() over [$__interval]"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "replace $__interval with $__rate_interval inside rate(), irate() and increase()"


def check(ctx):
    if ctx.promql is None:
        return
    for function, node, window in rate_windows(ctx):
        if function in promql.COUNTER_RATES and sentinel_for(window) == "$__interval":
            yield Finding(f"{function}() over $__interval can see fewer than two samples", ctx.locate(node))
