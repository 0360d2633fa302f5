"""Flags: a panel query that returns no data (or only NaN) from the Prometheus given to
`dashgen lint --prometheus`, with the reason found by narrowing it on the server: the metric does
not exist, the recording rule is not loaded, a label or value never occurs, the sides of an
operation share no labels, a comparison keeps nothing. Also a query Prometheus refuses to run.
Judged only in a live lint; silent otherwise.

Why: a query can parse and match the catalogue and still draw "No data": `le="300"` where
Prometheus 3 stores `le="300.0"`, a status value no service sends, a rule file nobody loaded.

Bad:
    sum(rate(http_server_requests_total{status_code="600"}[5m]))
Good:
    sum(rate(http_server_requests_total[5m]))
"""

from dashgen.lint.context import Finding

ID = "promql/no-data"
SUMMARY = "a panel query that returns no data from a live Prometheus (--prometheus)"
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "promql"
LIVE = True  # needs a live.Measured: the rule's examples are judged as if the server returned nothing
HELP = "fix what the reason names; a panel that is empty by design (an error count with no errors) can be suppressed"


def check(ctx):
    measured = ctx.measured
    if measured is None:
        return
    if measured.unbound:
        yield Finding(f"not run on Prometheus: {measured.unbound}; select a value with --var NAME=VALUE",
                      severity="info")
    elif measured.failure:
        yield Finding(measured.failure, severity="error" if measured.refused else None)
    elif measured.empty:
        yield Finding(f"shows no data: {measured.empty}")
