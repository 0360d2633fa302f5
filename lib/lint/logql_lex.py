"""LogQL's tokens, cut as Loki 3.6 cuts them (`pkg/logql/syntax/lex.go` over Go's text/scanner).

What this decides, because Loki's lexer decides it and not its grammar:
- a number directly followed by duration units is a duration (`5m`, `1h30m`, `1.5s`, `-5m` where a
  `-` is glued to it), else by byte units a size (`20MB`, `1KiB`); what follows that is the next
  token (`5minutes` is `5m` then `inutes`);
- `[...]` is read raw up to the first `]` and must be a Prometheus duration (`5m`, `1h30m`, `0`:
  units ms s m h d w y, biggest first, no spaces, no fractions);
- keywords are case-insensitive and reserved everywhere (`{json="x"}` does not parse); function
  names (`rate`, `sum`, `bytes`, `ip`...) are keywords only when `(`, `by (` or `without (` follows;
- strings are Go's (`"..."` with Go escapes, no newline; backticks raw); `#`, `//` and `/* */` are
  comments; any other character is a one-character identifier, as in Loki.
One deliberate difference: a Grafana variable left in place (`$x`, `${x:fmt}`) reads as part of an
identifier, and a bare identifier is accepted as a range (`[$__auto]`, `[interval]`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from dashgen.lint.model import QuerySyntaxError

MAX_INPUT = 131072  # bytes; Loki refuses longer queries
RANGE_OPS = frozenset((
    "count_over_time rate rate_counter bytes_over_time bytes_rate avg_over_time sum_over_time min_over_time "
    "max_over_time stdvar_over_time stddev_over_time quantile_over_time first_over_time last_over_time "
    "absent_over_time").split())
VECTOR_OPS = frozenset("sum avg count max min stddev stdvar bottomk topk sort sort_desc approx_topk".split())
# Keywords only when called: `| unwrap bytes(x)`, but `sum by (bytes)`.
FUNCTIONS = RANGE_OPS | VECTOR_OPS | frozenset("vector label_replace bytes duration duration_seconds ip".split())
KEYWORDS = frozenset((
    "by without bool offset on ignoring group_left group_right or and unless json regexp logfmt "
    "unpack pattern label_format line_format decolorize drop keep variants of unwrap").split())
_OPS2 = frozenset(("|=", "|~", "|>", "!=", "!~", "!>", "=~", "==", ">=", "<="))
_OPS1 = frozenset("{}(),=<>+-*/%^|.]")
_FLAGS = frozenset(("--strict", "--keep-empty"))
_FLAG = re.compile(r"--(?:[^\W\d_]|-)*")
_CALLED = re.compile(r"\s*(?:(?i:by|without)\s*)?\(")  # Loki's isFunction: `(`, `by (` or `without (` follows
_VAR = r"\$\{[^{}\"`]*\}"  # a Grafana ${var} the caller left in place reads as part of an identifier
_IDENT = re.compile(rf"(?:{_VAR}|[^\W\d]|\$)(?:{_VAR}|\w|\$)*")
_RANGE_VARIABLE = re.compile(rf"(?:{_VAR}|[A-Za-z_$])(?:{_VAR}|[\w$])*")
_PROM_UNITS = {"y": 1, "w": 2, "d": 3, "h": 4, "m": 5, "s": 6, "ms": 7}
_PROM_NS = {"y": 365 * 86400e9, "w": 7 * 86400e9, "d": 86400e9, "h": 3600e9, "m": 60e9, "s": 1e9, "ms": 1e6}
_GO_NS = {"ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9}
_GO_DURATION = re.compile(r"[-+]?((?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+)")
_GO_PART = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_SIZES = frozenset("b kib kb mib mb gib gb tib tb pib pb eib eb ki k mi m gi g ti t pi p ei e".split() + [""])
_ESCAPE = re.compile(r'\\(?:([abfnrtv\\"])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|(.?))',
                     re.S)


class LogQLSyntaxError(QuerySyntaxError):
    """A query Loki would refuse to parse (or to run: a regex it cannot compile)."""


@dataclass(frozen=True)
class Tok:
    kind: str  # str num dur bytes range flag kw ident op eof
    text: str
    start: int
    end: int
    value: str = ""  # a string unquoted, a keyword lower-cased, a range's inside


def tokenize(text: str) -> list[Tok]:
    """Every token of `text`; raises LogQLSyntaxError where Loki's lexer fails, and on unbalanced
    braces or parentheses (which no LogQL rule accepts), to say where."""
    bad = re.search(r"[\x00\ud800-\udfff]", text)
    if bad:
        raise LogQLSyntaxError("invalid character NUL" if bad.group() == "\0" else "invalid UTF-8", bad.start())
    if len(text.encode()) >= MAX_INPUT:
        raise LogQLSyntaxError(f"query too long ({len(text.encode())} bytes; Loki takes under {MAX_INPUT})", 0)
    toks, pos = [], int(text.startswith("\ufeff"))
    while True:
        pos = _skip(text, pos)
        if pos >= len(text):
            break
        tok = _token(text, pos)
        toks.append(tok)
        pos = tok.end
    _check_balance(toks)
    return toks + [Tok("eof", "", len(text), len(text))]


def _skip(text: str, pos: int) -> int:
    """Past white space and comments."""
    while pos < len(text):
        if text[pos] in " \t\n\r":
            pos += 1
        elif text[pos] == "#" or text.startswith("//", pos):
            newline = text.find("\n", pos)
            pos = len(text) if newline < 0 else newline
        elif text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close < 0:
                raise LogQLSyntaxError("comment not terminated", pos)
            pos = close + 2
        else:
            break
    return pos


def _token(text: str, pos: int) -> Tok:
    char, two = text[pos], text[pos:pos + 2]
    if "0" <= char <= "9" or re.match(r"\.[0-9]", two):
        end = _scan_number(text, pos)
        return _unit(text, pos, end, "dur", _DURATION_RUNE, is_duration) or \
            _unit(text, pos, end, "bytes", _BYTES_RUNE, is_bytes) or Tok("num", text[pos:end], pos, end, text[pos:end])
    if char == "-":
        flag = _FLAG.match(text, pos)
        if flag and flag.group() in _FLAGS:
            return Tok("flag", flag.group(), pos, pos + len(flag.group()), flag.group())
        return _unit(text, pos, pos + 1, "dur", _DURATION_RUNE, is_duration) or Tok("op", "-", pos, pos + 1, "-")
    if char in "\"`":
        end, value = _string(text, pos)
        return Tok("str", text[pos:end], pos, end, value)
    if char == "'":  # a Go character literal: one character is an identifier to Loki, more an error
        end, _ = _string(text, pos, "'")
        if len(_ESCAPE.sub("x", text[pos + 1:end - 1])) != 1:
            raise LogQLSyntaxError("single quotes do not make a string in LogQL; use \"...\" or `...`", pos)
        return Tok("ident", text[pos:end], pos, end, text[pos:end])
    if char == "[":
        close = text.find("]", pos)
        if close < 0:
            raise LogQLSyntaxError("unclosed '['", pos)
        inside = text[pos + 1:close]
        problem = prometheus_duration_problem(inside)
        if problem and not _RANGE_VARIABLE.fullmatch(inside):
            raise LogQLSyntaxError(f"invalid range [{inside}]: {problem}", pos)
        return Tok("range", text[pos:close + 1], pos, close + 1, inside)
    word = _IDENT.match(text, pos)
    if word:
        lower, end = word.group().lower(), word.end()
        if lower in KEYWORDS or (lower in FUNCTIONS and _CALLED.match(text, end)):
            return Tok("kw", word.group(), pos, end, lower)
        return Tok("ident", word.group(), pos, end, word.group())
    if two in _OPS2:
        return Tok("op", two, pos, pos + 2, two)
    return Tok("op" if char in _OPS1 else "ident", char, pos, pos + 1, char)


def _DURATION_RUNE(char: str) -> bool:
    return char in "numsµhdwy." or unicodedata.category(char)[0] == "N"


def _BYTES_RUNE(char: str) -> bool:
    return char in "BikKMGTP." or unicodedata.category(char)[0] == "N"


def _unit(text: str, start: int, end: int, kind: str, rune, valid) -> Tok | None:
    """Loki's tryScanDuration/tryScanBytes: the number (or `-`) at start..end with the unit characters
    glued to it, when together they make a valid duration or size."""
    stop = end
    while stop < len(text) and not text[stop].isspace() and rune(text[stop]):
        stop += 1
    if stop == end or not valid(text[start:stop]):
        return None
    return Tok(kind, text[start:stop], start, stop, text[start:stop])


def prometheus_duration_problem(text: str) -> str:
    """Why Prometheus' model.ParseDuration (Loki's ranges) refuses `text`, or ""."""
    if text == "0":
        return ""
    parts = re.findall(r"([0-9]+)([^0-9]+)", text) if re.fullmatch(r"(?:[0-9]+[^0-9]+)+", text) else None
    if not parts:
        return "empty duration" if not text else "not a duration such as 5m or 1h30m"
    last, total = 0, 0.0
    for number, unit in parts:
        if unit not in _PROM_UNITS:
            return f"unknown unit {unit!r} (use ms, s, m, h, d, w or y)"
        if _PROM_UNITS[unit] <= last:
            return "units must go from the biggest to the smallest, each once"
        last, total = _PROM_UNITS[unit], total + int(number) * _PROM_NS[unit]
    return "duration out of range" if total >= 2 ** 63 else ""


def is_duration(text: str) -> bool:
    """Loki's parseDuration: Prometheus' format, else Go's time.ParseDuration (`1.5h`, `-5m`, `300us`)."""
    if not prometheus_duration_problem(text) or text in ("0", "+0", "-0"):
        return True
    go = _GO_DURATION.fullmatch(text)
    return bool(go) and sum(float(n) * _GO_NS[u] for n, u in _GO_PART.findall(go.group(1))) < 2 ** 63


def is_bytes(text: str) -> bool:
    """go-humanize's ParseBytes: a number, then an SI or IEC unit (`20MB`, `1.5KiB`, `100k`)."""
    number = re.match(r"[\d.,]*", text).group()
    try:
        float(number.replace(",", ""))
    except ValueError:
        return False
    return text[len(number):].strip().lower() in _SIZES


def _scan_number(text: str, pos: int) -> int:
    """The end of Go's numeric literal at `pos` (text/scanner's scanNumber); its errors are Loki's."""
    at = lambda j: text[j] if j < len(text) else ""  # noqa: E731
    base, prefix, digsep, invalid, j, dot = 10, "", 0, "", pos, text[pos] == "."
    if not dot:
        if text[j] == "0":
            j += 1
            base, prefix = {"x": (16, "x"), "o": (8, "o"), "b": (2, "b")}.get(at(j).lower(), (8, "0"))
            j, digsep = (j + 1, 0) if prefix != "0" else (j, 1)
        j, seen, invalid = _digits(text, j, base, invalid)
        digsep |= seen
        dot = at(j) == "."
    name = {"x": "hexadecimal literal", "o": "octal literal", "0": "octal literal", "b": "binary literal"}.get(
        prefix, "decimal literal")
    is_float = dot
    if dot:
        if prefix in ("o", "b"):
            raise LogQLSyntaxError(f"invalid radix point in {name}", pos)
        j, seen, invalid = _digits(text, j + 1, base, invalid)
        digsep |= seen
    if not digsep & 1:
        raise LogQLSyntaxError(f"{name} has no digits", pos)
    if at(j).lower() in ("e", "p") and at(j):
        exp = at(j).lower()
        if (exp == "e" and prefix not in ("", "0")) or (exp == "p" and prefix != "x"):
            raise LogQLSyntaxError(f"{at(j)!r} exponent requires a {'decimal' if exp == 'e' else 'hexadecimal'} "
                                   "mantissa", pos)
        j, is_float = j + 1 + (at(j + 1) in ("+", "-")), True
        j, seen, _ = _digits(text, j, 10, "")
        digsep |= seen
        if not seen & 1:
            raise LogQLSyntaxError("exponent has no digits", pos)
    elif prefix == "x" and is_float:
        raise LogQLSyntaxError("hexadecimal mantissa requires a 'p' exponent", pos)
    if not is_float and invalid:
        raise LogQLSyntaxError(f"invalid digit {invalid!r} in {name}", pos)
    if digsep & 2 and _invalid_separator(text[pos:j]):
        raise LogQLSyntaxError("'_' must separate successive digits", pos)
    return j


def _digits(text: str, j: int, base: int, invalid: str) -> tuple[int, int, str]:
    seen, allowed = 0, "0123456789abcdefABCDEF_" if base == 16 else "0123456789_"
    while j < len(text) and text[j] in allowed:
        seen |= 2 if text[j] == "_" else 1
        if base < 10 and text[j] != "_" and int(text[j]) >= base and not invalid:
            invalid = text[j]
        j += 1
    return j, seen, invalid


def _invalid_separator(number: str) -> bool:
    """Go's invalidSep: an '_' not between two digits (a base prefix counts as a digit)."""
    base, previous, i = "", ".", 0
    if number[:1] == "0" and number[1:2].lower() in ("x", "o", "b"):
        base, previous, i = number[1].lower(), "0", 2
    for char in number[i:]:
        if char == "_":
            if previous != "0":
                return True
        elif "0" <= char <= "9" or (base == "x" and char in "abcdefABCDEF"):
            char = "0"
        elif previous == "_":
            return True
        else:
            char = "."
        previous = char
    return previous == "_"


def _string(text: str, pos: int, quote: str = "") -> tuple[int, str]:
    """(end, value) of the string at `pos`: Go's rules for escapes, no newline inside "..."."""
    quote = quote or text[pos]
    if quote == "`":
        close = text.find("`", pos + 1)
        if close < 0:
            raise LogQLSyntaxError("unterminated string", pos)
        return close + 1, text[pos + 1:close]
    j = pos + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if text[j] == "\\" else 1
    if j >= len(text) or text[j] != quote:
        raise LogQLSyntaxError("unterminated string", pos)
    return j + 1, _unquote(text[pos + 1:j], pos + 1)


def _unquote(body: str, start: int) -> str:
    """Go's unquoting, as Loki uses it: an unknown escape such as `\\.` is a syntax error."""
    def one(m: re.Match) -> str:
        simple, hex2, hex4, hex8, octal, bad = m.groups()
        code = int(octal, 8) if octal else int(hex2 or hex4 or hex8 or "0", 16)
        if bad is not None or code > (255 if octal else 0x10FFFF):
            shown = f"\\{bad}" if bad is not None else m.group()
            raise LogQLSyntaxError(f"invalid escape {shown} in a string (write \\{shown}, or use `backticks`)",
                                   start + m.start())
        if simple:
            return dict(zip('abfnrtv\\"', '\a\b\f\n\r\t\v\\"'))[simple]
        return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)  # Go writes a surrogate as U+FFFD

    return _ESCAPE.sub(one, body)


def _check_balance(toks: list[Tok]):
    opened: list[Tok] = []
    for tok in toks:
        if tok.kind == "op" and tok.text in "{(":
            opened.append(tok)
        elif tok.kind == "op" and tok.text in "})":
            if not opened or opened.pop().text != {"}": "{", ")": "("}[tok.text]:
                raise LogQLSyntaxError(f"unbalanced {tok.text!r}", tok.start)
    if opened:
        raise LogQLSyntaxError(f"unclosed {opened[-1].text!r}", opened[-1].start)
