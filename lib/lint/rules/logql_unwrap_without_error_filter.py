"""Flags: `| unwrap` in a metric query without a `| __error__=""` filter after it (a filter
before the unwrap cannot see the errors the unwrap makes).

Why: lines whose field does not parse as a number carry an __error__ label; without the filter the
query fails or mixes error series into the result.

Bad:
    sum(sum_over_time({app="mpac-pgw"} | json | unwrap latency_seconds [5m]))
    sum(sum_over_time({app="mpac-pgw"} | json | __error__="" | unwrap latency_seconds [5m]))
Good:
    sum(sum_over_time({app="mpac-pgw"} | json | unwrap latency_seconds | __error__="" [5m]))
"""

from dashgen.lint.context import Finding

ID = "logql/unwrap-without-error-filter"
SUMMARY = '`| unwrap` without a `| __error__=""` filter after it'
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "logql"
HELP = 'add | __error__="" after the unwrap'


def check(ctx):
    if ctx.logql is None:
        return
    for selector in ctx.logql.selectors:
        unwrap = next((i for i, s in enumerate(selector.pipeline) if s.kind == "unwrap"), None)
        if unwrap is None:
            continue
        after = selector.pipeline[unwrap + 1:]
        if not any(s.kind == "label_filter" and "__error__" in s.labels for s in after):
            yield Finding("unwrap without | __error__=\"\" after it: lines that do not parse make the query fail",
                          ctx.span(*selector.pipeline[unwrap].span))
