"""Flags: a binary operation between two series sets whose labels can never match, so that it
always returns nothing: a ratio of sums grouped by different labels, `on (...)` naming a label
one side does not have, or `ignoring (...)` that still leaves the sides different. The labels are
known exactly where a `by (...)` names them (an error), and from the catalogue for selectors (a
warning: relabelling may add a label the catalogue does not list).

Why: one-to-one matching pairs series whose labels are all equal; `sum by (pod) (a) / sum by
(namespace) (b)` pairs nothing, and the panel shows "No data" as if all were well.

Bad:
    sum by (service) (rate(http_server_requests_total[5m])) / sum by (route) (rate(http_server_requests_total[5m]))
Good:
    sum by (service) (rate(http_server_requests_total{status_code=~"5.."}[5m])) / sum by (service) (rate(http_server_requests_total[5m]))
"""

import promql_parser as pp

from dashgen.lint.context import Finding
from dashgen.lint.result_labels import SCALAR, result_labels

ID = "promql/binary-sides-never-match"
SUMMARY = "a binary operation whose sides' labels can never match: it returns nothing"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "aggregate both sides by the same labels, or match on the labels they share: on (a, b)"
_NEVER_EMPTY = {"or", "unless"}  # `or` keeps both sides, `unless` keeps the left when nothing matches


def check(ctx):
    if ctx.promql is None:
        return
    for node, _ in ctx.nodes:
        if not isinstance(node, pp.BinaryExpr) or str(node.op).strip().lower() in _NEVER_EMPTY:
            continue
        lhs, rhs = result_labels(node.lhs, ctx.catalogue), result_labels(node.rhs, ctx.catalogue)
        if not isinstance(lhs, frozenset) or not isinstance(rhs, frozenset) or SCALAR in (lhs, rhs):
            continue
        problem = _problem(node, lhs, rhs)
        if problem:
            written = all(isinstance(result_labels(side, None), frozenset) for side in (node.lhs, node.rhs))
            yield Finding(problem, severity=None if written else "warning")


def _problem(node, lhs: frozenset, rhs: frozenset) -> str:
    op = str(node.op).strip()
    matching = node.modifier.matching if node.modifier is not None else None
    card = str(node.modifier.card) if node.modifier is not None else ""
    names = frozenset(matching.labels) if matching is not None else frozenset()
    if matching is not None and str(matching.type).endswith("Include"):
        for side, labels in (("left", lhs), ("right", rhs)):
            missing = sorted(names - labels)
            if missing:
                return (f"`{op} on ({', '.join(sorted(names))})` never matches: the {side} side has no label "
                        f"{', '.join(missing)} (its labels: {_shown(labels)})")
        return ""
    if card.endswith(("ManyToOne", "OneToMany")):
        return ""  # group_left/group_right with ignoring: many-to-one by the rest, not checked here
    left, right = lhs - names, rhs - names
    if left != right:
        how = f" ignoring ({', '.join(sorted(names))})" if names else ""
        return (f"the two sides of `{op}`{how} never match: the left has labels {_shown(left)}, the right "
                f"{_shown(right)}")
    return ""


def _shown(labels: frozenset) -> str:
    return "{" + ", ".join(sorted(labels)) + "}" if labels else "none"
