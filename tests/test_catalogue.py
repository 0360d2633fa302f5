"""The metric catalogue and this repository's dashboards agree: every query parses once Grafana's
variables are substituted, reads only catalogued metrics and labels, and every catalogued metric is
read by a dashboard (or says why not)."""

from __future__ import annotations

import json
import re

import promql_parser
import pytest

from conftest import REPO, SIMPLE
from dashgen.catalogue import load_catalogue
from dashgen.errors import InputErrors, Location

CATALOGUE = load_catalogue(REPO / "catalogue")
UNBOUNDED = re.compile(r"(trace|span|request|correlation|user|session)_?id$")
LABEL_VALUES = re.compile(r"^label_values\((?P<selector>.+),\s*(?P<label>\w+)\)$", re.S)


def substitute(expr: str) -> str:
    """Grafana's variables replaced by values of the right kind: durations in ranges, text elsewhere."""
    expr = re.sub(r"\$__(rate_interval|interval|range|auto)", "5m", expr)
    return re.sub(r"\$\{?(\w+)(?::\w+)?\}?", r"\1_value", expr)


def selectors(node):
    return (n for n in walk(node) if isinstance(n, promql_parser.VectorSelector))


def dashboards() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((REPO / "generated" / "dashboards").rglob("*.json"))]


def panels(dash: dict):
    for panel in dash["panels"]:
        yield panel
        yield from panel.get("panels", [])


def queries(language: str):
    """(where, query text) of every query in a `language` datasource, variables included."""
    for dash in dashboards():
        for panel in panels(dash):
            for target in panel.get("targets", []):
                if target["datasource"]["type"] == language:
                    yield f"{dash['uid']}: {panel['title']} {target['refId']}", target.get("expr") or target.get("query")
        for var in dash["templating"]["list"]:
            if var["type"] == "query" and var["datasource"]["type"] == language:
                match = LABEL_VALUES.match(var["query"])
                yield f"{dash['uid']}: ${var['name']}", match.group("selector") if match else var["query"]


def test_every_promql_parses_and_reads_only_catalogued_metrics_and_labels():
    found = list(queries("prometheus"))
    assert len(found) >= 40
    read = set()
    for where, expr in found:
        tree = promql_parser.parse(substitute(expr))
        for selector in selectors(tree):
            known = CATALOGUE.lookup(selector.name)
            assert known, f"{where}: metric {selector.name} is not in the catalogue"
            metric, labels = known
            read.add(metric.name)
            for matcher in selector.matchers.matchers:
                assert matcher.name in labels, f"{where}: {selector.name} has no label {matcher.name}"
        for node in walk(tree):
            for label in _grouping(node):
                assert label in CATALOGUE.labels, f"{where}: groups by unknown label {label}"
                assert not UNBOUNDED.search(label) and label not in ("device_id", "merchant_id"), (where, label)
    unread = {n for n, m in CATALOGUE.metrics.items() if n not in read and not m.used_elsewhere}
    assert unread == set(), "catalogued but read by no dashboard (set used_elsewhere to keep one)"


def walk(node):
    """`node` and every expression under it."""
    yield node
    for child in ("expr", "lhs", "rhs", "vector_selector", "param"):
        sub = getattr(node, child, None)
        if isinstance(sub, promql_parser.Expr):
            yield from walk(sub)
    for arg in getattr(node, "args", None) or []:
        yield from walk(arg)


def _grouping(node) -> list[str]:
    if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
        if node.modifier.type == promql_parser.AggModifierType.By:
            return list(node.modifier.labels)
    return []


# How Prometheus 3 writes a bucket bound: Go's shortest float, with ".0" when it has no point or exponent.
GO_BOUND = re.compile(r"\+Inf|-?(0|[1-9]\d*)(\.\d*[1-9])?")  # strconv.FormatFloat(bound, 'f', -1, 64)


def _rule_queries():
    import yaml

    for path in sorted((REPO / "generated" / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                yield f"{path.name}: {rule.get('alert') or rule.get('record')}", rule["expr"]


def test_every_le_matcher_is_written_as_prometheus_stores_it_from_the_metrics_path():
    """The services' histograms arrive over OTLP: le="2" (Go's shortest form; le="2.0" would match
    nothing). The scraped gauge histogram's bounds are stored as its exporter writes them: both forms."""
    checked = 0
    for where, expr in [*queries("prometheus"), *_rule_queries()]:
        for selector in selectors(promql_parser.parse(substitute(expr))):
            for matcher in selector.matchers.matchers:
                if matcher.name != "le":
                    continue
                metric = CATALOGUE.lookup(selector.name)[0]
                checked += 1
                if metric.type == "gaugehistogram":
                    bound = matcher.value.split("|")[0]
                    assert str(matcher.op) == "MatchOp.Re" and matcher.value == f"{bound}|{bound}\\.0", where
                else:
                    assert str(matcher.op) in ("MatchOp.Equal", "MatchOp.NotEqual") and GO_BOUND.fullmatch(
                        matcher.value), f'{where}: le="{matcher.value}" in {selector.name}; write it with dashgen.panels.bucket'
    assert checked >= 10


def test_every_loki_query_selects_streams_with_a_non_empty_matcher():
    found = list(queries("loki"))
    assert len(found) >= 3
    for where, expr in found:
        selector = re.search(r"\{([^}]*)\}", expr)  # the first stream selector, in log or metric queries
        assert selector, f"{where}: no stream selector"
        matchers = re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', selector.group(1))
        assert any(
            op == "=" and value or op == "=~" and not re.fullmatch(substitute(value).replace("_value", "x"), "")
            for _, op, value in matchers
        ), f"{where}: every matcher of {selector.group(0)} can match the empty string"


def test_catalogue_follows_the_telemetry_contract():
    for name, metric in CATALOGUE.metrics.items():
        if not metric.exporter:
            assert (metric.type == "counter") == name.endswith("_total"), f"{name}: counters and only counters end in _total"
            assert not re.search(r"_(ms|millis|milliseconds|minutes|hours)(_|$)", name), f"{name}: use base units"
        if metric.type in ("histogram", "gaugehistogram") and metric.unit == "seconds":
            assert name.endswith("_seconds"), name
        if "amount" in name:
            assert name.endswith("_minor_total") and metric.type == "counter", f"{name}: money is a minor-units counter"
        for label in metric.labels:
            assert not UNBOUNDED.search(label), f"{name}: {label} is an unbounded id"


def test_catalogue_errors_are_located(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "labels: {env: 3}\nmetrics:\n  x_total: {type: counter, unit: requests, help: X., labels: [env, zone]}\n"
        "  y: {type: gauge, unit: bytes}\n  z_total: {type: countr, unit: requests, help: Z.}\n"
    )
    (tmp_path / "b.yaml").write_text("metrics:\n  x_total: {type: counter, unit: requests, help: X.}\n")
    with pytest.raises(InputErrors) as failed:
        load_catalogue(tmp_path, shown="cat")
    assert [str(e) for e in failed.value.errors] == [
        "cat/a.yaml: metric y: help is required",
        "cat/a.yaml: metric z_total: type must be one of counter, gauge, histogram, gaugehistogram, summary, not 'countr'",
        "cat/b.yaml: metric x_total is also defined in cat/a.yaml",
        "cat/a.yaml: metric x_total: label zone has no count under 'labels'",
    ]


def test_a_gauge_histogram_has_the_series_openmetrics_exposes():
    """_gcount and _gsum, as Prometheus stores a scraped gauge histogram; _count and _sum are not its."""
    heartbeat = CATALOGUE.metrics["device_heartbeat_age_seconds"]
    assert heartbeat.type == "gaugehistogram"
    for suffix, extra in (("_bucket", ("le",)), ("_gcount", ()), ("_gsum", ())):
        assert CATALOGUE.lookup(heartbeat.name + suffix) == (heartbeat, heartbeat.labels + extra), suffix
    assert CATALOGUE.lookup(heartbeat.name + "_count") is None and CATALOGUE.lookup(heartbeat.name + "_sum") is None


GOOD = "labels: {env: 3}\nmetrics:\n  up: {type: gauge, unit: bool, help: Target is up., labels: [env]}\n"


@pytest.mark.parametrize("text, errors", [
    ("labels: 5\n", ["cat.yaml: labels must be a mapping of label name to count, not 5"]),
    ("labels: !!set {env, job}\n", ["cat.yaml: labels must be a mapping of label name to count, not a set {'env', 'job'}"]),
    ("labels: [env, job]\n", ["cat.yaml: labels must be a mapping of label name to count, not a list ['env', 'job']"]),
    ("labels: {env: true}\n", ["cat.yaml: label env: expected a positive count, not True"]),
    ("labels: {env: .nan}\n", ["cat.yaml: label env: expected a positive count, not nan"]),
    ("labels: {3: 4}\n", ["cat.yaml: label 3 is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"]),
    ('labels: {"env\\n": 3}\n', ["cat.yaml: label 'env\\n' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"]),
    ("metrics: [up]\n", ["cat.yaml: metrics must be a mapping of metric name to its entry, not a list ['up']"]),
    ("metrics: !!set {up}\n", ["cat.yaml: metrics must be a mapping of metric name to its entry, not a set {'up'}"]),
    ('metrics: {"up\\n": {type: gauge, unit: bool, help: Up.}}\n',
     ["cat.yaml: metric 'up\\n' is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"]),
    ("metrics: {up: {type: gauge, unit: bool, help: Up., 5: x}}\n",
     ["cat.yaml: metric up: unknown key 5; known: exporter, help, labels, recording_rule, type, unit, used_elsewhere"]),
    ("metrics: {up: {type: [gauge], unit: bool, help: Up.}}\n",
     ["cat.yaml: metric up: type must be one of counter, gauge, histogram, gaugehistogram, summary, not a list"
      " ['gauge']"]),
    ("metrics: {up: {type: gauge, unit: bool, help: Up., exporter: {a: 1}}}\n",
     ["cat.yaml: metric up: exporter must be text, not a dict {'a': 1}"]),
    ("labels:\n" + "  [\n" * 5000 + "  ]\n" * 5000, ["cat.yaml:33: nested more than 32 levels deep; a catalogue needs 4"]),
    ("labels:\n" + "".join(f"{'  ' * i}l{i}:\n" for i in range(1, 40)) + "\n",
     ["cat.yaml:33: nested more than 32 levels deep; a catalogue needs 4"]),
])
def test_a_malformed_catalogue_is_a_located_error_never_a_traceback(project, cli, text, errors):
    project.write("dashboards/simple.py", SIMPLE)
    (project.root / "catalogue").mkdir()
    (project.root / "catalogue" / "cat.yaml").write_text(text)
    code, out, err = cli("-C", str(project.root), "lint")
    count = f"{len(errors)} error{'s' if len(errors) > 1 else ''}"
    assert (code, out, err.splitlines()) == (2, "", [f"error: catalogue/{e}" for e in errors] + [count])


def test_a_catalogue_nested_thousands_deep_on_one_line_is_a_located_error(project, cli):
    """On one line, libyaml's scanner reads ahead and meets its own limit (1,000) before dashgen's."""
    project.write("dashboards/simple.py", SIMPLE)
    (project.root / "catalogue").mkdir()
    (project.root / "catalogue" / "cat.yaml").write_text("labels: " + "[" * 100_000 + "]" * 100_000 + "\n")
    code, out, err = cli("-C", str(project.root), "lint")
    (line, count) = err.splitlines()
    assert (code, out, count) == (2, "", "1 error")
    assert line.startswith("error: catalogue/cat.yaml:1: ") and "nest" in line


def test_a_catalogue_that_is_not_utf8_is_a_located_error(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    (project.root / "catalogue").mkdir()
    (project.root / "catalogue" / "cat.yaml").write_bytes(GOOD.encode() + b"# caf\xe9\n")
    code, out, err = cli("-C", str(project.root), "lint")
    assert (code, out, err) == (2, "", f"error: catalogue/cat.yaml: is not UTF-8 text (byte 0xe9 at offset"
                                       f" {len(GOOD) + 5})\n1 error\n")


def test_a_catalogue_of_aliases_is_shown_short(project, cli):
    """YAML aliases make a value of billions of items out of a few lines: a message shows its start."""
    lines = ["l0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    project.write("dashboards/simple.py", SIMPLE)
    (project.root / "catalogue").mkdir()
    (project.root / "catalogue" / "cat.yaml").write_text("labels:\n" + "".join(f"  {line}\n" for line in lines))
    code, out, err = cli("-C", str(project.root), "lint")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: catalogue/cat.yaml: label l0: expected a positive count, not a list ['x', 'x', 'x', 'x', ...]",
        *(f"error: catalogue/cat.yaml: label l{i}: expected a positive count, not a list [[...], [...], [...], [...],"
          " ...]" for i in range(1, 12)),
        "12 errors",
    ]


def test_every_mistake_of_a_catalogue_file_is_told(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "labels: {env: 3}\nmetric:\n  x: 1\nmetrics:\n"
        "  up: {typ: gauge, unit: 5, help: ' ', labels: [env]}\n"
        "  ok_total: {type: counter, unit: requests, help: Fine., exporter: [x]}\n"
    )
    with pytest.raises(InputErrors) as failed:
        load_catalogue(tmp_path, shown="cat")
    assert [(e.location, e.message) for e in failed.value.errors] == [
        (Location("cat/a.yaml"), "unknown key 'metric'; did you mean 'metrics'? known: labels, metrics"),
        (Location("cat/a.yaml"), "metric up: unknown key 'typ'; did you mean 'type'? known: exporter, help, labels,"
                                 " recording_rule, type, unit, used_elsewhere"),
        (Location("cat/a.yaml"), "metric up: type is required"),
        (Location("cat/a.yaml"), "metric up: unit must be a word such as 'seconds' or 'requests', not 5"),
        (Location("cat/a.yaml"), "metric up: help must be a sentence saying what the metric counts, not ' '"),
        (Location("cat/a.yaml"), "metric ok_total: exporter must be text, not a list ['x']"),
    ]


def test_a_valid_catalogue_loads_to_the_same_objects(tmp_path):
    from dashgen.catalogue import Catalogue, Metric

    (tmp_path / "a.yaml").write_text(
        "labels: {env: 3, le: 12}\nmetrics:\n"
        "  up: {type: gauge, unit: bool, help: '  Target is up. ', labels: [env]}\n"
        "  job:rate5m: {type: gauge, unit: rps, help: Rate., recording_rule: ' sum(rate(x[5m])) ',"
        " used_elsewhere: alerts}\n"
        "  node_load1: {type: gauge, unit: load, help: Load., exporter: node_exporter}\n"
    )
    assert load_catalogue(tmp_path, shown="cat") == Catalogue(labels={"env": 3, "le": 12}, metrics={
        "up": Metric("up", "gauge", "bool", "Target is up.", ("env",), "cat/a.yaml"),
        "job:rate5m": Metric("job:rate5m", "gauge", "rps", "Rate.", (), "cat/a.yaml",
                             recording_rule="sum(rate(x[5m]))", used_elsewhere="alerts"),
        "node_load1": Metric("node_load1", "gauge", "load", "Load.", (), "cat/a.yaml", exporter="node_exporter"),
    })
