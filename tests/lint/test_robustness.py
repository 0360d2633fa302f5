"""Malformed dashboards: every panel, target, variable and top-level key set to null, a string, a list
or a number lints to one exact outcome (exit code, rules that fire, stderr lines), never a crash.

The contract (README, "dashgen lint"): a list that holds panels, rows, queries, variables or
annotations that is not a list, an item of one that is not an object, a variable name or type or a
query's `expr` that is not a string is bad input: one located line, exit 2, that part not linted and
the rest linted. Null is absent. Any other value of an unexpected type is read as absent by the
rules. A rule that raises is a bug in dashgen: exit 70 with the traceback, never a quiet exit 2."""

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
VARIABLE = {"name": "job", "type": "query", "query": "label_values(up, job)", "current": {"text": "a", "value": "a"},
            "multi": True, "includeAll": True, "allValue": ".*", "datasource": {"type": "prometheus", "uid": "p"},
            "regex": "", "options": []}
DASHBOARD = {"uid": "fuzz", "title": "Fuzz", "panels": [PANEL], "templating": {"list": [VARIABLE]}}
TOP_LEVEL = ("uid", "title", "panels", "templating", "annotations", "rows", "__inputs")
VALUES = {"null": None, "string": "x", "list": [None, "x", 1], "number": 5}

# The unbroken dashboard's outcome: its one query uses a fixed rate window (a warning).
CLEAN = (0, {"promql/fixed-rate-window"}, [])
NO_UNIT = (0, {"dashboard/missing-unit", "promql/fixed-rate-window"}, [])
NO_QUERY = (0, set(), [])
WRONG_LIST = {"panels": "a panel", "targets": "a query", "rows": "a row"}


def _not_a_list(key: str, panel: str | None = None, rules=frozenset()) -> dict:
    """The outcomes of a list-valued key set to a string, a list of non-objects and a number."""
    where = f" · panel {panel!r}" if panel else ""
    return {
        f"{key}=string": (2, set(rules), [f"{where}: {key} is a string (\"x\"), not a list"]),
        f"{key}=list": (2, set(rules), [f"{where}: {key}[0] is null, not {WRONG_LIST[key]}",
                                        f"{where}: {key}[1] is a string (\"x\"), not {WRONG_LIST[key]}",
                                        f"{where}: {key}[2] is a number (1), not {WRONG_LIST[key]}"]),
        f"{key}=number": (2, set(rules), [f"{where}: {key} is a number (5), not a list"]),
    }


def _not_an_object(key: str) -> dict:
    return {
        f"{key}=string": (2, CLEAN[1], [f": {key} is a string (\"x\"), not an object"]),
        f"{key}=list": (2, CLEAN[1], [f": {key} is a list, not an object"]),
        f"{key}=number": (2, CLEAN[1], [f": {key} is a number (5), not an object"]),
    }


def _not_a_string(key: str, path: str) -> dict:
    return {
        f"{key}=list": (2, CLEAN[1], [f": {path} is a list, not a string"]),
        f"{key}=number": (2, CLEAN[1], [f": {path} is a number (5), not a string"]),
    }


# Every case not listed here lints as the unbroken dashboard does. Each stderr line follows
# "error: <file> · dashboard 'fuzz'" and ends " (not linted)".
OUTCOMES = {
    **{f"panel.fieldConfig={kind}": NO_UNIT for kind in VALUES},
    **{f"fieldConfig.defaults={kind}": NO_UNIT for kind in VALUES},
    "panel.targets=null": NO_QUERY,
    **{f"panel.{case}": outcome for case, outcome in _not_a_list("targets", "Rate").items()},
    **{f"panel.{case}": outcome for case, outcome in _not_a_list("panels", "Rate", CLEAN[1]).items()},
    "target.expr=null": (0, {"dashboard/missing-variable-filter"}, []),  # then `query` ("up") is linted
    "target.expr=string": (0, {"dashboard/missing-variable-filter"}, []),  # "x"
    "target.expr=list": (2, set(), [" · panel 'Rate' · ref A: expr is a list, not a query"]),
    "target.expr=number": (2, set(), [" · panel 'Rate' · ref A: expr is a number (5), not a query"]),
    "variable.name=null": CLEAN,
    "variable.name=string": (0, {"dashboard/missing-variable-filter", "promql/fixed-rate-window"}, []),  # $job is gone
    **_not_a_string("variable.name", "templating.list[0].name"),
    **_not_a_string("variable.type", "templating.list[0].type"),
    "dashboard.panels=null": NO_QUERY,
    **{f"dashboard.{case}": outcome for case, outcome in _not_a_list("panels").items()},
    **{f"dashboard.{case}": outcome for case, outcome in _not_a_list("rows", rules=CLEAN[1]).items()},
    **{f"dashboard.{case}": outcome for case, outcome in _not_an_object("templating").items()},
    **{f"dashboard.{case}": outcome for case, outcome in _not_an_object("annotations").items()},
}
def _cases():
    for where, keys in (("panel", PANEL), ("target", TARGET), ("fieldConfig", ("defaults", "overrides")),
                        ("variable", VARIABLE), ("dashboard", TOP_LEVEL)):
        for key in keys:
            for kind in VALUES:
                yield pytest.param(where, key, kind, id=f"{where}.{key}={kind}")


def test_every_listed_outcome_is_a_case():
    ids = {param.id for param in _cases()}
    assert set(OUTCOMES) <= ids


@pytest.mark.parametrize("where, key, kind", list(_cases()))
def test_malformed_value_has_its_exact_outcome(cli, tmp_path, where, key, kind):
    dashboard = copy.deepcopy(DASHBOARD)
    panel = dashboard["panels"][0]
    target = {"panel": panel, "target": panel["targets"][0], "fieldConfig": panel["fieldConfig"],
              "variable": dashboard["templating"]["list"][0], "dashboard": dashboard}[where]
    target[key] = copy.deepcopy(VALUES[kind])
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(dashboard))

    code, out, err = cli("lint", str(path), "--format", "json")

    expected_code, expected_rules, lines = OUTCOMES.get(f"{where}.{key}={kind}", CLEAN)
    assert (code, {p["rule"] for p in json.loads(out)["problems"]}) == (expected_code, expected_rules)
    assert err.splitlines() == [f"error: {path.as_posix()} · dashboard 'fuzz'{line} (not linted)" for line in lines]
    assert json.loads(out)["summary"]["dashboards"] == 1


@pytest.mark.parametrize("dashboard, lines", [
    ({"panels": [{"type": "stat", "fieldConfig": {"overrides": [None]}}]}, []),
    ({"panels": [{"type": "stat", "fieldConfig": "x"}]}, []),
    ({"panels": "x", "templating": "x", "annotations": {"list": "x"}}, [
        ': templating is a string ("x"), not an object',
        ': panels is a string ("x"), not a list',
        ': annotations.list is a string ("x"), not a list',
    ]),
    ({"panels": [], "templating": {"list": [{"name": ["x"], "type": "query"}, {"name": "y", "type": ["query"]}]}}, [
        ": templating.list[0].name is a list, not a string",
        ": templating.list[1].type is a list, not a string",
    ]),
    ({"panels": [{"type": ["graph"], "title": None, "targets": 5}]}, [" · panel '': targets is a number (5), not a list"]),
], ids=["overrides-null", "fieldConfig-string", "top-level-strings", "variable-names", "type-list"])
def test_reviewed_crashes(cli, tmp_path, dashboard, lines):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(dashboard))
    code, _, err = cli("lint", str(path))
    assert code == (2 if lines else 0)
    assert err.splitlines() == [f"error: {path.as_posix()} · dashboard '{path.as_posix()}'{line} (not linted)"
                                for line in lines]


def test_a_failing_rule_is_a_bug_with_its_traceback_not_bad_input(cli, tmp_path, monkeypatch):
    """Exit 2 would tell CI "your input is bad": a crash in a rule is dashgen's bug, and must show."""
    def broken(ctx):
        raise TypeError("boom")
        yield

    monkeypatch.setattr(missing_unit, "check", broken)
    path = tmp_path / "d.json"
    path.write_text(json.dumps(DASHBOARD))
    code, out, err = cli("lint", str(path), "--format", "json")
    assert (code, out) == (70, "")
    assert err.startswith("error: internal error in dashgen (a bug, not your input); please report it with this traceback:\n")
    assert err.splitlines()[-2:] == [
        "TypeError: boom",
        f"(raised by rule dashboard/missing-unit on {path.as_posix()} · dashboard 'fuzz' · panel 'Rate')",
    ]


@pytest.mark.parametrize("language, datasource, target", [
    ("promql", {"type": "prometheus", "uid": "p"}, {"expr": "sum(" + "(" * 1000 + "rate(up[5m])" + ")" * 1000 + ")"}),
    ("promql", {"type": "prometheus", "uid": "p"}, {"expr": "up + " * 1000 + "up"}),
    ("logql", {"type": "loki", "uid": "l"}, {"expr": "sum(" + "(" * 1000 + 'count_over_time({a="b"}[5m])' + ")" * 1000 + ")"}),
], ids=["promql-brackets", "promql-operators", "logql-brackets"])
def test_a_query_too_deep_to_check_is_one_bad_input_line_and_the_run_goes_on(cli, tmp_path, language, datasource,
                                                                             target):
    dashboard = copy.deepcopy(DASHBOARD)
    dashboard["panels"].append({"type": "timeseries", "title": "Deep", "datasource": datasource,
                                "fieldConfig": {"defaults": {"unit": "short"}}, "targets": [{"refId": "B", **target}]})
    path = tmp_path / "d.json"
    path.write_text(json.dumps(dashboard))
    code, out, err = cli("lint", str(path), "--format", "json")
    assert code == 2
    assert err.splitlines() == [
        f"error: {path.as_posix()} · dashboard 'fuzz' · panel 'Deep' · ref B: query nested too deeply for dashgen"
        " to check (not linted)",
    ]
    problems = json.loads(out)["problems"]
    assert {(p["panel"], p["rule"]) for p in problems} == {("Rate", "promql/fixed-rate-window")}


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("text, message", [
    ("[" * 1000 + "]" * 1000, ": invalid JSON: nested too deeply to read (Python's parser stops near 1,000 levels)"),
    ('{"panels": ' + '{"a": ' * 1000 + "1" + "}" * 1001, ": invalid JSON: nested too deeply to read (Python's parser"
     " stops near 1,000 levels)"),
    (DEEP, ": invalid JSON: nested too deeply to read (Python's parser stops near 1,000 levels)"),
    ('{"panels": [], "version": ' + "9" * 5000 + "}",
     ": invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"),
    ('{"panels": [{"title": "\\ud800"}]}', ": invalid JSON: a string holds an unpaired surrogate ('\\ud800'), not text"),
    ('{"panels": [{"title": "\\udc00 \\ud83d\\ude00"}]}',
     ": invalid JSON: a string holds an unpaired surrogate ('\\udc00'), not text"),
    ("\ufeff{}", ":1: invalid JSON: Unexpected UTF-8 BOM (decode using utf-8-sig) (column 1)"),
    ("", ":1: invalid JSON: Expecting value (column 1)"),
    ("[]", ": not a Grafana dashboard (no panels, rows or templating)"),
], ids=["list-1000-deep", "object-1000-deep", "100000-deep", "5000-digits", "lone-high-surrogate",
        "lone-low-surrogate", "bom", "empty", "a-list"])
def test_an_unreadable_file_is_one_line_naming_it(cli, tmp_path, text, message):
    path = tmp_path / "d.json"
    path.write_text(text, encoding="utf-8")
    for output in ("text", "json", "github"):
        code, _, err = cli("lint", str(path), "--format", output)
        assert (code, err) == (2, f"error: {path.as_posix()}{message}\n")


def test_a_paired_surrogate_escape_is_text(cli, tmp_path):
    path = tmp_path / "d.json"
    path.write_text('{"panels": [{"title": "\\ud83d\\ude00", "type": "text"}]}')
    assert cli("lint", str(path)) == (0, "0 errors, 0 warnings, 0 infos in 0 queries of 1 dashboard\n", "")


def test_a_file_that_is_not_a_regular_file_is_not_read(cli, tmp_path):
    """A pipe named like a dashboard would block the read for ever; a folder so named is a folder."""
    import os

    folder = tmp_path / "exports"
    (folder / "dir.json").mkdir(parents=True)
    os.mkfifo(folder / "pipe.json")
    (folder / "ok.json").write_text(json.dumps({"panels": []}))
    code, out, err = cli("lint", str(folder))
    assert (code, err) == (0, "")
    assert out.endswith("in 0 queries of 1 dashboard\n")
    code, _, err = cli("lint", str(folder / "pipe.json"))
    assert (code, err) == (2, f"error: {folder / 'pipe.json'}: not a file or folder\n")


def test_regexes_python_reads_differently_print_no_warning():
    import warnings

    from dashgen.lint.rules import BY_ID
    from harness import problems

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems(BY_ID["logql/empty-compatible-selector"], '{service=~"[[service]]", a=~"[[:alpha:]]+"}')
        problems(BY_ID["promql/contradictory-matchers"], 'up{a="x", a=~"[[:alpha:]]+"}')
    assert [str(w.message) for w in caught] == []
