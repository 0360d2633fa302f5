"""The static series estimate: the reference's worked examples, matchers that only ever narrow, regex
alternatives counted only when literal, and a factor whose arithmetic reads right."""

from __future__ import annotations

import pytest

from dashgen.catalogue import Catalogue, Metric
from dashgen.lint.estimate import DEFAULT_SERIES, Estimate, Estimator
from dashgen.lint.promql import parse
from dashgen.lint.variables import expand

# lint-reference.md §C: http_requests_total with job 10, instance 200, code 6, handler 40 (= 480,000
# combinations; the reference's 24,000 is a measured count the catalogue format does not hold).
CATALOGUE = Catalogue(
    labels={"job": 10, "instance": 200, "code": 6, "handler": 40, "le": 15, "merchant_id": 20_000},
    metrics={
        "http_requests_total": Metric("http_requests_total", "counter", "requests", "",
                                      ("job", "instance", "code", "handler"), "x"),
        "mem_bytes": Metric("mem_bytes", "gauge", "bytes", "", ("job", "instance"), "x"),
        "req_seconds": Metric("req_seconds", "histogram", "seconds", "", ("job", "handler"), "x"),
    },
)
VARIABLES = {"job": {"name": "job", "type": "query", "multi": True}, "env": {"name": "env", "type": "query"}}


def estimate(query: str, catalogue=CATALOGUE) -> Estimate:
    return Estimator(catalogue, VARIABLES, lambda label: label.endswith("_id")).estimate(parse(expand(query).text))


@pytest.mark.parametrize("query, returned", [
    ("http_requests_total", 480_000),
    ('sum by (code) (rate(http_requests_total{job="api"}[5m]))', 6),
    ('sum without (instance) (rate(http_requests_total{job="api"}[5m]))', 240),
    ("histogram_quantile(.99, sum by (le, handler) (rate(req_seconds_bucket[5m])))", 40),
    ('topk(5, sum by (handler) (rate(http_requests_total[5m])))', 5),
    ('http_requests_total{job=~"$job"}', 480_000),  # a multi-value variable keeps every value
    ('http_requests_total{job="$env"}', 48_000),  # a single-value one keeps one
])
def test_reference_examples(query, returned):
    assert estimate(query).returned == returned


def test_a_matcher_on_a_label_the_metric_lacks_never_multiplies():
    assert estimate('http_requests_total{foo!="x"}').returned == estimate("http_requests_total").returned
    assert estimate('mem_bytes{merchant_id!=""}').returned == estimate("mem_bytes").returned == 2_000
    assert estimate('http_requests_total{code!=""}').returned == 480_000  # every series has a code


@pytest.mark.parametrize("query", [
    'unknown_total{foo!="x"}', 'unknown_total{merchant_id!=""}', 'unknown_total{a!="1", b!~"2", c=~".*", d=~"x|y"}',
])
def test_uncatalogued_metrics_start_from_the_default_and_only_narrow(query):
    assert 1 <= estimate(query).returned <= DEFAULT_SERIES
    assert estimate(query, catalogue=None).returned <= DEFAULT_SERIES


@pytest.mark.parametrize("regex, kept", [
    ("5..", 6), ("500|503", 2), ("500|500", 1), ("5\\\\.0", 1), ("api|web.*", 6), ("(500|503)", 6), ("", 1),
])
def test_regex_alternatives_count_only_when_literal(regex, kept):
    assert estimate(f'sum by (code) (http_requests_total{{code=~"{regex}"}})').returned == kept


def test_factor_shows_every_label_or_the_rest_as_more():
    assert estimate('http_requests_total{job="api"}').factor == \
        "instance (200) x handler (40) x code (6) = 48,000 series"
    assert estimate("http_requests_total").factor == \
        "instance (200) x handler (40) x job (10) x 1 more (6) = 480,000 series"
    assert estimate('topk(5, http_requests_total{job="api"})').factor == \
        "5 series (instance (200) x handler (40) x code (6))"
    assert estimate('sum(http_requests_total)').factor == "1 series"
