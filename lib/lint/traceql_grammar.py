"""The grammar of Tempo 2.9's TraceQL, read by hand into syntax trees.

What Tempo's yacc grammar (pkg/traceql/expr.y) accepts, written as two precedence parsers: one for
what is inside `{ }`, `by()` and the aggregates (field expressions: attributes, intrinsics, values,
`&& || = != < <= > >= =~ !~ + - * / % ^`, prefix `-` and `!`, and `x != nil`), and one for the
pipeline around them (spanset operators, `|` stages, scalar filters such as `count() > 2`, metrics
functions and `with(...)` hints). Both use Tempo's precedences, lowest first: `|`; `&&` and `||`
(equal, so `a || b && c` is `(a || b) && c`); comparisons and structural operators; `+ -`; prefix
`!`; `* / %`; `^` (right-associative). Which pipeline pieces may meet (a spanset with a spanset, an
aggregate with a number) is checked afterwards by traceql_structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashgen.lint.traceql_ast import (
    ARITHMETIC, COMPARISONS, Attribute, Node, Static, TraceQLSyntaxError, Var, binary, unary,
)
from dashgen.lint.traceql_lexer import Token, tokenize
from dashgen.lint.variables import PLACEHOLDER_PREFIX

PRECEDENCE = {"|": 1, "&&": 2, "||": 2, "+": 4, "-": 4, "*": 6, "/": 6, "%": 6, "^": 7}
STRUCTURAL = frozenset(">> << ~ !> !< !>> !<< !~ &> &< &>> &<< &~".split())
PRECEDENCE.update({op: 3 for op in STRUCTURAL | COMPARISONS | {"=~"}})
SPANSET_OPS = STRUCTURAL | {"&&", "||", ">", "<"}
FIELD_OPS = COMPARISONS | ARITHMETIC | {"&&", "||", "=~", "!~"}
PIPELINE_OPS = SPANSET_OPS | COMPARISONS | ARITHMETIC | {"|"}
STATICS = {"true": "boolean", "false": "boolean", "ok": "status", "error": "status", "unset": "status",
           "unspecified": "kind", "internal": "kind", "server": "kind", "client": "kind", "producer": "kind",
           "consumer": "kind", "str": "string", "int": "int", "float": "float", "dur": "duration"}
INTRINSICS = frozenset("""duration childCount name status statusMessage kind parent rootName rootServiceName
                          traceDuration nestedSetLeft nestedSetRight nestedSetParent""".split())
SCOPED_INTRINSICS = {  # `scope:` and the names it takes, to Tempo's name of the intrinsic
    "trace:": {"duration": "traceDuration", "rootName": "rootName", "rootService": "rootServiceName",
               "id": "trace:id"},
    "span:": {"duration": "duration", "name": "name", "kind": "kind", "status": "status",
              "statusMessage": "statusMessage", "id": "span:id", "parentID": "span:parentID"},
    "event:": {"name": "event:name", "timeSinceStart": "event:timeSinceStart"},
    "link:": {"traceID": "link:traceID", "spanID": "link:spanID"},
    "instrumentation:": {"name": "instrumentation:name", "version": "instrumentation:version"},
}
AGGREGATES = frozenset(("count", "min", "max", "avg", "sum"))
METRICS = frozenset(("rate", "count_over_time", "min_over_time", "max_over_time", "avg_over_time",
                     "sum_over_time", "quantile_over_time", "histogram_over_time", "compare"))
_START = 'expected a spanset filter such as { span.http.method = "GET" }'


@dataclass
class Filter(Node):
    expr: Node | None  # None for {}


@dataclass
class Aggregate(Node):
    name: str
    expr: Node | None  # None for count()


@dataclass
class Group(Node):
    expr: Node


@dataclass
class Select(Node):
    attributes: list[Node]


@dataclass
class Coalesce(Node):
    pass


@dataclass
class Metrics(Node):
    """A metrics function: `rate()`, `quantile_over_time(duration, .9) by (.a)`, `compare({...}, 10)`."""

    name: str
    attribute: Node | None = None
    numbers: list[Node] = field(default_factory=list)  # quantiles, or compare's top-N, start and end
    by: list[Node] = field(default_factory=list)
    filter: Filter | None = None


@dataclass
class Second(Node):
    name: str  # topk bottomk
    limit: Node


@dataclass
class Paren(Node):
    inner: Node


@dataclass
class Op(Node):
    """A pipeline operator: `|`, a spanset operator, a scalar comparison or arithmetic."""

    op: str
    lhs: Node
    rhs: Node
    at: int  # where the operator is
    kind: str = ""  # what traceql_structure found it to be: SE, SP, SF, SPE, SX...


@dataclass
class Hint(Node):
    name: str
    value: Node


@dataclass
class Root:
    body: Node
    hints: list[tuple[tuple[int, int], list[Hint]]]  # each with(...) and its hints


def parse(text: str) -> tuple[Root, list[Token]]:
    """The query's tree and tokens; raises TraceQLSyntaxError where Tempo's parser would stop."""
    parser = _Parser(text)
    return parser.root(), parser.tokens


def is_variable(token: Token) -> bool:
    return token.kind == "ident" and token.text.startswith(PLACEHOLDER_PREFIX)


def describe(token: Token) -> str:
    if is_variable(token):
        return f"variable ${token.text.removeprefix(PLACEHOLDER_PREFIX)}"
    return "the end of the query" if token.kind == "eof" else repr(token.text)


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        error = next((t for t in self.tokens if t.kind == "bad"), None)
        if error:
            raise TraceQLSyntaxError(error.value, error.start)
        _check_brackets(self.tokens)

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.i += 1
        return token

    def expect(self, kind: str, what: str | None = None) -> Token:
        token = self.peek()
        if token.kind != kind:
            self.fail(f"expected {what or repr(kind)}, found {describe(token)}", token)
        return self.take()

    @staticmethod
    def fail(message: str, token: Token):
        raise TraceQLSyntaxError(message, token.start)

    def root(self) -> Root:
        first = self.peek()
        if first.kind == "eof":
            self.fail("not TraceQL: the query is empty", first)
        if not _can_start(first):
            self.fail(f"not TraceQL: {_START}", first)
        body = self.pipeline(0)
        hints = []
        while self.peek().kind == "with":
            hints.append(self.hints())
        if self.peek().kind != "eof":
            self.fail(f"unexpected {describe(self.peek())}", self.peek())
        return Root(body, hints)

    def pipeline(self, least: int) -> Node:
        left = self.pipeline_operand()
        while self.peek().kind in PIPELINE_OPS and PRECEDENCE[self.peek().kind] >= least:
            op = self.take()
            if op.kind == "|" and self.peek().kind in ("eof", ")", "with"):
                self.fail("expected a pipeline stage after '|'", op)
            precedence = PRECEDENCE[op.kind]
            right = self.pipeline(precedence if op.kind == "^" else precedence + 1)
            left = Op((left.outer[0], right.outer[1]), op.kind, left, right, op.start)
        return left

    def pipeline_operand(self) -> Node:
        token = self.peek()
        kind = token.kind
        if kind == "{":
            return self.spanset_filter()
        if kind == "(":
            self.take()
            inner = self.pipeline(0)
            close = self.expect(")")
            return Paren((token.start, close.end), inner)
        if kind == "-" and self.peek(1).kind in ("int", "float", "dur"):
            self.take()
            number = self.take()
            return Static((token.start, number.end), STATICS[number.kind], -number.value)
        if kind in STATICS or is_variable(token):
            return self.value()
        if kind in AGGREGATES:
            self.take()
            self.expect("(")
            expr = None if kind == "count" else self.field(0)
            close = self.expect(")", "')' (count() takes no argument)" if kind == "count" else None)
            return Aggregate((token.start, close.end), kind, expr)
        if kind in ("by", "select", "coalesce"):
            self.take()
            self.expect("(")
            inner = self.field(0) if kind == "by" else self.attributes() if kind == "select" else None
            close = self.expect(")")
            span = (token.start, close.end)
            return Group(span, inner) if kind == "by" else Select(span, inner) if kind == "select" else Coalesce(span)
        if kind in METRICS:
            return self.metrics()
        if kind in ("topk", "bottomk"):
            self.take()
            self.expect("(")
            limit = self.integer()
            return Second((token.start, self.expect(")").end), kind, limit)
        self.fail(f"{_START}, a scalar filter or a pipeline stage; found {describe(token)}", token)

    def spanset_filter(self) -> Filter:
        brace = self.expect("{")
        expr = None if self.peek().kind == "}" else self.field(0)
        close = self.expect("}", "'}' or an operator")
        return Filter((brace.start, close.end), expr)

    def field(self, least: int) -> Node:
        left = self.field_operand()
        while self.peek().kind in FIELD_OPS and PRECEDENCE[self.peek().kind] >= least:
            op = self.take()
            if op.kind == "!=" and self.peek().kind == "nil":
                left = unary("exists", left, (left.outer[0], self.take().end))
                continue
            precedence = PRECEDENCE[op.kind]
            right = self.field(precedence if op.kind == "^" else precedence + 1)
            left = binary(op.kind, left, right)
        return left

    def field_operand(self) -> Node:
        token = self.peek()
        if token.kind == "(":
            self.take()
            inner = self.field(0)
            inner.outer = (token.start, self.expect(")", "')' or an operator").end)
            return inner
        if token.kind in ("-", "!"):
            self.take()
            operand = self.field(5 if token.kind == "-" else 6)
            return unary(token.kind, operand, (token.start, operand.outer[1]))
        if token.kind == "nil":
            return self.nil()
        if token.kind in STATICS:
            return self.value()
        attribute = self.attribute(required=False)
        if attribute is None:
            self.fail(f"expected an attribute, an intrinsic or a value, found {describe(token)}", token)
        return attribute

    def nil(self) -> Node:
        """`nil != x` (x is set), `nil != nil` and `nil = nil` (both false): Tempo's only uses of a
        leading nil; `x = nil` is not TraceQL at all."""
        token = self.take()
        op = self.peek()
        if op.kind not in ("!=", "="):
            self.fail(f"expected '!=' after nil, found {describe(op)}", op)
        self.take()
        if self.peek().kind == "nil":
            return Static((token.start, self.take().end), "boolean")
        if op.kind == "=":
            self.fail("nil can only be compared with != (`x != nil`: x is set)", op)
        operand = self.field(4)
        return unary("exists", operand, (token.start, operand.outer[1]))

    def value(self) -> Node:
        token = self.take()
        if is_variable(token):
            return Var((token.start, token.end), token.text)
        if token.kind not in STATICS:
            self.fail(f"expected a value, found {describe(token)}", token)
        return Static((token.start, token.end), STATICS[token.kind], token.value)

    def attribute(self, required: bool = True) -> Node | None:
        """An attribute (`.a`, `span.a`), an intrinsic (`status`, `span:status`) or a variable."""
        token = self.peek()
        if token.kind == "attr":
            self.take()
            prefix, name = token.value
            return Attribute((token.start, token.end), prefix, name)
        if token.kind in INTRINSICS:
            self.take()
            return Attribute((token.start, token.end), "", token.kind, token.kind)
        if token.kind in SCOPED_INTRINSICS:
            self.take()
            name = self.peek()
            intrinsic = SCOPED_INTRINSICS[token.kind].get(name.kind)
            if intrinsic is None:
                choices = ", ".join(token.kind + n for n in SCOPED_INTRINSICS[token.kind])
                self.fail(f"{token.kind} takes {choices}; found {describe(name)}", name)
            self.take()
            return Attribute((token.start, name.end), token.kind, name.kind, intrinsic)
        if is_variable(token):
            self.take()
            return Var((token.start, token.end), token.text)
        if required:
            self.fail(f"expected an attribute or an intrinsic, found {describe(token)}", token)
        return None

    def attributes(self) -> list[Node]:
        found = [self.attribute()]
        while self.peek().kind == ",":
            self.take()
            found.append(self.attribute())
        return found

    def integer(self) -> Node:
        token = self.peek()
        if token.kind != "int" and not is_variable(token):
            self.fail(f"expected a whole number, found {describe(token)}", token)
        return self.value()

    def number(self) -> Node:
        token = self.peek()
        if token.kind not in ("int", "float") and not is_variable(token):
            self.fail(f"expected a number, found {describe(token)}", token)
        return self.value()

    def metrics(self) -> Metrics:
        token = self.take()
        name = token.kind
        node = Metrics((token.start, token.end), name)
        self.expect("(")
        if name == "compare":
            if self.peek().kind != "{":
                self.fail(f"compare() takes a spanset filter {{ ... }}, found {describe(self.peek())}", self.peek())
            node.filter = self.spanset_filter()
            if self.peek().kind == ",":  # compare({...}, top) or compare({...}, top, start, end)
                self.take()
                node.numbers.append(self.integer())
                if self.peek().kind == ",":
                    for _ in range(2):
                        self.expect(",")
                        node.numbers.append(self.integer())
        elif name not in ("rate", "count_over_time"):
            node.attribute = self.attribute()
            if name == "quantile_over_time":
                self.expect(",", "',' and the quantiles")
                node.numbers.append(self.number())
                while self.peek().kind == ",":
                    self.take()
                    node.numbers.append(self.number())
        end = self.expect(")").end
        if name != "compare" and self.peek().kind == "by":
            self.take()
            self.expect("(")
            node.by = self.attributes()
            end = self.expect(")").end
        node.span = node.outer = (token.start, end)
        return node

    def hints(self) -> tuple[tuple[int, int], list[Hint]]:
        start = self.take().start
        self.expect("(")
        hints = []
        while True:
            name = self.expect("ident", "a hint name such as sample")
            self.expect("=")
            value = self.value() if self.peek().kind in STATICS or is_variable(self.peek()) else None
            if value is None:
                self.fail(f"expected a value for hint {name.text}, found {describe(self.peek())}", self.peek())
            hints.append(Hint((name.start, value.span[1]), name.text, value))
            if self.peek().kind != ",":
                return (start, self.expect(")").end), hints
            self.take()


def _can_start(token: Token) -> bool:
    return (token.kind in ("{", "(", "-", "int", "float", "dur", "by", "select") or token.kind in AGGREGATES
            or is_variable(token))


def _check_brackets(tokens: list[Token]):
    """Unbalanced braces and parentheses, and a brace inside a spanset filter, said plainly."""
    stack: list[Token] = []
    for token in tokens:
        if token.kind == "{" and any(t.kind == "{" for t in stack):
            raise TraceQLSyntaxError("a spanset cannot contain another '{'", token.start)
        if token.kind in ("{", "("):
            stack.append(token)
        elif token.kind in ("}", ")"):
            if not stack or stack.pop().kind != {"}": "{", ")": "("}[token.kind]:
                raise TraceQLSyntaxError(f"unbalanced {token.kind!r}", token.start)
    if stack:
        raise TraceQLSyntaxError(f"unclosed {stack[-1].kind!r}", stack[-1].start)
