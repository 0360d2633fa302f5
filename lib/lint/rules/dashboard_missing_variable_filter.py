"""Flags: a panel query that uses none of the dashboard's variables, on a dashboard that has some.
Queries that read no series (`vector(1)`, `time()`) are left alone: there is nothing to filter.

Why: the viewer picks an environment and a service, and this panel ignores the choice: it shows
every service in every environment, reads far more than it should, and misleads.

Bad:
    sum(rate(http_server_requests_total[$__rate_interval]))
Good:
    sum(rate(http_server_requests_total{env="$env", service=~"$service"}[$__rate_interval]))
    vector(1)
"""

from dashgen.lint.context import Finding
from dashgen.lint.variables import reference_names

ID = "dashboard/missing-variable-filter"
SUMMARY = "a panel query that uses none of the dashboard's variables"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "query"
DASHBOARDS_ONLY = True  # a rule file is evaluated on fixed windows, without a dashboard
HELP = "filter by one of the dashboard's variables, e.g. {label=~\"$variable\"}"
FILTER_TYPES = {"query", "custom", "textbox"}


def check(ctx):
    variables = ctx.dashboard.variables
    filters = sorted(n for n, v in variables.items() if v.get("type") in FILTER_TYPES)
    adhoc = any(v.get("type") == "adhoc" for v in variables.values())  # Grafana adds those filters itself
    if ctx.query.kind != "panel" or not filters or adhoc or ctx.query.language == "other":
        return
    if ctx.query.language == "promql" and ctx.promql is not None and not ctx.selectors:
        return
    if not set(reference_names(ctx.query.raw)) & set(filters):
        yield Finding(f"uses none of the dashboard's variables ({', '.join('$' + f for f in filters)})")
