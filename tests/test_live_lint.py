"""Live lint against the real Prometheus of the `live_prometheus` fixture, through the product:
every PromQL panel of the five dashboards shows data, each measured series count is the exact
count, a planted empty panel is reported with the reason narrowing finds, a planted wide query is
over the budget by its measured figure, and catalogue sync writes the measured counts in place."""

from __future__ import annotations

import json
import time

import pytest

import mpac_series
from conftest import REPO, copy_project
from dashgen.lint.live import Target
from dashgen.lint.no_data import Narrowing
from dashgen.lint.run import Live, run
from dashgen.prometheus import Prometheus
from dashgen.project import find_project

DEVICE = mpac_series.VALUES["device_id"][0]  # the device an on-call engineer types into the textbox


@pytest.fixture(scope="module")
def report(live_prometheus):
    started, cpu = time.perf_counter(), time.process_time()
    found = run(find_project(REPO), [], live=Live(live_prometheus.url, {"device": DEVICE}, at=live_prometheus.now))
    print(f"live lint of the five dashboards: {time.perf_counter() - started:.2f} s wall, "
          f"{time.process_time() - cpu:.2f} s CPU in dashgen")
    return found


def test_every_promql_panel_of_the_five_dashboards_shows_data(report):
    assert report.live_error is None
    panels = [q for q, _ in report.queries if q.kind == "panel" and q.language == "promql"]
    assert len(panels) >= 70 and {id(q) for q in panels} == set(report.measured)
    empty = [f"{q.dashboard} · {q.panel} · {q.ref}: {report.measured[id(q)].empty or report.measured[id(q)].failure}"
             for q in panels if not report.measured[id(q)].series]
    assert empty == [], "\n".join(empty)
    assert [p for p in report.problems if p.rule == "promql/no-data"] == []


def test_each_measured_count_is_the_exact_series_count(report, live_prometheus):
    """The query as sent, asked again directly: the distinct series over the range (or at the instant)."""
    for query, _ in report.queries:
        measured = report.measured.get(id(query))
        if measured is None:
            continue
        if query.instant:
            exact = live_prometheus.query(measured.query)
        else:
            exact = live_prometheus.query_range(measured.query, live_prometheus.now - 6 * 3600, live_prometheus.now, "60s")
        assert measured.series == len(exact), (query.dashboard, query.panel, query.ref, measured.query)
        assert measured.samples is None or measured.samples > 0


def test_the_json_report_carries_measured_beside_estimated(live_prometheus, cli):
    code, out, err = cli("-C", str(REPO), "lint", "--prometheus", live_prometheus.url, "--var", f"device={DEVICE}",
                         "--format", "json")
    assert (code, err) == (0, "")
    rows = [q for q in json.loads(out)["queries"] if q["panel"] == "Request rate"]
    assert rows and all(r["measured_series"] == 3 and r["estimated_series"] == 10 and r["samples"] > 0 for r in rows)
    assert rows[0]["sent"] == 'sum by (service) (rate(http_server_requests_total{env="production", service=~".+"}[1m]))'


PLANTED = '''
        timeseries("Planted: no such status", "Requests answered 600.", [PromQuery(
            'sum(rate(http_server_requests_total{env="$env", service=~"$service", status_code="600"}[$__rate_interval]))')],
            datasource=PROMETHEUS, unit="reqps"),
        timeseries("Planted: every route", "Requests per route and status.", [PromQuery(
            'sum by (service, route, status_code) (rate(http_server_requests_total{env="$env"}[$__rate_interval]))')],
            datasource=PROMETHEUS, unit="reqps"),
'''


def test_a_planted_empty_panel_has_its_reason_and_a_wide_one_its_measured_count(live_prometheus, tmp_path):
    """With the panel budget at 15 series, the wide query is judged by the 18 series it returned,
    not by the catalogue's 6,000; every other panel stays within it by its measured count."""
    from dashgen.lint import render

    root = copy_project(tmp_path / "mpac")
    path = root / "dashboards" / "service_health.py"
    anchor = 'saturation = row(\n    "Saturation: CPU and memory of the service\'s tasks",\n'
    path.write_text(path.read_text().replace(anchor, anchor + PLANTED.lstrip("\n")))
    with (root / "pyproject.toml").open("a") as f:
        f.write("\n[tool.dashgen.lint]\npanel_series_budget = 15\n")
    done = run(find_project(root), [], live=Live(live_prometheus.url, {"device": DEVICE}, at=live_prometheus.now))
    lines = render.text(done).splitlines()
    values = ", ".join(sorted(mpac_series.VALUES["status_code"]))
    assert [line for line in lines if line.startswith("warning[promql/no-data]")] == [
        f"warning[promql/no-data]: shows no data: no series of http_server_requests_total has status_code=\"600\""
        f" (its status_code values: {values})"]
    assert [line for line in lines if line.startswith("warning[promql/series-budget]")] == [
        "warning[promql/series-budget]: returned 18 series from Prometheus (estimated at most 6,000 from the"
        " catalogue), over the budget of 15 per panel"]


def test_a_recording_rule_that_is_not_loaded_is_named(live_prometheus):
    """A recorded series the build generates but the server does not evaluate."""
    target = Target(Prometheus(live_prometheus.url), {}, recorded={"service:x:ratio_rate5m": "generated/rules/extra.yml"})
    narrowing = Narrowing(target, live_prometheus.now, Prometheus(live_prometheus.url).recorded())
    assert narrowing.reason('service:x:ratio_rate5m{env="production"}', None) == (
        "recording rule service:x:ratio_rate5m is not loaded in Prometheus (it is in generated/rules/extra.yml; list"
        " that file under rule_files)")


def test_sides_that_share_no_labels_are_named(live_prometheus):
    target = Target(Prometheus(live_prometheus.url), {})
    narrowing = Narrowing(target, live_prometheus.now, set())
    reason = narrowing.reason('sum by (service) (rate(http_server_requests_total[5m]))'
                              ' / sum by (route) (rate(http_server_requests_total[5m]))', None)
    assert reason == "the two sides of `/` match no series: the left has labels {service}, the right {route}"


def test_a_variable_prometheus_refuses_leaves_its_dashboard_unrun_not_the_lint(live_prometheus):
    """A selector Prometheus refuses in one variable is that dashboard's problem (an info per
    panel, nothing sent), not an unreachable server: the other dashboards are still measured."""
    done = run(find_project(REPO), [], live=Live(live_prometheus.url, {"device": DEVICE, "env": 'a"b'},
                                                at=live_prometheus.now))
    assert done.live_error is None and done.exit_code == 0
    unrun = {p.message.split(" (bad_data")[0] for p in done.problems if p.rule == "promql/no-data"}
    assert unrun == {f"not run on Prometheus: variable ${name}: Prometheus refused to list its values"
                     for name in ("service", "region")}  # the first variable after $env of each dashboard
    assert all(p.severity == "info" for p in done.problems if p.rule == "promql/no-data")
