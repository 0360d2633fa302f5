"""Flags: matchers on one label that can never all hold: two different values for =, or = and !=
of the same value.

Why: the parser accepts them, Prometheus returns nothing, and the panel looks like "no errors".

Bad:
    up{env="production", env="staging"}
Good:
    up{env=~"production|staging"}
"""

import re

from dashgen.lint import promql
from dashgen.lint.context import Finding

ID = "promql/contradictory-matchers"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "keep one matcher per label, or use =~\"a|b\" for either value"


def check(ctx):
    if ctx.promql is None:
        return
    for selector in ctx.selectors:
        equal: dict[str, str] = {}
        matchers = promql.matchers(selector)
        for name, op, value in matchers:
            if op == "=" and equal.setdefault(name, value) != value:
                yield Finding(f'{name} cannot be both "{equal[name]}" and "{value}"',
                              ctx.find(rf'\b{re.escape(name)}\s*=\s*"{re.escape(value)}"'))
        for name, op, value in matchers:
            if op == "!=" and equal.get(name) == value:
                yield Finding(f'{name}="{value}" and {name}!="{value}" exclude each other',
                              ctx.find(rf'\b{re.escape(name)}\s*!=\s*"{re.escape(value)}"'))
