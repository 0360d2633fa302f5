"""Every rule: documented (Flags / Why / Bad / Good), its docstring examples run, and its named
YAML cases in tests/lint/cases/ pass; the registry lists exactly the rule modules."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest
import yaml

import dashgen.lint.rules as rules_package
from dashgen.lint.rules import BY_ID, RULES
from harness import docstring_examples, problems, underlined

CASES_DIR = Path(__file__).parent / "cases"
REQUIRED = {
    "promql/syntax", "promql/high-cardinality-grouping", "promql/series-budget", "promql/counter-without-rate",
    "promql/rate-on-non-counter", "promql/histogram-quantile-without-le", "promql/fixed-rate-window",
    "promql/interval-in-rate", "promql/long-range-window", "promql/regex-wildcard", "promql/contradictory-matchers",
    "logql/empty-compatible-selector", "logql/high-cardinality-stream-label", "logql/filter-after-parser",
    "logql/unwrap-without-error-filter", "traceql/unscoped-attribute", "traceql/full-scan",
    "dashboard/missing-variable-filter", "dashboard/unknown-datasource", "dashboard/deprecated-panel-type",
    "dashboard/missing-unit",
}


def test_every_required_rule_exists_and_the_registry_lists_every_module():
    assert REQUIRED <= set(BY_ID)
    modules = {m.name for m in pkgutil.iter_modules(rules_package.__path__) if not m.name.startswith("_")}
    assert modules == {r.__name__.rsplit(".", 1)[1] for r in RULES}
    for rule in RULES:
        assert rule.__name__.rsplit(".", 1)[1] == rule.ID.replace("/", "_").replace("-", "_"), rule.ID


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.ID)
def test_rule_is_documented(rule):
    doc = rule.__doc__
    for heading in ("Flags:", "Why:", "Bad:", "Good:"):
        assert heading in doc, f"{rule.ID} docstring lacks {heading}"
    assert rule.SEVERITY in ("error", "warning", "info") and rule.CATEGORY in ("cardinality", "correctness", "conventions")
    assert rule.HELP
    # --list-rules shows it in one line: short, lower-case like the findings, no final full stop
    assert "\n" not in rule.SUMMARY and len(rule.SUMMARY) <= 80 and not rule.SUMMARY.endswith("."), rule.ID


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.ID)
def test_docstring_examples(rule):
    """A live rule's examples are judged as a server answers them: the Bad one with nothing."""
    examples = docstring_examples(rule)
    assert examples["Bad"] and examples["Good"], rule.ID
    live = getattr(rule, "LIVE", False)
    for bad in examples["Bad"]:
        measured = {"series": 0, "empty": "no series of it exists"} if live else None
        assert problems(rule, bad, measured=measured), f"{rule.ID}: Bad example passes: {bad}"
    for good in examples["Good"]:
        measured = {"series": 3} if live else None
        assert not problems(rule, good, measured=measured), f"{rule.ID}: Good example fails: {good}"


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        for case in data["cases"]:
            yield pytest.param(data["rule"], case, id=f"{data['rule']}::{case['name']}")


@pytest.mark.parametrize("rule_id, case", list(_cases()))
def test_case(rule_id, case):
    """`message`: the first finding's; `span`: the text it underlines (a list: one per finding, in
    order); `severity`: the first finding's."""
    rule = BY_ID[rule_id]
    keys = ("language", "catalogue", "variables", "datasources", "panel", "config", "measured")
    options = {k: case[k] for k in keys if k in case}
    if "fail" in case:
        found = problems(rule, case["fail"], **options)
        assert found, f"expected {rule_id} to flag: {case['fail']}"
        if "message" in case:
            assert found[0].message == case["message"]
        if isinstance(case.get("span"), list):
            assert [underlined(p) for p in found] == case["span"]
        elif "span" in case:
            assert underlined(found[0]) == case["span"]
        if "severity" in case:
            assert found[0].severity == case["severity"]
    else:
        assert not problems(rule, case["pass"], **options), f"expected {rule_id} to pass: {case['pass']}"


def test_every_rule_has_cases():
    covered = {yaml.safe_load(p.read_text())["rule"] for p in CASES_DIR.glob("*.yaml")}
    assert covered == set(BY_ID)


def test_a_label_the_metric_lacks_gets_one_verdict():
    """Grouping by a label the metric does not have: unknown-label says so, and neither the series
    estimate nor the high-cardinality rule multiplies by a label that is not there."""
    from dashgen.lint.config import LintConfig
    from dashgen.lint.engine import lint
    from dashgen.lint.extract import dashboard_of
    from harness import CATALOGUE

    query = 'sum by (merchant_id) (rate(payment_transactions_total{env="$env"}[$__rate_interval]))'
    panel = {"type": "timeseries", "title": "P", "fieldConfig": {"defaults": {"unit": "short"}},
             "datasource": {"type": "prometheus", "uid": "x"}, "targets": [{"refId": "A", "expr": query}]}
    report = lint([dashboard_of({"uid": "d", "panels": [panel]}, "d.json")], LintConfig(), CATALOGUE)
    assert [(p.rule, p.message) for p in report.problems] == [
        ("promql/unknown-label", "groups by merchant_id, which none of its metrics has")]
    assert report.queries[0][1] == 1
