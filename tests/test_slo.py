"""SLOs and the Prometheus rules generated from them: promtool accepts the rule files and passes the
generated unit tests (and fails them when an alert's threshold is broken), every recorded series a
dashboard reads is generated, and an objective changed in slos/ changes the rules and the panels."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO, SIMPLE, copy_project
from dashgen.build import build
from dashgen.lint.extract import dashboard_of
from dashgen.project import find_project
from dashgen.slo import SLO, Events

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None and not os.environ.get("CI"),
    reason="promtool is not installed (Debian: apt-get install prometheus); .ci/run installs it",
)
RECORDED = re.compile(r"\b[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]+\b")  # level:metric:operations


@pytest.fixture(scope="module")
def built():
    return build(find_project(REPO))


@pytest.fixture(scope="module")
def rules(built, tmp_path_factory):
    """generated/rules of the repository's build, on disk for promtool."""
    root = tmp_path_factory.mktemp("rules")
    for path, content in built.files.items():
        if path.startswith("rules/"):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(content)
    return root / "rules"


def promtool(*args: str, cwd=None) -> subprocess.CompletedProcess:
    assert PROMTOOL, "promtool is missing; CI installs Debian's prometheus package"
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_the_build_writes_one_rule_file_per_concern_and_a_test_suite_per_slo(built):
    assert sorted(p for p in built.files if p.startswith("rules/")) == [
        "rules/alerts.yml", "rules/slo-alerts.yml", "rules/slo-recording.yml",
        *[f"rules/tests/{name}.yml" for name in ("availability", "latency-mpac-pgw", "latency-svc-portal",
                                                 "latency-svc-smarttab", "payment-technical-success")],
    ]


@needs_promtool
def test_promtool_accepts_the_rule_files(rules):
    done = promtool("check", "rules", *sorted(str(p) for p in rules.glob("*.yml")))
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.findall(r"SUCCESS: (\d+) rules found", done.stdout) == ["2", "15", "40"]


@needs_promtool
def test_the_generated_unit_tests_pass(rules):
    done = promtool("test", "rules", *sorted(p.name for p in (rules / "tests").glob("*.yml")), cwd=rules / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("SUCCESS") == 5


@needs_promtool
def test_a_broken_page_threshold_fails_the_unit_tests(rules, tmp_path):
    broken = tmp_path / "rules"
    shutil.copytree(rules, broken)
    alerts = broken / "slo-alerts.yml"
    text = alerts.read_text()
    assert text.count("> (14.4 * 0.001)") == 2
    alerts.write_text(text.replace("> (14.4 * 0.001)", "> (144 * 0.001)"))  # a page that never fires
    done = promtool("test", "rules", "availability.yml", cwd=broken / "tests")
    out = done.stdout + done.stderr
    assert done.returncode == 1  # the page expected 50 minutes into a 20x burn does not come
    assert "alertname: ErrorBudgetBurnFast, time: 6h50m" in out and "got:[]" in "".join(out.split()), out


def _recorded_read(built) -> set[str]:
    """The recorded series (level:metric:operations) the dashboards' PromQL reads."""
    return {name for d in built.dashboards for q in dashboard_of(d.model, d.file).queries if q.language == "promql"
            for name in RECORDED.findall(re.sub(r"\$\{[^}]*\}", "", q.text))}


def test_every_recorded_series_a_dashboard_reads_is_generated(built):
    recorded = {m.group(1) for content in (built.files[p] for p in built.files if p.startswith("rules/"))
                for m in re.finditer(r"record: (\S+)", content.decode())}
    read = _recorded_read(built)
    assert read and read <= recorded, f"read but recorded by no rule: {sorted(read - recorded)}"


def test_the_catalogue_knows_every_recorded_series_the_dashboards_read(built):
    from dashgen.catalogue import load_catalogue

    metrics = load_catalogue(REPO / "catalogue").metrics
    read = _recorded_read(built)
    assert read <= set(metrics)
    assert not [m.name for m in metrics.values() if m.recording_rule and ":" in m.name and m.name in read]


def _copy(tmp_path):
    return copy_project(tmp_path / "mpac")


def test_an_objective_changes_the_rules_and_the_panels_together(tmp_path):
    root = _copy(tmp_path)
    before = build(find_project(root)).files
    path = root / "slos" / "mpac.py"
    path.write_text(path.read_text().replace("objective=0.999,", "objective=0.995,"))
    after = build(find_project(root)).files
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == ["dashboards/MPAC/service-health.json", "rules/slo-alerts.yml", "rules/tests/availability.yml"]
    assert b"(14.4 * 0.005)" in after["rules/slo-alerts.yml"]
    assert b'"value": 0.995' in after["dashboards/MPAC/service-health.json"]


def test_a_catalogue_recording_rule_becomes_a_generated_rule(tmp_path, cli):
    root = _copy(tmp_path)
    catalogue = root / "catalogue" / "http.yaml"
    catalogue.write_text(catalogue.read_text() + (
        "\n  service:http_server_requests:rate5m:\n    type: gauge\n    unit: requests\n    help: Requests per second.\n"
        "    labels: [env, service]\n    recording_rule: |\n      sum by (env, service) (rate(http_server_requests_total[5m]))\n"))
    files = build(find_project(root)).files
    assert files["rules/recorded.yml"].decode().endswith(
        "groups:\n- name: catalogue\n  rules:\n  - expr: sum by (env, service) (rate(http_server_requests_total[5m]))\n"
        "    record: service:http_server_requests:rate5m\n")


@pytest.mark.parametrize("source, message", [
    ("from dashgen.slo import SLO, Events\nslos = [SLO(name='a', sli='x', description='d', services=('web',),\n"
     "    objective=99.9, total=Events('t'), bad=Events('t', 'code=\"5\"'))]\n",
     "error: slos/broken.py:2: ValueError: SLO 'a': objective 99.9 must be between 0 and 1, e.g. 0.999\n1 error\n"),
    ("slos = 'none'\n", "error: slos/broken.py: 'slos' must be a list of SLO from dashgen.slo\n1 error\n"),
    ("X = 1\n", "error: slos/broken.py:1: defines no 'slos' (a list of dashgen.slo.SLO)\n1 error\n"),
])
def test_a_broken_slo_definition_is_one_located_line(project, cli, source, message):
    project.write("dashboards/simple.py", SIMPLE)
    project.write("slos/broken.py", source)
    assert cli("-C", str(project.root), "build") == (2, "", message)


def test_two_slos_recording_one_series_for_a_service_are_refused(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    slo = "SLO(name={name!r}, sli='x', description='d', services={services}, objective=0.99, total=Events('t'), " \
          "bad=Events('t', 'code=\"5\"'))"
    project.write("slos/two.py", "from dashgen.slo import SLO, Events\nslos = [\n    "
                  + slo.format(name="a", services=("web", "api")) + ",\n    " + slo.format(name="b", services=("api",))
                  + ",\n]\n")
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, "error: slos/two.py: SLO 'b' and SLO 'a' (slos/two.py) both record "
                              "service:x:error_ratio_rate1h and the like for api; give one of them another sli\n1 error\n")


def test_the_ratio_of_good_events():
    slo = SLO(name="fast", sli="req_latency", description="d", services=("web",), objective=0.99,
              total=Events("d_seconds_count"), good=Events("d_seconds_bucket", 'le="0.5"'))
    assert slo.ratio_expr("1h") == (
        '1 - (\n  sum by (env, service) (rate(d_seconds_bucket{le="0.5", service="web"}[1h]))\n  /\n'
        '  sum by (env, service) (rate(d_seconds_count{service="web"}[1h]))\n)')
    assert slo.windows == ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")


def test_lint_checks_the_rule_expressions_and_estimates_what_they_record(tmp_path, cli):
    """The rules are linted like panels, located by rule; dashboard-only rules (fixed windows) stay
    quiet on them; the recorded series are known to the expressions that read them."""
    root = _copy(tmp_path)
    code, out, err = cli("-C", str(root), "lint")
    assert (code, err) == (0, "")
    summary = out.splitlines()[-1]  # the dashboards' part follows the project (README: adding a dashboard)
    assert summary.startswith("0 errors, 0 warnings, 0 infos in ") and summary.endswith(
        " dashboards and 57 rules of 3 rule files (the 40 recording rules create at most 168 series)")
    path = root / "slos" / "mpac.py"
    path.write_text(path.read_text()
                    .replace('sum by (env, service, le) (rate(http_server_request_duration_seconds_bucket[5m]))',
                             'sum by (env, service, le, trace_id) (rate(http_server_request_duration_secs_bucket[5m]))')
                    .replace("f\"{AVAILABILITY.ratio('5m')} > {HIGH_ERROR_RATE:g}\"",
                             "f\"{AVAILABILITY.ratio('5m')}{{region=\\\"eu\\\"}} > {HIGH_ERROR_RATE:g}\""))
    code, out, _ = cli("-C", str(root), "lint", "--format", "json")
    found = {(p["rule"], p["file"], p["prometheus_rule"]) for p in json.loads(out)["problems"]}
    assert code == 1 and found == {
        ("promql/unknown-label", "generated/rules/alerts.yml", "alert HighErrorRate"),
        ("promql/unknown-metric", "generated/rules/alerts.yml", "alert HighLatencyP95"),
        ("promql/high-cardinality-grouping", "generated/rules/alerts.yml", "alert HighLatencyP95"),
    }
    code, out, _ = cli("-C", str(root), "lint")
    assert "  --> generated/rules/alerts.yml · alert 'HighErrorRate'" in out.splitlines()
    recorded = [q for q in json.loads(cli("-C", str(root), "lint", "--format", "json")[1])["queries"]
                if (q["prometheus_rule"] or "").startswith("record service:payment_transactions:")]
    assert {q["estimated_series"] for q in recorded} == {3}  # env (3) × mpac-pgw, as the catalogue counts them
