"""A static upper bound of the series a PromQL query returns and reads, from the metric catalogue.

A bottom-up fold over the expression: a selector starts from the product of its metric's label
cardinalities and keeps, per matcher, the values it can match; aggregations keep their groups;
binary operations keep the side that survives matching. Matchers only ever narrow: a matcher on a
label the catalogued metric does not have is ignored. Without a catalogue (a foreign dashboard)
every metric is assumed to have DEFAULT_SERIES series and every label DEFAULT_LABEL_VALUES values,
and the configured high-cardinality labels UNBOUNDED_LABEL_VALUES; matchers narrow that default.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import promql_parser as pp

from dashgen.lint import promql
from dashgen.lint.variables import is_placeholder, only_reference, shown

DEFAULT_SERIES = 1000
DEFAULT_LABEL_VALUES = 50
# A label with this many values is unbounded (promql/high-cardinality-grouping), and a configured
# high-cardinality label the catalogue does not count is assumed to have this many.
UNBOUNDED_LABEL_VALUES = 10_000
_UNESCAPED_BAR = re.compile(r"(?<!\\)\|")
_LITERAL = re.compile(r"(?:[^\\.^$*+?()\[\]{}|]|\\[.^$*+?()\[\]{}|\\/-])*")  # no regex operator unescaped
_ONE_SERIES_CALLS = {"absent", "absent_over_time", "vector", "scalar", "time", "pi"}


@dataclass(frozen=True)
class Estimate:
    returned: int  # series the query returns, at most
    read: int  # series its selectors read, at most
    labels: dict[str, int] = field(default_factory=dict)  # labels left on the result, with their values
    catalogued: bool = True  # every metric it reads is in the catalogue (else defaults stand in)

    @property
    def factor(self) -> str:
        """What drives the figure: "merchant_id (20,000) x status (4) = 80,000 series"; past three
        labels, "x 2 more (12)" stands for the rest, so the product still reads right. When the
        bound is not that product (a topk, an `or`), the labels follow in parentheses instead."""
        labels = sorted(((n, c) for n, c in self.labels.items() if c > 1), key=lambda item: (-item[1], item[0]))
        if not labels:
            return f"{self.returned:,} series"
        parts = [f"{shown(n)} ({c:,})" for n, c in labels[:3]]
        if len(labels) > 3:
            parts.append(f"{len(labels) - 3} more ({math.prod(c for _, c in labels[3:]):,})")
        if math.prod(c for _, c in labels) == self.returned:
            return " x ".join(parts) + f" = {self.returned:,} series"
        return f"{self.returned:,} series (" + " x ".join(parts) + ")"


class Estimator:
    def __init__(self, catalogue=None, variables: dict | None = None, is_high_cardinality=lambda label: False):
        self.catalogue = catalogue
        self.variables = variables or {}
        self.is_high_cardinality = is_high_cardinality

    def estimate(self, expr) -> Estimate:
        return self._fold(expr)

    def cardinality(self, label: str) -> int:
        if self.catalogue is not None and label in self.catalogue.labels:
            return self.catalogue.labels[label]
        return UNBOUNDED_LABEL_VALUES if self.is_high_cardinality(label) else DEFAULT_LABEL_VALUES

    def _fold(self, node) -> Estimate:
        if isinstance(node, pp.VectorSelector):
            return self._selector(node)
        if isinstance(node, (pp.MatrixSelector,)):
            return self._fold(node.vector_selector)
        if isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
            return self._fold(node.expr)
        if isinstance(node, pp.AggregateExpr):
            return self._aggregate(node)
        if isinstance(node, pp.BinaryExpr):
            return self._binary(node)
        if isinstance(node, pp.Call):
            return self._call(node)
        return Estimate(returned=1, read=0)  # number and string literals

    def _selector(self, node) -> Estimate:
        found = self.catalogue.lookup(node.name) if self.catalogue is not None and node.name else None
        matchers = [m for m in node.matchers.matchers if m.name != "__name__"]
        if found is not None:
            labels = {label: self.cardinality(label) for label in found[1]}
            for m in matchers:
                if m.name in labels:  # a label the metric lacks narrows nothing the catalogue counts
                    labels[m.name] = min(labels[m.name], self._kept(str(m.op), m.value, labels[m.name]))
            series = math.prod(labels.values())
            return Estimate(returned=series, read=series, labels=labels)
        labels = {}
        for m in matchers:
            total = labels.get(m.name, self.cardinality(m.name))
            labels[m.name] = min(total, self._kept(str(m.op), m.value, total))
        narrowed = math.prod(kept / self.cardinality(name) for name, kept in labels.items())
        series = max(1, int(DEFAULT_SERIES * narrowed))
        return Estimate(returned=series, read=series, labels=labels, catalogued=False)

    def _kept(self, op: str, value: str, total: int) -> int:
        """How many of a label's `total` values a matcher can let through (at most `total`)."""
        variable = only_reference(value)
        if variable is not None:
            var = self.variables.get(variable, {})
            many = bool(var.get("multi") or var.get("includeAll"))  # "All" or several values selected
            return total if many else 1
        if op.endswith("NotEqual"):
            return total if value == "" else max(1, total - 1)
        if op.endswith("Equal"):
            return 1
        if op.endswith("NotRe"):
            return total
        alternatives = _UNESCAPED_BAR.split(value)
        if all(_LITERAL.fullmatch(a) for a in alternatives):  # `a|b|c`: three values; `5..`: any
            return min(total, len(set(alternatives)))
        return total

    def _aggregate(self, node) -> Estimate:
        inner = self._fold(node.expr)
        op = str(node.op).lower().split(".")[-1]
        kind, names = promql.grouping(node)
        if kind == "by":  # a label none of its metrics has makes no groups (promql/unknown-label says so)
            available = promql.available_labels(node.expr, self.catalogue)
            labels = {n: inner.labels.get(n) or self.cardinality(n) for n in names
                      if available is None or n in available or is_placeholder(n)}
            groups = math.prod(labels.values()) if labels else 1
        elif kind == "without":
            labels = {n: c for n, c in inner.labels.items() if n not in names}
            groups = max(1, inner.returned // max(1, math.prod(inner.labels.get(n, 1) for n in names)))
        else:
            labels, groups = {}, 1
        if op in ("topk", "bottomk", "limitk", "limit_ratio"):
            k = int(node.param.val) if isinstance(node.param, pp.NumberLiteral) else 1
            return Estimate(min(inner.returned, k * groups), inner.read, inner.labels, inner.catalogued)
        if op == "count_values":
            return Estimate(inner.returned, inner.read, inner.labels, inner.catalogued)
        return Estimate(min(inner.returned, groups), inner.read, labels, inner.catalogued)

    def _binary(self, node) -> Estimate:
        lhs, rhs = self._fold(node.lhs), self._fold(node.rhs)
        read, known = lhs.read + rhs.read, lhs.catalogued and rhs.catalogued
        op = str(node.op).lower()
        scalar_l, scalar_r = lhs.read == 0 and not lhs.labels, rhs.read == 0 and not rhs.labels
        if scalar_l or scalar_r:
            side = rhs if scalar_l else lhs
            return Estimate(side.returned, read, side.labels, known)
        card = str(node.modifier.card).lower() if node.modifier is not None else ""
        if "or" == op.split(".")[-1]:
            return Estimate(lhs.returned + rhs.returned, read, {**rhs.labels, **lhs.labels}, known)
        if op.split(".")[-1] in ("and", "unless") or "manytoone" in card:
            return Estimate(lhs.returned, read, lhs.labels, known)
        if "onetomany" in card:
            return Estimate(rhs.returned, read, rhs.labels, known)
        side = lhs if lhs.returned <= rhs.returned else rhs
        return Estimate(side.returned, read, side.labels, known)

    def _call(self, node) -> Estimate:
        name = node.func.name
        args = [self._fold(a) for a in node.args if isinstance(a, pp.Expr) and not isinstance(a, (pp.NumberLiteral, pp.StringLiteral))]
        read, known = sum(a.read for a in args), all(a.catalogued for a in args)
        if name in _ONE_SERIES_CALLS or not args:
            return Estimate(1, read, {}, known)
        main = max(args, key=lambda a: a.returned)
        if name == "histogram_quantile":
            le = main.labels.get("le", 1)
            labels = {n: c for n, c in main.labels.items() if n != "le"}
            return Estimate(max(1, main.returned // max(1, le)), read, labels, known)
        return Estimate(main.returned, read, main.labels, known)
