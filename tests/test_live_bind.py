"""Grafana's variables bound as Grafana binds them for live lint: intervals from the range, the
panel's width and the scrape interval; chained query variables; the saved value, else the first
option, else All; multi-value and All written as Prometheus regexes."""

from __future__ import annotations

import pytest

from dashgen.lint.bind import CannotBind, bindings_for, dashboard_range_s

VALUES = {"env": ["production", "staging"], "service": ["svc-portal", "mpac-pgw", "a.b"]}


def label_values(calls):
    def answer(label, selector):
        calls.append((label, selector))
        return VALUES.get(label, [])
    return answer


def variables(**service):
    return [
        {"name": "datasource", "type": "datasource", "query": "prometheus"},
        {"name": "env", "type": "query", "query": "label_values(up, env)", "current": {"value": "production"}},
        {"name": "service", "type": "query", "query": 'label_values(up{env="$env"}, service)', **service},
        {"name": "device", "type": "textbox", "current": {"value": ""}},
        {"name": "step", "type": "interval", "query": "1m,5m", "current": {"value": "5m"}},
    ]


def test_chained_variables_ask_prometheus_with_the_values_before_them():
    calls = []
    bound = bindings_for({}, variables(multi=True, includeAll=True, allValue=".+"), label_values(calls), {}, 15)
    assert calls == [("env", "up"), ("service", 'up{env="production"}')]
    assert bound.bind('x{env="$env", service=~"$service", device_id="$device"}[$step]') == \
        'x{env="production", service=~".+", device_id=""}[5m]'


@pytest.mark.parametrize("service, expected", [
    (dict(multi=True, includeAll=True), r"(svc-portal|mpac-pgw|a\\.b)"),  # All without a custom value: every value
    (dict(multi=True, current={"value": ["mpac-pgw", "a.b"]}), r"(mpac-pgw|a\\.b)"),
    (dict(multi=True, current={"value": ["a.b"]}), r"a\\.b"),  # one value of a multi-value variable: escaped
    (dict(current={"value": "a.b"}), "a.b"),  # a single-value variable is written as it is
    (dict(current={"value": "gone"}), "svc-portal"),  # a saved value no longer offered: the first option
], ids=["all", "two", "one of multi", "single", "saved value gone"])
def test_values_are_written_as_grafana_writes_them_for_prometheus(service, expected):
    bound = bindings_for({}, variables(**service), label_values([]), {}, 15)
    assert bound.bind('{service=~"$service"}') == f'{{service=~"{expected}"}}'


def test_formats_and_overrides():
    bound = bindings_for({}, variables(multi=True, includeAll=True), label_values([]), {"env": "staging"}, 15)
    assert bound.bind("${service:csv} ${service:pipe} ${service:raw} $env") == \
        "svc-portal,mpac-pgw,a.b svc-portal|mpac-pgw|a.b svc-portal,mpac-pgw,a.b staging"


@pytest.mark.parametrize("range_from, width, scrape, interval, rate", [
    ("now-6h", 24, 15, "15s", "1m"),   # 6h / 1,600 px = 13.5 s, rounded to 15 s
    ("now-6h", 8, 15, "30s", "1m"),    # a third of the screen: 533 px, 40.5 s, rounded to 30 s
    ("now-24h", 8, 15, "2m", "135s"),  # 162 s rounds to 2m; $__rate_interval = 2m + 15s
    ("now-1h", 24, 60, "1m", "4m"),    # never below the scrape interval; rate: 4 scrapes
], ids=["6h full width", "6h third", "24h third", "scrape interval floor"])
def test_intervals_follow_the_range_the_panel_width_and_the_scrape_interval(range_from, width, scrape, interval, rate):
    model = {"time": {"from": range_from, "to": "now"}}
    bound = bindings_for(model, [], label_values([]), {}, scrape, dashboard_range_s(model))
    panel = {"gridPos": {"w": width, "h": 8, "x": 0, "y": 0}}
    assert bound.bind("[$__interval] [$__rate_interval] $__range_s", panel) == \
        f"[{interval}] [{rate}] {int(dashboard_range_s(model))}"


def test_a_variable_query_live_lint_cannot_run_is_named():
    with pytest.raises(CannotBind, match=r"variable \$service: its query 'query_result\(up\)' is not label_values"):
        bindings_for({}, [{"name": "service", "type": "query", "query": "query_result(up)"}], label_values([]), {}, 15)
