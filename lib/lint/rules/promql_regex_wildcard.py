"""Flags: a regex matcher that matches everything (=~".*") or nothing at all (!~".*").

Why: =~".*" filters nothing (it even matches series without the label), so it only hides that the
query is unfiltered; !~".*" drops every series, so the panel is always empty. (=~".+", "the label
is set", is left alone: it means something.)

Bad:
    sum(rate(http_server_requests_total{route=~".*"}[5m]))
Good:
    sum(rate(http_server_requests_total[5m]))
"""

from dashgen.lint import promql
from dashgen.lint.context import Finding
from dashgen.lint.variables import shown

ID = "promql/regex-wildcard"
SUMMARY = 'a regex matcher that matches everything (=~".*") or nothing (!~".*")'
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "promql"
HELP = 'drop an =~".*" matcher, or filter by a variable; remove !~".*"'
VERDICTS = {("=~", ".*"): "matches everything", ("!~", ".*"): "matches nothing"}


def check(ctx):
    if ctx.promql is None:
        return
    for selector in ctx.selectors:
        for i, (name, op, value) in enumerate(promql.matchers(selector)):
            verdict = VERDICTS.get((op, value))
            if verdict:
                yield Finding(f'{shown(name)}{op}"{value}" {verdict}', ctx.matcher_span(selector, i))
