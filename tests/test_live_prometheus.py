"""The real Prometheus of the `live_prometheus` fixture, and the generated dashboards against it: it
answers, holds every series the dashboards and rules select (their variables bound by dashgen's
own binding, as live lint binds them), has the recording rules backfilled over its hours, and
consistent histograms. That every panel shows data is tests/test_live_lint.py's, through the product."""

from __future__ import annotations

import json
import math
import os
import urllib.request

import pytest
import yaml

import mpac_series
import prometheus_fixture
from conftest import REPO
from dashgen.catalogue import GAUGE_HISTOGRAM_SERIES, HISTOGRAM_SERIES, SUMMARY_SERIES, load_catalogue
from dashgen.lint.bind import bindings_for, dashboard_range_s
from dashgen.lint.promql import matchers, parse, selectors
from dashgen.lint.variables import expand

CATALOGUE = load_catalogue(REPO / "catalogue")
DASHBOARDS = REPO / "generated" / "dashboards"
RULE_FILES = sorted((REPO / "generated" / "rules").glob("*.yml"))
TARGETS = list(mpac_series.dashboard_targets(DASHBOARDS))

TEXTBOXES = {"device": mpac_series.VALUES["device_id"][0]}  # what an on-call engineer would type

needs_prometheus = pytest.mark.skipif(
    bool(prometheus_fixture.missing_binaries()) and not os.environ.get("CI"),
    reason="prometheus is not installed; .ci/run installs Debian's prometheus package",
)


def selector_text(selector) -> str:
    """A vector selector as /api/v1/series takes it: name and matchers, without offset or range."""
    found = [f"{label}{op}{json.dumps(value)}" for label, op, value in matchers(selector)]
    return f"{selector.name or ''}{{{', '.join(found)}}}"


@pytest.fixture(scope="module")
def bound(live_prometheus) -> dict:
    """Each dashboard's variables, bound by dashgen as live lint binds them: uid -> Bindings."""
    found = {}
    for path in sorted(DASHBOARDS.rglob("*.json")):
        model = json.loads(path.read_text(encoding="utf-8"))
        found[model["uid"]] = bindings_for(model, model["templating"]["list"], live_prometheus.label_values, TEXTBOXES,
                                           15.0, dashboard_range_s(model))
    return found


def selected(server, selector: str) -> int:
    """How many series `selector` selects over the data's hours."""
    return len(server.get("/api/v1/series", **{"match[]": selector}, start=server.now - mpac_series.SPAN,
                          end=server.now))


def test_the_server_answers_with_the_data_up_to_now(live_prometheus):
    assert live_prometheus.get("/api/v1/status/buildinfo")["version"]
    [count] = live_prometheus.query('count({__name__=~".+"})')
    assert 1000 < float(count["value"][1]) < 5000  # a few thousand series: the TSDB builds in seconds
    assert live_prometheus.query("http_server_requests_total", at=live_prometheus.now + 600) == []  # nothing later


def test_every_catalogue_metric_the_dashboards_read_has_series(live_prometheus):
    """Under each name the catalogue says Prometheus stores it as (a histogram's three)."""
    read = {CATALOGUE.lookup(s.name)[0] for *_, expr in TARGETS for s in selectors(parse(expand(expr).text)) if s.name}
    assert len(read) >= 40
    empty = [name for metric in sorted(read, key=lambda m: m.name) for name in _stored_as(metric)
             if not selected(live_prometheus, name)]
    assert empty == [], "\n".join(empty)


def test_every_selector_of_the_dashboards_and_rules_selects_series(live_prometheus, bound):
    """The literal matchers (`status="error"`, `currency="JPY"`, `le="0.5"`) included: a value the data
    lacks would otherwise hide behind `or 0 * ...` or a division."""
    queries = [(f"{uid}: {title} {ref}", bound[uid].bind(expr)) for uid, title, ref, expr in TARGETS]
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            queries += [(f"{path.name}: {rule.get('record') or rule.get('alert')}", rule["expr"]) for rule in group["rules"]]
    empty = sorted({f"{where}: {selector_text(s)}" for where, expr in queries for s in selectors(parse(expr))
                    if not selected(live_prometheus, selector_text(s))})
    assert empty == [], "\n".join(empty)


def test_the_recorded_series_are_backfilled_over_the_last_six_hours(live_prometheus):
    now = live_prometheus.now
    result = live_prometheus.query('service:http_server_requests:error_ratio_rate1h{env="production"}[6h]')
    assert {r["metric"]["service"] for r in result} == {"svc-portal", "svc-smarttab", "mpac-pgw"}
    for series in result:
        # Evaluated every minute at the group's own phase (as Prometheus would), not on --start's.
        times = [t for t, _ in series["values"]]
        assert times[0] <= now - mpac_series.SPAN + 300 and now - 60 < times[-1] <= now
        gaps = [round(b - a) for a, b in zip(times, times[1:])]
        # Every minute; promtool's backfill can drop one evaluation at a block boundary under load.
        assert set(gaps) <= {60, 120} and gaps.count(120) <= 3, gaps
        assert all(0 < float(v) < 0.05 for _, v in series["values"])  # some 5xx, far from an outage
    [slow] = live_prometheus.query('service:payment_transactions:error_ratio_rate30d{env="production"}')
    assert 0 < float(slow["value"][1]) < 0.01


def test_the_generated_rule_files_keep_evaluating(live_prometheus):
    groups = {group["name"] for group in live_prometheus.get("/api/v1/rules")["groups"]}
    assert {"slo:availability:recording", "slo:availability:alerts", "platform"} <= groups


def test_histogram_buckets_are_cumulative_and_end_in_the_count(live_prometheus):
    [p95] = live_prometheus.query(
        "histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket[5m])))")
    assert 0 < float(p95["value"][1]) < 5
    for metric in (m for m in CATALOGUE.metrics.values() if m.type in mpac_series.COUNT_AND_SUM):
        bucket, count, _ = mpac_series.series_names(metric)
        counts = {_key(r["metric"]): float(r["value"][1]) for r in live_prometheus.query(count)}
        by_series: dict[tuple, list[tuple[float, float]]] = {}
        for r in live_prometheus.query(bucket):
            by_series.setdefault(_key(r["metric"]), []).append((float(r["metric"]["le"]), float(r["value"][1])))
        assert by_series and set(by_series) == set(counts), metric.name
        for key, buckets in by_series.items():
            values = [value for _, value in sorted(buckets)]
            assert values == sorted(values) and values[-1] == counts[key] and sorted(buckets)[-1][0] == math.inf, key


@needs_prometheus
def test_a_prometheus_that_cannot_start_fails_with_the_end_of_its_log(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("groups: [{name: g, rules: [{record: 'not a name', expr: up}]}]\n")
    with pytest.raises(RuntimeError, match=r"(?s)prometheus exited with 1 before it was ready:\n.*not a name"):
        with prometheus_fixture.serving(tmp_path, tmp_path / "tsdb", [broken]):
            pass


@needs_prometheus
def test_the_prometheus_is_stopped_on_the_way_out(tmp_path):
    with prometheus_fixture.serving(tmp_path, tmp_path / "tsdb", []) as url:
        assert urllib.request.urlopen(f"{url}/-/ready", timeout=5).status == 200
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{url}/-/ready", timeout=5)


def _stored_as(metric) -> list[str]:
    kinds = {"histogram": HISTOGRAM_SERIES, "gaugehistogram": GAUGE_HISTOGRAM_SERIES, "summary": SUMMARY_SERIES}
    return [metric.name + suffix for suffix in kinds.get(metric.type, {"": ()})]


def _key(labels: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in labels.items() if k not in ("le", "__name__")))
