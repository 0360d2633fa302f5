"""PromQL parsing for the lint rules: one parse entry point that says where a syntax error is, one
walker that knows every child of every node, and the few accessors most rules need.

Why: promql-parser (0.12) raises a bare ValueError with no position, its walker gives no parents,
its enums are unhashable, and its Rust parser overflows the process stack (a segfault, not an
exception) on expressions several thousand operators deep. Rules should not each work around that.
Parse `variables.expand(...).text`, not the raw dashboard text.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import promql_parser as pp

COUNTER_RATES = frozenset(("rate", "irate", "increase"))  # they assume a counter
RANGE_RATES = COUNTER_RATES | {"deriv", "delta", "idelta", "resets", "changes"}  # they want enough samples
# The parser segfaults around 5,000 chained binary operators (10,000 nested parentheses); refuse
# well before that. Real dashboard queries stay below a few hundred.
MAX_OPERATORS = 2000
_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|#[^\n]*")
_NESTING = re.compile(r"[-+*/%^(\[{<>=!]|\b(?:and|or|unless|atan2)\b")
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")
_PAIRS = {")": "(", "]": "[", "}": "{"}
_OPENERS = {"parenthesis": "(", "bracket": "[", "brace": "{"}
_CLOSERS = {"parenthesis": ")", "bracket": "]", "brace": "}"}


class PromQLSyntaxError(ValueError):
    """The expression does not parse. `offset` is the best guess at where, in the parsed text, or
    None. A ValueError rather than a DashgenError: a broken query is a lint finding, not a failure."""

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset


def parse(text: str) -> pp.Expr:
    """Parses `text` (variables already expanded), raising PromQLSyntaxError with a position."""
    if len(text) > MAX_OPERATORS and len(_NESTING.findall(mask(text))) > MAX_OPERATORS:
        raise PromQLSyntaxError(f"too many operators and brackets to parse safely (over {MAX_OPERATORS})")
    try:
        return pp.parse(text)
    except ValueError as error:
        raise PromQLSyntaxError(str(error), _locate(str(error), text, mask(text))) from None


def children(node: pp.Expr) -> list[pp.Expr]:
    """Every direct sub-expression: aggregation parameter and operand, binary sides, call arguments,
    the inside of parentheses, unary minus and subqueries, a range's selector."""
    if isinstance(node, pp.AggregateExpr):
        return [c for c in (node.param, node.expr) if isinstance(c, pp.Expr)]
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return [node.expr]
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    if isinstance(node, pp.Call):
        return list(node.args)
    return []


def walk(expr: pp.Expr) -> Iterator[tuple[pp.Expr, tuple[pp.Expr, ...]]]:
    """Yields (node, ancestors from the root down) in source order. Iterative, so deep left-nested
    `a + b + c + ...` chains do not hit Python's recursion limit."""
    stack = [(expr, ())]
    while stack:
        node, ancestors = stack.pop()
        yield node, ancestors
        inner = ancestors + (node,)
        stack.extend((child, inner) for child in reversed(children(node)))


def selectors(expr: pp.Expr) -> list[pp.VectorSelector]:
    """Every vector selector, including those inside ranges and subqueries."""
    return [node for node, _ in walk(expr) if isinstance(node, pp.VectorSelector)]


def matchers(selector: pp.VectorSelector) -> list[tuple[str, str, str]]:
    """(label, "=" | "!=" | "=~" | "!~", value) for each matcher. The metric name appears as a
    `__name__` matcher only when it is not written bare (`{__name__=~"a.*"}`, `{"a.b"}`); the
    groups of `{a="1" or b="2"}` are flattened."""
    found = list(selector.matchers.matchers)
    for group in selector.matchers.or_matchers or []:
        found.extend(group)
    return [(m.name, _OPS[str(m.op)], m.value) for m in found]


def grouping(agg: pp.Expr) -> tuple[str | None, list[str]]:
    """("by" | "without", labels) of an aggregation, (None, []) without a clause or for other nodes."""
    modifier = agg.modifier if isinstance(agg, pp.AggregateExpr) else None
    if modifier is None:
        return None, []
    return ("by" if modifier.type == pp.AggModifierType.By else "without"), list(modifier.labels)


def fullmatch(regex: str, value: str) -> bool | None:
    """Whether a Prometheus or Loki regex matcher (anchored at both ends) matches `value`; None when
    Python's `re` cannot compile it or reads it differently from RE2 (POSIX classes such as
    `[[:alpha:]]`). The warnings Python gives for such syntax are silenced."""
    if "[:" in regex:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return re.fullmatch(regex, value) is not None
        except (re.error, OverflowError, RecursionError):
            return None


def mask(text: str) -> str:
    """`text` with strings and comments blanked out, offsets unchanged."""
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


def _locate(message: str, text: str, masked: str) -> int | None:
    """Best-effort offset of the error the parser described in words."""
    if message.startswith("unexpected end of input"):
        return len(text)
    if m := re.match(r"unclosed left (\w+)", message):
        return _unbalanced(masked, _OPENERS.get(m.group(1)), closing=False)
    if m := re.match(r"unexpected right (\w+)", message):
        return _unbalanced(masked, _CLOSERS.get(m.group(1)), closing=True)
    if message.startswith("unterminated quoted string"):
        unterminated = (m for m in _QUOTED.finditer(text) if m.group()[0] != "#" and not _STRING.fullmatch(m.group()))
        return next((m.start() for m in unterminated), None)
    if m := re.search(r"after '(.)'.*: '(.)'$", message):
        return _find(masked, re.escape(m.group(1) + m.group(2)), 1)
    if m := re.match(r"unexpected (?:character|left brace)\b.*'(.)'", message):
        return _find(masked, re.escape(m.group(1)))
    if m := re.search(r"(?:function with name|call to function|call to) '(\w+)'", message):
        return _find(masked, rf"\b{m.group(1)}\s*\(")
    if m := re.match(r"(?:not a valid duration string|bad number or duration syntax): (\S+)", message):
        return _find(masked, re.escape(m.group(1)))
    if m := re.match(r"illegal regex for (.+)", message, re.S):
        return _find(text, re.escape(m.group(1)))
    if m := re.match(r"unknown escape sequence '(.)'", message):
        return _find(text, re.escape("\\" + m.group(1)))
    if message.startswith("trailing commas"):
        return _find(masked, r",\s*\)")
    if m := re.match(r"(\S+) is not valid label", message) or re.search(r".*'([^']+)'", message):
        return _find(masked, rf"(?<![\w:]){re.escape(m.group(1))}(?![\w:])")
    return None


def _find(haystack: str, pattern: str, shift: int = 0) -> int | None:
    found = re.search(pattern, haystack)
    return found.start() + shift if found else None


def _unbalanced(masked: str, bracket: str | None, closing: bool) -> int | None:
    """The first closing `bracket` with no opener, or the last opening one never closed."""
    opened: list[int] = []
    for i, char in enumerate(masked):
        if char in "([{":
            opened.append(i)
        elif char in _PAIRS:
            if opened and masked[opened[-1]] == _PAIRS[char]:
                opened.pop()
            elif closing and char == bracket:
                return i
    unclosed = [i for i in opened if masked[i] == bracket]
    return None if closing or not unclosed else unclosed[-1]


ALWAYS_THERE = frozenset({"__name__", "job", "instance"})  # set by Prometheus on every scraped series


def available_labels(expr: pp.Expr, catalogue) -> set[str] | None:
    """The labels the series of `expr` can have, by the catalogue, plus those the query makes itself
    (label_replace, label_join, count_values); None when a metric is not catalogued (or no catalogue)."""
    if catalogue is None:
        return None
    available = set(ALWAYS_THERE)
    for inner, _ in walk(expr):
        if isinstance(inner, pp.VectorSelector):
            known = catalogue.lookup(inner.name) if inner.name else None
            if known is None:
                return None
            available |= set(known[1])
        elif isinstance(inner, pp.Call) and inner.func.name in ("label_replace", "label_join"):
            available |= {inner.args[1].val} if isinstance(inner.args[1], pp.StringLiteral) else set()
        elif isinstance(inner, pp.AggregateExpr) and str(inner.op) == "count_values":
            available |= {inner.param.val} if isinstance(inner.param, pp.StringLiteral) else set()
    return available
