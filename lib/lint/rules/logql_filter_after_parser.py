"""Flags: a line filter (|=, !=, |~, !~) placed after a parser (json, logfmt, regexp, pattern).

Why: Loki runs the pipeline left to right, so the parser first runs on every line and only then is
the cheap substring filter applied; filtering first parses only the lines that can match.

Bad:
    {app="mpac-pgw"} | json |= "timeout"
Good:
    {app="mpac-pgw"} |= "timeout" | json
"""

from dashgen.lint.context import Finding

ID = "logql/filter-after-parser"
SUMMARY = "a line filter (|=, !=, |~, !~) placed after a parser"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "logql"
HELP = "move the line filter before the parser"


def check(ctx):
    if ctx.logql is None:
        return
    for selector in ctx.logql.selectors:
        parser = None
        for stage in selector.pipeline:
            if stage.kind == "parser" and parser is None:
                parser = stage
            elif stage.kind in ("line_format",):
                break  # after line_format the line is a different line; a filter there is deliberate
            elif stage.kind == "line_filter" and parser is not None:
                yield Finding(f"line filter after {parser.name}: every line is parsed before it is filtered",
                              ctx.span(*stage.span))
