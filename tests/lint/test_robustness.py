"""Malformed dashboards never crash `dashgen lint`: every panel key and every target key set to null,
a string, a list or a number lints with exit 0, 1 or 2 and no traceback; a rule that fails on one
panel or query is one bad-input line naming where and which rule, and the run goes on."""

from __future__ import annotations

import copy
import json

import pytest

import dashgen.lint.rules.dashboard_missing_unit as missing_unit

TARGET = {"refId": "A", "expr": 'sum by (job) (rate(x_total{job=~"$job"}[5m]))',
          "datasource": {"type": "prometheus", "uid": "p"}, "instant": False, "legendFormat": "{{job}}", "queryType": "range", "query": "up", "interval": "1m"}
PANEL = {"id": 1, "type": "timeseries", "title": "Rate", "datasource": {"type": "prometheus", "uid": "p"},
         "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0}, "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
         "options": {}, "targets": [TARGET], "panels": [], "collapsed": False, "repeat": "job", "transformations": []}
DASHBOARD = {"uid": "fuzz", "title": "Fuzz", "panels": [PANEL],
             "templating": {"list": [{"name": "job", "type": "query", "query": "label_values(up, job)"}]}}
VALUES = {"null": None, "string": "x", "list": [None, "x", 1], "number": 5}


def _cases():
    for key in PANEL:
        for kind, value in VALUES.items():
            yield pytest.param("panel", key, value, id=f"panel.{key}={kind}")
    for key in TARGET:
        for kind, value in VALUES.items():
            yield pytest.param("target", key, value, id=f"target.{key}={kind}")
    for key in ("defaults", "overrides"):
        for kind, value in VALUES.items():
            yield pytest.param("fieldConfig", key, value, id=f"fieldConfig.{key}={kind}")


@pytest.mark.parametrize("where, key, value", list(_cases()))
def test_malformed_values_never_crash(cli, tmp_path, where, key, value):
    dashboard = copy.deepcopy(DASHBOARD)
    panel = dashboard["panels"][0]
    target = {"panel": panel, "target": panel["targets"][0], "fieldConfig": panel["fieldConfig"]}[where]
    target[key] = value
    (tmp_path / "fuzz.json").write_text(json.dumps(dashboard))
    code, out, err = cli("lint", str(tmp_path / "fuzz.json"), "--format", "json")
    assert code in (0, 1, 2) and "Traceback" not in err
    assert json.loads(out)["summary"]["dashboards"] == 1


@pytest.mark.parametrize("dashboard", [
    {"panels": [{"type": "stat", "fieldConfig": {"overrides": [None]}}]},
    {"panels": [{"type": "stat", "fieldConfig": "x"}]},
    {"panels": "x", "templating": "x", "annotations": {"list": "x"}},
    {"panels": [], "templating": {"list": [{"name": ["x"], "type": "query"}, {"name": "y", "type": ["query"]}]}},
    {"panels": [{"type": ["graph"], "title": None, "targets": 5}]},
], ids=["overrides-null", "fieldConfig-string", "top-level-strings", "variable-names", "type-list"])
def test_reviewed_crashes(cli, tmp_path, dashboard):
    (tmp_path / "d.json").write_text(json.dumps(dashboard))
    code, _, err = cli("lint", str(tmp_path / "d.json"))
    assert code in (0, 1) and err == ""


def test_a_failing_rule_is_one_located_bad_input_line_and_the_run_goes_on(cli, tmp_path, monkeypatch):
    def broken(ctx):
        raise TypeError("boom")
        yield

    monkeypatch.setattr(missing_unit, "check", broken)
    dashboard = copy.deepcopy(DASHBOARD)
    dashboard["panels"].append({"type": "graph", "title": "Old", "id": 2})
    (tmp_path / "d.json").write_text(json.dumps(dashboard))
    code, out, err = cli("lint", str(tmp_path / "d.json"), "--format", "json")
    assert code == 2
    path = tmp_path / "d.json"
    assert err.splitlines() == [
        f"error: {path.as_posix()} · dashboard fuzz · panel 'Rate': rule dashboard/missing-unit could not check this: "
        "TypeError: boom",
        f"error: {path.as_posix()} · dashboard fuzz · panel 'Old': rule dashboard/missing-unit could not check this: "
        "TypeError: boom",
    ]
    assert "dashboard/deprecated-panel-type" in {p["rule"] for p in json.loads(out)["problems"]}


def test_regexes_python_reads_differently_print_no_warning():
    import warnings

    from dashgen.lint.rules import BY_ID
    from harness import problems

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems(BY_ID["logql/empty-compatible-selector"], '{service=~"[[service]]", a=~"[[:alpha:]]+"}')
        problems(BY_ID["promql/contradictory-matchers"], 'up{a="x", a=~"[[:alpha:]]+"}')
    assert [str(w.message) for w in caught] == []
