"""The labels of a PromQL expression's result, where they can be known exactly: an aggregation's
`by (...)` names them whatever it reads; a selector has its metric's labels from the catalogue;
functions keep their argument's (histogram_quantile drops `le`, label_replace adds one); a binary
operation keeps the side vector matching keeps. Anything else is unknown (None), and a number is
SCALAR. What promql/binary-sides-never-match compares."""

from __future__ import annotations

import promql_parser as pp

from dashgen.lint import promql
from dashgen.lint.variables import is_placeholder

SCALAR = "scalar"
_SAME_AS_INPUT = {"topk", "bottomk", "limitk", "limit_ratio"}
_SCALAR_CALLS = {"time", "pi", "scalar"}
_UNKNOWN_CALLS = {"absent", "absent_over_time", "info"}  # labels from the matchers, or from elsewhere


def result_labels(node, catalogue):
    """frozenset of label names, SCALAR, or None when not known."""
    if isinstance(node, (pp.NumberLiteral, pp.StringLiteral)):
        return SCALAR
    if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
        return result_labels(node.expr, catalogue)
    if isinstance(node, pp.MatrixSelector):
        return result_labels(node.vector_selector, catalogue)
    if isinstance(node, pp.VectorSelector):
        known = catalogue.lookup(node.name) if catalogue is not None and node.name else None
        return frozenset(known[1]) if known else None
    if isinstance(node, pp.AggregateExpr):
        return _aggregate(node, catalogue)
    if isinstance(node, pp.Call):
        return _call(node, catalogue)
    if isinstance(node, pp.BinaryExpr):
        return _binary(node, catalogue)
    return None


def _aggregate(node, catalogue):
    op = str(node.op).lower().split(".")[-1]
    inner = result_labels(node.expr, catalogue)
    if op in _SAME_AS_INPUT:
        return inner
    kind, names = promql.grouping(node)
    if any(is_placeholder(n) for n in names):
        return None
    if kind == "by":
        labels = frozenset(names)
    elif kind == "without":
        labels = inner - frozenset(names) if isinstance(inner, frozenset) else None
    else:
        labels = frozenset()
    if op == "count_values" and labels is not None:
        return labels | {node.param.val} if isinstance(node.param, pp.StringLiteral) else None
    return labels


def _call(node, catalogue):
    name = node.func.name
    if name in _SCALAR_CALLS:
        return SCALAR
    if name == "vector":
        return frozenset()
    if name in _UNKNOWN_CALLS:
        return None
    vectors = [a for a in node.args if isinstance(a, pp.Expr) and not isinstance(a, (pp.NumberLiteral, pp.StringLiteral))]
    if not vectors:
        return None
    inner = result_labels(vectors[-1] if name == "histogram_quantile" else vectors[0], catalogue)
    if not isinstance(inner, frozenset):
        return None
    if name == "histogram_quantile":
        return inner - {"le"}
    if name in ("label_replace", "label_join"):
        target = node.args[1]
        return inner | {target.val} if isinstance(target, pp.StringLiteral) else None
    return inner


def _binary(node, catalogue):
    lhs, rhs = result_labels(node.lhs, catalogue), result_labels(node.rhs, catalogue)
    if lhs == SCALAR:
        return rhs
    if rhs == SCALAR:
        return lhs
    op = str(node.op).strip().lower()
    if op == "or" or lhs is None or rhs is None:
        return None
    card = str(node.modifier.card) if node.modifier is not None else ""
    if card.endswith("OneToMany"):
        return rhs
    return lhs
