"""Flags: matchers on one label that can never all hold: two different values for =, = and != of
the same value, = and a regex (=~) that does not match its value, or = and a !~ that does.
Values with a Grafana variable are left alone: env="$env", env="prod" holds when $env is prod.

Why: the parser accepts them, Prometheus returns nothing, and the panel looks like "no errors".

Bad:
    up{env="production", env="staging"}
    up{code="200", code=~"5.."}
Good:
    up{env=~"production|staging"}
    up{code="500", code=~"5.."}
"""

from dashgen.lint import promql
from dashgen.lint.context import Finding
from dashgen.lint.variables import shown

ID = "promql/contradictory-matchers"
SUMMARY = "matchers on one label that can never all hold"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "keep one matcher per label, or use =~\"a|b\" for either value"


def check(ctx):
    if ctx.promql is None:
        return
    for selector in ctx.selectors:
        matchers = [(i, shown(name), op, value) for i, (name, op, value) in enumerate(promql.matchers(selector))
                    if "$" not in value]
        equal: dict[str, str] = {}
        for i, name, op, value in matchers:
            if op == "=" and equal.setdefault(name, value) != value:
                yield Finding(f'{name} cannot be both "{equal[name]}" and "{value}"', ctx.matcher_span(selector, i))
        for i, name, op, value in matchers:
            wanted = equal.get(name)
            if wanted is None or op == "=":
                continue
            if op == "!=" and value == wanted:
                yield Finding(f'{name}="{wanted}" and {name}!="{value}" exclude each other',
                              ctx.matcher_span(selector, i))
            elif op in ("=~", "!~") and promql.fullmatch(value, wanted) is (op == "!~"):
                verb = "does not match" if op == "=~" else "excludes"
                yield Finding(f'{name}{op}"{value}" {verb} {name}="{wanted}", so nothing is selected',
                              ctx.matcher_span(selector, i))
