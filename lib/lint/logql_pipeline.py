"""The half of the LogQL parser that reads tokens, stream selectors and pipelines (logql.py reads the
expressions around them). Loki 3.6's pipeline stages: line filters (`|= "a" or "b"`, `|~`, `|>`, `!=`,
`!~`, `!>`, each taking strings or `ip("...")`), the parsers `json`, `logfmt` (flags first, then
labels), `regexp`, `pattern` and `unpack`, `line_format`, `label_format`, `decolorize`, `drop`,
`keep`, and label filters: comparisons of a label with a string, regex, `ip("...")`, number,
duration or size, joined by `and`, `or`, `,` or nothing, in parentheses or not. `| unwrap` only ends
the pipeline of a log range, followed by label filters only.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashgen.lint import logql_checks as checks
from dashgen.lint.logql_lex import LogQLSyntaxError, Tok

PARSERS = frozenset("json logfmt regexp pattern unpack".split())
STAGE_KEYWORDS = PARSERS | frozenset("line_format label_format drop keep decolorize".split())
LINE_FILTER_OPS = frozenset(("|=", "|~", "|>", "!=", "!~", "!>"))
_MATCH_OPS = ("=", "!=", "=~", "!~")
_COMPARISONS = _MATCH_OPS + ("==", ">", ">=", "<", "<=")


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

    kind: str  # line_filter parser label_filter unwrap line_format label_format drop keep decolorize
    text: str
    span: tuple[int, int]
    name: str = ""  # the keyword (json, unwrap, line_format...); "" for line and label filters
    op: str = ""  # a line filter's operator: |=, !=, |~, !~, |>, !>
    values: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


class PipelineParser:
    """Token access, selectors and pipelines; `selectors` collects (matchers, span, stages)."""

    text: str
    toks: list[Tok]
    i: int
    end: int  # where the last token taken ends
    selectors: list[tuple[list[Matcher], tuple[int, int], list[Stage]]]

    # Tokens.
    def peek(self, k: int = 0) -> Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> Tok:
        tok = self.toks[self.i]
        self.i, self.end = min(self.i + 1, len(self.toks) - 1), tok.end or self.end
        return tok

    def at(self, *words: str, k: int = 0) -> bool:
        return self.peek(k).kind in ("op", "kw") and self.peek(k).value in words

    def take(self, *words: str) -> Tok | None:
        return self.next() if self.at(*words) else None

    def want(self, kind: str, what: str, *words: str) -> Tok:
        tok = self.peek()
        if tok.kind != kind or (words and tok.value not in words):
            self.fail(f"expected {what}, found {tok.text!r}" if tok.text else f"expected {what} at the end")
        return self.next()

    def close(self) -> Tok:
        return self.want("op", "')'", ")")

    def fail(self, message: str, offset: int | None = None):
        raise LogQLSyntaxError(message, self.peek().start if offset is None else offset)

    def check(self, problem: str, tok: Tok):
        """Fails at `tok` when a value check found a problem."""
        if problem:
            self.fail(problem, tok.start)

    def regex(self, tok: Tok, anchored: bool = False):
        """Fails at `tok` when its regex is not RE2 (`anchored`: once Loki has put it in ^(?:...)$)."""
        problem = checks.regex_problem(f"^(?:{tok.value})$" if anchored else tok.value)
        if problem:
            self.fail(f"invalid regex: {checks.regex_problem(tok.value) or problem}", tok.start)

    def make(self, kind: str, start: int, name: str = "", **fields) -> Stage:
        return Stage(kind, self.text[start:self.end], (start, self.end), name, **fields)

    # Selectors.
    def selector(self):
        start, matchers = self.next().start, []
        while not self.take("}"):
            if matchers:
                self.want("op", "',' or '}'", ",")
                if self.at("}"):
                    self.fail("a comma before '}': Loki takes none there")
            name = self.want("ident", "a label name")
            op = self.want("op", "=, !=, =~ or !~", *_MATCH_OPS)
            value = self.want("str", "a quoted value")
            if op.value in ("=~", "!~"):
                self.regex(value)
            matchers.append(Matcher(name.text, op.value, value.value, (name.start, value.end)))
        self.selectors.append((matchers, (start, self.end), []))

    # Pipelines.
    def pipeline(self, stages: list[Stage], unwrap: bool) -> tuple[bool, bool]:
        """Stages up to the first that is not one; then `| unwrap` where `unwrap` allows it.
        Returns (whether there were stages, whether it unwrapped)."""
        found = False
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.value in LINE_FILTER_OPS:
                stages.append(self.line_filter())
            elif self.at("|") and self.at("unwrap", k=1):
                start = tok.start
                self.unwrap(stages)
                if not unwrap:
                    self.fail("unwrap belongs in a range aggregation: sum_over_time({...} | unwrap x [5m])", start)
                return found, True
            elif self.at("|"):
                stages.append(self.stage())
            else:
                return found, False
            found = True

    def maybe_unwrap(self, stages: list[Stage]) -> bool:
        if self.at("|") and self.at("unwrap", k=1):
            self.unwrap(stages)
            return True
        return False

    def unwrap(self, stages: list[Stage]):
        """`| unwrap label` or `| unwrap bytes|duration|duration_seconds(label)`, then label filters."""
        start = self.next().start
        self.next()
        if self.take("bytes", "duration", "duration_seconds"):
            self.want("op", "'('", "(")
            label = self.want("ident", "a label to unwrap")
            self.close()
        else:
            label = self.want("ident", "a label to unwrap")
        stages.append(self.make("unwrap", start, "unwrap", labels=(label.text,)))
        while self.at("|") and self.starts_label_filter(1):
            begin, labels = self.next().start, []
            self.label_filter(labels)
            stages.append(self.make("label_filter", begin, labels=tuple(labels)))
        if self.at("|", *LINE_FILTER_OPS):
            self.fail('after unwrap only label filters such as | __error__="" may follow')

    def line_filter(self) -> Stage:
        op = self.next()
        values = [self.filter_value(op.value)]
        while self.take("or"):
            values.append(self.filter_value(op.value))
        return self.make("line_filter", op.start, op=op.value, values=tuple(values))

    def filter_value(self, op: str) -> str:
        if self.take("ip"):
            self.want("op", "'('", "(")
            value = self.want("str", "a quoted address or range").value
            self.close()
            return f"ip({value})"
        tok = self.want("str", "a quoted string")
        if op in ("|~", "!~"):
            self.regex(tok)
        elif op in ("|>", "!>"):
            self.check(checks.pattern_filter_problem(tok.value), tok)
        return tok.value

    def stage(self) -> Stage:
        start, tok = self.next().start, self.peek()
        if tok.kind == "ident" and not (self.peek(1).kind == "op" and self.peek(1).value in _COMPARISONS):
            self.fail(f"{tok.text!r} is neither a stage Loki knows (json, logfmt, regexp, pattern, unpack, line_format,"
                      f" label_format, drop, keep, decolorize, unwrap) nor a label filter such as {tok.text}=\"x\"")
        if self.starts_label_filter():
            labels: list[str] = []
            self.label_filter(labels)
            return self.make("label_filter", start, labels=tuple(labels))
        name = tok.value if tok.kind == "kw" and tok.value in STAGE_KEYWORDS else ""
        if not name:
            self.fail(f"expected a stage after '|', found {tok.text!r}" if tok.text else "expected a stage after '|'")
        self.next()
        values, labels = (), ()
        while name == "logfmt" and self.peek().kind == "flag":
            self.next()
        if name in ("regexp", "pattern", "line_format"):
            arg = self.want("str", f"a quoted {name} argument")
            values = (arg.value,)
            if name == "regexp":
                self.check(checks.regexp_parser_problem(arg.value), arg)
                labels = tuple(n for n in checks.regexp_names(arg.value) if n != "_")
            elif name == "pattern":
                self.check(checks.pattern_parser_problem(arg.value), arg)
                labels = tuple(checks.pattern_captures(arg.value))
        elif name in ("json", "logfmt") and self.peek().kind == "ident":
            labels = self.named_list(("=",), ("str",), needs_value=False)
        elif name == "label_format":
            labels = self.named_list(("=",), ("ident", "str"), needs_value=True)
        elif name in ("drop", "keep"):
            labels = self.named_list(_MATCH_OPS, ("str",), needs_value=False)
        kind = "parser" if name in PARSERS else name
        return self.make(kind, start, name, values=values, labels=labels)

    def named_list(self, ops: tuple, kinds: tuple, needs_value: bool) -> tuple[str, ...]:
        """`a, b="x", c=d`: json/logfmt labels, label_format, drop and keep. Returns the names."""
        names = []
        while True:
            name = self.want("ident", "a label name")
            names.append(name.text)
            if self.at(*ops) and self.peek().kind == "op":
                op = self.next()
                value = self.want(self.peek().kind if self.peek().kind in kinds else kinds[-1],
                                  "a quoted string" if kinds == ("str",) else "a label name or a quoted template")
                if op.value in ("=~", "!~"):
                    self.regex(value)
            elif needs_value:
                self.fail(f"expected '=' after {name.text}")
            if not self.take(","):
                return tuple(names)

    def starts_label_filter(self, k: int = 0) -> bool:
        return self.peek(k).kind == "ident" or self.at("(", k=k)

    def label_filter(self, labels: list[str]):
        """Loki's labelFilter: comparisons joined by `and`, `or`, `,` or nothing, in parentheses or not."""
        while True:
            if self.take("("):
                self.label_filter(labels)
                self.close()
            else:
                name = self.want("ident", 'a label filter such as level="error"')
                labels.append(name.text)
                op = self.want("op", "a comparison (=, !=, =~, !~, ==, >, >=, <, <=)", *_COMPARISONS)
                self.comparand(name.text, op.value)
            if not self.take("and", "or", ",") and not self.starts_label_filter():
                return

    def comparand(self, name: str, op: str):
        """What a label is compared with: a string or regex, ip("..."), or a number, duration or size
        (or an identifier: a variable's name, before Grafana expands it)."""
        tok = self.peek()
        if op in ("=~", "!~") or (op in ("=", "!=") and tok.kind == "str"):
            value = self.want("str", f"a quoted value to compare {name} with")
            if op in ("=~", "!~"):
                self.regex(value)
        elif op in ("=", "!=") and self.take("ip"):
            self.want("op", "'('", "(")
            self.want("str", "a quoted address or range")
            self.close()
        elif tok.kind in ("num", "dur", "bytes", "ident"):
            self.next()
        elif self.at("-", "+") and self.peek(1).kind == "num":
            self.next(), self.next()
        else:
            self.fail(f"expected a value to compare {name} with, found {tok.text!r}" if tok.text
                      else f"expected a value to compare {name} with")
