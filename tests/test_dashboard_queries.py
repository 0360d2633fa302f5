"""The PromQL in this repository's dashboards parses once Grafana's variables are substituted, and
reads only metrics and labels that catalogue/metrics.yaml documents."""

from __future__ import annotations

import json
import re

import promql_parser
import yaml

from conftest import REPO

CATALOGUE = yaml.safe_load((REPO / "catalogue" / "metrics.yaml").read_text())
HISTOGRAM_SERIES = ("_bucket", "_sum", "_count")


def _substitute(expr: str) -> str:
    """Grafana's variables replaced by values of the right kind: durations in ranges, text elsewhere."""
    expr = re.sub(r"\$__(rate_interval|interval|range)", "5m", expr)
    return re.sub(r"\$\{?(\w+)\}?", r"\1_value", expr)


def _selectors(node):
    if isinstance(node, promql_parser.VectorSelector):
        yield node
    for child in ("expr", "lhs", "rhs", "vector_selector", "param"):
        sub = getattr(node, child, None)
        if isinstance(sub, promql_parser.Expr):
            yield from _selectors(sub)
    for arg in getattr(node, "args", None) or []:
        yield from _selectors(arg)


def _promql():
    for path in sorted((REPO / "generated" / "dashboards").rglob("*.json")):
        dash = json.loads(path.read_text())
        for panel in dash["panels"]:
            for target in panel.get("targets", []):
                if target["datasource"]["type"] == "prometheus":
                    yield f"{dash['uid']}/{panel['title']}/{target['refId']}", target["expr"]


def _catalogued(name: str) -> dict | None:
    if name in CATALOGUE["metrics"]:
        return CATALOGUE["metrics"][name]
    for suffix in HISTOGRAM_SERIES:
        base = CATALOGUE["metrics"].get(name.removesuffix(suffix))
        if name.endswith(suffix) and base and base["type"] == "histogram":
            return {**base, "labels": base["labels"] + (["le"] if suffix == "_bucket" else [])}
    return None


def test_every_promql_parses_and_reads_catalogued_metrics():
    queries = list(_promql())
    assert len(queries) >= 10
    for where, expr in queries:
        tree = promql_parser.parse(_substitute(expr))
        for selector in _selectors(tree):
            metric = _catalogued(selector.name)
            assert metric, f"{where}: metric {selector.name} is not in catalogue/metrics.yaml"
            for matcher in selector.matchers.matchers:
                assert matcher.name in metric["labels"], f"{where}: {selector.name} has no label {matcher.name}"


def test_catalogue_follows_the_telemetry_contract():
    forbidden = re.compile(r"(trace|span|request|correlation|user|session)_?id$")
    for name, metric in CATALOGUE["metrics"].items():
        assert metric["type"] in {"counter", "gauge", "histogram", "summary"}, name
        assert (metric["type"] == "counter") == name.endswith("_total"), name
        if metric["type"] == "histogram":
            assert name.endswith("_seconds") or metric["unit"] != "seconds", name
        assert metric["help"] and metric["unit"], name
        for label in metric["labels"]:
            assert label in CATALOGUE["labels"], f"{name}: label {label} has no expected cardinality"
            assert not forbidden.search(label), f"{name}: {label} is an unbounded id"
