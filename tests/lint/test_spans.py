"""Findings underline the node they are about, not the first text that looks like it: the n-th
node of a kind is found at the n-th place that kind is written, with strings, matcher lists and
label lists out of the way, and spans map back through Grafana's variables."""

from __future__ import annotations

import promql_parser as pp
import pytest

from dashgen.lint.promql import parse, walk
from dashgen.lint.rules import BY_ID
from dashgen.lint.spans import Locator
from dashgen.lint.variables import expand
from harness import problems


def spans(query: str, kind, whole: bool = False) -> list[str | None]:
    """What the locator gives for every node of `kind`, in walk order, as text of the expanded query."""
    text = expand(query).text
    nodes = list(walk(parse(text)))
    locator = Locator(text, nodes[0][0], nodes)
    found = [(locator.whole if whole else locator.head)(n) for n, _ in nodes if isinstance(n, kind)]
    return [text[slice(*s)] if s else None for s in found]


def offsets(rule: str, query: str, **options) -> list[tuple[int, int] | None]:
    return [p.span for p in problems(BY_ID[rule], query, **options)]


@pytest.mark.parametrize("query, kind, expected", [
    ("rate(x[5m]) / x", pp.VectorSelector, ["x", "x"]),
    ('x{a="x"} / sum by (x) (x)', pp.VectorSelector, ['x', 'x']),
    ('rate(x{a=~"[0-9]+"}[5m])', pp.MatrixSelector, ["[5m]"]),
    ("max_over_time(rate(x[5m])[7d:1h])", pp.SubqueryExpr, ["[7d:1h]"]),
    ("max_over_time(max_over_time(x[5m])[1h:])[1h:]", pp.SubqueryExpr, ["[1h:]", "[1h:]"]),
    ("sum(rate(x[5m])) by (job) + sum by (le) (y)", pp.AggregateExpr, ["sum", "sum by (le)"]),
    ('{__name__=~"a.*"} or {job="x"}', pp.VectorSelector, ['{__name__=~"a.*"}', '{job="x"}']),
    ("rate(rate_total[5m])", pp.Call, ["rate"]),
])
def test_locator_heads(query, kind, expected):
    assert spans(query, kind) == expected


def test_whole_nodes():
    assert spans('sum(x) by (job) / count(y{a="b"})', pp.AggregateExpr, whole=True) == [
        "sum(x) by (job)", 'count(y{a="b"})']
    assert spans('rate(x{a="b"}[5m])', pp.VectorSelector, whole=True) == ['x{a="b"}']


def test_nested_subqueries_map_in_closing_order():
    text = "max_over_time(max_over_time(x[5m])[1h:])[1h:]"
    nodes = list(walk(parse(text)))
    outer, inner = [n for n, _ in nodes if isinstance(n, pp.SubqueryExpr)]
    locator = Locator(text, nodes[0][0], nodes)
    assert locator.head(inner) == (34, 39) and locator.head(outer) == (40, 45)


@pytest.mark.parametrize("rule, query, expected, options", [
    # the review's examples: each finding underlines its own node
    ("promql/interval-in-rate", "rate(x_total[5m]) + rate(x_total[$__interval])", [(32, 45)], {}),
    ("promql/counter-without-rate", "rate(x_total[5m]) / x_total", [(20, 27)], {"catalogue": "none"}),
    ("promql/counter-without-rate", "x_total - x_total offset 1d", [(0, 7), (10, 17)], {"catalogue": "none"}),
    ("promql/fixed-rate-window", 'rate(x_total{a=~"[0-9]+"}[5m])', [(25, 29)], {}),
    ("promql/long-range-window", "max_over_time(rate(x_total[5m])[7d:1h])", [(31, 38)], {}),
    ("promql/interval-in-rate",
     "sum(rate(a_total[$__interval])) - sum(rate(a_total[$__interval] offset 1h))", [(16, 29), (50, 63)], {}),
    ("promql/histogram-quantile-without-le",
     "histogram_quantile(0.9, sum by (job) (rate(x_bucket[5m]))) / histogram_quantile(0.5, sum(rate(x_bucket[5m])))",
     [(24, 36), (85, 88)], {"catalogue": "none"}),
    ("promql/high-cardinality-grouping", "sum(max by (job, trace_id) (r_total)) by (trace_id)",
     [(42, 50), (17, 25)], {"catalogue": "none"}),  # walk order: the outer aggregation first
    ("promql/contradictory-matchers", 'up{env="a"} + up{env="a", env="b"}', [(26, 33)], {}),
])
def test_findings_underline_their_own_node(rule, query, expected, options):
    assert offsets(rule, query, **options) == expected


def test_spans_map_back_through_variables():
    query = 'sum by ($group) (rate(x_total{job=~"$job"}[$__interval])) + rate(x_total[$__interval])'
    found = problems(BY_ID["promql/interval-in-rate"], query)
    assert [query[slice(*p.span)] for p in found] == ["[$__interval]", "[$__interval]"]
    assert found[0].span != found[1].span
