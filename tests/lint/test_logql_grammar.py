"""LogQL's grammar, rule by rule, as Loki 3.6 accepts and refuses it: the named cases of
cases/logql_grammar.yaml run against the parser itself (test_rules.py runs them through the linter
as logql/syntax cases too). A refused case says where, inside the query, and, with `error`, why."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from dashgen.lint.logql import LogQLSyntaxError, parse
from dashgen.lint.logql_lex import MAX_INPUT

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "logql_grammar.yaml").read_text(encoding="utf-8"))["cases"]
# Every rule of Loki's syntax.y (and its lexer) that a query can exercise, with the cases that name it.
GRAMMAR_RULES = {
    "expr", "lex", "selector", "matcher", "logExpr", "lineFilter", "orFilter", "filterOp", "logfmtParser",
    "parserFlags", "logfmtExpressionParser", "labelParser", "pipelineStage", "jsonExpressionParser",
    "labelExtractionExpressionList", "lineFormatExpr", "decolorizeExpr", "labelFormatExpr", "dropLabelsExpr",
    "keepLabelsExpr", "labelFilter", "numberFilter", "durationFilter", "bytesFilter", "ipLabelFilter", "unwrapExpr",
    "convOp", "logRangeExpr", "offsetExpr", "rangeOp", "rangeAggregationExpr", "vectorOp", "vectorAggregationExpr",
    "grouping", "labels", "binOpExpr", "boolModifier", "onOrIgnoringModifier", "binOpModifier", "literalExpr",
    "vectorExpr", "labelReplaceExpr", "variantsExpr", "variables",
}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_grammar_case(case):
    if "pass" in case:
        parse(case["pass"])
        return
    with pytest.raises(LogQLSyntaxError) as caught:
        parse(case["fail"])
    assert 0 <= caught.value.offset <= len(case["fail"])
    assert case.get("error", "") in caught.value.message


def test_cases_cover_every_grammar_rule_once_named():
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    per_rule = Counter(name.split("/")[0] for name in names)
    assert set(per_rule) == GRAMMAR_RULES
    accepted = {case["name"].split("/")[0] for case in CASES if "pass" in case}
    assert accepted == GRAMMAR_RULES - {"pipelineStage"}  # every rule has a query Loki accepts


def test_query_longer_than_loki_takes():
    selector = '{app="x"} |= "' + "a" * (MAX_INPUT - 20) + '"'
    parse(selector)
    with pytest.raises(LogQLSyntaxError, match="too long"):
        parse(selector + " " * 20)
