"""Flags: PromQL that does not parse once Grafana's variables are expanded.

Why: the panel shows an error instead of data, and nobody notices until they need it.

Bad:
    sum(rate(http_server_requests_total[5m])
Good:
    sum(rate(http_server_requests_total[5m]))
"""

from dashgen.lint.context import Finding

ID = "promql/syntax"
SUMMARY = "PromQL that does not parse once Grafana's variables are expanded"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "fix the expression; `dashgen lint` expands $__rate_interval, $var and [[var]] before parsing"


def check(ctx):
    error = ctx.promql_error
    if error is not None:
        span = ctx.span(error.offset, error.offset + 1) if error.offset is not None else None
        yield Finding(f"does not parse: {error.message}", span)
