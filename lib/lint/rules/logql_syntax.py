"""Flags: LogQL that Loki 3.6 would refuse once Grafana's variables are expanded: what its grammar
does not take (unbalanced brackets, a bad string escape, a log range outside a range aggregation, a
range such as [5minutes]), what it checks as it parses (topk without its k, a grouping or unwrap the
range aggregation does not take, a number beside and/or/unless), and the regexes and patterns it
cannot compile (|~ "(foo", a label filter's =~, a regexp stage without a named group).

Why: the panel shows a parse error instead of logs, and nobody notices until they need it.

Bad:
    {app="mpac-pgw" |= "error"
    sum({app="mpac-pgw"})
    rate({app="mpac-pgw"}[5minutes])
    {app="mpac-pgw"} |~ "(timeout"
Good:
    {app="mpac-pgw"} |= "error"
    sum(count_over_time({app="mpac-pgw"}[5m]))
    rate({app="mpac-pgw"}[5m])
    {app="mpac-pgw"} |~ "timeout|deadline"
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
