"""A LogQL parser that accepts and refuses what Loki 3.6 does, with spans into the query.

There is no maintained Python LogQL parser, so this follows Loki's grammar (`pkg/logql/syntax/
syntax.y`), its lexer (logql_lex.py) and the checks Loki makes as it builds the expression
(`parser.go`, `ast.go`): which range aggregations take a parameter, a grouping or an unwrap; topk's
k; a number on either side of `and`/`or`/`unless`; the regexes and patterns Loki compiles
(logql_checks.py). It finds every stream selector with its matchers and pipeline, every `by`/
`without` grouping and every `[range]` for the `logql/*` rules.

Two duties are left elsewhere on purpose: `{}` and selectors whose every matcher matches "" parse
here (Loki refuses them; `logql/empty-compatible-selector` says why), and, since Grafana's
variables are expanded before parsing (`| latency > $min` may read `| latency > min`), a bare
identifier is accepted wherever a number or duration goes (ranges, offset, topk's k, quantile's φ,
vector(), label filter values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashgen.lint import logql_checks as checks
from dashgen.lint.logql_lex import RANGE_OPS, VECTOR_OPS, LogQLSyntaxError, Tok, tokenize
from dashgen.lint.logql_pipeline import LINE_FILTER_OPS, PARSERS, STAGE_KEYWORDS, Matcher, PipelineParser, Stage

__all__ = ["LINE_FILTER_OPS", "PARSERS", "STAGE_KEYWORDS", "LogQLSyntaxError", "Matcher", "Stage", "Selector",
           "Grouping", "Range", "LogQuery", "parse", "label_values_selector"]

RANGE_AGGREGATIONS, VECTOR_AGGREGATIONS = RANGE_OPS, VECTOR_OPS
_GROUPABLE = frozenset("avg_over_time stddev_over_time stdvar_over_time quantile_over_time max_over_time "
                       "min_over_time first_over_time last_over_time".split())
_WITH_UNWRAP = _GROUPABLE | {"sum_over_time", "rate", "rate_counter", "absent_over_time"}
_WITHOUT_UNWRAP = frozenset("bytes_over_time bytes_rate count_over_time rate absent_over_time".split())
_PRECEDENCE = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, ">=": 3, "<": 3, "<=": 3,
               "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6}


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


def parse(text: str) -> LogQuery:
    """The structure of a LogQL log or metric query; raises LogQLSyntaxError if Loki would refuse it (and
    RecursionError if it nests deeper than Python recurses: the lint engine reports that as bad input)."""
    return _Parser(text).query()


def label_values_selector(text: str) -> str | None:
    """The stream selector of a Loki variable query `label_values({job="x"}, level)` as written; None
    for `label_values(level)` and anything else. Raises LogQLSyntaxError on unbalanced text."""
    if not re.match(r"\s*label_values\s*\(", text):
        return None
    toks = tokenize(text)
    if toks[2].text != "{":
        return None
    return text[toks[2].start:next(t.end for t in toks[3:] if t.text == "}")]  # matchers hold no braces


class _Parser(PipelineParser):
    """Recursive descent over the tokens. Expressions return their type: log, metric, scalar (a
    number, or numbers combined) or variants (a bare `variants(...) of (...)`)."""

    def __init__(self, text: str):
        self.text, self.toks, self.i, self.end = text, tokenize(text), 0, 0
        self.selectors: list[tuple[list[Matcher], tuple[int, int], list[Stage]]] = []
        self.groupings: list[Grouping] = []
        self.ranges: list[Range] = []

    def query(self) -> LogQuery:
        self.expr()
        if self.peek().kind != "eof":
            self.fail(f"unexpected {self.peek().text!r}")
        selectors = [Selector(m, span, stages) for m, span, stages in self.selectors]
        return LogQuery(selectors, self.groupings, self.ranges)

    # Expressions.
    def expr(self, min_precedence: int = 1) -> str:
        left = self.primary()
        while self.peek().kind in ("op", "kw") and _PRECEDENCE.get(self.peek().value, 0) >= min_precedence:
            op = self.next()
            precedence = _PRECEDENCE[op.value]
            self.take("bool")
            if self.take("on", "ignoring"):
                self.label_list()
                if self.take("group_left", "group_right") and self.at("("):
                    self.label_list()
            elif self.at("group_left", "group_right"):
                self.fail(f"{self.peek().text} needs on (...) or ignoring (...) before it")
            right = self.expr(precedence + (op.value != "^"))
            if "log" in (left, right):
                self.fail(f"{op.text!r} needs metric queries on both sides (count log lines first)", op.start)
            if op.value in ("and", "or", "unless") and "scalar" in (left, right):
                self.fail(f"{op.text!r} matches series by their labels; a number has none", op.start)
            left = "scalar" if left == right == "scalar" else "metric"
        return left

    def primary(self) -> str:
        tok = self.peek()
        if self.at("-", "+") and self.peek(1).kind == "num":
            self.next()  # a sign belongs to a number, not to any other expression
        if self.peek().kind == "num":
            number = self.next()
            self.check(checks.float_problem(number.text), number)
            return "scalar"
        if self.take("("):
            kind = self.expr()
            self.close()
            if kind == "variants":
                self.fail("variants(...) of (...) cannot be put in parentheses", tok.start)
            return self.no_range(kind)
        if self.at("{"):
            self.selector()
            self.pipeline(self.selectors[-1][2], unwrap=False)
            return self.no_range("log")
        name = tok.value if tok.kind == "kw" else ""
        if name in RANGE_AGGREGATIONS:
            return self.range_aggregation()
        if name in VECTOR_AGGREGATIONS:
            return self.vector_aggregation()
        if name in ("label_replace", "vector", "variants"):
            return getattr(self, name)()
        if tok.kind == "ident" and self.at("(", k=1):
            self.fail(f"unknown function {tok.text!r}", tok.start)
        self.fail(f"unexpected {tok.text!r}" if tok.text else "unexpected end of query")

    def no_range(self, kind: str) -> str:
        if kind == "log" and self.peek().kind == "range":
            self.fail("a log range must be inside a range aggregation such as count_over_time")
        return kind

    def metric_argument(self, name: str) -> str:
        """An expression that must be a metric query (or a number); its type."""
        start, kind = self.peek().start, self.expr()
        if kind in ("log", "variants"):
            what = "a metric query (count log lines first)" if kind == "log" else "a metric query, not variants"
            self.fail(f"{name} needs {what}", start)
        return kind

    def parameter(self) -> Tok | None:
        """`NUMBER ,` before an aggregation's argument (or an identifier: a variable's name)."""
        if self.peek().kind not in ("num", "ident") or not self.at(",", k=1):
            return None
        param = self.next()
        self.next()
        return param

    def range_aggregation(self) -> str:
        name_tok = self.next()
        name = name_tok.value
        if self.at("by", "without"):
            self.fail(f"by/without goes after the parentheses of {name}(...)")
        self.want("op", f"'(' after {name_tok.text}", "(")
        param = self.parameter()
        unwrapped = self.log_range(name, self.peek().start)
        self.close()
        grouping = self.grouping(name)
        if param is not None and name != "quantile_over_time":
            self.fail(f"{name} takes no parameter", param.start)
        if param is not None and param.kind == "num":
            self.check(checks.float_problem(param.text), param)
        if param is None and name == "quantile_over_time":
            self.fail("quantile_over_time needs its quantile first: quantile_over_time(0.99, ...)", name_tok.start)
        if grouping and name not in _GROUPABLE:
            self.fail(f"{name} takes no by/without (only avg, min, max, stddev, stdvar, quantile, first and "
                      "last_over_time do); group in an aggregation around it", grouping.span[0])
        if unwrapped and name not in _WITH_UNWRAP:
            self.fail(f"{name} counts log lines or bytes and takes no unwrap", name_tok.start)
        if not unwrapped and name not in _WITHOUT_UNWRAP:
            self.fail(f"{name} needs | unwrap <label> to have values to aggregate", name_tok.start)
        return "metric"

    def vector_aggregation(self) -> str:
        name_tok = self.next()
        name = name_tok.value
        grouping = self.grouping(name)
        self.want("op", f"'(' after {name_tok.text}", "(")
        param = self.parameter()
        self.metric_argument(name)
        self.close()
        grouping = grouping or self.grouping(name)
        if name in ("topk", "bottomk", "approx_topk"):
            if param is None:
                self.fail(f"{name} needs how many series to keep first: {name}(10, ...)", name_tok.start)
            if param.kind == "num":
                self.check(checks.positive_int_problem(param.text), param)
            if grouping and name == "approx_topk":
                self.fail("approx_topk takes no by/without", grouping.span[0])
        elif param is not None:
            self.fail(f"{name} takes no parameter", param.start)
        if grouping and grouping.labels and name in ("sort", "sort_desc"):
            self.fail(f"{name} takes no by/without labels: it orders by value", grouping.span[0])
        return "metric"

    def label_replace(self) -> str:
        self.next()
        self.want("op", "'(' after label_replace", "(")
        self.metric_argument("label_replace")
        strings = []
        for _ in range(4):
            self.want("op", "','", ",")
            strings.append(self.want("str", "a quoted string"))
        self.close()
        self.regex(strings[3], anchored=True)
        return "metric"

    def vector(self) -> str:
        self.next()
        self.want("op", "'(' after vector", "(")
        number = self.next() if self.peek().kind == "ident" else self.want("num", "a number")  # or a variable
        if number.kind == "num":
            self.check(checks.float_problem(number.text), number)
        self.close()
        return "metric"

    def variants(self) -> str:
        self.next()
        self.want("op", "'(' after variants", "(")
        self.metric_argument("variants")
        while self.take(","):
            self.metric_argument("variants")
        self.close()
        self.want("kw", "'of' after variants(...)", "of")
        self.want("op", "'(' after of", "(")
        self.log_range("variants(...) of", self.peek().start)
        self.close()
        return "variants"

    def grouping(self, op: str) -> Grouping | None:
        if not self.at("by", "without"):
            return None
        start, kind = self.peek().start, self.next().value
        self.groupings.append(Grouping(op, kind, self.label_list(), (start, self.end)))
        return self.groupings[-1]

    def label_list(self) -> tuple[str, ...]:
        self.want("op", "'('", "(")
        labels = [] if self.at(")") else [self.want("ident", "a label name").text]
        while self.take(","):
            labels.append(self.want("ident", "a label name").text)
        self.want("op", "',' or ')'", ")")
        return tuple(labels)

    # Log ranges: `{...} |= "x" [5m]`, `{...}[5m] |= "x"`, `({...} |= "x")[5m]`, with unwrap and offset.
    def log_range(self, fn: str, start: int) -> bool:
        """A log range and its unwrap, as Loki's logRangeExpr allows them; whether it unwraps."""
        if self.take("("):
            if self.at("("):
                unwrapped = self.log_range(fn, start)
                self.close()
                return unwrapped
            stages, unwrapped = self.range_selector(fn, start)
            if self.take(")"):
                self.the_range(fn, start)
                self.offset()
                if not stages and not unwrapped:  # `({...})[5m] | unwrap x`: no other stage there
                    unwrapped = self.maybe_unwrap(self.selectors[-1][2])
                return unwrapped
            unwrapped = self.after_selector(fn, start, stages or unwrapped) or unwrapped
            self.close()
            return unwrapped
        stages, unwrapped = self.range_selector(fn, start)
        return self.after_selector(fn, start, stages or unwrapped) or unwrapped

    def range_selector(self, fn: str, start: int) -> tuple[bool, bool]:
        if not self.at("{"):
            self.fail(f'{fn} needs a log range such as {{app="x"}}[5m]', start)
        self.selector()
        return self.pipeline(self.selectors[-1][2], unwrap=True)

    def after_selector(self, fn: str, start: int, before: bool) -> bool:
        self.the_range(fn, start)
        self.offset()
        return False if before else self.pipeline(self.selectors[-1][2], unwrap=True)[1]

    def the_range(self, fn: str, start: int):
        if self.peek().kind != "range":
            self.fail(f'{fn} needs a log range such as {{app="x"}}[5m]', start)
        tok = self.next()
        self.ranges.append(Range(tok.value, (tok.start, tok.end)))

    def offset(self):
        if self.take("offset"):
            if self.peek().kind not in ("dur", "ident"):
                self.fail("expected a duration after offset")
            self.next()
