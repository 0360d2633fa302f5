"""TraceQL tokens as Tempo 2.9's lexer makes them, with their offsets in the query.

Tempo lexes with Go's text/scanner and then merges: an identifier or operator character grows while
the longer text is still a token (`!` `>` `>` is `!>>`, `span` `.` is `span.`), a number followed
without a space by unit letters is a duration if Go or Prometheus can parse it (`1h30m`, `1.5s`, `1µs`),
and after `.`, `span.`, `resource.`, `parent.`, `event.`, `link.` or `instrumentation.` an attribute
name runs to the next space or `{}()=~!<>&|^,` (a `"quoted part"` may hold those). Here each attribute
(scope, parent flag and name) is one `attr` token. Comments (`//`, `/* */`) are skipped as Go skips
them. A character Tempo's lexer does not know becomes an `ident`, which the grammar only takes as the
name of a `with(...)` hint. What the lexer refuses becomes a `bad` token, the last before `eof`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

KEYWORDS = frozenset("""
    true false nil ok error unset unspecified internal server client producer consumer
    duration childCount name status statusMessage kind rootName rootServiceName rootService traceDuration
    nestedSetLeft nestedSetRight nestedSetParent id traceID spanID parentID timeSinceStart version parent
    count avg max min sum by coalesce select rate count_over_time min_over_time max_over_time avg_over_time
    sum_over_time quantile_over_time histogram_over_time compare topk bottomk with
""".split())
SCOPE_COLONS = frozenset(("trace:", "span:", "event:", "link:", "instrumentation:"))
_ATTRIBUTE_STARTS = {".": "", "span.": "span", "resource.": "resource", "parent.": "", "event.": "event",
                     "link.": "link", "instrumentation.": "instrumentation"}
_OPERATORS = frozenset("""
    , { } ( ) = != =~ !~ > >= < <= + - / % * ^ && || ! | >> << ~ !> !< !>> !<< &~ &> &< &>> &<<
""".split())
_TOKENS = KEYWORDS | SCOPE_COLONS | _ATTRIBUTE_STARTS.keys() | _OPERATORS
_NOT_IN_ATTRIBUTE = frozenset("{}()=~!<>&|^,")
_GO_SPACE = " \t\n\r"
_DURATION_RUNES = frozenset("nsumhµdwy")
_PROM_DURATION = re.compile(r"(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?"
                            r"(?:([0-9]+)ms)?")
_GO_DURATION_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")
_NESTED_SCOPE = re.compile(r"(span|resource)\.")
_GO_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
             "h": 3600 * 10**9}
_DIGITS = {8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
MAX_INT = 2**63 - 1


@dataclass(frozen=True)
class Token:
    """`kind` is the token's own text for operators and keywords (`&&`, `count`, `span:`), else one of
    str int float dur attr ident bad eof. `value`: the unquoted string, the number, the
    duration in nanoseconds, (prefix, name) for an attribute, or the message of an error."""

    kind: str
    text: str
    start: int
    end: int
    value: object = None


def tokenize(query: str) -> list[Token]:
    """Every token up to and including the first error, then an `eof` token."""
    lexer = _Lexer(query)
    tokens: list[Token] = []
    nul = query.find("\0")  # Go's scanner refuses a NUL wherever it is, in a string or a name too
    while True:
        token = lexer.next_token()
        if 0 <= nul < token.end or (token.kind == "eof" and nul >= 0):
            token = lexer.error("invalid character NUL", nul)
        tokens.append(token)
        if token.kind in ("eof", "bad"):
            return tokens if token.kind == "eof" else tokens + [Token("eof", "", len(query), len(query))]


def is_attribute_rune(ch: str) -> bool:
    return ch != "" and not _is_go_space(ch) and ch not in _NOT_IN_ATTRIBUTE


def _is_go_space(ch: str) -> bool:
    """Go's unicode.IsSpace, which unlike str.isspace leaves out the ASCII separators \\x1c-\\x1f."""
    return ch in "\t\n\v\f\r \x85\xa0" or (ord(ch) > 0xFF and ch.isspace())


def _is_decimal(ch: str) -> bool:
    return "0" <= ch <= "9"  # ASCII only, as in Go's scanner (and false for "", the end)


class _Lexer:
    def __init__(self, text: str):
        self.text, self.pos = text, 1 if text.startswith("\ufeff") else 0
        self.parent_scope = False  # Tempo's lexer remembers a `parent.` until the next scope token

    def peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.text[at] if at < len(self.text) else ""

    def error(self, message: str, at: int) -> Token:
        return Token("bad", self.text[at:at + 1], at, at + 1, message)

    def next_token(self) -> Token:
        start = self._skip_space_and_comments()
        if isinstance(start, Token):
            return start
        ch = self.peek()
        if ch == "":
            return Token("eof", "", start, start)
        if ch == "_" or ch.isalpha():
            while self.peek() == "_" or self.peek().isalpha() or self.peek().isdecimal():
                self.pos += 1
            return self._merged(start)
        if _is_decimal(ch) or (ch == "." and _is_decimal(self.peek(1))):
            return self._number(start)
        if ch in "\"`'":
            return self._quoted(start, ch)
        self.pos += 1
        return self._merged(start)

    def _skip_space_and_comments(self) -> int | Token:
        while True:
            while self.peek() and self.peek() in _GO_SPACE:
                self.pos += 1
            if self.text.startswith("//", self.pos):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.text.startswith("/*", self.pos):
                end = self.text.find("*/", self.pos + 2)
                if end < 0:
                    return self.error("comment not terminated", self.pos)
                self.pos = end + 2
            else:
                return self.pos

    def _merged(self, start: int) -> Token:
        """Tempo's lexer grows a token while the longer text is one (`&` `&` is `&&`, `span` `.` is `span.`)."""
        text = self.text[start:self.pos]
        while self.peek() and text + self.peek() in _TOKENS:
            text += self.peek()
            self.pos += 1
        if text in _ATTRIBUTE_STARTS:
            return self._attribute(start, text)
        if text in SCOPE_COLONS:
            self.parent_scope = False
        return Token(text if text in _TOKENS else "ident", text, start, self.pos)

    def _attribute(self, start: int, prefix: str) -> Token:
        nested = _NESTED_SCOPE.match(self.text, self.pos)
        if prefix != ".":
            self.parent_scope = prefix == "parent."
        if nested and self.parent_scope:  # Tempo looks for a second scope while the last one was `parent.`
            if prefix == ".":  # a `parent.x` earlier in the query makes Tempo's lexer read `.span.y` so
                return self.error(f"unexpected {nested.group()!r} after '.'", self.pos)
            self.pos = nested.end()
            prefix += nested.group()
            self.parent_scope = False
        if not is_attribute_rune(self.peek()):
            return self.error(f"expected an attribute name after {prefix!r}", self.pos)
        name = []
        while is_attribute_rune(self.peek()):
            if self.peek() != '"':
                name.append(self.peek())
                self.pos += 1
                continue
            quote = self.pos
            self.pos += 1
            while self.peek() != '"':
                if self.peek() == "":
                    return self.error("unterminated quoted attribute name", quote)
                if self.peek() == "\\":  # Tempo takes \" and \\ only
                    if self.peek(1) not in ('"', "\\"):
                        return self.error("invalid escape sequence in a quoted attribute name", self.pos)
                    self.pos += 1
                name.append(self.peek())
                self.pos += 1
            self.pos += 1
        return Token("attr", self.text[start:self.pos], start, self.pos, (prefix, "".join(name)))

    def _number(self, start: int) -> Token:
        problem, is_float = _scan_go_number(self)
        if problem:
            return self.error(problem, start)
        number = self.text[start:self.pos]
        duration = self._duration(number)
        if duration is not None:
            return Token("dur", self.text[start:self.pos], start, self.pos, duration)
        if not is_float:
            if not re.fullmatch(r"[0-9]+", number):
                return self.error(f"invalid integer {number!r}", start)
            if int(number) > MAX_INT:
                return self.error(f"integer {number} is out of range", start)
            return Token("int", number, start, self.pos, int(number))
        value = _go_float(number)
        if value is None:
            return self.error(f"invalid number {number!r}", start)
        return Token("float", number, start, self.pos, value)

    def _duration(self, number: str) -> int | None:
        """Tempo reads the unit letters, digits and dots that follow a number without a space as part of
        it when the whole parses as a duration; the text is left alone when it does not."""
        end = self.pos
        while end < len(self.text) and not _is_go_space(self.text[end]) and (
                self.text[end] in _DURATION_RUNES or self.text[end] == "." or _is_go_number_rune(self.text[end])):
            end += 1
        if end == self.pos:
            return None
        nanoseconds = parse_duration(number + self.text[self.pos:end])
        if nanoseconds is not None:
            self.pos = end
        return nanoseconds

    def _quoted(self, start: int, quote: str) -> Token:
        self.pos += 1
        if quote == "`":
            end = self.text.find("`", self.pos)
            if end < 0:
                return self.error("unterminated string", start)
            self.pos = end + 1
            value = self.text[start + 1:end].replace("\r", "")  # Go drops carriage returns from raw strings
            return Token("str", self.text[start:self.pos], start, self.pos, value)
        chars, problem = [], None
        while self.peek() != quote:
            if self.peek() in ("", "\n"):
                return self.error("unterminated string", start)
            if self.peek() != "\\":
                chars.append(self.peek())
                self.pos += 1
                continue
            char, problem = self._escape(quote, problem)
            chars.append(char)
        self.pos += 1
        if problem:
            return self.error(problem, start)
        if quote == "'":  # a Go character literal: Tempo's lexer passes it on as an identifier
            if len(chars) != 1:
                return self.error("invalid char literal", start)
            return Token("ident", self.text[start:self.pos], start, self.pos)
        return Token("str", self.text[start:self.pos], start, self.pos, "".join(chars))

    def _escape(self, quote: str, problem: str | None) -> tuple[str, str | None]:
        """One Go escape sequence after a backslash: its character, and the first problem seen."""
        self.pos += 1
        ch = self.peek()
        if ch in _SIMPLE_ESCAPES or (ch == quote and ch):
            self.pos += 1
            return _SIMPLE_ESCAPES.get(ch, ch), problem
        if ch and ch in "01234567":  # \ooo
            base, count = 8, 3
        elif ch and ch in "xuU":  # \xhh \uhhhh \Uhhhhhhhh
            base, count = 16, {"x": 2, "u": 4, "U": 8}[ch]
            self.pos += 1
        else:
            return "", problem or "invalid escape sequence in a string"
        run = ""
        while len(run) < count and self.peek() and self.peek() in _DIGITS[base]:
            run += self.peek()
            self.pos += 1
        if len(run) < count:
            return "", problem or "invalid escape sequence in a string"
        code = int(run, base)
        if (base == 8 and code > 255) or (count > 2 and (code > 0x10FFFF or 0xD800 <= code <= 0xDFFF)):
            return "", problem or "invalid escape sequence in a string"
        return chr(code), problem


def _is_go_number_rune(ch: str) -> bool:
    return unicodedata.category(ch).startswith("N")


def _scan_go_number(lexer: _Lexer) -> tuple[str | None, bool]:
    """Advances over a Go number literal as text/scanner reads it; (its error or None, is a float)."""
    text, pos = lexer.text, lexer.pos

    def digits(at: int, allowed: str) -> int:
        while at < len(text) and (text[at] in allowed or text[at] == "_"):
            at += 1
        return at

    prefix, is_float = "", text[pos] == "."
    if not is_float and text[pos] == "0" and pos + 1 < len(text) and text[pos + 1].lower() in "xob":
        prefix = text[pos + 1].lower()
        pos += 2
    allowed = _DIGITS[16 if prefix == "x" else 10]
    mantissa = pos
    pos = digits(pos, allowed)
    if pos < len(text) and text[pos] == ".":
        is_float = True
        pos = digits(pos + 1, allowed)
    body = text[mantissa:pos].replace(".", "").replace("_", "")
    problem = None if body else "number has no digits"
    if pos < len(text) and text[pos].lower() in "ep" and (text[pos].lower() == "p") == (prefix == "x"):
        is_float = True
        pos += 1
        if pos < len(text) and text[pos] in "+-":
            pos += 1
        exponent = pos
        pos = digits(pos, "0123456789")
        problem = problem or (None if text[exponent:pos].strip("_") else "exponent has no digits")
    elif prefix == "x" and is_float:
        problem = problem or "hexadecimal mantissa requires a 'p' exponent"
    elif prefix in "ob" and prefix and is_float:
        problem = problem or "invalid radix point"
    octal = not is_float and not prefix and text[lexer.pos] == "0"  # Go's 0-prefixed integers are octal
    if not problem and octal and re.search("[89]", text[mantissa:pos]):
        problem = "invalid digit in octal literal"
    if not problem and re.search(r"__|_$|_\.|\._|_[eEpP]|[eEpP][+-]?_", text[mantissa:pos]):
        problem = "'_' must separate successive digits"
    lexer.pos = pos
    return problem, is_float


def _go_float(number: str) -> float | None:
    """strconv.ParseFloat: decimal or hexadecimal, with `_` between digits; None when out of range."""
    digits = number.replace("_", "")
    try:
        value = float.fromhex(digits) if digits[:2].lower() == "0x" else float(digits)
    except ValueError:
        return None
    return None if value in (float("inf"), float("-inf")) else value


def parse_duration(text: str) -> int | None:
    """Nanoseconds, or None; Prometheus's form (`1h30m`, `2d`, `1y`) first, then Go's (`1.5s`, `1us`)."""
    if text == "0":
        return 0
    prom = _PROM_DURATION.fullmatch(text)
    if prom and any(prom.groups()):
        units = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, None)
        total = sum(int(v) * 10**9 * u if u else int(v) * 10**6 for v, u in zip(prom.groups(), units) if v)
        return total if total <= MAX_INT else None
    return _go_duration(text)


def _go_duration(text: str) -> int | None:
    total, pos = 0, 0
    if not text:
        return None
    while pos < len(text):
        part = _GO_DURATION_PART.match(text, pos)
        whole, fraction, unit = part.groups()
        if (not whole and not fraction) or unit not in _GO_UNITS:
            return None
        scale = _GO_UNITS[unit]
        total += int(whole or 0) * scale + (int(fraction) * scale // 10 ** len(fraction) if fraction else 0)
        pos = part.end()
    return total if total <= MAX_INT else None
