"""Datasources as code: the provisioning files, the links between the three datasources, and a
located error for every broken cross-reference, regex, query, secret or escape."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from conftest import REPO, SIMPLE
from dashgen.datasources.checks import compile_re2
from dashgen.datasources.interpolation import escape, expand

ENVIRONMENTS = ("local", "production", "staging")


def provisioned(env: str) -> dict:
    text = (REPO / "generated" / "provisioning" / env / "datasources" / "dashgen.yaml").read_text()
    return yaml.safe_load(text)


def as_grafana_reads_it(env: str) -> dict:
    """The datasources after Grafana's interpolation, with an environment that defines nothing."""
    return {d["uid"]: expand(d, {}) for d in provisioned(env)["datasources"]}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_provisions_the_three_datasources_linked_to_each_other(env):
    data = provisioned(env)
    assert data["apiVersion"] == 1 and data["prune"] is True
    by_uid = as_grafana_reads_it(env)
    assert {uid: d["type"] for uid, d in by_uid.items()} == {"prometheus": "prometheus", "loki": "loki", "tempo": "tempo"}
    assert all(d["editable"] is False for d in by_uid.values())
    assert [d["uid"] for d in by_uid.values() if d["isDefault"]] == ["prometheus"]
    tempo, loki, prometheus = by_uid["tempo"]["jsonData"], by_uid["loki"]["jsonData"], by_uid["prometheus"]["jsonData"]
    links = {
        "tempo -> loki": tempo["tracesToLogsV2"]["datasourceUid"],
        "tempo -> prometheus": tempo["tracesToMetrics"]["datasourceUid"],
        "tempo service map": tempo["serviceMap"]["datasourceUid"],
        "loki -> tempo": {f["datasourceUid"] for f in loki["derivedFields"]},
        "prometheus exemplars -> tempo": {e["datasourceUid"] for e in prometheus["exemplarTraceIdDestinations"]},
    }
    assert links == {
        "tempo -> loki": "loki", "tempo -> prometheus": "prometheus", "tempo service map": "prometheus",
        "loki -> tempo": {"tempo"}, "prometheus exemplars -> tempo": {"tempo"},
    }
    assert prometheus["exemplarTraceIdDestinations"][0]["name"] == "trace_id"
    assert tempo["tracesToLogsV2"]["tags"][0] == {"key": "service.name", "value": "service"}


def test_environments_get_their_own_urls():
    assert as_grafana_reads_it("local")["loki"]["url"] == "http://loki:3100"
    assert as_grafana_reads_it("staging")["loki"]["url"] == "http://loki.mpac-obs.staging.local:3100"


def test_link_templates_survive_grafanas_interpolation():
    raw = (REPO / "generated" / "provisioning" / "local" / "datasources" / "dashgen.yaml").read_text()
    assert "url: $${__value.raw}" in raw and "{$$__tags}" in raw
    loki, tempo = as_grafana_reads_it("local")["loki"], as_grafana_reads_it("local")["tempo"]
    assert {f["url"] for f in loki["jsonData"]["derivedFields"]} == {"${__value.raw}"}
    assert all("{$__tags" in q["query"] for q in tempo["jsonData"]["tracesToMetrics"]["queries"])


def test_a_json_log_line_yields_its_trace_id_through_the_derived_field():
    line = '{"level":"error","service":"svc-smarttab","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"payment failed"}'
    (field,) = [f for f in as_grafana_reads_it("local")["loki"]["jsonData"]["derivedFields"] if f["matcherType"] == "regex"]
    match = compile_re2(field["matcherRegex"]).search(line)
    assert match.group(1) == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_escape_and_expand_follow_grafanas_rules():
    assert expand(escape("${__value.raw} costs $5"), {"__value": "x"}) == "${__value.raw} costs $5"
    assert expand("$LOKI_PASSWORD", {"LOKI_PASSWORD": "s3cret"}) == "s3cret"
    assert expand("${__value.raw}", {}) == ""  # what an unescaped template becomes


DATASOURCES = """
    from dashgen.datasources import (
        DerivedField, ExemplarLink, Loki, MetricsQuery, Prometheus, SampleLine, TagMapping, Tempo, TraceToLogs,
        TraceToMetrics,
    )
    LINE = SampleLine('{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}', trace_id="4bf92f3577b34da6a3ce929d0e0e4736")
    PROMETHEUS = Prometheus(uid="prometheus", name="Prometheus", url="http://prometheus:9090", is_default=True,
                            exemplars=(ExemplarLink(tempo_uid="tempo"),))
    LOKI = Loki(uid="loki", name="Loki", url="http://loki:3100", secrets={},
                derived_fields=(DerivedField(name="TraceID", tempo_uid="tempo", regex=r'"trace_id":"(\\w+)"', samples=(LINE,)),))
    TEMPO = Tempo(uid="tempo", name="Tempo", url="http://tempo:3200",
                  traces_to_logs=TraceToLogs(loki_uid="loki", tags=(TagMapping("service.name", "service"),)),
                  traces_to_metrics=TraceToMetrics(prometheus_uid="prometheus",
                                                   queries=(MetricsQuery("Rate", "sum(rate(x_total{$__tags}[5m]))"),)))
    datasources = [PROMETHEUS, LOKI, TEMPO]
"""

BREAKS = {
    "unknown link": (
        'ExemplarLink(tempo_uid="tempo")', 'ExemplarLink(tempo_uid="tempo2")',
        "datasources/stack.py: datasource 'prometheus': exemplarTraceIdDestinations trace_id links to 'tempo2',"
        " which is not defined (known: loki, prometheus, tempo)",
    ),
    "link of the wrong type": (
        'TraceToLogs(loki_uid="loki"', 'TraceToLogs(loki_uid="prometheus"',
        "datasources/stack.py: datasource 'tempo': tracesToLogsV2 links to 'prometheus', a prometheus datasource,"
        " where a loki one is needed",
    ),
    "look-ahead": (
        r'"trace_id":"(\w+)"', r'"trace_id":"(?=[0-9a-f])(\w+)"',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '"trace_id":"(?=[0-9a-f])(\\\\w+)"'"""
        " is not valid RE2: invalid perl operator: (?=",
    ),
    "two groups": (
        r'"trace_id":"(\w+)"', r'"(trace_id)":"(\w+)"',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '"(trace_id)":"(\\\\w+)"' has 2"""
        " capture groups; it needs exactly one, around the trace id",
    ),
    "sample not matched": (
        r'"trace_id":"(\w+)"', r'"traceId":"(\w+)"',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex finds None instead of"""
        """ '4bf92f3577b34da6a3ce929d0e0e4736' in sample line '{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}'""",
    ),
    "no samples": (
        "samples=(LINE,)", "samples=()",
        "datasources/stack.py: datasource 'loki': derived field 'TraceID': declare sample log lines (samples=...)"
        " that the regex must find a trace id in",
    ),
    "bad promql": (
        "sum(rate(x_total{$__tags}[5m]))", "sum(rate(x_total{$__tags}[5m])",
        "datasources/stack.py: datasource 'tempo': tracesToMetrics query 'Rate': invalid PromQL ($__tags replaced"
        " by a matcher): unclosed left parenthesis",
    ),
    "query ignores the span": (
        "sum(rate(x_total{$__tags}[5m]))", "sum(rate(x_total[5m]))",
        "datasources/stack.py: datasource 'tempo': tracesToMetrics query 'Rate': does not use $__tags, so it would"
        " ignore the span it is opened from",
    ),
    "secret as a value": (
        "secrets={}", 'secrets={"basicAuthPassword": "hunter2"}',
        "datasources/stack.py: datasource 'loki': secret 'basicAuthPassword' must be an environment variable"
        " reference such as $LOKI_PASSWORD, never a value",
    ),
    "escaped already": (
        'tempo_uid="tempo", regex', 'tempo_uid="tempo", url="$${__value.raw}", regex',
        "datasources/stack.py: datasource 'loki': '$${__value.raw}' is escaped already; write templates as Grafana"
        " shows them (${__value.raw}, $__tags): dashgen doubles each $ for provisioning",
    ),
    "two defaults": (
        'url="http://loki:3100",', 'url="http://loki:3100", is_default=True,',
        "datasources/stack.py: datasource 'loki': only one datasource can be the default ('prometheus' already is)",
    ),
}


def _project_with_datasources(project, source: str):
    project.write("datasources/stack.py", source)
    project.write("dashboards/simple.py", SIMPLE)


def test_the_example_stack_builds(project, cli):
    _project_with_datasources(project, DATASOURCES)
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (0, "")
    assert (project.root / "generated/provisioning/default/datasources/dashgen.yaml").is_file()


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_a_broken_definition_is_one_located_error(project, cli, case):
    old, new, message = BREAKS[case]
    source = textwrap.dedent(DATASOURCES)
    assert old in source, old
    _project_with_datasources(project, source.replace(old, new))
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [f"error: {message}", "1 error"]


def test_dashboards_may_only_reference_defined_datasources(project, cli):
    _project_with_datasources(project, DATASOURCES)
    project.write("dashboards/logs.py", """
        from grafanalib.core import Dashboard
        from dashgen.panels import LokiQuery, logs
        dashboard = Dashboard(title="L", uid="l", panels=[
            logs("Logs", "Lines.", [LokiQuery('{app="x"}')], datasource={"type": "loki", "uid": "lokii"}),
            logs("More", "Lines.", [LokiQuery('{app="x"}')], datasource={"type": "prometheus", "uid": "loki"}),
        ])
    """)
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [
        "error: dashboards/logs.py: dashboard 'l', panel 'Logs': datasource 'lokii' is not defined under"
        " datasources/ (known: loki, prometheus, tempo)",
        "error: dashboards/logs.py: dashboard 'l', panel 'More': datasource 'loki' is a loki datasource, but the"
        " reference says 'prometheus'",
        "2 errors",
    ]


@pytest.mark.parametrize("table, message", [
    ('[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n[tool.dashgen.environments.dev.datasources]\n'
     'lokii = { url = "http://loki:3100" }\n',
     "pyproject.toml [tool.dashgen.environments.dev.datasources]: 'lokii' is not a datasource (known: loki,"
     " prometheus, tempo)"),
    ('[tool.dashgen.environments.dev]\nurl = "grafana.local"\n',
     "pyproject.toml [tool.dashgen.environments.dev]: url must be an http(s) URL of the Grafana, not 'grafana.local'"),
    ('[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\ntoken = "glsa_abc"\n',
     "pyproject.toml [tool.dashgen.environments.dev]: unknown key 'token'; known: allow_http, basic_auth_env,"
     " datasources, folder, timeout_s, token_env, url"),
    ('[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n[tool.dashgen.environments.dev.datasources]\n'
     'loki = "http://loki:3100"\n',
     "pyproject.toml [tool.dashgen.environments.dev]: datasources.loki must be { url = \"http(s)://...\" }, not"
     " 'http://loki:3100'"),
])
def test_a_wrong_environment_is_one_located_error(project, cli, table, message):
    _project_with_datasources(project, DATASOURCES)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + table)
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines()[0] == f"error: {message}"


def test_an_environment_without_a_url_for_a_datasource_is_an_error(project, cli):
    _project_with_datasources(project, DATASOURCES.replace('url="http://tempo:3200",', ""))
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines()[0] == (
        "error: pyproject.toml [tool.dashgen.environments.dev.datasources]: no url for datasource 'tempo',"
        " and its definition in datasources/stack.py gives none"
    )
