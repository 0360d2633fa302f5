"""Flags: a TraceQL query that selects every span: { } or { true }.

Why: Tempo has to read every block in the time range; on a busy cluster the query times out and
costs the other users.

Bad:
    { }
Good:
    { resource.service.name = "mpac-pgw" && status = error }
"""

from dashgen.lint.context import Finding
from dashgen.lint.traceql import is_empty_filter

ID = "traceql/full-scan"
SUMMARY = "a TraceQL query that selects every span: { } or { true }"
CATEGORY = "cardinality"
SEVERITY = "error"
LANGUAGE = "traceql"
HELP = "filter by at least the service: { resource.service.name = \"$service\" }"


def check(ctx):
    if ctx.traceql is None or not ctx.traceql.spansets:
        return
    if all(is_empty_filter(s) for s in ctx.traceql.spansets):
        yield Finding("selects every span in the time range", ctx.span(*ctx.traceql.spansets[0].span))
