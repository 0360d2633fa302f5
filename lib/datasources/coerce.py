"""Field types of the datasource definitions, checked when an object is built.

A slip that Python accepts silently becomes a TypeError raised at the line of the definition (the
loader reports it as `datasources/x.py:LINE: TypeError: ...`, exit 2) rather than a traceback or a
wrong file later; every wrong or misspelt argument of the call is told in that one error, a
misspelt one with the nearest field named (dashgen.settings). A single object where a tuple is
expected is taken as a tuple of one, because `tags=(TagMapping("service.name", "service"))` (no
trailing comma) and `samples=LINE` mean exactly that; a string there is refused, since it would
otherwise be read as a sequence of characters.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing

from dashgen.settings import unknown


def check_arguments(cls, args: tuple, kwargs: dict) -> None:
    """Refuses a call with a keyword argument the class has no field for (naming the nearest one,
    which Python 3.11 does not) or a value of the wrong type, telling every such problem at once."""
    hints = _hints(cls)
    given = dict(zip(hints, args)) | kwargs
    problems = [f"{cls.__name__}: {unknown(name, hints, 'keyword argument')}" for name in kwargs if name not in hints]
    for name, value in given.items():
        if name in hints:
            try:
                _checked(f"{cls.__name__}.{name}", value, hints[name])
            except TypeError as exc:
                problems.append(str(exc))
    if problems:
        raise TypeError("; ".join(problems))


def check_fields(obj) -> None:
    """Checks every field of the dataclass `obj` against its annotation; turns a lone item or a list
    into the tuple a tuple field expects."""
    cls = type(obj).__name__
    for name, hint in _hints(type(obj)).items():
        value = getattr(obj, name)
        fixed = _checked(f"{cls}.{name}", value, hint)
        if fixed is not value:
            object.__setattr__(obj, name, fixed)  # frozen dataclasses: this is how __post_init__ sets a field


@functools.cache
def _hints(cls) -> dict:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _checked(where: str, value, hint):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:  # tuple[Item, ...]
        item = args[0]
        if isinstance(value, item):
            return (value,)
        if not isinstance(value, (tuple, list)):
            raise TypeError(f"{where} must be {_name(item)} objects (a tuple of them), not {_describe(value)}")
        for i, each in enumerate(value, 1):
            if not isinstance(each, item):
                raise TypeError(f"{where} item {i} must be {_article(item)}, not {_describe(each)}")
        return tuple(value)
    if origin in (types.UnionType, typing.Union):  # Item | None
        if value is None:
            return value
        (hint,) = [a for a in args if a is not type(None)]
    if origin is dict:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise TypeError(f"{where} must be a dict of strings to strings, not {_describe(value)}")
        return value
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise TypeError(f"{where} must be {_article(hint)}, not {_describe(value)}")
    return value


def _name(cls) -> str:
    return {str: "str", bool: "bool", int: "int"}.get(cls, cls.__name__)


def _article(cls) -> str:
    name = _name(cls)
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def _describe(value) -> str:
    if value is None:
        return "None"
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return f"{_article(type(value))} {shown}" if isinstance(value, (str, int, float)) else f"{_article(type(value))}"
