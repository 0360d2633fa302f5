"""Flags: LogQL that Loki would refuse to parse once Grafana's variables are expanded: unbalanced
braces, parentheses or quotes, a bad string escape, a log range outside a range aggregation,
arithmetic or an aggregation over log lines.

Why: the panel shows a parse error instead of logs, and nobody notices until they need it.

Bad:
    {app="mpac-pgw" |= "error"
    sum({app="mpac-pgw"})
Good:
    {app="mpac-pgw"} |= "error"
    sum(count_over_time({app="mpac-pgw"}[5m]))
"""

from dashgen.lint.context import Finding

ID = "logql/syntax"
SUMMARY = "LogQL that Loki would refuse to parse once variables are expanded"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "logql"
HELP = "fix the query; `dashgen lint` expands $__auto, $var and [[var]] before parsing"


def check(ctx):
    error = ctx.logql_error
    if error is not None:
        yield Finding(f"does not parse: {error.message}", ctx.span(error.offset, error.offset + 1))
