"""`dashgen lint` as users run it: output formats, exit codes, bad input, configuration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import check_golden

FIXTURES = Path(__file__).parent / "fixtures"


def test_text_output_matches_golden(cli, update_golden, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    code, out, err = cli("lint", "fixtures/findings.json")
    assert (code, err) == (1, "")
    check_golden("lint/findings.txt", out.encode(), update_golden)


def test_json_output_has_the_documented_shape(cli, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    code, out, _ = cli("lint", "fixtures/findings.json", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert set(document) == {"queries", "problems", "summary", "unused_suppressions", "prometheus_error"}
    assert document["unused_suppressions"] is None  # files given: whether a suppression is used cannot be told
    assert document["summary"] == {"files": 1, "dashboards": 1, "queries": 4, "errors": 5, "warnings": 3, "infos": 0,
                                   "rule_files": 0, "rules": 0, "recording_rules": 0, "recorded_series": 0}
    query = document["queries"][0]
    assert set(query) == {"file", "dashboard", "panel", "ref", "language", "query", "estimated_series",
                          "prometheus_rule", "measured_series", "samples", "sent"}
    assert query["language"] == "promql" and isinstance(query["estimated_series"], int)
    problem = document["problems"][0]
    assert set(problem) == {"rule", "severity", "message", "file", "dashboard", "panel", "ref", "query", "span",
                            "prometheus_rule"}
    assert problem["rule"] == "promql/high-cardinality-grouping" and problem["span"] == [8, 16]
    assert problem["query"][slice(*problem["span"])] == "trace_id"
    assert {p["severity"] for p in document["problems"]} <= {"error", "warning", "info"}


def test_github_output_is_workflow_annotations(cli, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    _, out, _ = cli("lint", "fixtures/findings.json", "--format", "github")
    lines = out.splitlines()
    assert len(lines) == 8
    assert lines[0].startswith("::error file=fixtures/findings.json,title=promql/high-cardinality-grouping::")
    assert any(line.startswith("::warning ") for line in lines)


def test_clean_dashboards_exit_0(cli, tmp_path):
    clean = {"uid": "clean", "title": "Clean", "panels": [{"type": "timeseries", "title": "Rate",
             "fieldConfig": {"defaults": {"unit": "reqps"}}, "datasource": {"type": "prometheus", "uid": "p"},
             "targets": [{"refId": "A", "expr": "sum(rate(http_requests_total[$__rate_interval]))"}]}]}
    (tmp_path / "clean.json").write_text(json.dumps(clean))
    code, out, err = cli("lint", str(tmp_path))
    assert (code, err) == (0, "")
    assert out == "0 errors, 0 warnings, 0 infos in 1 query of 1 dashboard\n"


def test_bad_files_are_named_and_the_others_still_linted(cli, tmp_path):
    shutil.copy(FIXTURES / "findings.json", tmp_path / "good.json")
    (tmp_path / "broken.json").write_text('{"panels": [}')
    (tmp_path / "other.json").write_text('{"name": "not a dashboard"}')
    code, out, err = cli("lint", str(tmp_path), str(tmp_path / "missing.json"), "--format", "json")
    assert code == 2
    assert err.splitlines() == [
        f"error: {tmp_path / 'missing.json'}: no such file or folder",
        f"error: {tmp_path / 'broken.json'}:1: invalid JSON: Expecting value (column 13)",
        f"error: {tmp_path / 'other.json'}: not a Grafana dashboard (no panels, rows or templating)",
    ]
    assert json.loads(out)["summary"]["dashboards"] == 1


def test_explain_prints_the_rule_and_unknown_rules_list_the_known(cli):
    code, out, _ = cli("lint", "--explain", "promql/series-budget")
    assert code == 0
    assert out.startswith("promql/series-budget (cardinality, warning by default)\n\nFlags: ")
    assert "Bad:" in out and "Good:" in out and "Fix: " in out
    code, _, err = cli("lint", "--explain", "promql/nope")
    assert code == 2 and "unknown rule 'promql/nope'; the rules are:" in err and "promql/syntax" in err


def _project_with_lint_config(project, table: str):
    (project.root / "pyproject.toml").write_text(project.root.joinpath("pyproject.toml").read_text() + table)
    shutil.copy(FIXTURES / "findings.json", project.root / "findings.json")


def test_configuration_selects_rules_sets_severity_and_suppresses_with_a_reason(project, cli, monkeypatch):
    _project_with_lint_config(project, """
[tool.dashgen.lint]
ignore = ["dashboard/"]
severity = { "promql/syntax" = "warning" }
[[tool.dashgen.lint.suppress]]
rule = "promql/high-cardinality-grouping"
panel = "Requests by trace"
reason = "debug panel, collapsed by default"
""")
    monkeypatch.chdir(project.root)
    code, out, _ = cli("lint", "findings.json", "--format", "json")
    problems = json.loads(out)["problems"]
    assert code == 1  # interval-in-rate and the empty selector are still errors
    assert not any(p["rule"].startswith("dashboard/") for p in problems)
    assert [p["severity"] for p in problems if p["rule"] == "promql/syntax"] == ["warning"]
    (suppressed,) = [p for p in problems if p["rule"] == "promql/high-cardinality-grouping"]
    assert suppressed["suppressed"] == "debug panel, collapsed by default"
    _, text, _ = cli("lint", "findings.json", "--show-suppressed")
    assert "   = suppressed: debug panel, collapsed by default" in text


@pytest.mark.parametrize("table, message", [
    ('[tool.dashgen.lint]\nselect = ["promql/sintax"]\n',
     "select: no rule matches 'promql/sintax'; did you mean 'promql/syntax'? (see `dashgen lint --explain`)"),
    ('[tool.dashgen.lint]\nseverity = { "promql/syntax" = "fatal" }\n',
     "severity of promql/syntax: 'fatal' is not one of error, warning, info"),
    ('[[tool.dashgen.lint.suppress]]\nrule = "promql/syntax"\n',
     "suppression {'rule': 'promql/syntax'}: reason is required; say why the finding is acceptable"),
    ('[tool.dashgen.lint]\npanel_budget = 5\n',
     "unknown key 'panel_budget'; did you mean 'panel_series_budget'? known: high_cardinality_labels, ignore,"
     " max_range, panel_series_budget, select, severity, suppress"),
    ('[tool.dashgen.lint]\nseverity = ["x"]\n',
     'severity must be a table of rule = level, e.g. { "promql/fixed-rate-window" = "error" }'),
    ('[tool.dashgen.lint]\nmax_range = "abc"\n',
     'max_range must be a PromQL duration such as "1d" or "12h", not \'abc\''),
    ('[tool.dashgen.lint]\nmax_range = 5\n', 'max_range must be a PromQL duration such as "1d" or "12h", not 5'),
    ('[tool.dashgen.lint]\nhigh_cardinality_labels = "trace_id"\n',
     "high_cardinality_labels must be a list of strings"),
    ('[[tool.dashgen.lint.suppress]]\nrule = "promql/fixed"\nreason = "r"\n',
     "suppression names unknown rule 'promql/fixed'; did you mean 'promql/fixed-rate-window'? (a rule id, or a"
     ' prefix such as "promql/")'),
    ('[tool.dashgen.lint]\nignore = ["promql/fixed"]\n',
     "ignore: no rule matches 'promql/fixed'; did you mean 'promql/fixed-rate-window'? (see `dashgen lint"
     " --explain`)"),
])
def test_bad_configuration_is_one_located_error(project, cli, monkeypatch, table, message):
    _project_with_lint_config(project, table)
    monkeypatch.chdir(project.root)
    code, _, err = cli("lint", "findings.json")
    assert code == 2
    assert err == f"error: pyproject.toml [tool.dashgen.lint]: {message}\n1 error\n"


def test_one_matcher_for_select_ignore_and_suppress():
    from dashgen.lint.config import LintConfig, Suppression, load_config, rule_matches
    from dashgen.lint.rules import BY_ID

    assert [rule_matches(p, "promql/fixed-rate-window") for p in ("promql", "promql/", "promql/fixed-rate-window")] \
        == [True, True, True]
    assert not rule_matches("promql/fixed", "promql/fixed-rate-window")
    config = load_config({"ignore": ["logql"], "suppress": [{"rule": "promql", "reason": "r"}]}, set(BY_ID))
    assert not config.enabled("logql/syntax") and config.enabled("promql/syntax")
    assert Suppression(reason="r", rule="promql").covers("promql/syntax", "d", "p")
    assert LintConfig().high_cardinality_labels and config.is_high_cardinality("trace_id")


def test_an_empty_high_cardinality_list_means_none(tmp_path):
    from dashgen.lint.config import load_config
    from dashgen.lint.rules import BY_ID

    config = load_config({"high_cardinality_labels": []}, set(BY_ID))
    assert config.high_cardinality_labels == () and not config.is_high_cardinality("trace_id")


def test_text_output_marks_omitted_lines_and_tells_panels_with_one_title_apart(cli, tmp_path):
    rates = [f"  rate({m}_total[{'$__interval' if m == 'c' else '$__rate_interval'}])" for m in "abcde"]
    query = "\n".join(["sum by (job) ("] + "\n  +\n".join(rates).split("\n") + [")"])
    panel = {"type": "timeseries", "title": "Rate", "fieldConfig": {"defaults": {"unit": "reqps"}},
             "datasource": {"type": "prometheus", "uid": "p"}}
    dashboard = {"uid": "d", "panels": [panel | {"id": 1, "targets": [{"refId": "A", "expr": query}]},
                                        panel | {"id": 2, "targets": [{"refId": "A", "expr": "up"}]}]}
    (tmp_path / "d.json").write_text(json.dumps(dashboard))
    _, out, _ = cli("lint", str(tmp_path / "d.json"))
    assert out.split("\n\n")[0].splitlines()[1:] == [
        f"  --> {tmp_path / 'd.json'} · dashboard 'd' · panel 'Rate' (id 1) · ref A",
        "   |",
        "   | ...",
        "   |   rate(b_total[$__rate_interval])",
        "   |   +",
        "   |   rate(c_total[$__interval])",
        "   |   " + " " * len("rate(c_total") + "^" * len("[$__interval]"),
        "   |   +",
        "   |   rate(d_total[$__rate_interval])",
        "   | ...",
        "   = help: replace $__interval with $__rate_interval inside rate(), irate() and increase()",
    ]


@pytest.mark.parametrize("rel, source", [
    ("datasources/broken.py", "1 / 0\n"),
    ("dashboards/broken.py", "1 / 0\n"),
])
def test_lint_refuses_what_build_refuses_with_the_same_error(project, cli, rel, source):
    """One load path: a project lint cannot build is bad input, reported as build reports it."""
    from conftest import SIMPLE

    project.write("dashboards/simple.py", SIMPLE)
    project.write(rel, source)
    built = cli("-C", str(project.root), "build")
    linted = cli("-C", str(project.root), "lint")
    assert built[0] == linted[0] == 2 and built[2] == linted[2] == f"error: {rel}:1: ZeroDivisionError: division by zero\n1 error\n"
