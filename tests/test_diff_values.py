"""What a reviewer reads: in a repository with commits, `dashgen diff --against HEAD~1` reports exactly
the planted changes (a panel added, a query changed, a threshold changed, two panels swapped, a
dashboard removed), each with its old and new value, and nothing else, in text, Markdown and JSON."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from conftest import Project, check_golden
from dashgen.diff_lines import dashboard_lines
from dashgen.panel_diff import diff_dashboards
from test_diff_against import git

BEFORE = '''
from grafanalib.core import Dashboard, Templating
from dashgen.panels import PromQuery, datasource_variable, stat, steps, timeseries

DS = {"type": "prometheus", "uid": "${datasource}"}
BURN = 14.4
dashboard = Dashboard(
    title="Main", uid="main",
    templating=Templating(list=[datasource_variable("prometheus")]),
    panels=[
        stat("Burn rate", "Budget burn.", [PromQuery("sum(rate(errors_total[1h]))")], datasource=DS, unit="short",
             thresholds=steps("green", (BURN, "red")), w=24),
        timeseries("Requests", "Requests per second.", [PromQuery("sum(rate(requests_total[5m]))")], datasource=DS,
                   unit="reqps"),
        timeseries("Errors", "Errors per second.", [PromQuery("sum(rate(errors_total[5m]))")], datasource=DS,
                   unit="reqps"),
    ],
)
'''

LATENCY = '''        timeseries("Latency", "p95.", [PromQuery("histogram_quantile(0.95, sum by (le) (rate(latency_bucket[$__rate_interval])))")],
                   datasource=DS, unit="s"),
'''


def _after(source: str) -> str:
    requests = source[source.index('        timeseries("Requests"'):source.index('        timeseries("Errors"')]
    errors = source[source.index('        timeseries("Errors"'):source.index("    ],\n)")]
    source = source.replace(requests + errors, errors + requests.replace("[5m]", "[$__rate_interval]") + LATENCY)
    return source.replace("BURN = 14.4", "BURN = 10")


@pytest.fixture
def planted(tmp_path, cli):
    root = tmp_path / "repo"
    project = Project(root)
    project.write("dashboards/main.py", BEFORE)
    project.write("dashboards/old.py", BEFORE.replace('uid="main"', 'uid="old"').replace('"Main"', '"Old"'))
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "dev")
    for message in ("first", "second"):
        assert cli("-C", str(root), "build")[0] == 0
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", message)
        if message == "first":
            project.write("dashboards/main.py", _after(BEFORE))
            (root / "dashboards" / "old.py").unlink()
    return root


def test_text_shows_each_planted_change_with_both_values(cli, planted):
    code, out, err = cli("-C", str(planted), "diff", "--against", "HEAD~1")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "changes since HEAD~1:",
        "~ changed dashboard main 'Main'",
        "    + panel 'Latency' (timeseries at x=0 y=12 w=12 h=8)",
        "    ~ panel 'Burn rate'",
        "        fieldConfig.defaults.thresholds.steps[1].value: 14.4 → 10",
        "    ~ panel 'Errors'",
        "        moved: x=12 y=4 w=12 h=8 → x=0 y=4 w=12 h=8",
        "    ~ panel 'Requests'",
        "        moved: x=0 y=4 w=12 h=8 → x=12 y=4 w=12 h=8",
        "        query A:",
        "          -sum(rate(requests_total[5m]))",
        "          +sum(rate(requests_total[$__rate_interval]))",
        "    lint fixes warning[promql/fixed-rate-window]: rate() over a fixed [5m]; it does not follow the dashboard's"
        " zoom (panel 'Requests' · ref A)",
        "- removed dashboard old 'Old'",
        "    3 panels and 1 variable go with it",
    ]


def test_json_carries_old_and_new(cli, planted):
    code, out, _ = cli("-C", str(planted), "diff", "--against", "HEAD~1", "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["git"] == "HEAD~1"
    main, old = document["changes"]
    assert (main["uid"], main["action"], old["uid"], old["action"]) == ("main", "changed", "old", "removed")
    assert main["added"] == [{"title": "Latency", "type": "timeseries", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 12}}]
    assert main["removed"] == [] and main["changes"] == [] and main["variables"] == []
    changed = {c["title"]: c["changes"] for c in main["changed"]}
    assert changed == {
        "Burn rate": [{"path": "fieldConfig.defaults.thresholds.steps[1].value", "old": 14.4, "new": 10}],
        "Requests": [
            {"path": "gridPos", "old": {"h": 8, "w": 12, "x": 0, "y": 4}, "new": {"h": 8, "w": 12, "x": 12, "y": 4}},
            {"path": "query A", "old": "sum(rate(requests_total[5m]))", "new": "sum(rate(requests_total[$__rate_interval]))"},
        ],
        "Errors": [
            {"path": "gridPos", "old": {"h": 8, "w": 12, "x": 12, "y": 4}, "new": {"h": 8, "w": 12, "x": 0, "y": 4}}],
    }
    assert [p["title"] for p in old["removed"]] == ["Burn rate", "Requests", "Errors"]


def test_markdown_opens_with_a_summary_and_links_the_layout_pictures(cli, planted, tmp_path):
    assets = tmp_path / "comment-assets"
    code, out, _ = cli("-C", str(planted), "diff", "--against", "HEAD~1", "--format", "markdown",
                       "--assets", str(assets))
    assert code == 1
    assert out.split("<details>")[0] == (
        "## Changes since HEAD~1\n\n"
        "| | Dashboard | Panels added | removed | changed | Lint findings introduced | fixed |\n"
        "|---|---|--:|--:|--:|--:|--:|\n"
        "| ~ | `main` Main | 1 | 0 | 3 | 0 | 1 |\n"
        "| - | `old` Old | 0 | 3 | 0 | 0 | 0 |\n\n"
    )
    assert "<summary>~ changed dashboard <code>main</code> 'Main'</summary>" in out
    assert f"![before]({assets}/main.before.svg) ![after]({assets}/main.after.svg)" in out
    assert "  - `fieldConfig.defaults.thresholds.steps[1].value`: `14.4` → `10`" in out
    assert "  - moved: `x=0 y=4 w=12 h=8` → `x=12 y=4 w=12 h=8`" in out
    assert sorted(p.name for p in assets.iterdir()) == ["main.after.svg", "main.before.svg", "old.before.svg"]
    after = ElementTree.parse(assets / "main.after.svg").getroot()
    marks = {r.get("data-panel"): r.get("data-state") for r in after.iter("{http://www.w3.org/2000/svg}rect")
             if r.get("data-panel")}
    assert {state for state in marks.values() if state} == {"added", "moved", "changed"}


def test_a_finding_the_change_introduces_is_named(cli, planted):
    main = planted / "dashboards" / "main.py"
    main.write_text(main.read_text().replace("sum(rate(errors_total[5m]))", "sum by (trace_id) (rate(errors_total[5m]))"))
    _, out, _ = cli("-C", str(planted), "diff", "--against", "HEAD~1")
    assert ("    lint introduces error[promql/high-cardinality-grouping]: groups by trace_id, an unbounded label"
            " (panel 'Errors' · ref A)") in out.splitlines()


@pytest.mark.parametrize("output", ["markdown", "json"])
def test_the_pull_request_comment_and_the_json_match_their_golden_files(cli, planted, tmp_path, monkeypatch,
                                                                        update_golden, output):
    """The whole comment as a reviewer reads it, and the whole document a script reads."""
    monkeypatch.chdir(tmp_path)
    assets = ["--assets", "pr assets"] if output == "markdown" else []
    code, out, err = cli("-C", str(planted), "diff", "--against", "HEAD~1", "--format", output, *assets)
    assert (code, err) == (1, "")
    check_golden(f"diff/planted.{'md' if output == 'markdown' else 'json'}", out.encode(), update_golden)
    if output == "markdown":  # linked by a path a browser can follow, the space encoded
        assert "![before](pr%20assets/main.before.svg) ![after](pr%20assets/main.after.svg)" in out
        assert sorted(p.name for p in (tmp_path / "pr assets").iterdir()) == [
            "main.after.svg", "main.before.svg", "old.before.svg"]


def test_assets_without_markdown_is_a_usage_error(cli, planted, tmp_path):
    code, out, err = cli("-C", str(planted), "diff", "--against", "HEAD~1", "--assets", str(tmp_path / "a"))
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "Error: --assets writes the pictures a Markdown comment links to: add --format markdown")
    assert not (tmp_path / "a").exists()


def _grid(title: str, pid: int, x: int, y: int, w: int = 12, h: int = 8) -> dict:
    return {"id": pid, "title": title, "type": "timeseries", "gridPos": {"x": x, "y": y, "w": w, "h": h}}


def test_panels_pushed_down_by_a_new_row_read_as_one_line():
    """A panel added at the top shifts everything below it: one line for those, not one per panel;
    a panel that moved and changed too is still shown on its own."""
    before = {"uid": "d", "title": "D", "panels": [_grid("A", 1, 0, 0), _grid("B", 2, 12, 0), _grid("C", 3, 0, 8),
                                                   _grid("E", 5, 12, 8)]}
    after = {"uid": "d", "title": "D", "panels": [
        _grid("New", 9, 0, 0, 24, 4), _grid("A", 1, 0, 4), _grid("B", 2, 12, 4), _grid("C", 3, 0, 12),
        {**_grid("E", 5, 12, 12, 12, 10), "description": "taller"}]}
    assert dashboard_lines(diff_dashboards(before, after)) == [
        "+ panel 'New' (timeseries at x=0 y=0 w=24 h=4)",
        "↓ 3 panels shift down 4 rows, with no other change: 'A', 'B', 'C'",
        "~ panel 'E'",
        "    moved and resized: x=12 y=8 w=12 h=8 → x=12 y=12 w=12 h=10",
        '    description: (none) → "taller"',
    ]
    one = dashboard_lines(diff_dashboards(before, {**before, "panels": [_grid("A", 1, 0, 2), *before["panels"][1:]]}))
    assert one == ["~ panel 'A'", "    moved: x=0 y=0 w=12 h=8 → x=0 y=2 w=12 h=8"]  # one panel is no group


@pytest.mark.parametrize("old, new, word", [
    ({"x": 0, "y": 0, "w": 12, "h": 8}, {"x": 12, "y": 0, "w": 12, "h": 8}, "moved"),
    ({"x": 0, "y": 0, "w": 12, "h": 8}, {"x": 0, "y": 0, "w": 24, "h": 8}, "resized"),
    ({"x": 0, "y": 0, "w": 12, "h": 8}, {"x": 0, "y": 2, "w": 12, "h": 6}, "moved and resized"),
])
def test_a_move_and_a_resize_are_named_as_what_they_are(old, new, word):
    diff = diff_dashboards({"panels": [{"id": 1, "title": "P", "gridPos": old}]},
                           {"panels": [{"id": 1, "title": "P", "gridPos": new}]})
    assert dashboard_lines(diff)[1].startswith(f"    {word}: ")


def test_tags_in_another_order_are_no_change():
    old = {"uid": "d", "title": "D", "tags": ["dashgen", "payments"], "panels": []}
    assert dashboard_lines(diff_dashboards(old, {**old, "tags": ["payments", "dashgen"]})) == []
    assert dashboard_lines(diff_dashboards(old, {**old, "tags": ["payments"]})) == [
        "settings:", '    tags: ["dashgen", "payments"] → ["payments"]']
