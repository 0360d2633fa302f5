"""Seeded mutations of JSON-like values and of Python source, for the fuzz suite: each case is a
seed, so a failure names the seed that reproduces it."""

from __future__ import annotations

import copy
import random


def deep(levels: int):
    """A list nested `levels` deep: parsers that recurse meet their limit."""
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


# What people and machines put where they should not.
HOSTILE = [
    None, "", " ", "x\n", "\x00", "é✓", "a" * 5000, "$x", "${__value.raw}", "../../etc", -1, 0, 1e300,
    float("nan"), float("inf"), True, False, [], {}, [None], {"": None}, [[["x"]]], deep(60), 2**70, "1h", "-5m",
]


def paths(value, prefix=()) -> list[tuple]:
    """Every path into a JSON-like value (dict keys and list indexes), the root included."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def mutated(value, rng: random.Random, count: int = 2):
    """A copy of `value` with `count` random edits: a value replaced by a hostile one, a key removed,
    a container emptied or turned into the other kind, a value wrapped in a list."""
    value = copy.deepcopy(value)
    for _ in range(count):
        path = rng.choice(paths(value)[1:] or [()])
        if not path:
            return rng.choice(HOSTILE)
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        key, old = path[-1], parent[path[-1]]
        action = rng.randrange(5)
        if action == 0 and isinstance(parent, dict):
            del parent[key]
        elif action == 1:
            parent[key] = [old]
        elif action == 2 and isinstance(old, (dict, list)):
            parent[key] = list(old.values()) if isinstance(old, dict) else {str(i): v for i, v in enumerate(old)}
        else:
            parent[key] = copy.deepcopy(rng.choice(HOSTILE))
    return value


PYTHON_HOSTILE = [
    "None", "''", "'x\\n'", "{'a': 1}", "['a']", "-1", "10**400", "float('nan')", "object()", "b'bytes'",
    "'é✓' * 3", "'$x'", "(1, 2)", "{1, 2}", "lambda: 1", "1 / 0", "undefined_name", "__import__('sys').exit(3)",
    "type('Weird', (Exception,), {'__str__': lambda self: 1 / 0})()", "'a' * 5000",
]


def filled(template: str, slots: list[str], rng: random.Random, count: int = 1) -> str:
    """`template` with `count` of its `{slot}` placeholders given a hostile Python expression and the
    others their default (the slot's text after `=` in `slots`)."""
    names = [slot.split("=", 1)[0] for slot in slots]
    chosen = set(rng.sample(names, min(count, len(names))))
    values = {}
    for slot in slots:
        name, default = slot.split("=", 1)
        values[name] = rng.choice(PYTHON_HOSTILE) if name in chosen else default
    return template.format(**values)
