"""TraceQL syntax trees, and Tempo 2.9's checks of the expressions inside a spanset filter.

Tempo types a field expression as it builds it: `status` is a status, `span:duration` a duration,
`.a` an attribute whose type is only known at query time, `1 = 1` a boolean. An operation whose
operands cannot meet (`1 = "a"`, `status > ok`, `-"a"`) is refused, as are `parent.` attributes,
the `parent` and `childCount` intrinsics (Tempo does not support them yet), `x = nil` and a regular
expression RE2 does not compile. An operation on constants alone is computed at once, as Tempo's
parser computes it, so `{ 1 / 0 = 1 }` is refused like there (integer division by zero).

A Grafana variable the expander left as a `__gv_` identifier is a `Var`: any type, like an attribute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import re2

from dashgen.lint.model import QuerySyntaxError
from dashgen.lint.variables import REFERENCE

NUMERIC = frozenset(("int", "float", "duration"))
BOOLEAN_OPS = frozenset(("&&", "||", "=", "!=", "=~", "!~", ">", ">=", "<", "<="))
ARITHMETIC = frozenset(("+", "-", "*", "/", "%", "^"))
COMPARISONS = frozenset(("=", "!=", "<", "<=", ">", ">="))
# The intrinsics Tempo 2.9 knows, by the name it gives them (a scoped form maps to one of these),
# with the type of their values; `attribute` where Tempo leaves it to query time.
INTRINSIC_TYPES = {
    "duration": "duration", "childCount": "int", "name": "string", "status": "status",
    "statusMessage": "string", "kind": "kind", "parent": "nil", "rootName": "string",
    "rootServiceName": "string", "traceDuration": "duration", "nestedSetLeft": "int",
    "nestedSetRight": "int", "nestedSetParent": "int", "trace:id": "string", "span:id": "string",
    "span:parentID": "string", "event:name": "string", "event:timeSinceStart": "duration",
    "link:traceID": "string", "link:spanID": "string", "instrumentation:name": "attribute",
    "instrumentation:version": "attribute",
}
_INT64 = 2**64
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error comes back as an exception; RE2 need not print it too


class TraceQLSyntaxError(QuerySyntaxError):
    """A query Tempo would refuse: it does not parse, or Tempo's checks after parsing reject it."""


class TraceQLRefusal(TraceQLSyntaxError):
    """A query that parses, but that Tempo's checks after parsing reject (types, unsupported features)."""


@dataclass
class Node:
    span: tuple[int, int]  # the node's own text
    outer: tuple[int, int] = field(default=(0, 0), kw_only=True)  # with the parentheses around it

    def __post_init__(self):
        if self.outer == (0, 0):
            self.outer = self.span


@dataclass
class Static(Node):
    type: str  # int float string boolean duration status kind
    value: object = None  # ints only: Tempo computes with them at parse time


@dataclass
class Attribute(Node):
    """`.a`, `span.a`, `parent.resource.a` (prefix and name, quotes removed), or an intrinsic
    (`status`, `span:status`), whose `intrinsic` is then Tempo's name for it."""

    prefix: str
    name: str
    intrinsic: str | None = None

    @property
    def text(self) -> str:
        return self.prefix + self.name


@dataclass
class Var(Node):
    name: str


@dataclass
class Binary(Node):
    op: str
    lhs: Node
    rhs: Node


@dataclass
class Unary(Node):
    op: str  # - ! exists (`x != nil`)
    operand: Node


def implied_type(node: Node) -> str:
    if isinstance(node, Static):
        return node.type
    if isinstance(node, Attribute):
        return INTRINSIC_TYPES[node.intrinsic] if node.intrinsic else "attribute"
    if isinstance(node, Binary):
        if node.op in BOOLEAN_OPS:
            return "boolean"
        left = implied_type(node.lhs)
        return left if left != "attribute" else implied_type(node.rhs)
    if isinstance(node, Unary):
        return "boolean" if node.op == "exists" else implied_type(node.operand)
    return "attribute"


def references_span(node: Node) -> bool:
    if isinstance(node, Binary):  # right first: a long `a && b && ...` nests on the left
        return references_span(node.rhs) or references_span(node.lhs)
    if isinstance(node, Unary):
        return references_span(node.operand)
    return not isinstance(node, Static)


def matching(left: str, right: str) -> bool:
    """Tempo's isMatchingOperand: whether two types can meet in a binary operation at all."""
    return ("attribute" in (left, right) or left == right or (left in NUMERIC and right in NUMERIC)
            or "nil" in (left, right))


def valid_for(op: str, kind: str) -> bool:
    """Tempo's binaryTypeValid: whether `op` applies to an operand of type `kind`."""
    if kind == "attribute":
        return True
    if kind == "boolean":
        return op in ("&&", "||", "=", "!=")
    if kind in NUMERIC:
        return op in ARITHMETIC or op in COMPARISONS
    if kind == "string":
        return op in COMPARISONS or op in ("=~", "!~")
    return kind in ("nil", "status", "kind") and op in ("=", "!=")


def field_problem(node: Node) -> tuple[str, int] | None:
    """Tempo's validate() of a field expression: (message, offset) of the first problem, or None."""
    if isinstance(node, Attribute):
        if node.prefix.startswith("parent."):
            return f"{node.text}: Tempo does not support parent. attributes yet", node.span[0]
        if node.intrinsic in ("parent", "childCount"):
            return f"Tempo does not support the {node.intrinsic} intrinsic yet", node.span[0]
        return None
    if isinstance(node, Unary):
        inner = field_problem(node.operand)
        kind = implied_type(node.operand)
        if inner or kind == "attribute" or node.op == "exists":
            return inner
        if (node.op == "-" and kind not in NUMERIC) or (node.op == "!" and kind != "boolean"):
            return f"{node.op} does not apply to a {kind}", node.span[0]
        return None
    if not isinstance(node, Binary):
        return None
    inner = field_problem(node.lhs) or field_problem(node.rhs)
    if inner:
        return inner
    left, right = implied_type(node.lhs), implied_type(node.rhs)
    if not matching(left, right):
        return f"{node.op} cannot compare or combine a {left} with a {right}", node.span[0]
    if right == "nil" and node.op == "=":
        return "Tempo does not support `= nil`; use `!= nil` for an attribute that is set", node.span[0]
    if not valid_for(node.op, left) or not valid_for(node.op, right):
        kind = left if not valid_for(node.op, left) else right
        return f"{node.op} does not apply to a {kind}", node.span[0]
    if node.op in ("=~", "!~"):
        return regex_problem(node.rhs)
    return None


def regex_problem(pattern: Node) -> tuple[str, int] | None:
    """Tempo compiles the right side of =~ and !~ (a string's value, else the expression's text) as
    Go's RE2 syntax; a Grafana variable inside the string is left to Grafana."""
    if isinstance(pattern, Var):
        return None
    text = pattern.value if isinstance(pattern, Static) and pattern.type == "string" else render(pattern)
    if not isinstance(text, str) or REFERENCE.search(text):
        return None
    try:
        re2.compile(text, _RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        return f"invalid regular expression: {reason}", pattern.span[0]
    return None


def render(node: Node) -> str:
    """An expression as Tempo prints it (its text is what Tempo compiles when it is a regex)."""
    if isinstance(node, Static):
        return f"`{node.value}`" if node.type == "string" else str(node.value)
    if isinstance(node, Attribute):
        return node.intrinsic or node.text
    if isinstance(node, Unary):
        inner = _wrapped(node.operand)
        return f"{inner} != nil" if node.op == "exists" else node.op + inner
    if isinstance(node, Binary):
        return f"{_wrapped(node.lhs)} {node.op} {_wrapped(node.rhs)}"
    return getattr(node, "name", "")


def _wrapped(node: Node) -> str:
    return render(node) if isinstance(node, (Static, Attribute)) else f"({render(node)})"


def binary(op: str, lhs: Node, rhs: Node) -> Node:
    """A binary operation as Tempo's parser builds it: computed at once when it holds constants only."""
    node = Binary((lhs.outer[0], rhs.outer[1]), op, lhs, rhs)
    if references_span(node) or field_problem(node):
        return node
    kind = "boolean" if op in BOOLEAN_OPS else "int" if lhs.type == rhs.type == "int" else "float"
    value = _int_arithmetic(op, lhs.value, rhs.value, node.span[0]) if kind == "int" else None
    return Static(node.span, kind, value)


def unary(op: str, operand: Node, span: tuple[int, int]) -> Node:
    node = Unary(span, op, operand)
    if references_span(node) or field_problem(node):
        return node
    if op == "-":
        value = _wrap(-operand.value) if operand.type == "int" else None
        return Static(node.span, "float" if operand.type == "float" else operand.type, value)
    return Static(node.span, "boolean")


def _int_arithmetic(op: str, a: int, b: int, at: int) -> int:
    """Go's int64 arithmetic, which Tempo runs on constants while parsing (`2 ^ 3` is 3 to the 2nd)."""
    if op in ("/", "%") and b == 0:
        raise TraceQLSyntaxError("integer division by zero (Tempo computes constants while parsing)", at)
    if op == "/":
        return _wrap(abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1))
    if op == "%":
        return _wrap(abs(a) % abs(b) * (1 if a >= 0 else -1))
    if op == "^":  # Tempo's intPow(m, n) is called with the operands swapped
        return 1 if a <= 0 else _wrap(pow(b, a, _INT64))
    return _wrap({"+": a + b, "-": a - b, "*": a * b}[op])


def _wrap(value: int) -> int:
    return (value + 2**63) % _INT64 - 2**63
