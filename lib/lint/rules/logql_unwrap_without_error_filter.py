"""Flags: `| unwrap` in a metric query without a `| __error__=""` filter.

Why: lines whose field does not parse as a number carry an __error__ label; without the filter the
query fails or mixes error series into the result.

Bad:
    sum(sum_over_time({app="mpac-pgw"} | json | unwrap latency_seconds [5m]))
Good:
    sum(sum_over_time({app="mpac-pgw"} | json | unwrap latency_seconds | __error__="" [5m]))
"""

from dashgen.lint.context import Finding

ID = "logql/unwrap-without-error-filter"
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "logql"
HELP = 'add | __error__="" after the unwrap'


def check(ctx):
    if ctx.logql is None:
        return
    for selector in ctx.logql.selectors:
        unwraps = [s for s in selector.pipeline if s.kind == "unwrap"]
        filtered = any(s.kind == "label_filter" and "__error__" in s.labels for s in selector.pipeline)
        if unwraps and not filtered:
            yield Finding("unwrap without | __error__=\"\": lines that do not parse make the query fail",
                          ctx.span(*unwraps[0].span))
