"""What `dashgen lint` offers a reviewer: --statistics, --list-rules, suppressions that match
nothing, and shell completion, as users see them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from dashgen.lint.rules import BY_ID

SHOW_SUPPRESSED = "dashgen lint --show-suppressed lists them"


def _panel(title, expr, kind="timeseries", unit="reqps"):
    panel = {"type": kind, "title": title, "datasource": {"type": "prometheus", "uid": "p"},
             "targets": [{"refId": "A", "expr": expr}]}
    return panel | ({"fieldConfig": {"defaults": {"unit": unit}}} if unit else {})


@pytest.fixture
def mixed(tmp_path, monkeypatch) -> str:
    """A dashboard with two findings of one rule, and one rule found at two severities."""
    dashboard = {"uid": "stats", "title": "Stats", "panels": [
        _panel("Requests", "sum(rate(http_requests_total[5m]))"),
        _panel("Errors", "sum(rate(http_errors_total[1m]))"),
        _panel("Total", "http_requests_total"),
        _panel("Total now", "http_requests_total", kind="stat"),  # a raw counter in a stat panel: info
        _panel("Spiky", "sum(rate(http_requests_total[$__interval]))", unit=None),
    ]}
    (tmp_path / "stats.json").write_text(json.dumps(dashboard))
    monkeypatch.chdir(tmp_path)
    return "stats.json"


def test_statistics_count_the_findings_per_rule_most_first(cli, mixed):
    code, out, err = cli("lint", mixed, "--statistics")
    assert (code, err) == (1, "")  # the exit code is the lint's
    assert out == """\
count  rule                         severity  category
    2  promql/fixed-rate-window     warning   conventions
    1  dashboard/missing-unit       warning   conventions
    1  promql/counter-without-rate  warning   correctness
    1  promql/counter-without-rate  info      correctness
    1  promql/interval-in-rate      error     correctness

1 error, 4 warnings, 1 info in 5 queries of 1 dashboard
"""


def test_statistics_in_json_are_a_key_beside_the_report(cli, mixed):
    code, out, _ = cli("lint", mixed, "--statistics", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert set(document) == {"queries", "problems", "summary", "unused_suppressions", "prometheus_error", "statistics"}
    assert len(document["problems"]) == 6
    assert document["statistics"] == [
        {"count": 2, "rule": "promql/fixed-rate-window", "severity": "warning", "category": "conventions"},
        {"count": 1, "rule": "dashboard/missing-unit", "severity": "warning", "category": "conventions"},
        {"count": 1, "rule": "promql/counter-without-rate", "severity": "warning", "category": "correctness"},
        {"count": 1, "rule": "promql/counter-without-rate", "severity": "info", "category": "correctness"},
        {"count": 1, "rule": "promql/interval-in-rate", "severity": "error", "category": "correctness"},
    ]
    _, plain, _ = cli("lint", mixed, "--format", "json")
    assert "statistics" not in json.loads(plain)


def test_statistics_of_a_clean_lint_are_the_summary(cli, mixed, tmp_path):
    (tmp_path / "clean.json").write_text(json.dumps({"uid": "c", "panels": [
        _panel("Rate", "sum(rate(http_requests_total[$__rate_interval]))")]}))
    assert cli("lint", "clean.json", "--statistics") == (0, "0 errors, 0 warnings, 0 infos in 1 query of 1 dashboard\n",
                                                         "")


def test_statistics_are_not_annotations(cli, mixed):
    code, out, err = cli("lint", mixed, "--statistics", "--format", "github")
    assert (code, out) == (2, "")
    assert err.endswith("Error: --statistics works with --format text or json; annotations are one per finding\n")


def test_rules_table_layout():
    from dashgen.lint.render import rules_table
    from dashgen.lint.run import RuleListing

    rules = [RuleListing("promql/x", "correctness", "warning", "error", True, "an x"),
             RuleListing("logql/longer-name", "cardinality", "error", None, False, "a longer name")]
    assert rules_table(rules, in_project=True) == """\
rule               category     severity         enabled  summary
promql/x           correctness  warning → error  yes      an x
logql/longer-name  cardinality  error            no       a longer name

2 rules, 1 enabled by this project's [tool.dashgen.lint]
"""


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("  ") if cell.strip()]


def test_list_rules_shows_every_rule_as_the_project_configures_it(project, cli, monkeypatch):
    project.write("pyproject.toml", (project.root / "pyproject.toml").read_text() + """
[tool.dashgen.lint]
ignore = ["traceql/"]
severity = { "promql/fixed-rate-window" = "error" }
""")
    (project.root / "dashboards" / "broken.py").write_text("raise SystemExit(3)\n")  # nothing is built or linted
    monkeypatch.chdir(project.root)
    code, out, err = cli("lint", "--list-rules")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert _cells(lines[0]) == ["rule", "category", "severity", "enabled", "summary"]
    rows = {cells[0]: cells[1:] for cells in map(_cells, lines[1:-2])}
    assert list(rows) == list(BY_ID)
    assert rows["promql/fixed-rate-window"] == [
        "conventions", "warning → error", "yes", "rate() and the like over a fixed window such as [5m] in a panel"]
    assert rows["traceql/full-scan"] == [
        "cardinality", "error", "no", "a TraceQL query that selects every span: { } or { true }"]
    assert lines[-2:] == ["", "28 rules, 25 enabled by this project's [tool.dashgen.lint]"]


def test_list_rules_outside_a_project_and_as_json(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("lint", "--list-rules")
    assert code == 0 and out.endswith("\n28 rules, all enabled (not in a dashgen project: the defaults)\n")
    code, out, _ = cli("lint", "--list-rules", "--format", "json")
    rules = json.loads(out)["rules"]
    assert code == 0 and [r["rule"] for r in rules] == list(BY_ID)
    assert rules[0] == {"rule": "promql/syntax", "category": "correctness", "severity": "error",
                        "configured_severity": None, "enabled": True,
                        "summary": "PromQL that does not parse once Grafana's variables are expanded"}


TRAFFIC = '''
from grafanalib.core import Dashboard, Templating
from dashgen.panels import PromQuery, datasource_variable, timeseries

DS = {"type": "prometheus", "uid": "${datasource}"}
dashboard = Dashboard(
    title="Traffic", uid="traffic",
    templating=Templating(list=[datasource_variable("prometheus")]),
    panels=[timeseries("Requests", "Requests per second.", [PromQuery("sum(rate(http_requests_total[5m]))")],
                       datasource=DS, unit="reqps")],
)
'''
# Lines 7 to 21 of the project's pyproject.toml (conftest.PYPROJECT is lines 1 to 6).
SUPPRESSIONS = '''
[[tool.dashgen.lint.suppress]]
rule = "promql/fixed-rate-window"
panel = "Requests"
reason = "the SLO is defined over 5m"

[[tool.dashgen.lint.suppress]]
dashboard = "traffic"
panel = "Latency"
reason = "exemplars only"

[[tool.dashgen.lint.suppress]]
rule = "promql/"
dashboard = "traffic"
reason = "matches what the first one took: used, not reported"
'''


@pytest.fixture
def suppressing(project, monkeypatch):
    project.write("dashboards/traffic.py", TRAFFIC)
    (project.root / "pyproject.toml").write_text((project.root / "pyproject.toml").read_text() + SUPPRESSIONS)
    monkeypatch.chdir(project.root)
    return project


def test_a_suppression_that_matches_nothing_is_a_warning_that_does_not_fail(cli, suppressing):
    code, out, err = cli("lint")
    assert (code, err) == (0, "")
    assert out == f"""\
warning: unused suppression: dashboard 'traffic' · panel 'Latency' matches no finding
  --> pyproject.toml:13 [tool.dashgen.lint] suppress[1]
   = reason: exemplars only
   = help: remove it; if its dashboard or panel was renamed, rename it here too

0 errors, 0 warnings, 0 infos in 1 query of 1 dashboard (1 suppressed: {SHOW_SUPPRESSED}); 1 unused suppression
"""
    _, annotations, _ = cli("lint", "--format", "github")
    assert annotations == (
        "::warning file=pyproject.toml,line=13,title=unused suppression::pyproject.toml:13 [tool.dashgen.lint] "
        "suppress[1]: dashboard 'traffic' · panel 'Latency' matches no finding (remove it; if its dashboard or "
        "panel was renamed, rename it here too)\n")
    _, document, _ = cli("lint", "--format", "json")
    assert json.loads(document)["unused_suppressions"] == [
        {"index": 1, "line": 13, "rule": None, "dashboard": "traffic", "panel": "Latency", "reason": "exemplars only"}]
    _, statistics, _ = cli("lint", "--statistics")
    assert statistics == out  # no finding to count: the unused suppression and the summary, as above


def test_unused_suppressions_are_only_told_when_linting_the_project(cli, suppressing):
    """A subset of the dashboards may simply not hold what a suppression matches."""
    shutil.copy(Path(__file__).parent / "fixtures" / "findings.json", suppressing.root / "findings.json")
    code, out, _ = cli("lint", "findings.json", "--format", "json")
    assert code == 1 and json.loads(out)["unused_suppressions"] is None
    _, text, _ = cli("lint", "findings.json")
    assert "unused suppression" not in text


def test_an_unused_suppression_of_a_disabled_rule_says_so_and_inline_tables_have_no_line(project, cli, monkeypatch):
    project.write("dashboards/traffic.py", TRAFFIC)
    (project.root / "pyproject.toml").write_text((project.root / "pyproject.toml").read_text() + """
[tool.dashgen.lint]
ignore = ["traceql"]
suppress = [{ rule = "traceql/full-scan", reason = "the search panel lists every trace" }]
""")
    monkeypatch.chdir(project.root)
    code, out, _ = cli("lint")
    assert code == 0
    assert out.split("\n\n")[1] == """\
warning: unused suppression: rule 'traceql/full-scan' matches no finding
  --> pyproject.toml [tool.dashgen.lint] suppress[0]
   = reason: the search panel lists every trace
   = help: its rule is not enabled by select/ignore, so it can match nothing; remove it"""


def _dashgen_script() -> Path:
    script = Path(sys.executable).parent / "dashgen"
    if not script.exists():
        pytest.skip("no installed dashgen entry point beside this Python")
    return script


def test_shell_completion_works_with_the_installed_entry_point(tmp_path):
    def complete(words: str, cword: int) -> list[str]:
        env = os.environ | {"_DASHGEN_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
        done = subprocess.run([_dashgen_script()], env=env, cwd=tmp_path, capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (0, "")
        return done.stdout.splitlines()

    assert complete("dashgen li", 1) == ["plain,lint"]
    assert complete("dashgen lint --sta", 2) == ["plain,--statistics"]
    assert complete("dashgen lint --explain promql/h", 3) == [
        "plain,promql/high-cardinality-grouping", "plain,promql/histogram-quantile-without-le"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_the_readme_bash_completion_line_completes_in_bash():
    readme = (REPO / "README.md").read_text()
    line = 'eval "$(_DASHGEN_COMPLETE=bash_source dashgen)"'
    assert line in readme
    script = f'{line}\nCOMP_WORDS=(dashgen lint --list); COMP_CWORD=2; _dashgen_completion dashgen\necho "${{COMPREPLY[@]}}"'
    env = os.environ | {"PATH": f"{_dashgen_script().parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "--list-rules\n", "")
