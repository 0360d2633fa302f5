"""Flags: a high-cardinality label (trace, request, user, session, merchant or device id) used as a
stream label in a selector, or as a grouping of a LogQL metric query.

Why: every value of a stream label is a separate stream with its own index entries and chunks;
ids as stream labels explode Loki's index. Ids belong in the log line or in structured metadata,
filtered after the selector.

Bad:
    {app="smartpos", device_id="A1B2"}
Good:
    {app="smartpos"} | json | device_id="A1B2"
"""

from dashgen.lint.context import Finding

ID = "logql/high-cardinality-stream-label"
SUMMARY = "an unbounded label (a trace, user or device id...) as a stream label"
CATEGORY = "cardinality"
SEVERITY = "error"
LANGUAGE = "logql"
HELP = "select the stream by bounded labels, then filter: | json | device_id=\"$device\""


def check(ctx):
    if ctx.logql is None:
        return
    for selector in ctx.logql.selectors:
        for matcher in selector.matchers:
            if ctx.config.is_high_cardinality(matcher.name):
                yield Finding(f"{matcher.name} is an unbounded id; as a stream label it makes one stream per value",
                              ctx.span(*matcher.span))
    for grouping in ctx.logql.groupings:
        for label in grouping.labels:
            if ctx.config.is_high_cardinality(label):
                yield Finding(f"groups by {label}, an unbounded id", ctx.span(*grouping.span))
