"""Seeded fuzzing of every input dashgen reads: definitions, datasource definitions, pyproject.toml,
the catalogue, dashboard JSON for lint, and Grafana's answers for diff. Whatever the input, dashgen
ends with 0, 1, 2 or 3, never a traceback (70 is a bug), every error line names where it is, a
failed build leaves generated/ as it was, and nothing outside generated/ is ever deleted.

Each case is a seed: `pytest tests/fuzz -k 'definition and 17'` reruns one."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import niquests
import pytest
import yaml

from conftest import REPO
from dashgen.cli.main import cli as group
from dashgen.cli.report import run_reporting_errors
from emulator import ADMIN_TOKEN, GrafanaEmulator
from mutations import filled, mutated
from pushing import answering_paths

CASES = {"definition": 250, "datasource": 150, "pyproject": 150, "catalogue": 150, "lint": 300, "grafana": 150}

# What an error line starts with once "error: " is taken off: a file, a setting's table, or an endpoint.
LOCATED = re.compile(r"(\S+\.(py|toml|yaml|yml|json)\b|pyproject\.toml|(GET|POST|PUT|DELETE) https?://|generated/"
                     r"|no pyproject\.toml with a \[tool\.dashgen\] table in /)")
BUILD, LINT, DIFF = {0, 2}, {0, 1, 2}, {0, 1, 3}  # what each command may end with here

DEFINITION = '''
from grafanalib.core import Dashboard, GridPos, Templating
from dashgen.panels import PromQuery, datasource_variable, stat, timeseries

DS = {{"type": "prometheus", "uid": "${{datasource}}"}}
folder = {folder}
dashboard = Dashboard(
    title={title}, uid={uid}, refresh={refresh}, tags={tags}, description={description},
    templating=Templating(list=[datasource_variable("prometheus")]),
    panels=[
        timeseries({panel_title}, {panel_description}, [PromQuery({expr}, legend={legend})] * {targets},
                   datasource=DS, unit={unit}),
        stat("Up now", "Targets up.", [PromQuery("sum(up)")], datasource=DS, unit="short", w={width}, h={height}),
    ],
)
'''
DEFINITION_SLOTS = [
    "folder='Team'", "title='Simple'", "uid='simple'", "refresh='1m'", "tags=['team']", "description='About.'",
    "panel_title='Up'", "panel_description='Targets up.'", "expr='up{job=\"$job\"}'", "legend='{{job}}'",
    "targets=1", "unit='short'", "width=12", "height=8",
]

DATASOURCES = '''
from dashgen.datasources import Loki, Prometheus, Tempo, TraceToLogs, TagMapping, DerivedField, SampleLine

datasources = [
    Prometheus(uid={prom_uid}, name={prom_name}, url={prom_url}, is_default=True, scrape_interval={interval}),
    Loki(uid="loki", name="Loki", url={loki_url}, max_lines={max_lines}, derived_fields=(
        DerivedField(name={field_name}, regex={regex}, tempo_uid="tempo",
                     samples=(SampleLine({sample}, "abc123"),)),)),
    Tempo(uid="tempo", name="Tempo", url="http://tempo:3200", trace_query_start_shift={shift},
          traces_to_logs=TraceToLogs(loki_uid={logs_uid}, tags=(TagMapping({tag_key}, "service"),))),
]
'''
DATASOURCE_SLOTS = [
    "prom_uid='prometheus'", "prom_name='Prometheus'", "prom_url='http://prometheus:9090'", "interval='15s'",
    "loki_url='http://loki:3100'", "max_lines=1000", "field_name='TraceID'", "regex='trace_id=(\\\\w+)'",
    "sample='level=info trace_id=abc123 msg=ok'", "shift='1h'", "logs_uid='loki'", "tag_key='service.name'",
]

PYPROJECT = {
    "project": {"name": "fuzz", "version": "0"},
    "tool": {"dashgen": {
        "default_folder": "Team", "catalogue": "catalogue",
        "environments": {"staging": {
            "url": "https://grafana.example.com", "token_env": "FUZZ_TOKEN", "folder": "Team", "timeout_s": 10,
            "datasources": {"prometheus": {"url": "http://prometheus:9090"}},
        }},
        "lint": {"select": ["promql/"], "ignore": ["dashboard/missing-unit"], "panel_series_budget": 500,
                 "max_range": "1d", "severity": {"promql/fixed-rate-window": "error"},
                 "suppress": [{"dashboard": "simple", "rule": "promql/series-budget", "reason": "one job"}]},
    }},
}

CATALOGUE = {
    "labels": {"job": 20, "instance": 100, "status_code": 10},
    "metrics": {
        "up": {"type": "gauge", "unit": "bool", "help": "Target is up.", "labels": ["job", "instance"]},
        "http_requests_total": {"type": "counter", "unit": "requests", "help": "Requests.",
                                "labels": ["job", "instance", "status_code"]},
    },
}


def _toml(value, table: str = "") -> str:
    """A small TOML writer for the mutated pyproject: what it cannot express becomes a string."""
    lines, tables = [], []
    for key, item in value.items():
        name = json.dumps(str(key))
        if isinstance(item, dict) and all(isinstance(k, str) for k in item):
            tables.append((f"{table}.{name}" if table else name, item))
        else:
            lines.append(f"{name} = {_toml_value(item)}")
    out = ([f"[{table}]"] if table else []) + lines
    for name, item in tables:
        out += ["", _toml(item, name)]
    return "\n".join(out)


def _toml_value(item) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, (int, float)) and not abs(item) >= 2**63:  # TOML writes inf and nan as Python does
        return repr(item)
    if isinstance(item, list):
        return "[" + ", ".join(_toml_value(i) for i in item) + "]"
    if isinstance(item, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in item.items()) + "}"
    return json.dumps(str(item))


def check(code: int, out: str, err: str, case: str, allowed: set[int]) -> None:
    """An exit the command may give here, no traceback, and every error located; a failure says why."""
    assert code in allowed, f"{case}: exit {code}\n{err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, f"{case}:\n{err[-2000:]}"
    errors = [line[len("error: "):] for line in err.splitlines() if line.startswith("error: ")]
    for line in errors:
        assert LOCATED.match(line), f"{case}: an error without a location: {line}"
    assert errors or code not in (2, 3), f"{case}: exit {code} without an error line\n{err[-2000:]}"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".dashgen" not in p.parts and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A small valid project, built once: its generated/ is what every failed build must leave."""
    root = tmp_path_factory.mktemp("fuzz") / "project"
    (root / "dashboards").mkdir(parents=True)
    (root / "datasources").mkdir()
    (root / "catalogue").mkdir()
    (root / "pyproject.toml").write_text(_toml(PYPROJECT))
    (root / "dashboards" / "simple.py").write_text(filled(DEFINITION, DEFINITION_SLOTS, random.Random(0), 0))
    (root / "datasources" / "stack.py").write_text(filled(DATASOURCES, DATASOURCE_SLOTS, random.Random(0), 0))
    (root / "catalogue" / "metrics.yaml").write_text(yaml.safe_dump(CATALOGUE))
    return root


@pytest.fixture
def project(base, tmp_path, cli) -> Path:
    root = tmp_path / "project"
    shutil.copytree(base, root)
    code, _, err = cli("-C", str(root), "build")
    assert code == 0, err
    return root


def _build_case(cli, project: Path, rel: str, text: str, case: str) -> None:
    before = snapshot(project)
    (project / rel).write_text(text)
    code, out, err = cli("-C", str(project), "build")
    check(code, out, err, case, BUILD)
    after = snapshot(project)
    kept = {k: v for k, v in before.items() if not k.startswith("generated/") and k != rel}
    assert {k: after.get(k) for k in kept} == kept, f"{case}: a file outside generated/ changed or went"
    if code != 0:
        generated = {k: v for k, v in before.items() if k.startswith("generated/")}
        assert {k: v for k, v in after.items() if k.startswith("generated/")} == generated, \
            f"{case}: a failed build changed generated/"


@pytest.mark.parametrize("seed", range(CASES["definition"]))
def test_definition(cli, project, seed):
    rng = random.Random(seed)
    text = filled(DEFINITION, DEFINITION_SLOTS, rng, rng.choice([1, 1, 2, 3]))
    _build_case(cli, project, "dashboards/simple.py", text, f"definition seed {seed}")


@pytest.mark.parametrize("seed", range(CASES["datasource"]))
def test_datasource(cli, project, seed):
    rng = random.Random(seed)
    text = filled(DATASOURCES, DATASOURCE_SLOTS, rng, rng.choice([1, 1, 2]))
    _build_case(cli, project, "datasources/stack.py", text, f"datasource seed {seed}")


@pytest.mark.parametrize("seed", range(CASES["pyproject"]))
def test_pyproject(cli, project, seed):
    text = _toml(mutated(PYPROJECT, random.Random(seed), 2))
    _build_case(cli, project, "pyproject.toml", text, f"pyproject seed {seed}")
    code, out, err = cli("-C", str(project), "lint")
    check(code, out, err, f"pyproject seed {seed} (lint)", LINT)


@pytest.mark.parametrize("seed", range(CASES["catalogue"]))
def test_catalogue(cli, project, seed):
    value = mutated(CATALOGUE, random.Random(seed), 2)
    (project / "catalogue" / "metrics.yaml").write_text(yaml.safe_dump(value, allow_unicode=True))
    code, out, err = cli("-C", str(project), "lint")
    check(code, out, err, f"catalogue seed {seed}", LINT)


LINTED = sorted((REPO / "generated" / "dashboards").rglob("*.json"))


@pytest.mark.parametrize("seed", range(CASES["lint"]))
def test_lint(cli, tmp_path, seed):
    rng = random.Random(seed)
    dashboard = json.loads(rng.choice(LINTED).read_text())
    path = tmp_path / "dashboard.json"
    path.write_text(json.dumps(mutated(dashboard, rng, rng.choice([1, 3, 10]))))
    code, out, err = cli("lint", str(path), "--format", "json")
    check(code, out, err, f"lint seed {seed}", LINT)
    if code in (0, 1):
        assert json.loads(out)["summary"]["dashboards"] == 1


@pytest.fixture(scope="module")
def replies(base, tmp_path_factory) -> dict[str, object]:
    """What Grafana answered to `dashgen diff --env` of a dashboard saved in Grafana since the push,
    path by path: every read of the plan, history included."""
    root = tmp_path_factory.mktemp("replies") / "project"
    shutil.copytree(base, root)
    with GrafanaEmulator() as grafana, pytest.MonkeyPatch.context() as patch:
        patch.setenv("FUZZ_TOKEN", ADMIN_TOKEN)
        _point(root, grafana.url)
        assert run_reporting_errors(group, ["-C", str(root), "push", "--env", "staging"]) == 0
        grafana.ui_save("simple", lambda m: {**m, "refresh": "5m"}, user="alice")
        grafana.reset_journal()
        assert run_reporting_errors(group, ["-C", str(root), "diff", "--env", "staging"]) == 1
        reads = {(e.path, e.query) for e in grafana.journal}
        return {path: niquests.get(f"{grafana.url}{path}?{query}",
                                   headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
                for path, query in sorted(reads)}


def _point(root: Path, url: str) -> None:
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.replace('"https://grafana.example.com"', json.dumps(url)))


@pytest.mark.parametrize("seed", range(CASES["grafana"]))
def test_grafana_answers(cli, base, tmp_path, replies, seed, monkeypatch):
    rng = random.Random(seed)
    path = rng.choice(sorted(replies))
    answers = {**replies, path: mutated(replies[path], rng, rng.choice([1, 2, 4]))}
    root = tmp_path / "project"
    shutil.copytree(base, root)
    monkeypatch.setenv("FUZZ_TOKEN", ADMIN_TOKEN)
    with answering_paths(answers) as url:
        _point(root, url)
        code, out, err = cli("-C", str(root), "diff", "--env", "staging")
    check(code, out, err, f"grafana seed {seed} ({path})", DIFF)


def test_what_the_adapter_accepts_the_comparison_can_read():
    """Any dashboard Grafana may answer that passes the adapter's check is compared and described
    without a crash: the check where answers enter is what keeps push and diff from meeting a shape
    they cannot read (1,000 seeded mutations, in process)."""
    from dashgen.grafana_answers import problem
    from dashgen.diff_lines import dashboard_lines
    from dashgen.panel_diff import diff_dashboards
    from dashgen.shown import same_thing, shown

    originals = [json.loads(path.read_text()) for path in LINTED]
    accepted = 0
    for seed in range(1000):
        rng = random.Random(seed)
        original = rng.choice(originals)
        live = mutated(original, rng, rng.choice([1, 2, 5]))
        if problem("a dashboard", {"dashboard": live, "meta": {}}) is not None:
            continue
        accepted += 1
        same_thing(live, original)
        dashboard_lines(diff_dashboards(shown(original), shown(live)))
    assert accepted > 250  # most mutations keep a shape Grafana could answer
