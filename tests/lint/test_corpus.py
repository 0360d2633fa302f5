"""The linter on 80 real dashboards written by others: it reads all of them without a crash, and
promql/syntax agrees with promtool on every PromQL expression (corpus oracle)."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS
from dashgen.lint.config import LintConfig
from dashgen.lint.engine import lint
from dashgen.lint.inputs import dashboards_from_paths

ORACLE = CORPUS / "oracle" / "corpus_a.jsonl"
pytestmark = pytest.mark.skipif(not ORACLE.is_file(), reason=f"no corpus at {CORPUS} (set DASHGEN_CORPUS)")


@pytest.fixture(scope="module")
def report():
    dashboards, bad, files = dashboards_from_paths([CORPUS / "dashboards"])
    assert (bad, files, len(dashboards)) == ([], 80, 80)
    return lint(dashboards, LintConfig())


def _oracle():
    records = [json.loads(line) for line in ORACLE.read_text().splitlines()]
    return [r for r in records if r.get("lang") == "promql" and r.get("promtool_ok") is not None]


def test_promql_syntax_agrees_with_promtool_on_every_expression(report):
    records = _oracle()
    assert (sum(r["promtool_ok"] for r in records), sum(not r["promtool_ok"] for r in records)) == (3158, 2)
    rejected = {(r["file"], r["panel_title"], r["ref"]) for r in records if not r["promtool_ok"]}
    flagged = {
        (p.file.split("/dashboards/", 1)[1], p.panel, p.ref) for p in report.problems if p.rule == "promql/syntax"
    }
    assert flagged == rejected


def test_every_oracle_expression_was_linted(report):
    linted = {(q.file.split("/dashboards/", 1)[1], q.raw.strip()) for q, _ in report.queries if q.language == "promql"}
    missing = [r for r in _oracle() if (r["file"], r["expr_raw"].strip()) not in linted]
    assert missing == []


def test_no_rule_crashes_and_every_query_has_a_language(report):
    assert len(report.queries) > 3200
    assert all(q.language in ("promql", "logql", "traceql", "other") for q, _ in report.queries)
    promql = [series for q, series in report.queries if q.language == "promql"]
    assert sum(series is not None for series in promql) >= len(promql) - 2  # all but the two that do not parse
