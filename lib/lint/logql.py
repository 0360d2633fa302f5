"""A small structural LogQL parser: what the `logql/*` rules need, with spans into the query.

There is no maintained Python LogQL parser, so this follows Loki's own grammar
(`pkg/logql/syntax/syntax.y`) far enough to find every stream selector with its matchers and
pipeline, every `by`/`without` grouping and every `[range]`, and to reject what Loki rejects for
its shape: unbalanced braces, parentheses or quotes, bad string escapes, a log range outside a range
aggregation, an aggregation or arithmetic over log lines. It does not check values: after Grafana's
expansion `| latency > $min` reads `| latency > min`, so a bare identifier is accepted wherever a
number or duration goes. `{}` parses; rejecting it is a rule (`logql/selector-nonempty`), not syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashgen.lint.model import QuerySyntaxError

RANGE_AGGREGATIONS = frozenset((
    "count_over_time rate rate_counter bytes_over_time bytes_rate avg_over_time sum_over_time min_over_time "
    "max_over_time stdvar_over_time stddev_over_time quantile_over_time first_over_time last_over_time "
    "absent_over_time").split())
VECTOR_AGGREGATIONS = frozenset("sum avg count max min stddev stdvar bottomk topk sort sort_desc approx_topk".split())
PARSERS = frozenset("json logfmt regexp pattern unpack xml".split())
STAGE_KEYWORDS = PARSERS | frozenset("unwrap line_format label_format drop keep decolorize distinct".split())
LINE_FILTER_OPS = frozenset(("|=", "|~", "|>", "!=", "!~", "!>"))
COMPARISONS = frozenset(("=", "==", "!=", "=~", "!~", ">", ">=", "<", "<="))
_BINARY = frozenset(("+", "-", "*", "/", "%", "^", "==", "!=", ">", ">=", "<", "<=", "and", "or", "unless"))
_VAR = r"\$\{[^{}\"`]*\}"  # a Grafana ${var} the caller left in place reads as part of an identifier
_TOKEN = re.compile(rf"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)
  | (?P<range>\[[^\[\]]*\])
  | (?P<flag>--[A-Za-z][\w-]*)
  | (?P<num>\d[\w.]*)
  | (?P<ident>(?:[A-Za-z_$]|{_VAR})(?:[\w.$]|{_VAR})*)
  | (?P<op>\|=|\|~|\|>|!=|!~|!>|=~|==|>=|<=|[|{{}}(),=<>+\-*/%^])
""", re.X | re.S)
_ESCAPE = re.compile(r'\\(?:([abfnrtv\\"])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|(.))', re.S)


class LogQLSyntaxError(QuerySyntaxError):
    """A query Loki would refuse to parse."""


@dataclass(frozen=True)
class Matcher:
    name: str
    op: str  # =, !=, =~ or !~
    value: str  # unquoted and unescaped
    span: tuple[int, int]


@dataclass(frozen=True)
class Stage:
    """One pipeline stage. `labels`: what it tests (label_filter), extracts (json/logfmt arguments,
    regexp and pattern captures), unwraps, formats, drops or keeps. `values`: its strings (a line
    filter's alternatives, a regexp or pattern, a line_format template)."""

    kind: str  # line_filter parser label_filter unwrap line_format label_format drop keep decolorize distinct other
    text: str
    span: tuple[int, int]
    name: str = ""  # the keyword (json, unwrap, line_format...); "" for line and label filters
    op: str = ""  # a line filter's operator: |=, !=, |~, !~, |>, !>
    values: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Selector:
    """A stream selector: `span` covers its braces; `pipeline` holds the stages that apply to it, up to
    its range (and after it, in the rarer `{...}[5m] | json` form)."""

    matchers: list[Matcher]
    span: tuple[int, int]
    pipeline: list[Stage]


@dataclass(frozen=True)
class Grouping:
    op: str  # the aggregation it belongs to: sum, topk, quantile_over_time...
    kind: str  # by or without
    labels: tuple[str, ...]
    span: tuple[int, int]  # from `by`/`without` to its closing parenthesis


@dataclass(frozen=True)
class Range:
    raw: str  # between the brackets: 5m, $__auto
    span: tuple[int, int]  # brackets included


@dataclass(frozen=True)
class LogQuery:
    selectors: list[Selector]
    groupings: list[Grouping]
    ranges: list[Range]


@dataclass(frozen=True)
class _Tok:
    kind: str  # str range flag num ident op eof
    text: str
    start: int
    end: int
    value: str = ""  # a string's unquoted value


def parse(text: str) -> LogQuery:
    """The structure of a LogQL log or metric query; raises LogQLSyntaxError if it is malformed."""
    return _Parser(text).query()


def label_values_selector(text: str) -> str | None:
    """The stream selector of a Loki variable query `label_values({job="x"}, level)` as written; None
    for `label_values(level)` and anything else. Raises LogQLSyntaxError on unbalanced text."""
    if not re.match(r"\s*label_values\s*\(", text):
        return None
    toks = _tokenize(text)
    if toks[2].text != "{":
        return None
    return text[toks[2].start:next(t.end for t in toks[3:] if t.text == "}")]  # matchers hold no braces


def _tokenize(text: str) -> list[_Tok]:
    toks, open_, pos = [], [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            what = {'"': "unterminated string", "`": "unterminated string", "[": "unclosed '['"}
            raise LogQLSyntaxError(what.get(text[pos], f"unexpected character {text[pos]!r}"), pos)
        kind, word = m.lastgroup, m.group()
        pos = m.end()
        if kind == "ws":
            continue
        toks.append(_Tok(kind, word, m.start(), pos, _unquote(word, m.start()) if kind == "str" else ""))
        if kind == "op" and word in ("{", "("):
            open_.append(toks[-1])
        elif kind == "op" and word in ("}", ")"):
            if not open_ or open_.pop().text != {"}": "{", ")": "("}[word]:
                raise LogQLSyntaxError(f"unbalanced {word!r}", m.start())
    if open_:
        raise LogQLSyntaxError(f"unclosed {open_[-1].text!r}", open_[-1].start)
    return toks + [_Tok("eof", "", len(text), len(text))]


def _unquote(quoted: str, start: int) -> str:
    """Go's strconv.Unquote, as Loki uses it: an unknown escape such as `\\.` is a syntax error."""
    if quoted[0] == "`":
        return quoted[1:-1]

    def one(m: re.Match) -> str:
        simple, hex2, hex4, hex8, octal, bad = m.groups()
        if bad is not None:
            raise LogQLSyntaxError(f"invalid escape \\{bad} in a string (write \\\\{bad}, or use `backticks`)",
                                   start + 1 + m.start())
        if simple:
            return dict(zip('abfnrtv\\"', '\a\b\f\n\r\t\v\\"'))[simple]
        return chr(int(octal, 8) if octal else int(hex2 or hex4 or hex8, 16))

    return _ESCAPE.sub(one, quoted[1:-1])


class _Parser:
    """Recursive descent over the tokens. Expressions return their type: log, range, metric or scalar."""

    def __init__(self, text: str):
        self.text, self.toks, self.i, self.end = text, _tokenize(text), 0, 0
        self.selectors: list[tuple[list[Matcher], tuple[int, int], list[Stage]]] = []
        self.groupings: list[Grouping] = []
        self.ranges: list[Range] = []

    def query(self) -> LogQuery:
        kind = self.expr()
        if self.peek().kind != "eof":
            self.fail(f"unexpected {self.peek().text!r}")
        if kind == "range":
            self.fail("a log range must be inside a range aggregation such as count_over_time", self.ranges[-1].span[0])
        selectors = [Selector(m, span, stages) for m, span, stages in self.selectors]
        return LogQuery(selectors, self.groupings, self.ranges)

    # Tokens.
    def peek(self, k: int = 0) -> _Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> _Tok:
        tok = self.toks[self.i]
        self.i, self.end = min(self.i + 1, len(self.toks) - 1), tok.end or self.end
        return tok

    def at(self, *words: str, k: int = 0) -> bool:
        return self.peek(k).kind in ("op", "ident") and self.peek(k).text in words

    def take(self, *words: str) -> _Tok | None:
        return self.next() if self.at(*words) else None

    def want(self, kind: str, what: str, *words: str) -> _Tok:
        tok = self.peek()
        if tok.kind != kind or (words and tok.text not in words):
            self.fail(f"expected {what}, found {tok.text!r}" if tok.text else f"expected {what} at the end")
        return self.next()

    def close(self) -> _Tok:
        return self.want("op", "')'", ")")

    def fail(self, message: str, offset: int | None = None):
        raise LogQLSyntaxError(message, self.peek().start if offset is None else offset)

    # Expressions.
    def expr(self) -> str:
        left = self.primary()
        while self.peek().text in _BINARY and self.peek().kind in ("op", "ident"):
            op = self.next()
            self.take("bool")
            for modifier in ("on", "ignoring", "group_left", "group_right"):
                if self.take(modifier) and (self.at("(") or modifier in ("on", "ignoring")):
                    self.label_list()
            right = self.primary()
            if {left, right} & {"log", "range"}:
                self.fail(f"{op.text!r} needs metric queries on both sides (count log lines first)", op.start)
            left = "scalar" if left == right == "scalar" else "metric"
        return left

    def primary(self) -> str:
        if self.at("-", "+") and self.peek(1).kind == "num":
            self.next()  # a signed number
        tok = self.peek()
        if tok.kind == "num":
            self.next()
            return "scalar"
        if self.take("("):
            kind = self.expr()
            self.close()
            return self.log_range() if kind == "log" else kind
        if self.at("{"):
            self.selector()
            return self.log_range()
        if tok.kind == "ident" and self.at("(", "by", "without", k=1):
            return self.call()
        self.fail(f"unexpected {tok.text!r}" if tok.text else "unexpected end of query")

    def call(self) -> str:
        name = self.next().text
        if name in VECTOR_AGGREGATIONS:
            self.grouping(name)
        elif name not in RANGE_AGGREGATIONS | {"label_replace", "vector"}:
            self.fail(f"unknown function {name!r}", self.toks[self.i - 1].start)
        self.want("op", f"'(' after {name}", "(")
        if self.peek().kind == "num" and self.at(",", k=1):
            self.next(), self.next()  # the parameter of quantile_over_time, topk...
        start, kind = self.peek().start, self.expr()
        while self.take(","):  # label_replace's strings
            self.want("str", "a string")
        self.close()
        if name in RANGE_AGGREGATIONS and kind != "range":
            self.fail(f"{name} needs a log range such as {{app=\"x\"}}[5m]", start)
        if name in VECTOR_AGGREGATIONS | {"label_replace"} and kind not in ("metric", "scalar"):
            self.fail(f"{name} needs a metric query (count log lines first)", start)
        if name in VECTOR_AGGREGATIONS | RANGE_AGGREGATIONS:
            self.grouping(name)
        return "metric"

    def grouping(self, op: str):
        if self.at("by", "without"):
            start, kind = self.peek().start, self.next().text
            self.groupings.append(Grouping(op, kind, self.label_list(), (start, self.end)))

    def label_list(self) -> tuple[str, ...]:
        self.want("op", "'('", "(")
        labels = []
        while not self.take(")"):
            labels.append(self.want("ident", "a label name").text)
            if not self.at(")"):
                self.want("op", "',' or ')'", ",")
        return tuple(labels)

    def log_range(self) -> str:
        """After a log expression: its `[range]`, an `offset`, and stages written after the range."""
        if self.peek().kind != "range":
            return "log"
        tok = self.next()
        self.ranges.append(Range(tok.text[1:-1].strip(), (tok.start, tok.end)))
        if self.take("offset"):
            self.want("num", "a duration after offset")
        self.pipeline(self.selectors[-1][2])
        return "range"

    # Selectors and pipelines.
    def selector(self):
        start, matchers = self.next().start, []
        while not self.take("}"):
            name = self.want("ident", "a label name")
            op = self.want("op", "=, !=, =~ or !~", "=", "!=", "=~", "!~")
            value = self.want("str", "a quoted value")
            matchers.append(Matcher(name.text, op.text, value.value, (name.start, value.end)))
            if not self.at("}"):
                self.want("op", "',' or '}'", ",")
        self.selectors.append((matchers, (start, self.end), []))
        self.pipeline(self.selectors[-1][2])

    def pipeline(self, stages: list[Stage]):
        while True:
            tok, after = self.peek(), self.peek(1)
            filter_follows = after.kind == "str" or (after.text == "ip" and self.at("(", k=2))
            if tok.kind == "op" and tok.text in LINE_FILTER_OPS and (tok.text[0] == "|" or filter_follows):
                op, values = self.next(), [self.filter_value()]
                while self.at("or") and (self.peek(1).kind == "str" or self.at("ip", k=1)):
                    self.next()
                    values.append(self.filter_value())
                stages.append(self.make("line_filter", op.start, op=op.text, values=tuple(values)))
            elif self.at("|"):
                stages.append(self.stage())
            else:
                return

    def filter_value(self) -> str:
        if not self.take("ip"):
            return self.want("str", "a quoted string").value
        self.want("op", "'('", "(")
        value = self.want("str", "a quoted address or range").value
        self.close()
        return f"ip({value})"

    def stage(self) -> Stage:
        start, tok = self.next().start, self.peek()
        name = tok.text if tok.kind == "ident" else ""
        if name not in STAGE_KEYWORDS and self.starts_label_filter():
            labels: list[str] = []
            self.label_filter(labels)
            return self.make("label_filter", start, labels=tuple(labels))
        if not name:
            self.fail(f"expected a pipeline stage after '|', found {tok.text!r}" if tok.text else "expected a stage")
        self.next()
        values, labels = (), ()
        while name == "logfmt" and self.peek().kind == "flag":
            self.next()
        if name in ("regexp", "pattern", "line_format"):
            values = (self.want("str", f"a quoted {name} argument").value,)
            captures = {"regexp": r"\(\?P?<(\w+)>", "pattern": r"<(\w+)>"}.get(name)
            labels = tuple(n for n in re.findall(captures, values[0]) if n != "_") if captures else ()
        elif name == "unwrap":
            label = self.want("ident", "a label to unwrap")
            if self.take("("):  # duration(x), duration_seconds(x), bytes(x)
                label = self.want("ident", "a label to unwrap")
                self.close()
            labels = (label.text,)
        elif name in ("json", "logfmt", "xml", "label_format", "drop", "keep", "distinct"):
            labels = self.named_list() if self.peek().kind == "ident" else ()
        elif name not in STAGE_KEYWORDS:  # a stage Loki added after this parser: up to the next stage
            while self.peek().kind not in ("eof", "range") and not self.at("|", ")") \
                    and self.peek().text not in LINE_FILTER_OPS:
                self.next()
        kind = "parser" if name in PARSERS else name if name in STAGE_KEYWORDS else "other"
        return self.make(kind, start, name, values=values, labels=labels)

    def named_list(self) -> tuple[str, ...]:
        """`a, b="x", c=d`: label extraction, label_format, drop and keep. Returns the names."""
        names = [self.want("ident", "a label name").text]
        if self.at("=", "!=", "=~", "!~") and self.peek().kind == "op":
            self.next()
            self.want("ident" if self.peek().kind == "ident" else "str", "a string")
        return tuple(names) + (self.named_list() if self.take(",") else ())

    def starts_label_filter(self) -> bool:
        after = self.peek(1)
        return self.at("(") or (self.peek().kind == "ident" and after.kind == "op" and after.text in COMPARISONS)

    def label_filter(self, labels: list[str]):
        """Loki's labelFilter: comparisons joined by `and`, `or`, `,` or nothing, in parentheses or not."""
        while True:
            if not self.starts_label_filter():
                self.fail('expected a label filter such as level="error"')
            if self.take("("):
                self.label_filter(labels)
                self.close()
            else:
                labels.append(self.next().text)
                self.next()  # the comparison
                if self.at("ip") and self.at("(", k=1):
                    self.filter_value()
                elif self.at("-") and self.peek(1).kind == "num":
                    self.next(), self.next()
                else:
                    self.want(self.peek().kind if self.peek().kind in ("str", "num", "ident") else "str",
                              f"a value to compare {labels[-1]} with")
            if not self.take("and", "or", ",") and not self.starts_label_filter():
                return

    def make(self, kind: str, start: int, name: str = "", **fields) -> Stage:
        return Stage(kind, self.text[start:self.end], (start, self.end), name, **fields)
