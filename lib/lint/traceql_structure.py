"""Which pipeline pieces may meet in Tempo 2.9's TraceQL, and Tempo's checks of a parsed query.

Tempo's grammar gives each piece of a pipeline a kind, and an operator joins only certain kinds:

- SE, a spanset expression: `{ ... }` and spanset operators between SEs (`{ } && { }`, `{ } >> { }`);
- SP, a spanset pipeline: an SE, a scalar filter (`count() > 2`), `by(...)` or `select(...)`, then any
  `| SE`, `| count() > 2`, `| by(...)`, `| select(...)` or `| coalesce()`;
- SPE, a spanset pipeline expression: a parenthesised SP, and spanset operators between SPEs
  (`({ } | count() > 1) && ({ } | by(.a))`); a bare `{ }` is not one;
- SX, a scalar: an aggregate (`avg(duration)`), a number or duration, arithmetic between SXs;
- a query is an SP, an SPE, or an SP followed by `| metrics()` and optionally `| topk(n)`;
  `(SP | aggregate)` compared with something parses, but Tempo does not support it yet.

Tempo decides what `( { ... } )` is when it meets the closing parenthesis: an SE wherever an SE may
stand. So `({ .a }) && ({ .b } | { .c })` is refused (the left side became an SE, and an SE is only
joined to an SE), while `({ .a } | { .b }) && ({ .c })` is fine.

Then Tempo's checks (validate): spanset filters must be boolean, aggregates numeric and about the
span, a scalar filter compares an aggregate with a constant of a matching type, `by()` must refer to
the span, quantiles lie in [0, 1], `topk`/`bottomk` and `compare()` take positive numbers, and so on.
"""

from __future__ import annotations

from dashgen.lint.traceql_ast import (
    ARITHMETIC, COMPARISONS, NUMERIC, Node, Static, TraceQLRefusal, TraceQLSyntaxError, Var, field_problem,
    implied_type, matching, references_span, valid_for,
)
from dashgen.lint.traceql_grammar import (
    SPANSET_OPS, Aggregate, Coalesce, Filter, Group, Metrics, Op, Paren, Root, Second, Select,
)

ROOT_START = frozenset(("SE", "SP", "SPE", "SX", "SPX"))
_QUERIES = ("SE", "SP", "SF", "SPE", "SPF", "MET", "MET2")
_NAMES = {"SE": "a spanset expression", "SP": "a spanset pipeline", "SF": "a scalar filter",
          "SPE": "a parenthesised spanset pipeline", "SX": "a scalar", "SCP": "a (spanset | aggregate) pipeline",
          "SPX": "a (spanset | aggregate) pipeline", "SPF": "a scalar filter", "MET": "a metrics query",
          "MET2": "a metrics query", "STATIC": "a value", "COAL": "coalesce()", "STAGE": "a metrics function"}
MAX_GROUP_BYS = 5


def check(root: Root):
    """Raises TraceQLSyntaxError where Tempo's parser refuses `root`, TraceQLRefusal where its checks do."""
    kind = kind_of(root.body, ROOT_START)
    if kind not in _QUERIES:
        hint = " (compare it: { } | count() > 2)" if kind in ("SX", "SCP") else ""
        _fail(f"a query cannot be {_NAMES[kind]} alone{hint}", root.body)
    validate(root.body)
    if kind == "SPF":
        _refuse("Tempo does not support comparing a (spanset | aggregate) pipeline yet", root.body)
    if kind == "MET2" and isinstance(root.body.lhs.rhs, Metrics) and root.body.lhs.rhs.name == "compare":
        _refuse("compare() cannot be followed by topk() or bottomk()", root.body.rhs)


def kind_of(node: Node, start: frozenset) -> str:
    """The kind Tempo's parser gives `node` (see the module doc), where the kinds in `start` may begin."""
    if isinstance(node, Filter):
        return "SE"
    if isinstance(node, (Static, Var)):
        return "SX" if isinstance(node, Var) or node.type in NUMERIC else "STATIC"
    if isinstance(node, Aggregate):
        return "SX"
    if isinstance(node, (Group, Select)):
        return "SP"
    if isinstance(node, Coalesce):
        return "COAL"
    if isinstance(node, (Metrics, Second)):
        return "STAGE"
    if isinstance(node, Paren):
        return _paren(node, start)
    node.kind = _pipe(node, start) if node.op == "|" else _operator(node, start)
    return node.kind


def _operator(node: Op, start: frozenset) -> str:
    left = kind_of(node.lhs, start)
    if left in ("SE", "SPE") and node.op in SPANSET_OPS:
        return _need(node, frozenset((left,)), (left,), left)
    if left in ("SX", "SPX") and node.op in ARITHMETIC:
        return _need(node, frozenset((left,)), (left,), left)
    if left == "SX" and node.op in COMPARISONS:
        return _need(node, frozenset(("SX",)), ("SX",), "SF")
    if left == "SPX" and node.op in COMPARISONS:
        return _need(node, frozenset(("SPX",)), ("SPX", "SX", "STATIC"), "SPF")
    raise TraceQLSyntaxError(f"{node.op} cannot follow {_NAMES.get(left, left)}", node.at)


def _paren(node: Paren, start: frozenset) -> str:
    inner_start = set()
    if start & {"SE", "SP"}:
        inner_start |= {"SE", "SX"}
    if "SPE" in start:
        inner_start |= {"SPE", "SP", "SE", "SX"}
    if "SX" in start:
        inner_start.add("SX")
    if "SPX" in start:
        inner_start |= {"SPX", "SP", "SE", "SX"}
    inner = kind_of(node.inner, frozenset(inner_start))
    if inner == "SE" and start & {"SE", "SP"}:
        return "SE"  # Tempo's parser prefers ( SE ) to a parenthesised pipeline wherever an SE may stand
    if inner in ("SE", "SP", "SF", "SPE") and "SPE" in start:
        return "SPE"
    if inner == "SX" and start & {"SX", "SP"}:
        return "SX"
    if inner in ("SCP", "SPX") and "SPX" in start:
        return "SPX"
    raise TraceQLSyntaxError(f"{_NAMES.get(inner, inner)} cannot be in parentheses here", node.span[0])


def _pipe(node: Op, start: frozenset) -> str:
    left = kind_of(node.lhs, start)
    stage = node.rhs
    if isinstance(stage, Second):
        if left != "MET":
            _fail(f"{stage.name}() must follow a metrics function: {{ }} | rate() | {stage.name}(5)", stage)
        return "MET2"
    if left not in ("SE", "SP", "SF"):
        raise TraceQLSyntaxError(f"'|' cannot follow {_NAMES.get(left, left)}", node.at)
    if isinstance(stage, Metrics):
        return "MET"
    if isinstance(stage, Aggregate):
        return "SCP"
    if isinstance(stage, (Coalesce, Group, Select)):
        return "SP"
    right = kind_of(stage, frozenset(("SE", "SX")))
    if right not in ("SE", "SF"):
        _fail(f"{_NAMES.get(right, right)} cannot be a pipeline stage", stage)
    return "SP"


def _need(node: Op, start: frozenset, allowed: tuple, result: str) -> str:
    """`result` when the right side of `node` is of an `allowed` kind."""
    kind = kind_of(node.rhs, start)
    if kind not in allowed:
        raise TraceQLSyntaxError(f"{node.op} cannot join {_NAMES.get(kind, kind)} here", node.rhs.span[0])
    return result


def validate(node: Node):
    """Tempo's validate() of a pipeline piece, for the first problem in query order."""
    if isinstance(node, Paren):
        validate(node.inner)
    elif isinstance(node, Filter):
        _filter(node)
    elif isinstance(node, Aggregate) and node.expr is not None:
        _field(node.expr)
        kind = implied_type(node.expr)
        if kind != "attribute" and kind not in NUMERIC:
            _refuse(f"{node.name}() needs a number, not a {kind}", node.expr)
        if not references_span(node.expr):
            _refuse(f"{node.name}() must refer to the span: an attribute or an intrinsic", node.expr)
    elif isinstance(node, Group):
        if not references_span(node.expr):
            _refuse("by() must refer to the span: an attribute or an intrinsic", node.expr)
        _field(node.expr)
    elif isinstance(node, Select):
        for attribute in node.attributes:
            _field(attribute)
    elif isinstance(node, Metrics):
        _metrics(node)
    elif isinstance(node, Second):
        if isinstance(node.limit, Static) and node.limit.value <= 0:
            _refuse(f"{node.name}() needs a limit greater than 0", node.limit)
    elif isinstance(node, Op):
        validate(node.lhs)
        validate(node.rhs)
        if node.kind in ("SX", "SF"):
            _scalar(node)


def _scalar(node: Op):
    """A scalar operation or filter: matching types; a filter compares an aggregate with a constant."""
    left, right = _scalar_type(node.lhs), _scalar_type(node.rhs)
    if not matching(left, right):
        raise TraceQLRefusal(f"{node.op} cannot compare or combine a {left} with a {right}", node.at)
    for kind in (left, right):
        if not valid_for(node.op, kind):
            raise TraceQLRefusal(f"{node.op} does not apply to a {kind}", node.at)
    if node.op in ARITHMETIC:
        return
    if not isinstance(_unwrap(node.lhs), Aggregate):
        _refuse("Tempo only supports an aggregate on the left of a scalar filter, such as count() > 2", node.lhs)
    if not isinstance(_unwrap(node.rhs), (Static, Var)):
        _refuse("Tempo only supports a number or a duration on the right of a scalar filter", node.rhs)


def _scalar_type(node: Node) -> str:
    node = _unwrap(node)
    if isinstance(node, Aggregate):
        return "int" if node.expr is None else implied_type(node.expr)
    if isinstance(node, Op):
        left = _scalar_type(node.lhs)
        return left if left != "attribute" else _scalar_type(node.rhs)
    return implied_type(node)


def _unwrap(node: Node) -> Node:
    while isinstance(node, Paren):
        node = node.inner
    return node


def _filter(node: Filter):
    if node.expr is None:
        return
    _field(node.expr)
    kind = implied_type(node.expr)
    if kind not in ("attribute", "boolean"):
        _refuse(f"a spanset filter must be a condition, not a {kind}", node.expr)


def _metrics(node: Metrics):
    limit = MAX_GROUP_BYS - (node.name in ("quantile_over_time", "histogram_over_time", "avg_over_time"))
    if len(node.by) > limit:
        _refuse(f"Tempo supports at most {limit} attributes in {node.name}() by (...)", node.by[limit])
    numbers = [n.value if isinstance(n, Static) else None for n in node.numbers]  # None: a variable
    if node.name == "quantile_over_time":
        for quantile in node.numbers:
            if isinstance(quantile, Static) and not 0 <= quantile.value <= 1:
                _refuse("a quantile must be between 0 and 1", quantile)
    if node.name == "compare":
        _filter(node.filter)
        if numbers[:1] and numbers[0] is not None and numbers[0] <= 0:
            _refuse("compare() needs a number of top values greater than 0", node.numbers[0])
        start, end = (numbers + [0, 0, 0])[1:3]
        if None not in (start, end) and (start, end) != (0, 0) and (start <= 0 or end <= 0 or end <= start):
            _refuse("compare() takes start and end as positive unix nanoseconds, end after start", node.numbers[1])


def _field(node: Node):
    problem = field_problem(node)
    if problem:
        raise TraceQLRefusal(*problem)


def _fail(message: str, node: Node):
    raise TraceQLSyntaxError(message, node.span[0])


def _refuse(message: str, node: Node):
    raise TraceQLRefusal(message, node.span[0])
