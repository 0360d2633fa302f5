"""TraceQL as Tempo 2.9 reads it: whether a query parses and passes Tempo's checks, and its structure.

Tempo has no Python parser. `parse` follows Tempo's own lexer, grammar and post-parse checks
(traceql_lexer, traceql_grammar, traceql_structure, traceql_ast) and refuses exactly what Tempo
refuses, with the offset of the problem. It then gives the `traceql/*` rules what they look at: the
spanset filters, each with its conditions (`attribute op value`, the boolean structure flattened),
the pipeline stages after `|` as text, with the attributes they name, and the `with(...)` hints.

A Grafana variable, which the expander turns into a `__gv_` identifier, stands for any value or
attribute. A bare trace id, or a lone `${traceId}` variable, is a trace lookup and not TraceQL:
`parse` raises on it, and callers ask `is_trace_id` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashgen.lint import traceql_grammar as grammar
from dashgen.lint.traceql_ast import Attribute, Binary, Node, Static, TraceQLRefusal, TraceQLSyntaxError, Unary
from dashgen.lint.traceql_lexer import KEYWORDS
from dashgen.lint.traceql_structure import check
from dashgen.lint.variables import only_reference

__all__ = ["Condition", "Spanset", "Stage", "TraceQuery", "TraceQLRefusal", "TraceQLSyntaxError", "parse",
           "is_trace_id", "is_empty_filter", "scope_of"]

SCOPES = frozenset(("span", "resource", "event", "link", "instrumentation"))
COMPARISONS = frozenset(("=", "!=", "=~", "!~", ">", ">=", "<", "<="))
_TRACE_ID = re.compile(r"\s*[0-9a-fA-F]{16,32}\s*")


@dataclass(frozen=True)
class Condition:
    """`attribute op value` inside a spanset. `value` is unquoted for a string, else as written
    (`error`, `1s`, `span.b * 2`); op and value are "" for a bare attribute."""

    attribute: str  # span.http.method, .service.name, status, trace:duration...
    scope: str  # span resource event link instrumentation intrinsic, or unscoped for `.attr`
    op: str
    value: str
    span: tuple[int, int]


@dataclass(frozen=True)
class Spanset:
    span: tuple[int, int]  # braces included
    conditions: list[Condition]
    text: str  # between the braces, stripped


@dataclass(frozen=True)
class Stage:
    """A pipeline stage (`| select(span.a)`, `| rate() by (resource.service.name)`) or a query hint
    (`with(sample=true)`), as raw text; `name` is its first word."""

    name: str
    text: str
    span: tuple[int, int]
    attributes: tuple[tuple[str, tuple[int, int]], ...] = ()  # (attribute, span) outside its spansets


@dataclass(frozen=True)
class TraceQuery:
    spansets: list[Spanset]  # every spanset in order, those inside pipeline stages such as compare() too
    pipeline: list[Stage]
    hints: list[Stage]


def parse(text: str) -> TraceQuery:
    """The structure of a TraceQL query; raises TraceQLSyntaxError where Tempo 2.9 would refuse it.
    A query nested deeper than Python's recursion limit raises RecursionError, which the lint engine
    reports as a query too deep to check."""
    root, tokens = grammar.parse(text)
    check(root)
    nodes = list(_walk(root.body))
    filters = sorted((n for n in nodes if isinstance(n, grammar.Filter)), key=lambda n: n.span)
    spansets = [_spanset(text, f) for f in filters]
    inside = [s.span for s in spansets]
    pipes = sorted((n for n in nodes if isinstance(n, grammar.Op) and n.op == "|"), key=lambda n: n.at)
    pipeline = [_stage(text, tokens, (n.at, n.rhs.outer[1]), inside) for n in pipes]
    hints = [Stage("with", text[slice(*span)], span) for span, _ in root.hints]
    return TraceQuery(spansets, pipeline, hints)


def is_trace_id(text: str) -> bool:
    """True for a trace lookup rather than a TraceQL query: a hex trace id, or a lone Grafana variable
    (`${traceId}`), which Grafana's Tempo query field takes as an id."""
    return bool(_TRACE_ID.fullmatch(text)) or only_reference(text) is not None


def is_empty_filter(spanset: Spanset) -> bool:
    """True for `{}` and `{ true }`: a spanset that matches every span, so Tempo scans everything."""
    return re.sub(r"/\*.*?\*/|//[^\n]*|[\s()]", "", spanset.text, flags=re.S) in ("", "true")


def scope_of(attribute: str) -> str:
    """span, resource, event, link or instrumentation for `scope.name`; unscoped for `.name`;
    intrinsic for the rest (status, duration, trace:duration, span:status, event:name...)."""
    if attribute.startswith("."):
        return "unscoped"
    name = attribute.removeprefix("parent.")
    head, dot, _ = name.partition(".")
    if dot and head in SCOPES:
        return head
    return "unscoped" if name != attribute else "intrinsic"


def _walk(node: Node):
    yield node
    for child in ("lhs", "rhs", "inner", "filter"):
        if getattr(node, child, None) is not None:
            yield from _walk(getattr(node, child))


def _stage(text: str, tokens: list, span: tuple[int, int], spansets: list[tuple[int, int]]) -> Stage:
    """A `| ...` stage and the attributes it names itself: `select(span.a, .b)`, `by (resource.c)`."""
    start, end = span
    first = next(t for t in tokens if t.start > start)
    name = first.text if first.kind in KEYWORDS or first.kind == "ident" else ""
    found = tuple((t.text, (t.start, t.end)) for t in tokens if t.kind == "attr" and start <= t.start < end
                  and not any(a <= t.start < b for a, b in spansets))
    return Stage(name, text[start:end], span, found)


def _spanset(text: str, node: grammar.Filter) -> Spanset:
    conditions = list(_conditions(text, node.expr)) if node.expr is not None else []
    inner = text[node.span[0] + 1:node.span[1] - 1].strip()
    return Spanset(node.span, conditions, inner)


def _conditions(text: str, node: Node):
    """One condition per comparison or bare attribute; && || ! and parentheses are looked through."""
    if isinstance(node, Binary) and node.op in ("&&", "||"):
        yield from _conditions(text, node.lhs)
        yield from _conditions(text, node.rhs)
    elif isinstance(node, Unary) and node.op == "!":
        yield from _conditions(text, node.operand)
    elif isinstance(node, Unary) and node.op == "exists":
        attribute = _first_attribute(node.operand)
        if attribute:
            yield _condition(attribute, "!=", "nil", node.span)
    elif isinstance(node, Binary) and node.op in COMPARISONS:
        attribute = _first_attribute(node.lhs)
        other = node.rhs if attribute else node.lhs
        attribute = attribute or _first_attribute(node.rhs)
        if attribute:
            value = other.value if isinstance(other, Static) and other.type == "string" else text[slice(*other.span)]
            yield _condition(attribute, node.op, value, node.span)
    elif not isinstance(node, Static):
        attribute = _first_attribute(node)
        if attribute:
            yield _condition(attribute, "", "", node.span)


def _condition(attribute: Attribute, op: str, value: str, span: tuple[int, int]) -> Condition:
    return Condition(attribute.text, scope_of(attribute.text), op, value, span)


def _first_attribute(node: Node) -> Attribute | None:
    if isinstance(node, Attribute):
        return node
    for child in (getattr(node, "lhs", None), getattr(node, "rhs", None), getattr(node, "operand", None)):
        found = _first_attribute(child) if child is not None else None
        if found:
            return found
    return None
