"""Grafana template variables replaced by placeholders that parse, so a query can be parsed before
Grafana has rendered it.

Why: `rate(x[$__rate_interval])`, `sum by ($group) (x)` and `[[v]]` are not PromQL or LogQL, yet they
are what dashboards hold. Each reference outside a string becomes a token of the kind its position
needs, chosen so that the rules can still tell it was a variable:

- `$__rate_interval`, `$__interval`, `$__range`, `$__auto`: a sentinel duration of their own
  (`DURATION_SENTINELS`); `$__auto_interval_<v>` is treated as an interval variable named so.
  `$__interval_ms`, `$__range_ms`, `$__range_s`: plain numbers, so `[${__range_s}s]` works too.
- a user variable inside `[...]` (a range, a subquery's range or step) or after `offset`: a sentinel
  duration derived from its name (`sentinel_for` gives the name back); `1` when a unit letter follows,
  as in `[${days}d]`.
- a user variable where a number is needed (the parameter of topk/bottomk/limitk/limit_ratio/quantile,
  the scalar arguments of histogram_quantile, quantile_over_time, clamp*, round, predict_linear,
  holt_winters, vector; after `@`; in LogQL after a comparison, where PromQL is happy with a series
  and `1 > 1` would need `bool`): its `current` value when that is one plain number, else `1`.
- a user variable called like a function (`$agg(x)`, `$agg by (a) (x)`): its `current` value when
  that is one word, else `sum`, the commonest use (an aggregation picked from a custom variable).
- anywhere else (metric names, label names in `by (...)`/`on (...)`, matcher names): the identifier
  `__gv_<name>`. The `current` value is deliberately not used there: exported dashboards often have
  no current value, or `$__all`, several values, a regex, or a word that is a PromQL keyword, while the
  placeholder is valid in every identifier position and keeps the variable recognisable.

Strings (`"..."`, `'...'`, backticks) and `#` comments are left as written, like Grafana's own
dashboard-linter: `{job=~"$job"}` stays literal, which is what the required-matcher rules look at.
"""

from __future__ import annotations

import datetime
import re
import zlib
from dataclasses import dataclass

DURATION_SENTINELS = {
    "$__rate_interval": "1111111ms",
    "$__interval": "2222222ms",
    "$__range": "3333333ms",
    "$__auto": "4444444ms",
}
NUMBER_GLOBALS = {"__interval_ms": "2222222", "__range_ms": "3333333", "__range_s": "3333"}
INTERVAL_VARIABLE = "$<interval variable>"
PLACEHOLDER_PREFIX = "__gv_"

# Argument positions where PromQL/LogQL want a scalar (aggregations count their parameter as 0).
_SCALAR_ARGS = {
    "topk": (0,), "bottomk": (0,), "limitk": (0,), "limit_ratio": (0,), "quantile": (0,),
    "quantile_over_time": (0,), "histogram_quantile": (0,), "histogram_fraction": (0, 1),
    "clamp": (1, 2), "clamp_min": (1,), "clamp_max": (1,), "round": (1,), "predict_linear": (1,),
    "holt_winters": (1, 2), "double_exponential_smoothing": (1, 2), "vector": (0,),
}
_COMPARISONS = ("==", "!=", ">", "<", ">=", "<=")

# User interval sentinels: 5,000,001 ms + a multiple of 1 s picked by the name's CRC, always ending in
# ...001 ms so that no duration anyone writes by hand looks like one, and all below 2**32 ms (the
# parser silently overflows larger components).
_INTERVAL_BASE_MS, _INTERVAL_SLOTS = 5_000_001, 100_000
_MS = datetime.timedelta(milliseconds=1)
_durations = {int(v[:-2]) * _MS: k for k, v in DURATION_SENTINELS.items()}
_interval_names: dict[datetime.timedelta, str] = {}  # sentinels handed out in this process -> "$name"

# One of Grafana's variable forms: $name, [[name]], [[name:fmt]], ${name}, ${name.path}, ${name:fmt}.
_REFERENCE = r"\$(?P<plain>\w+)|\[\[(?P<square>\w+?)(?::\w+)?\]\]|\$\{(?P<braced>\w+)(?:\.[^:^}]+)?(?::[^}]+)?\}"
REFERENCE = re.compile(_REFERENCE, re.ASCII)
# Strings and comments (kept as written), or a variable reference.
_TOKENS = re.compile(rf"""
    "(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|\#[^\n]*
  | (?P<ref>{_REFERENCE})
""", re.X | re.ASCII)
_CALLEE = re.compile(r"([A-Za-z_][\w:]*)\s*(?:(?:by|without)\s*\([^()]*\)\s*)?\Z", re.I)  # `f (`, `topk by (a) (`
_PREVIOUS = re.compile(r"(?:(?<![\w:])(?i:offset)|@|[<>=!]=|[<>])\s*\Z")
_CALL_FOLLOWS = re.compile(r"\s*(?:\(|(?i:by|without)\s*\()")  # `$agg(x)`, `$agg by (a) (x)`
_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_WORD = re.compile(r"[a-z_]+")


@dataclass(frozen=True)
class Reference:
    """One variable reference: its name, the role its position gave it, and where it sits in the
    original text (`start`, `end`) and in the expanded text (`exp_start`, `exp_end`)."""

    name: str
    role: str  # "duration", "number", "function" or "identifier"
    start: int
    end: int
    exp_start: int
    exp_end: int


@dataclass(frozen=True)
class Expanded:
    """A query with its variables replaced (`text`), and the way back to what the user wrote."""

    text: str
    original: str
    references: tuple[Reference, ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Maps a span of `text` to `original`; a span overlapping a placeholder covers the whole
        reference (`[$__rate_interval]`, never half of it)."""
        return self._map(start, end=False), self._map(end, end=True)

    def _map(self, pos: int, end: bool) -> int:
        shift = 0
        for ref in self.references:
            if (ref.exp_start < pos <= ref.exp_end) if end else (ref.exp_start <= pos < ref.exp_end):
                return ref.end if end else ref.start
            if ref.exp_end > pos:
                break
            shift = ref.end - ref.exp_end
        return pos + shift


def is_placeholder(name: str | None) -> bool:
    """True for an identifier that stands for a variable (`__gv_metric`, `node___gv_m`): not a metric
    or label anyone can look up, so rules that name metrics and labels skip it."""
    return bool(name) and PLACEHOLDER_PREFIX in name


def shown(name: str) -> str:
    """An identifier as a person reads it: `__gv_group` is `$group`."""
    return name.replace(PLACEHOLDER_PREFIX, "$")


def reference_names(text: str) -> list[str]:
    """The names of the variables `text` refers to, in strings too: `{job=~"$job"}` gives ["job"]."""
    return [m.group("plain") or m.group("square") or m.group("braced") for m in REFERENCE.finditer(text)]


def only_reference(text: str) -> str | None:
    """The variable's name when `text` is one reference and nothing else (`$ds`, `${ds:raw}`)."""
    found = REFERENCE.fullmatch(text.strip()) if isinstance(text, str) else None
    return (found.group("plain") or found.group("square") or found.group("braced")) if found else None


def sentinel_for(td: datetime.timedelta) -> str | None:
    """The variable a parsed duration stands for ("$__rate_interval", "$window"), or None when it is a
    duration the user wrote. Gives INTERVAL_VARIABLE for a user interval sentinel whose name this
    process has not seen."""
    name = _durations.get(td) or _interval_names.get(td)
    if name:
        return name
    slot_ms = td / _MS - _INTERVAL_BASE_MS
    if 0 <= slot_ms < _INTERVAL_SLOTS * 1000 and slot_ms % 1000 == 0:
        return INTERVAL_VARIABLE
    return None


def expand(text: str, variables: dict[str, dict] | None = None, language: str = "promql") -> Expanded:
    """Replaces every variable reference outside strings in `text` by a placeholder that parses.
    `variables` (name -> the dashboard variable's JSON) supplies current values where they are used;
    `language` is "promql", or "logql" (also right for TraceQL) where comparisons take numbers."""
    if "$" not in text and "[[" not in text:
        return Expanded(text, text)
    out: list[str] = []
    refs: list[Reference] = []
    masked = ""  # `text` with strings and comments blanked, made when first needed
    pos = length = 0  # where the unconsumed original starts; length of the expanded text so far
    for m in _TOKENS.finditer(text):
        if not m.group("ref"):
            continue
        masked = masked or _TOKENS.sub(_blank_strings, text)
        name = m.group("plain") or m.group("square") or m.group("braced")
        role, value = _placeholder(name, masked, m.start(), m.end(), variables, language)
        out.append(text[pos:m.start()])
        start = length + m.start() - pos
        out.append(value)
        length = start + len(value)
        pos = m.end()
        refs.append(Reference(name, role, m.start(), m.end(), start, length))
    out.append(text[pos:])
    return Expanded("".join(out), text, tuple(refs))


def _placeholder(name, masked, start, end, variables, language) -> tuple[str, str]:
    if name in NUMBER_GLOBALS:
        return "number", NUMBER_GLOBALS[name]
    if "$" + name in DURATION_SENTINELS:
        return "duration", DURATION_SENTINELS["$" + name]
    opener, opened_at, argument = _enclosing(masked, start)
    previous = _PREVIOUS.search(masked, max(0, start - 12), start)
    previous = previous.group().strip().lower() if previous else ""
    if name.startswith("__auto_interval") or opener == "[" or previous == "offset":
        if end < len(masked) and masked[end].isalnum():
            return "number", "1"  # `[${days}d]`: the variable holds the number, the unit follows
        return "duration", _interval_sentinel("$" + name)
    scalar = opener == "(" and argument in _SCALAR_ARGS.get(_callee(masked, opened_at), ())
    if scalar or previous == "@" or (language != "promql" and previous in _COMPARISONS):
        return "number", _current(name, variables, _PLAIN_NUMBER) or "1"
    if _CALL_FOLLOWS.match(masked, end):
        return "function", _current(name, variables, _WORD) or "sum"
    return "identifier", PLACEHOLDER_PREFIX + name


def _enclosing(masked: str, start: int) -> tuple[str, int, int]:
    """The innermost bracket open at `start`, where it is, and how many commas of its own precede."""
    depth = commas = 0
    for i in range(start - 1, -1, -1):
        char = masked[i]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if depth == 0:
                return char, i, commas
            depth -= 1
        elif char == "," and depth == 0:
            commas += 1
    return "", -1, 0


def _callee(masked: str, paren: int) -> str:
    """The function or aggregation whose `(` is at `paren`, lower-cased; "" for plain parentheses."""
    found = _CALLEE.search(masked, max(0, paren - 200), paren)
    return found.group(1).lower() if found else ""


def _blank_strings(m: re.Match) -> str:
    return m.group() if m.group("ref") else " " * len(m.group())


def _interval_sentinel(name: str) -> str:
    ms = _INTERVAL_BASE_MS + zlib.crc32(name.encode()) % _INTERVAL_SLOTS * 1000
    _interval_names.setdefault(ms * _MS, name)
    return f"{ms}ms"


def _current(name: str, variables: dict[str, dict] | None, pattern: re.Pattern) -> str | None:
    """The variable's current value when it is one value matching `pattern`."""
    current = ((variables or {}).get(name) or {}).get("current")
    value = current.get("value") if isinstance(current, dict) else None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value.strip() if isinstance(value, str) and pattern.fullmatch(value.strip()) else None

