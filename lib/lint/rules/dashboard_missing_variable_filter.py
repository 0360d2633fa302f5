"""Flags: a panel query that uses none of the dashboard's variables, on a dashboard that has some.

Why: the viewer picks an environment and a service, and this panel ignores the choice: it shows
every service in every environment, reads far more than it should, and misleads.

Bad:
    sum(rate(http_server_requests_total[$__rate_interval]))
Good:
    sum(rate(http_server_requests_total{env="$env", service=~"$service"}[$__rate_interval]))
"""

import re

from dashgen.lint.context import Finding

ID = "dashboard/missing-variable-filter"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "query"
HELP = "filter by the dashboard's variables, e.g. {env=\"$env\", service=~\"$service\"}"
FILTER_TYPES = {"query", "custom", "textbox"}
_REFERENCE = re.compile(r"\$\{(\w+)|\$(\w+)|\[\[(\w+)")


def check(ctx):
    variables = ctx.dashboard.variables
    filters = sorted(n for n, v in variables.items() if v.get("type") in FILTER_TYPES)
    adhoc = any(v.get("type") == "adhoc" for v in variables.values())  # Grafana adds those filters itself
    if ctx.query.kind != "panel" or not filters or adhoc or ctx.query.language == "other":
        return
    used = {next(g for g in m.groups() if g) for m in _REFERENCE.finditer(ctx.query.raw)}
    if not used & set(filters):
        yield Finding(f"uses none of the dashboard's variables ({', '.join(filters)})")
