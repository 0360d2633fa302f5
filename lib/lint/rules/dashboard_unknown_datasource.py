"""Flags: a panel or query whose datasource cannot be found: a $variable that is not a datasource
variable, a ${DS_X} input the export does not declare, or (for this project's dashboards) a uid
that datasources/ does not define.

Why: Grafana shows "datasource not found" in the panel, after the dashboard has shipped.

Bad:
    {"type": "timeseries", "title": "Up", "datasource": {"type": "prometheus", "uid": "${metrics}"}}
Good:
    {"type": "timeseries", "title": "Up", "datasource": {"type": "prometheus", "uid": "${datasource}"}}
"""

from dashgen.lint.context import Finding
from dashgen.lint.variables import only_reference

ID = "dashboard/unknown-datasource"
SUMMARY = "a panel or query whose datasource cannot be found"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "panel"
HELP = "refer to a datasource variable of the dashboard, an input of the export, or a defined uid"
BUILTIN = {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --", "default"}


def check(ctx):
    targets = ctx.panel.get("targets") if isinstance(ctx.panel.get("targets"), list) else []
    refs = [ctx.panel.get("datasource")] + [t.get("datasource") for t in targets if isinstance(t, dict)]
    reported = set()
    for ref in refs:
        problem = _problem(ref, ctx)
        if problem and problem not in reported:
            reported.add(problem)
            yield Finding(problem)


def _problem(ref, ctx) -> str:
    uid = ref.get("uid") if isinstance(ref, dict) else ref
    if not isinstance(uid, str) or not uid or uid in BUILTIN:
        return ""
    name = only_reference(uid)
    if name is not None:
        var = ctx.dashboard.variables.get(name)
        if name in ctx.dashboard.inputs or (var and var.get("type") == "datasource"):
            return ""
        if var:
            return f"datasource ${name} is a {var.get('type')} variable, not a datasource variable"
        return f"datasource ${name} is neither a variable nor an input of this dashboard"
    if isinstance(ref, dict) and ctx.datasources is not None and uid not in ctx.datasources:
        return f"datasource {uid!r} is not defined (known: {', '.join(sorted(ctx.datasources))})"
    return ""
