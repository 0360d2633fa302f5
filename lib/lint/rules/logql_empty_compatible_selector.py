"""Flags: a stream selector none of whose matchers rejects the empty string: {}, {job=~".*"},
{namespace!="x"}, or {job=~"$job"} whose variable's custom "All" value is ".*". (Without a custom
allValue, Grafana sends "All" as the list of values, which is fine.) Variable queries
(label_values({...}, label)) are left alone: Loki's label API takes any selector.

Why: Loki refuses such queries ("queries require at least one regexp or equality matcher that does
not have an empty-compatible value"), or, through a variable, refuses them only when someone picks
"All".

Bad:
    {job=~".*"} |= "error"
Good:
    {job="mpac-pgw"} |= "error"
"""

import re

from dashgen.lint.context import Finding

ID = "logql/empty-compatible-selector"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "logql"
HELP = 'add a matcher with a non-empty value (app="x"); give "All" variables the allValue ".+"'
_VARIABLE = re.compile(r"\$\{?(\w+)(?::\w+)?\}?")


def check(ctx):
    if ctx.logql is None or ctx.query.selector_only:
        return
    for selector in ctx.logql.selectors:
        if not any(_rejects_empty(m.op, m.value, ctx.dashboard.variables) for m in selector.matchers):
            yield Finding("every matcher of this stream selector also matches the empty string",
                          ctx.span(*selector.span))


def _rejects_empty(op: str, value: str, variables: dict) -> bool:
    if op not in ("=", "=~"):
        return False
    for name in _VARIABLE.findall(value):
        var = variables.get(name, {})
        if var.get("includeAll") and var.get("allValue"):
            value = value.replace(f"${{{name}}}", var["allValue"]).replace(f"${name}", var["allValue"])
    value = _VARIABLE.sub("x", value)
    if op == "=":
        return value != ""
    try:
        return re.fullmatch(value, "") is None
    except re.error:
        return True
