"""Datasources as code: the provisioning files, the links between the three datasources, and a
located error for every broken cross-reference, regex, query, secret, escape, setting or type."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import shutil
import subprocess
import textwrap

import pytest
import yaml

from conftest import REPO, SIMPLE
from dashgen.datasources.interpolation import REFERENCE, escape, expand
from dashgen.datasources.model import SampleLine
from dashgen.datasources.regexes import (
    compile_javascript_like, compile_re2, javascript_problem, regex_problems,
)

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
    assert {f["name"]: f["matcherRegex"] for f in loki["derivedFields"] if f["matcherType"] == "label"} == {
        "trace_id": "^trace_id$"  # Grafana tests it unanchored against label names
    }
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


def _node_first_group(pattern: str, line: str):
    """What Grafana's browser code does: `line.match(matcherRegex)`, then the first group."""
    script = "const [p, l] = process.argv.slice(1); const m = l.match(p); console.log(JSON.stringify(m && m[1]))"
    run = subprocess.run(["node", "-e", script, pattern, line], capture_output=True, check=True, text=True)
    return json.loads(run.stdout)


def _first_group(engine: str, pattern: str, line: str):
    if engine == "node":
        return _node_first_group(pattern, line)
    match = (compile_re2 if engine == "RE2" else compile_javascript_like)(pattern).search(line)
    return match.group(1) if match else None


NODE = pytest.param("node", marks=pytest.mark.skipif(not shutil.which("node"), reason="node is not on PATH"))
ENGINES = ["RE2", "Python re", NODE]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_json_log_line_yields_its_trace_id_through_the_derived_field(engine):
    line = '{"level":"error","service":"svc-smarttab","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"payment failed"}'
    (field,) = [f for f in as_grafana_reads_it("local")["loki"]["jsonData"]["derivedFields"] if f["matcherType"] == "regex"]
    assert _first_group(engine, field["matcherRegex"], line) == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_the_label_field_matches_its_label_only():
    fields = as_grafana_reads_it("local")["loki"]["jsonData"]["derivedFields"]
    (field,) = [f for f in fields if f["matcherType"] == "label"]
    labels = ["parent_trace_id", "trace_id_hash", "trace_id"]
    assert [name for name in labels if re.search(field["matcherRegex"], name)] == ["trace_id"]


def test_javascript_and_re2_must_agree_on_the_sample_lines():
    line = "trace=4bf92f35\x0b77b34da6"  # a vertical tab: RE2's \s does not match it, JavaScript's does
    assert regex_problems(r"trace=([^\s]+)", (SampleLine(line, trace_id="4bf92f35\x0b77b34da6"),)) == [
        "regex finds '4bf92f35' in JavaScript (checked with Python's re) instead of '4bf92f35\\x0b77b34da6' in"
        " sample line 'trace=4bf92f35\\x0b77b34da6'"
    ]


@pytest.mark.parametrize("pattern, problem", [
    (r"\A(\w+)", r"\A is the letter A in JavaScript; use ^"),
    (r"(\w+)\C", r"\C is the letter C in JavaScript; use ."),
    (r"\Qtrace.id\E=(\w+)", r"\Q...\E quoting is not JavaScript; escape each special character with \ instead"),
    (r"(\pL+)", r"\p{...} classes need JavaScript's u flag, which Grafana does not set; list the characters"),
    (r"\x{22}(\w+)", r"\x{...} is x repeated in JavaScript; write \xHH"),
    (r"(\w{,32})", r"{,32} is literal text in JavaScript and RE2 but a repetition in other engines; write {0,n} for a"
                    r" repetition, \{ for a brace"),
    (r"([]a-f0-9]+)", r"']' first in a class closes it in JavaScript ([] matches nothing, [^] anything); write \]"),
    (r"(?s:.)(\w+)", "inline flags (?s:...) are not JavaScript (and Grafana sets no flags); match both cases with"
                      " classes such as [iI][dD]"),
    (r"(\w{32}+)", "possessive quantifier }+ is not JavaScript"),
    (r"(?>a)(\w+)", "(?> (atomic groups and comments) is not JavaScript"),
    (r"([[:^space:]]+)", "POSIX class [:^space:] is not JavaScript, where it matches other characters; write a"
                         " negated class such as [^0-9]"),
    (r'"trace_id":"(?<id>\w+)"', ""),
    (r"([\]a-f0-9]+)", ""),
    (r"(?:trace|span)_id=([0-9a-f]{16,32}?)\b", ""),
])
def test_constructs_javascript_lacks_or_reads_differently_are_refused(pattern, problem):
    assert javascript_problem(pattern) == problem


@pytest.mark.parametrize("value", ["$LOKI_PASSWORD", "${LOKI_PASSWORD}", "$__env{LOKI_PASSWORD}",
                                   "$__file{/run/secrets/loki}", "$__vault{kv:secret/loki:password}"])
def test_secrets_may_be_any_reference_grafana_expands(value):
    assert REFERENCE.match(value)


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
    "inline flags": (
        r'"trace_id":"(\w+)"', r'(?i)"TRACE_ID":"(\w+)"',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '(?i)"TRACE_ID":"(\\\\w+)"' does"""
        " not work in JavaScript, in which Grafana applies it (in the browser): inline flags (?i) are not JavaScript"
        " (and Grafana sets no flags); match both cases with classes such as [iI][dD]",
    ),
    "python named group": (
        r'"trace_id":"(\w+)"', r'"trace_id":"(?P<id>\w+)"',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '"trace_id":"(?P<id>\\\\w+)"'"""
        " does not work in JavaScript, in which Grafana applies it (in the browser): (?P< is not JavaScript; write a"
        " plain group, or (?<name>...) for a named one",
    ),
    "posix class": (
        r'"trace_id":"(\w+)"', r'"trace_id":"([[:xdigit:]]+)"',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '"trace_id":"([[:xdigit:]]+)"'"""
        " does not work in JavaScript, in which Grafana applies it (in the browser): POSIX class [:xdigit:] is not"
        " JavaScript, where it matches other characters; write [0-9a-fA-F]",
    ),
    "end of text": (
        r'"trace_id":"(\w+)"', r'"trace_id":"(\w+)"}\z',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '"trace_id":"(\\\\w+)"}\\\\z'"""
        " does not work in JavaScript, in which Grafana applies it (in the browser): \\z is the letter z in"
        " JavaScript; use $",
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
        "datasources/stack.py: datasource 'loki': secret 'basicAuthPassword' must be a reference such as"
        " $LOKI_PASSWORD, $__env{LOKI_PASSWORD} or $__file{/run/secrets/loki}, never a value",
    ),
    "escaped already": (
        'tempo_uid="tempo", regex', 'tempo_uid="tempo", url="$${__value.raw}", regex',
        "datasources/stack.py: datasource 'loki': '$${__value.raw}' is escaped already; write templates as Grafana"
        " shows them (${__value.raw}, $__tags): dashgen doubles each $ for provisioning",
    ),
    "derived field twice": (
        "samples=(LINE,)),))", 'samples=(LINE,)), DerivedField(name="TraceID", tempo_uid="tempo", label="trace_id"),))',
        "datasources/stack.py: datasource 'loki': derived field 'TraceID' is defined twice; Grafana groups derived"
        " fields by name and applies only the first one's matcher",
    ),
    "label field with samples": (
        r"""regex=r'"trace_id":"(\w+)"'""", 'label="trace_id"',
        "datasources/stack.py: datasource 'loki': derived field 'TraceID': samples are for regex fields; a label"
        " field takes the label's whole value, not part of the line",
    ),
    "label that is not a label name": (
        r"""regex=r'"trace_id":"(\w+)"', samples=(LINE,)""", 'label="trace.id"',
        "datasources/stack.py: datasource 'loki': derived field 'TraceID': label 'trace.id' is not a label name"
        " ([a-zA-Z_][a-zA-Z0-9_]*)",
    ),
    "url without scheme": (
        'url="http://loki:3100"', 'url="loki 3100"',
        "datasources/stack.py: datasource 'loki': url 'loki 3100' is not an http(s) URL such as http://loki:3100",
    ),
    "url with a variable": (
        'url="http://loki:3100"', 'url="http://$LOKI_HOST:3100"',
        "datasources/stack.py: datasource 'loki': url 'http://$LOKI_HOST:3100' contains '$', which dashgen would"
        " write as a literal '$' (Grafana expands $NAME in provisioning files); give each environment its URL in"
        " pyproject.toml",
    ),
    "direct access": (
        'url="http://loki:3100",', 'url="http://loki:3100", access="direct",',
        "datasources/stack.py: datasource 'loki': access 'direct' is not supported; use 'proxy' (browser access,"
        " 'direct', is deprecated in Grafana, and Loki and Tempo never supported it)",
    ),
    "password in the user": (
        "secrets={}", 'basic_auth_user="grafana:s3cret", secrets={"basicAuthPassword": "$LOKI_PASSWORD"}',
        "datasources/stack.py: datasource 'loki': basic_auth_user holds a ':'; give the user name only, its password"
        " as secrets={'basicAuthPassword': '$VAR'}",
    ),
    "variable inside the user": (
        "secrets={}", 'basic_auth_user="grafana-$ENV", secrets={"basicAuthPassword": "$LOKI_PASSWORD"}',
        "datasources/stack.py: datasource 'loki': basic_auth_user 'grafana-$ENV' mixes text and '$'; give a user"
        " name, or one reference such as $LOKI_USER that Grafana expands",
    ),
    "user without password": (
        "secrets={}", 'basic_auth_user="grafana", secrets={}',
        "datasources/stack.py: datasource 'loki': basic_auth_user needs its password as"
        " secrets={'basicAuthPassword': '$VAR'}",
    ),
    "http method": (
        "is_default=True,", 'is_default=True, http_method="PUT",',
        "datasources/stack.py: datasource 'prometheus': http_method 'PUT' must be 'POST' or 'GET'",
    ),
    "flavour": (
        "is_default=True,", 'is_default=True, flavour="VictoriaMetrics",',
        "datasources/stack.py: datasource 'prometheus': flavour 'VictoriaMetrics' must be one of Prometheus, Cortex,"
        " Mimir, Thanos",
    ),
    "version": (
        "is_default=True,", 'is_default=True, version="3.8",',
        "datasources/stack.py: datasource 'prometheus': version '3.8' is not a semver version such as 3.8.0",
    ),
    "scrape interval": (
        "is_default=True,", 'is_default=True, scrape_interval="1m30s",',
        "datasources/stack.py: datasource 'prometheus': scrape_interval '1m30s' is not a duration Grafana accepts"
        " here: one number and one unit, such as 15s or 1m",
    ),
    "max lines": (
        "secrets={},", "secrets={}, max_lines=0,",
        "datasources/stack.py: datasource 'loki': max_lines must be at least 1, not 0",
    ),
    "query without a name": (
        'MetricsQuery("Rate"', 'MetricsQuery(" "',
        "datasources/stack.py: datasource 'tempo': tracesToMetrics query 1 has no name; Grafana lists the queries"
        " by name",
    ),
    "tag without a key": (
        'TagMapping("service.name", "service")', 'TagMapping("", "service")',
        "datasources/stack.py: datasource 'tempo': tracesToLogsV2 tag 1 has an empty key; give the span attribute,"
        " e.g. service.name",
    ),
    "tag mapped to a non-label": (
        'TagMapping("service.name", "service")', 'TagMapping("service.name", "service.name")',
        "datasources/stack.py: datasource 'tempo': tracesToLogsV2 tag 'service.name' maps to 'service.name', which"
        " is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)",
    ),
    "trace query shift": (
        'url="http://tempo:3200",', 'url="http://tempo:3200", trace_query_start_shift="-1h",',
        "datasources/stack.py: datasource 'tempo': trace_query_start_shift '-1h' must be positive, such as '1h': "
        "Grafana looks a trace id up in [from - start shift, to + end shift], so a negative value narrows the "
        "range and misses traces near its start (unlike the span shifts of tracesToLogsV2 and tracesToMetrics, "
        "where -5m means earlier)",
    ),
    "tags as a string": (
        'tags=(TagMapping("service.name", "service"),)', 'tags="service.name"',
        "datasources/stack.py:11: TypeError: TraceToLogs.tags must be TagMapping objects (a tuple of them), not a"
        " str 'service.name'",
    ),
    "max lines as a string": (
        "secrets={},", 'secrets={}, max_lines="1000",',
        "datasources/stack.py:8: TypeError: Loki.max_lines must be an int, not a str '1000'",
    ),
    "bare datasource": (
        "datasources = [PROMETHEUS, LOKI, TEMPO]",
        "from dashgen.datasources.model import Datasource\n"
        'datasources = [PROMETHEUS, LOKI, TEMPO, Datasource("x", "X")]',
        "datasources/stack.py:15: TypeError: Datasource is the base of Prometheus, Loki and Tempo; define one of those",
    ),
    "not a datasource kind": (
        "datasources = [PROMETHEUS, LOKI, TEMPO]",
        "from dashgen.datasources.model import Datasource\nclass Mine(Datasource):\n    pass\n"
        'datasources = [PROMETHEUS, LOKI, TEMPO, Mine("x", "X")]',
        "datasources/stack.py:17: 'datasources' holds a Mine (item 4); it must be a list of Prometheus, Loki and"
        " Tempo objects from dashgen.datasources",
    ),
    "credentials in the url": (
        'url="http://prometheus:9090"', 'url="http://admin:pw@prometheus:9090"',
        "datasources/stack.py: datasource 'prometheus': url has user:password in the URL, which would be written into"
        " the provisioning file; give the user as basic_auth_user and the password as"
        " secrets={'basicAuthPassword': '$VAR'}",
    ),
    "credentials in a url with a variable": (
        'url="http://prometheus:9090"', 'url="http://admin:pa$$w0rd@prometheus:9090"',
        "datasources/stack.py: datasource 'prometheus': url has user:password in the URL, which would be written into"
        " the provisioning file; give the user as basic_auth_user and the password as"
        " secrets={'basicAuthPassword': '$VAR'}",
    ),
    "url ending in a newline": (
        'url="http://loki:3100"', 'url="http://loki:3100\\n"',
        "datasources/stack.py: datasource 'loki': url 'http://loki:3100\\n' holds whitespace or a control character",
    ),
    "url with a port out of range": (
        'url="http://loki:3100"', 'url="http://loki:310000"',
        "datasources/stack.py: datasource 'loki': url 'http://loki:310000' has port 310000; a port is a number from 1"
        " to 65535",
    ),
    "url with an unclosed IPv6 address": (
        'url="http://loki:3100"', 'url="http://[::1:3100"',
        "datasources/stack.py: datasource 'loki': url 'http://[::1:3100' is not a valid URL: an IPv6 address is"
        " written in [], as in http://[::1]:3000",
    ),
    "name with a newline": (
        'name="Loki"', 'name="Loki\\n"',
        "datasources/stack.py: datasource 'loki': name 'Loki\\n' holds a control character (a newline?)",
    ),
    "secret with a final newline": (
        "secrets={}", 'basic_auth_user="grafana", secrets={"basicAuthPassword": "$LOKI_PASSWORD\\n"}',
        "datasources/stack.py: datasource 'loki': secret 'basicAuthPassword' must be a reference such as"
        " $LOKI_PASSWORD, $__env{LOKI_PASSWORD} or $__file{/run/secrets/loki}, never a value",
    ),
    "user with a final newline": (
        "secrets={}", 'basic_auth_user="$LOKI_USER\\n", secrets={"basicAuthPassword": "$LOKI_PASSWORD"}',
        "datasources/stack.py: datasource 'loki': basic_auth_user '$LOKI_USER\\n' holds a control character or"
        " surrounding whitespace",
    ),
    "nested quantifiers": (
        r'"trace_id":"(\w+)"', r'"trace_id":"((?:\w+-?)+)"',
        """datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '"trace_id":"((?:\\\\w+-?)+)"'"""
        """ repeats '(?:\\\\w+-?)+', a group that holds a repeat itself: nested quantifiers backtrack"""
        " exponentially in the browser's JavaScript regex engine (a line that almost matches freezes the tab);"
        " repeat once, e.g. [\\w-]+ rather than (\\w+-?)+",
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


@pytest.mark.parametrize("old, new", [
    ('tags=(TagMapping("service.name", "service"),)', 'tags=(TagMapping("service.name", "service"))'),
    ("samples=(LINE,)", "samples=(LINE)"),
    ("samples=(LINE,)", "samples=LINE"),
    ("samples=(LINE,)", "samples=[LINE]"),
])
def test_a_single_item_or_a_list_is_taken_as_a_tuple(project, cli, old, new):
    _project_with_datasources(project, DATASOURCES)
    assert cli("-C", str(project.root), "build")[0] == 0
    expected = project.tree()
    _project_with_datasources(project, textwrap.dedent(DATASOURCES).replace(old, new))
    code, out, err = cli("-C", str(project.root), "build")
    assert (code, out, err) == (0, "built 1 dashboard in 1 folder into generated/: 0 of 3 files changed, 0 removed\n", "")
    assert project.tree() == expected


def test_grafanas_own_references_are_written_for_grafana_to_expand(project, cli):
    secrets = 'basic_auth_user="$__env{LOKI_USER}", secrets={"basicAuthPassword": "$__file{/run/secrets/loki}"}'
    _project_with_datasources(project, DATASOURCES.replace("secrets={}", secrets))
    assert cli("-C", str(project.root), "build")[0] == 0
    provisioned = yaml.safe_load(project.tree()["provisioning/default/datasources/dashgen.yaml"])["datasources"]
    (loki,) = [d for d in provisioned if d["uid"] == "loki"]
    assert loki["basicAuthUser"] == "$__env{LOKI_USER}"
    assert loki["secureJsonData"] == {"basicAuthPassword": "$__file{/run/secrets/loki}"}


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
        "error: dashboards/logs.py · dashboard 'l' · panel 'Logs': datasource 'lokii' is not defined under"
        " datasources/ (known: loki, prometheus, tempo)",
        "error: dashboards/logs.py · dashboard 'l' · panel 'More': datasource 'loki' is a loki datasource, but the"
        " reference says 'prometheus'",
        "2 errors",
    ]


@pytest.mark.parametrize("table, message", [
    ('[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n[tool.dashgen.environments.dev.datasources]\n'
     'lokii = { url = "http://loki:3100" }\n',
     "pyproject.toml [tool.dashgen.environments.dev.datasources]: 'lokii' is not a datasource (known: loki,"
     " prometheus, tempo)"),
    ('[tool.dashgen.environments.dev]\nurl = "grafana.local"\n',
     "pyproject.toml [tool.dashgen.environments.dev]: url 'grafana.local' is not an http(s) URL such as"
     " https://grafana.example.com"),
    ('[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\ntoken = "glsa_abc"\n',
     "pyproject.toml [tool.dashgen.environments.dev]: unknown key 'token'; did you mean 'token_env'? known: allow_http,"
     " basic_auth_env,"
     " datasources, folder, prometheus_url, timeout_s, token_env, url"),
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


def test_a_datasource_without_a_url_in_a_project_without_environments_is_located_at_its_file(project, cli):
    _project_with_datasources(project, DATASOURCES.replace('url="http://tempo:3200",', ""))
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [
        "error: datasources/stack.py: datasource 'tempo': no url; give url=... in its definition, or name"
        " environments with their URLs in pyproject.toml ([tool.dashgen.environments.<name>.datasources])",
        "1 error",
    ]


def test_a_datasource_file_that_fails_to_load_is_one_error_not_one_per_environment_uid(project, cli):
    old, new, message = BREAKS["tags as a string"]
    _project_with_datasources(project, textwrap.dedent(DATASOURCES).replace(old, new))
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n'
                         '[tool.dashgen.environments.dev.datasources]\ntempo = { url = "http://tempo:3200" }\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [f"error: {message}", "1 error"]


def test_an_environment_url_with_a_variable_is_an_error(project, cli):
    _project_with_datasources(project, DATASOURCES)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n'
                         '[tool.dashgen.environments.dev.datasources]\ntempo = { url = "http://tempo:$TEMPO_PORT" }\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [
        "error: pyproject.toml [tool.dashgen.environments.dev.datasources]: the url of 'tempo',"
        " 'http://tempo:$TEMPO_PORT', contains '$', which dashgen would write as a literal '$' (Grafana expands"
        " $NAME in provisioning files); write the URL itself",
        "1 error",
    ]


def test_a_datasource_uid_with_a_final_newline_is_refused_and_shown_on_one_line(project, cli):
    source = DATASOURCES.replace('Prometheus(uid="prometheus"', 'Prometheus(uid="prometheus\\n"')
    _project_with_datasources(project, source)
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [
        "error: datasources/stack.py: datasource 'prometheus\\n': uid must be 1 to 40 characters of letters, digits,"
        " '-' and '_'",
        "error: datasources/stack.py: datasource 'tempo': tracesToMetrics links to 'prometheus', which is not defined"
        " (known: loki, 'prometheus\\n', tempo)",
        "2 errors",
    ]


def test_credentials_in_an_environment_datasource_url_never_reach_a_file(project, cli):
    _project_with_datasources(project, DATASOURCES)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n'
                         '[tool.dashgen.environments.dev.datasources]\nloki = { url = "http://loki:3100" }\n')
    assert cli("-C", str(project.root), "build")[0] == 0
    built = project.tree()
    pyproject.write_text(pyproject.read_text().replace("http://loki:3100", "http://admin:hunter2@loki:3100"))
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, (
        "error: pyproject.toml [tool.dashgen.environments.dev.datasources]: the url of 'loki' has user:password in"
        " the URL, which would be written into the provisioning file; give the user as basic_auth_user and the"
        " password as secrets={'basicAuthPassword': '$VAR'} in the datasource's definition, with VAR set where"
        " Grafana runs\n1 error\n"
    ))
    assert project.tree() == built and not any(b"hunter2" in content for content in built.values())


LONG_LINE = "SampleLine('\"trace_id\":\"' + 'a' * 40 + '!', trace_id='a' * 40)"


def test_a_regex_that_backtracks_on_its_samples_is_cut_off_and_named(project, cli):
    import time

    ambiguous = r'"trace_id":"((?:a|a)*)"'  # no nested repeat, but two ways to match each "a"
    source = DATASOURCES.replace(r'"trace_id":"(\w+)"', ambiguous)
    source = source.replace("samples=(LINE,)", f"samples=(LINE, {LONG_LINE})")
    _project_with_datasources(project, source)
    started = time.monotonic()
    code, _, err = cli("-C", str(project.root), "build")
    assert time.monotonic() - started < 5
    assert (code, err.splitlines()) == (2, [
        "error: datasources/stack.py: datasource 'loki': derived field 'TraceID': regex"
        """ '"trace_id":"((?:a|a)*)"' takes more than 1 s on its sample lines in Python's re, a backtracking engine"""
        " like the browser's JavaScript: make its alternatives and repeats unambiguous (no two ways to match the"
        " same text)",
        "1 error",
    ])


def test_the_issues_backtracking_regex_is_refused_before_it_runs(project, cli):
    import time

    source = DATASOURCES.replace(r'"trace_id":"(\w+)"', "(a+)+$").replace("samples=(LINE,)", f"samples=({LONG_LINE},)")
    _project_with_datasources(project, source)
    started = time.monotonic()
    code, _, err = cli("-C", str(project.root), "build")
    assert time.monotonic() - started < 5
    assert (code, err.splitlines()) == (2, [
        "error: datasources/stack.py: datasource 'loki': derived field 'TraceID': regex '(a+)+$' repeats '(a+)+', a"
        " group that holds a repeat itself: nested quantifiers backtrack exponentially in the browser's JavaScript"
        " regex engine (a line that almost matches freezes the tab); repeat once, e.g. [\\w-]+ rather than (\\w+-?)+",
        "1 error",
    ])


@pytest.mark.parametrize("pattern, nested", [
    (r"(a+)+$", "(a+)+"),
    (r"(a*)*", "(a*)*"),
    (r"x=((?:\w+\s?)+)", r"(?:\w+\s?)+"),
    (r"((?:[\]a]+)*)", r"(?:[\]a]+)*"),
    (r"(x(?:a(b+)c)*)", "(?:a(b+)c)*"),
    (r"((?:a{2,3})+)", "(?:a{2,3})+"),
    (r"((?:a+){1,3})", "(?:a+){1,3}"),
    (r"((?:a+?)+?)", "(?:a+?)+?"),
    (r'"trace_id":"(\w+)"', ""),
    (r"((?:\d+\.){3}\d+)", ""),  # a fixed count
    (r"((?:-?\w)+)", ""),  # ? repeats nothing
    (r"((?:a{2})+)", ""),
    (r"((?:a|b)+)", ""),
    (r"[(]+(a+)", ""),  # a parenthesis in a class opens no group
    (r"\(+(a+)", ""),
])
def test_nested_repeats_are_found(pattern, nested):
    from dashgen.datasources.regexes import nested_repeat

    assert nested_repeat(pattern) == nested


def test_the_sample_check_is_bounded_in_a_thread_too():
    """Off the main thread no timer can interrupt re: the search runs in a child Python instead."""
    import threading
    import time

    from dashgen.datasources.deadline import first_groups

    found = {}

    def check():
        slow, fast = re.compile(r"((?:a|a)*)$", re.ASCII), re.compile(r"id=(\w+)", re.ASCII)
        started = time.monotonic()
        found["slow"], found["fast"] = first_groups(slow, ["a" * 40 + "!"]), first_groups(fast, ["id=abc", "none"])
        found["took"] = time.monotonic() - started

    worker = threading.Thread(target=check)
    worker.start()
    worker.join(timeout=10)
    assert (found["slow"], found["fast"]) == (None, ["abc", None]) and found["took"] < 5


def test_the_sample_check_gives_back_a_timer_it_found_running():
    import signal

    from dashgen.datasources.deadline import first_groups

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        assert first_groups(re.compile(r"id=(\w+)"), ["id=abc"]) == ["abc"]
        remaining, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        assert 25 < remaining <= 30 and fired == []
        assert signal.getsignal(signal.SIGALRM) is not previous
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_sample_check_off_the_main_thread_works_without_a_python_to_run(monkeypatch):
    """Embedded or frozen, sys.executable runs no Python: the check runs in process instead (the
    static check has already refused the patterns that backtrack)."""
    import threading

    from dashgen.datasources.deadline import first_groups

    monkeypatch.setattr(sys, "executable", "/bin/false")
    found = {}
    worker = threading.Thread(target=lambda: found.update(groups=first_groups(re.compile(r"id=(\w+)"), ["id=abc", "x"])))
    worker.start()
    worker.join(timeout=10)
    assert found["groups"] == ["abc", None]


def test_every_field_of_each_datasource_kind_is_described():
    from dashgen.datasources.settings_checks import KINDS, TRACES_TO_LOGS, TRACES_TO_METRICS
    from dashgen.datasources.model import TraceToLogs, TraceToMetrics

    for cls, table in [*KINDS.items(), (TraceToLogs, TRACES_TO_LOGS), (TraceToMetrics, TRACES_TO_METRICS)]:
        assert set(table.keys) == {f.name for f in dataclasses.fields(cls)}, cls.__name__


def test_every_problem_of_a_datasources_settings_is_told():
    from dashgen.datasources import Prometheus
    from dashgen.datasources.settings_checks import own_problems

    prometheus = Prometheus(uid="prometheus", name="Prometheus", url="http://admin:hunter2@prometheus:9090",
                            http_method="PUT", flavour="Victoria", basic_auth_user="grafana")
    assert list(own_problems(prometheus)) == [
        "url has user:password in the URL, which would be written into the provisioning file; give the user as"
        " basic_auth_user and the password as secrets={'basicAuthPassword': '$VAR'}",
        "http_method 'PUT' must be 'POST' or 'GET'",
        "flavour 'Victoria' must be one of Prometheus, Cortex, Mimir, Thanos",
        "basic_auth_user needs its password as secrets={'basicAuthPassword': '$VAR'}",
    ]


def test_a_misspelt_argument_names_the_nearest_and_comes_with_every_wrong_type(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    project.write("datasources/stack.py", """
        from dashgen.datasources import Loki
        datasources = [
            Loki(uid="loki", name="Loki", url="http://loki:3100", max_line=10, derived_fields="x"),
        ]
    """)
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err.splitlines()) == (2, [
        "error: datasources/stack.py:3: TypeError: Loki: unknown keyword argument 'max_line'; did you mean"
        " 'max_lines'? known: access, basic_auth_user, derived_fields, is_default, max_lines, name, secrets, uid, url;"
        " Loki.derived_fields must be DerivedField objects (a tuple of them), not a str 'x'",
        "1 error",
    ])


def test_datasource_objects_still_copy_and_pickle():
    import copy
    import pickle

    from dashgen.datasources import Loki

    loki = Loki(uid="loki", name="Loki", url="http://loki:3100")
    assert pickle.loads(pickle.dumps(loki)) == loki == copy.deepcopy(loki)
    assert dataclasses.replace(loki, max_lines=5).max_lines == 5
