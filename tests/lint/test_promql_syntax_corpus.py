"""Expansion plus parsing agree with promtool on every PromQL expression of 80 real dashboards, and
the parser wrapper says where an error is, walks every node and never crashes.

The oracle (`oracle/corpus_a.jsonl` in the shared corpus) holds promtool's verdict (Prometheus 2.42)
on each expression with Grafana's variables replaced by safe values; here the raw text goes through
dashgen's own `expand`, with no variable definitions, exactly as for a foreign dashboard.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import promql_parser as pp
import pytest

from dashgen.lint.promql import PromQLSyntaxError, grouping, matchers, parse, selectors, walk
from dashgen.lint.variables import expand, sentinel_for

CORPUS = Path(os.environ.get("DASHGEN_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "corpus"))
ORACLE = CORPUS / "oracle" / "corpus_a.jsonl"
needs_corpus = pytest.mark.skipif(
    not ORACLE.is_file(), reason=f"no corpus oracle at {ORACLE}; set DASHGEN_CORPUS to the shared corpus folder")


@pytest.fixture(scope="module")
def records() -> list[tuple[str, str, bool]]:
    """(where, PromQL as written, promtool's verdict) for every checked PromQL expression."""
    found = []
    for line in ORACLE.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("lang") != "promql" or record.get("promtool_ok") is None:
            continue
        text = record["promql_part"] if record["kind"] == "var_fn" else record["expr_raw"]
        where = f"{record['file']} {record.get('panel_title') or ''} {record['ref']}"
        found.append((where, text, record["promtool_ok"]))
    return found


def verdict(text: str) -> tuple[bool, PromQLSyntaxError | None]:
    try:
        parse(expand(text).text)
        return True, None
    except PromQLSyntaxError as error:
        return False, error


@needs_corpus
def test_the_oracle_is_the_one_these_figures_come_from(records):
    assert len(records) == 3160
    assert sum(ok for _, _, ok in records) == 3158


@needs_corpus
def test_every_expression_gets_promtools_verdict_without_crashing(records):
    disagreements, crashes = [], []
    for where, text, expected in records:
        try:
            ok, error = verdict(text)
        except Exception as crash:  # anything but PromQLSyntaxError is a bug in dashgen
            crashes.append(f"{where}: {type(crash).__name__}: {crash}\n  {text}")
            continue
        if ok != expected:
            disagreements.append(f"{where}: promtool {'accepts' if expected else 'rejects'}, dashgen says "
                                 f"{error.message if error else 'ok'}\n  {text}\n  {expand(text).text}")
    assert crashes == []
    assert disagreements == [], f"{len(disagreements)} disagreements:\n" + "\n".join(disagreements[:20])


@needs_corpus
def test_the_whole_corpus_expands_and_parses_quickly(records):
    start = time.perf_counter()
    for _, text, _ in records:
        verdict(text)
    assert time.perf_counter() - start < 5  # about 0.4 s; this only catches a blow-up


@needs_corpus
def test_every_reference_maps_back_onto_itself(records):
    for where, text, _ in records:
        expanded = expand(text)
        for ref in expanded.references:
            assert text[ref.start] in "$[", where
            assert expanded.original_span(ref.exp_start, ref.exp_end) == (ref.start, ref.end), where
        assert expanded.original_span(0, len(expanded.text)) == (0, len(text)), where


ERRORS = [
    ("sum(rate(a[5m])", "unclosed left parenthesis", 3),
    ("sum(a) by (b)) ", "unexpected right parenthesis ')'", 13),
    ('a{job="$x"}[$x]', "unexpected character inside brackets: '$'", 12),
    ('sum by ("$", $g) (a)', "unexpected character: '$'", 13),  # the first $ outside a string
    ('x{$a="b"}', "unexpected character inside braces: '$'", 2),
    ('x{a="b"} + "unclosed', 'unterminated quoted string "', 11),
    ("x + foo(a)", "unknown function with name 'foo'", 4),
    ("x[2.5m]", "not a valid duration string: 2.5m", 2),
    ('x{a=~"(b"}', "illegal regex for (b", 6),
    ("x{a=b}", "unexpected identifier 'b' in label matching, expected string", 4),
    ("a b", "invalid promql query", None),
]


@pytest.mark.parametrize("text, message, offset", ERRORS, ids=[e[1][:30] for e in ERRORS])
def test_syntax_errors_say_where(text, message, offset):
    with pytest.raises(PromQLSyntaxError) as caught:
        parse(text)
    assert caught.value.message == message
    if offset is not None:
        assert caught.value.offset == offset
    assert isinstance(caught.value, ValueError)


def test_an_expression_too_deep_for_the_parser_is_refused_not_crashed():
    with pytest.raises(PromQLSyntaxError, match="too many operators"):
        parse(" + ".join(["x"] * 6000))  # promql-parser segfaults on this


def test_walk_visits_every_node_with_its_ancestors():
    expr = parse('topk(5, sum by (le) (rate(a{b="c"}[5m]))) / on(x) -max_over_time((d offset 1m)[30m:1m])'
                 ' + histogram_quantile(0.9, e)')
    seen = [(type(n).__name__, len(path)) for n, path in walk(expr)]
    assert [name for name, _ in seen] == [
        "BinaryExpr", "BinaryExpr", "AggregateExpr", "NumberLiteral", "AggregateExpr", "Call", "MatrixSelector",
        "VectorSelector", "UnaryExpr", "Call", "SubqueryExpr", "ParenExpr", "VectorSelector", "Call",
        "NumberLiteral", "VectorSelector"]
    node, path = next((n, p) for n, p in walk(expr) if isinstance(n, pp.MatrixSelector))
    assert [type(p).__name__ for p in path] == ["BinaryExpr", "BinaryExpr", "AggregateExpr", "AggregateExpr", "Call"]
    assert str(path[2].op) == "topk" and str(path[3].op) == "sum"


def test_walk_survives_chains_deeper_than_pythons_recursion_limit():
    assert sum(1 for _ in walk(parse(" + ".join(["x"] * 1100)))) == 2199


def test_selectors_and_matchers():
    expr = parse('a{b="1", c!="2"} + {__name__=~"d.*", e=~"3"} + rate(f{g!~"4"}[5m]) + {"h.i"}')
    found = [(s.name, matchers(s)) for s in selectors(expr)]
    assert found == [
        ("a", [("b", "=", "1"), ("c", "!=", "2")]),
        (None, [("__name__", "=~", "d.*"), ("e", "=~", "3")]),
        ("f", [("g", "!~", "4")]),
        (None, [("__name__", "=", "h.i")]),
    ]


def test_grouping_and_range():
    by, without, plain = (parse(q) for q in ("sum by (a, b) (x)", "avg without (c) (x)", "count(x)"))
    assert grouping(by) == ("by", ["a", "b"])
    assert grouping(without) == ("without", ["c"])
    assert grouping(plain) == (None, [])
    assert grouping(parse("x")) == (None, [])
    sub = parse(expand("max_over_time(rate(x[$__rate_interval])[1h:1m])").text)
    matrix = sub.args[0].expr.args[0]
    assert sub.args[0].range.total_seconds() == 3600
    assert sentinel_for(matrix.range) == "$__rate_interval"
