"""The values inside a LogQL query that Loki 3.6 compiles, so that a query this linter passes also runs.

Loki compiles while parsing: label matcher regexes (`=~`, `!~`, in selectors, label filters, drop and
keep), label_replace's regex, the `regexp` and `pattern` parsers' expressions, and the numbers
(topk's k must be a positive integer, a literal a Go float). It compiles line filters (`|~ "(foo"`,
`|> "<a><b>"`) when the query starts, failing it just the same, so they are checked here too.
Regexes are RE2, Go's dialect: google-re2 compiles them (dashgen.datasources.regexes.compile_re2,
the project's one RE2 entry point); `\\C`, which only C++ RE2 knows, is refused as Go does.
Not checked: ip("...") addresses and line_format/label_format templates (Loki checks those as the
query runs, against each line).
"""

from __future__ import annotations

import math
import re

_ESCAPED_C = re.compile(r"(?<!\\)(?:\\\\)*\\C")
_NAMED_GROUP = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\(\?P?<(\w*)>", re.S)
_CAPTURE = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")


def regex_problem(pattern: str) -> str:
    """Why Go's regexp would not compile `pattern`, or ""."""
    from dashgen.datasources.regexes import compile_re2

    if _ESCAPED_C.search(pattern):
        return r"invalid escape sequence: \C"
    compiled = compile_re2(pattern)
    return compiled if isinstance(compiled, str) else ""


def regexp_names(pattern: str) -> list[str]:
    """The named groups of a regex, in order (`(?P<name>...)` and `(?<name>...)`)."""
    return [m.group(1) for m in _NAMED_GROUP.finditer(pattern) if m.group(1) is not None]


def regexp_parser_problem(pattern: str) -> str:
    """Why `| regexp "..."` would be refused: not RE2, or no named group, or one name twice."""
    problem = regex_problem(pattern)
    if problem:
        return f"invalid regex: {problem}"
    names = regexp_names(pattern)
    if not names:
        return "the regexp parser needs at least one named group, such as (?P<status>\\d+)"
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    return f"the regexp parser names {twice!r} twice" if twice else ""


def pattern_captures(pattern: str) -> list[str]:
    """The named captures of a pattern expression (`<ip> - <_>` gives ["ip"])."""
    return [name for name in _CAPTURE.findall(pattern) if name != "_"]


def pattern_parser_problem(pattern: str) -> str:
    """Why `| pattern "..."` would be refused: empty, no named capture, two captures in a row, or a
    name twice."""
    if not pattern:
        return "the pattern parser needs an expression such as \"<ip> - <_>\""
    problem = _consecutive_captures(pattern)
    if problem:
        return problem
    names = pattern_captures(pattern)
    if not names:
        return "the pattern parser needs at least one named capture, such as <status>"
    twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
    return f"the pattern names <{twice}> twice" if twice else ""


def pattern_filter_problem(pattern: str) -> str:
    """Why a pattern line filter (`|> "..."`) would be refused: a named capture, or two in a row."""
    named = next((name for name in _CAPTURE.findall(pattern) if name != "_"), None)
    if named:
        return f"a pattern line filter takes only <_>, not <{named}>"
    return _consecutive_captures(pattern)


def _consecutive_captures(pattern: str) -> str:
    twice = re.search(r"(<[A-Za-z_][A-Za-z0-9_]*>)(<[A-Za-z_][A-Za-z0-9_]*>)", pattern)
    return f"captures {twice.group()} follow each other with nothing between them" if twice else ""


def float_problem(number: str) -> str:
    """Why Go's strconv.ParseFloat refuses a numeric literal's text, or ""."""
    lower = number.lower()
    if lower.startswith(("0o", "0b")) or (lower.startswith("0x") and "p" not in lower):
        return f"{number} is not a float (write it in decimal)"
    if lower.startswith("0x"):
        return ""  # a hexadecimal float such as 0x1p-2: Python reads it with float.fromhex
    return "" if math.isfinite(float(number)) else f"{number} is out of range"


def positive_int_problem(number: str) -> str:
    """Why Go's strconv.Atoi refuses the text, or its value is not above 0; "" when it is fine."""
    if not re.fullmatch(r"[0-9]+", number) or int(number) >= 2 ** 63:
        return f"{number} is not an integer"
    return "" if int(number) > 0 else f"{number} is not greater than 0"
