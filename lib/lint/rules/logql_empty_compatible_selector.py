"""Flags: a stream selector none of whose matchers rejects the empty string: {}, {job=~".*"},
{namespace!="x"}, or {job=~"$job"} (also `${job:regex}`, `[[job]]`) whose variable's custom "All"
value is ".*". (Without a custom allValue, Grafana sends "All" as the list of values, which is
fine.) Variable queries (label_values({...}, label)) are left alone: Loki's label API takes any
selector.

Why: Loki refuses such queries ("queries require at least one regexp or equality matcher that does
not have an empty-compatible value"), or, through a variable, refuses them only when someone picks
"All".

Bad:
    {job=~".*"} |= "error"
Good:
    {job="mpac-pgw"} |= "error"
"""

from dashgen.lint import promql
from dashgen.lint.context import Finding
from dashgen.lint.variables import REFERENCE

ID = "logql/empty-compatible-selector"
SUMMARY = "a stream selector none of whose matchers rejects the empty string"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "logql"
HELP = 'add a matcher with a non-empty value (app="x"); give "All" variables the allValue ".+"'


def check(ctx):
    if ctx.logql is None or ctx.query.selector_only:
        return
    for selector in ctx.logql.selectors:
        culprits = []
        for matcher in selector.matchers:
            rejects, culprit = _rejects_empty(matcher.op, matcher.value, ctx.dashboard.variables)
            if rejects:
                break
            culprits += [culprit] if culprit else []
        else:
            if culprits:
                name, all_value = culprits[0]
                message = (f"when 'All' is selected, ${name} becomes {all_value} and every matcher of this "
                           "stream selector matches the empty string")
            else:
                message = "every matcher of this stream selector also matches the empty string"
            yield Finding(message, ctx.span(*selector.span))


def _rejects_empty(op: str, value: str, variables: dict) -> tuple[bool, tuple[str, str] | None]:
    """Whether the matcher rejects "" with every value its variables can take, and if not because of
    an "All" value, (the variable, its allValue)."""
    if op not in ("=", "=~"):
        return False, None
    all_values = {}

    def render(m, use_all: bool) -> str:
        name = m.group("plain") or m.group("square") or m.group("braced")
        var = variables.get(name) or {}
        if use_all and var.get("includeAll") and isinstance(var.get("allValue"), str) and var["allValue"]:
            all_values[name] = var["allValue"]
            return var["allValue"]
        return "x"  # one value picked, or the list of values: not empty

    for use_all in (False, True):
        rendered = REFERENCE.sub(lambda m: render(m, use_all), value)
        rejects = rendered != "" if op == "=" else promql.fullmatch(rendered, "") is not True
        if not rejects:
            culprit = next(iter(all_values.items())) if use_all and all_values else None
            return False, culprit
    return True, None
