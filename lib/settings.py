"""One validator for settings: a table (pyproject.toml, a catalogue entry, a datasource's fields) is
checked against a description of its keys, and every problem is reported, each located, in one run.

A user with three mistakes in one file fixes them after one run, not three; a misspelt key is told
the nearest known key. A description says, for each key, what its value must be (`ok`, with the
message `must` when it is not), the checks that say themselves what is wrong (`check`), how the
value is kept (`convert`), and its default or that it is required.
"""

from __future__ import annotations

import copy
import difflib
import re
import reprlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from dashgen.errors import InputError, Location

_REPR = reprlib.Repr()  # a value in a message is short, whatever its size or depth (YAML aliases can make it huge)
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 1, 60, 60
_REPR.maxlist = _REPR.maxdict = _REPR.maxset = _REPR.maxtuple = 4
COLLECTIONS = (set, frozenset, list, tuple, dict)


def _anything(_value) -> bool:
    return True


def _nothing(_value) -> str:
    return ""


def _same(value):
    return value


@dataclass(frozen=True)
class Key:
    """One key of a table. `must` is the message when `ok` refuses the value; "{key}" and "{value}"
    in it become the key and the value as shown. `check` runs once `ok` holds and gives its own
    messages (a string, or several), "" when the value is fine. `required` is True ("{key} is
    required") or the message when the key is absent; else an absent key takes `default`."""

    default: Any = None
    ok: Callable[[Any], Any] = _anything
    must: str = "{key} is not valid: {value}"
    check: Callable[[Any], str | Iterable[str]] = _nothing
    convert: Callable[[Any], Any] = _same
    required: bool | str = False


@dataclass(frozen=True)
class Table:
    """The keys a table may hold. `must` is the message when the value is not a table at all; `noun`
    is what a key is called in "unknown key 'x'" ("setting" in [tool.dashgen])."""

    keys: dict[str, Key]
    must: str = "expected a table"
    noun: str = "key"

    def check(self, table) -> tuple[dict[str, Any], list[str]]:
        """(the values, each converted, with defaults for the absent keys; every problem as a message).
        The values are complete only when there is no problem."""
        if not isinstance(table, dict):
            return {}, [_filled(self.must, "", table)]
        problems = [unknown(key, self.keys, self.noun) for key in sorted(table, key=str) if key not in self.keys]
        values = {}
        for key, spec in self.keys.items():
            if key not in table:
                if spec.required:
                    problems.append(_filled("{key} is required" if spec.required is True else spec.required, key))
                else:
                    values[key] = copy.copy(spec.default)  # a default list or table is never shared
                continue
            found = table[key]
            if not spec.ok(found):
                problems.append(_filled(spec.must, key, found))
                continue
            wrong = spec.check(found)
            wrong = [wrong] if isinstance(wrong, str) else list(wrong)
            problems += [p for p in wrong if p]
            if not any(wrong):
                values[key] = spec.convert(found)
        return values, problems

    def read(self, table, where: Location, errors: list[InputError], prefix: str = "") -> dict[str, Any] | None:
        """The values of `table`, or None when it has a problem; each problem is added to `errors`,
        located at `where` and starting with `prefix` ("metric up: ")."""
        values, problems = self.check(table)
        errors.extend(InputError(where, prefix + problem) for problem in problems)
        return None if problems else values


def unknown(key, known: Iterable[str], noun: str = "key", listed: bool = True) -> str:
    """ "unknown key 'tokn_env'; did you mean 'token_env'? known: ...": the nearest known key when one
    is near, and (when `listed`) all of them."""
    known = sorted(known)
    near = nearest(key, known)
    message = f"unknown {noun} {shown(key)}{near}"
    return f"{message}{'' if near else ';'} known: {', '.join(known) or 'none'}" if listed else message


def nearest(key, known: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the known key nearest `key`, or "" when none is near."""
    near = difflib.get_close_matches(key, sorted(known), n=1) if isinstance(key, str) else []
    return f"; did you mean {near[0]!r}?" if near else ""


def holds_credentials(text: str) -> bool:
    """Whether `text` has a user:password (or a token) before its host, as a browser finds the
    authority of a URL: such a text is a secret and is never shown."""
    rest = text.split("://", 1)[-1]
    return "@" in re.split(r"[/?#\\]", rest, maxsplit=1)[0]


def shown(value) -> str:
    """A value as a message shows it: short, and never a text that may hold credentials."""
    if _secret(value):
        return f"a {type(value).__name__} that may hold user:password (not shown)"
    return _REPR.repr(value)


def described(value) -> str:
    """shown(value), saying what kind of collection it is: "a list ['gauge']"."""
    if isinstance(value, COLLECTIONS) and not _secret(value):
        return f"a {type(value).__name__} {_REPR.repr(value)}"
    return shown(value)


def _secret(value) -> bool:
    """Whether a text that repr would show (the value, or an item of it) may hold credentials."""
    if isinstance(value, str):
        return holds_credentials(value)
    items = value.items() if isinstance(value, dict) else value if isinstance(value, COLLECTIONS) else ()
    return any(holds_credentials(text) for item in items for text in _texts(item))


def _texts(item) -> list[str]:
    """The strings of one item of a collection (of a dict: its key and value), as repr shows them."""
    return [t for t in (item if isinstance(item, tuple) else (item,)) if isinstance(t, str)]


def _filled(template: str, key: str, value=None) -> str:
    """A message template with its key and value ("{key}", "{value}"); other braces are text."""
    return template.replace("{key}", key).replace("{value}", described(value))
