"""Flags: TraceQL that Tempo would refuse to parse: unbalanced braces, parentheses or quotes, a
spanset inside a spanset, an empty pipeline stage. A trace id (or a lone `${traceId}`) is a trace
lookup, not TraceQL, and is left alone.

Why: the panel shows a parse error instead of traces, and nobody notices until they need it.

Bad:
    { resource.service.name = "mpac-pgw"
Good:
    { resource.service.name = "mpac-pgw" }
    4bf92f3577b34da6a3ce929d0e0e4736
"""

from dashgen.lint.context import Finding
from dashgen.lint.traceql import is_trace_id

ID = "traceql/syntax"
SUMMARY = "TraceQL that Tempo would refuse to parse"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "traceql"
HELP = "fix the query; a spanset is { condition && ... }, stages follow a |"


def check(ctx):
    error = ctx.traceql_error
    if error is not None and not is_trace_id(ctx.query.text):
        yield Finding(f"does not parse: {error.message}", ctx.span(error.offset, error.offset + 1))
