"""Flags: TraceQL that Tempo 2.9 would refuse once Grafana's variables are expanded: what its parser
rejects (unbalanced braces, `{ .a < }`, `{ .a = nil }`, a bare `{ }` joined to a parenthesised
pipeline, a stage after a metrics function, bad escapes, numbers and durations), and what its checks
after parsing reject (`{ 1 = "a" }`, `{ status > ok }`, an invalid regular expression, a spanset filter
that is not a condition, `count() > 1 + 1`, a quantile above 1, `topk(0)`, `parent.` attributes). A
trace id (or a lone `${traceId}`) is a trace lookup, not TraceQL, and is left alone.

Why: the panel shows an error instead of traces, and nobody notices until they need it.

Bad:
    { resource.service.name = "mpac-pgw"
    { span.http.status_code = "500" && status > ok }
    ({ status = error } | count() > 1) && { span.db.system = "redis" }
Good:
    { resource.service.name = "mpac-pgw" }
    { span.http.status_code = 500 && status = error }
    ({ status = error } | count() > 1) && ({ span.db.system = "redis" })
    avg(span:duration) > 1s
    4bf92f3577b34da6a3ce929d0e0e4736
"""

from dashgen.lint.context import Finding
from dashgen.lint.traceql import TraceQLRefusal, is_trace_id

ID = "traceql/syntax"
SUMMARY = "TraceQL that Tempo would refuse to parse or run"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "traceql"
HELP = "fix the query; a spanset is { condition && ... }, stages follow a |; `dashgen lint` expands $var first"


def check(ctx):
    error = ctx.traceql_error
    if error is not None and not is_trace_id(ctx.query.text):
        what = "Tempo refuses it" if isinstance(error, TraceQLRefusal) else "does not parse"
        yield Finding(f"{what}: {error.message}", ctx.span(error.offset, error.offset + 1))
