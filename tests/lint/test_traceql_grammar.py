"""TraceQL exactly as Tempo 2.9 accepts and refuses it: the named cases of cases/traceql_grammar.yaml,
one or more per rule of Tempo's grammar, lexer and post-parse checks, run through traceql.parse.
(test_rules.py runs the same cases through the traceql/syntax rule.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dashgen.lint.traceql import TraceQLSyntaxError, parse

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "traceql_grammar.yaml").read_text(encoding="utf-8"))
CASES = CASES["cases"]
# The rules of Tempo 2.9's pkg/traceql/expr.y; each has cases here.
GRAMMAR_RULES = {
    "root", "spansetPipelineExpression", "wrappedSpansetPipeline", "spansetPipeline", "groupOperation",
    "coalesceOperation", "selectOperation", "attribute", "attributeList", "numericList", "spansetExpression",
    "spansetFilter", "scalarFilter", "scalarFilterOperation", "scalarPipelineExpressionFilter",
    "scalarPipelineExpression", "wrappedScalarPipeline", "scalarPipeline", "scalarExpression", "aggregate",
    "metricsAggregation", "metricsSecondStage", "hint", "hints", "hintList", "fieldExpression", "static",
    "intrinsicField", "scopedIntrinsicField", "attributeField",
}
# Tempo 2.9 parses these and then refuses every one of them as not supported yet.
ALWAYS_REFUSED = {"scalarPipelineExpressionFilter", "scalarPipelineExpression", "wrappedScalarPipeline",
                  "scalarPipeline"}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    if "pass" in case:
        parse(case["pass"])
        return
    with pytest.raises(TraceQLSyntaxError) as caught:
        parse(case["fail"])
    assert case.get("error", "") in caught.value.message
    assert 0 <= caught.value.offset <= len(case["fail"])


def test_every_grammar_rule_has_valid_and_invalid_cases():
    valid = {c["name"].split("/")[0] for c in CASES if "pass" in c}
    invalid = {c["name"].split("/")[0] for c in CASES if "fail" in c}
    assert valid | invalid == GRAMMAR_RULES
    assert GRAMMAR_RULES - valid == ALWAYS_REFUSED
    assert GRAMMAR_RULES - invalid == set()
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
