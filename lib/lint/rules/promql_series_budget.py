"""Flags: a panel query that can return more series than the per-panel budget (default 500),
by the series it returned from a live Prometheus (`dashgen lint --prometheus`) when it ran on one,
else by the static estimate from the metric catalogue. Queries that read metrics the catalogue lacks
(every query of a dashboard linted without one) get an estimate from documented defaults, shown
in --format json, but no finding: a guess is not evidence.

Why: past a few hundred series a graph is unreadable and the query is expensive; at MPAC's scale
an unaggregated selector over merchant or device ids returns tens of thousands.

Bad:
    rate(http_server_requests_total[5m])
Good:
    sum by (service) (rate(http_server_requests_total[5m]))
"""

from dashgen.lint.context import Finding

ID = "promql/series-budget"
SUMMARY = "a panel query estimated to return more series than the panel's budget"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "promql"
HELP = "aggregate (sum by (...)), filter by a variable, or use topk(n, ...) with a small n; raise panel_series_budget only for a reason"


def check(ctx):
    estimate = ctx.estimate
    budget = ctx.config.panel_series_budget
    measured = ctx.measured.series if ctx.measured is not None else None
    if measured is not None:
        if measured > budget:
            yield Finding(f"returned {measured:,} series from Prometheus (estimated at most "
                          f"{estimate.returned:,} from the catalogue), over the budget of {budget:,} per panel"
                          if estimate is not None else
                          f"returned {measured:,} series from Prometheus, over the budget of {budget:,} per panel")
        return
    if estimate is None or ctx.query.kind != "panel" or not estimate.catalogued:
        return
    if estimate.returned > budget:
        yield Finding(f"can return {estimate.factor} (reads {estimate.read:,}), over the budget of {budget:,} per panel")
