"""Bad definitions: one located line per error, exit 2, no traceback, generated/ left as it was."""

from __future__ import annotations

import pytest

from conftest import SIMPLE

BROKEN = {
    "syntax": (
        "dashboards/syntax.py",
        'from grafanalib.core import Dashboard\n\ndashboard = Dashboard(title="x", uid="x"\n',
        "dashboards/syntax.py:3: SyntaxError: '(' was never closed",
    ),
    "exception": (
        "dashboards/boom.py",
        "from grafanalib.core import Dashboard\nrate = 1 / 0\n",
        "dashboards/boom.py:2: ZeroDivisionError: division by zero",
    ),
    "missing": (
        "dashboards/missing.py",
        "x = 1\n",
        "dashboards/missing.py:1: defines no 'dashboard' (a grafanalib Dashboard);"
        " name helper modules with a leading '_'",
    ),
    "wrong-type": (
        "dashboards/wrong.py",
        'folder = "Team"\ndashboard = {"title": "x"}\n',
        "dashboards/wrong.py:2: 'dashboard' is a dict, not a grafanalib Dashboard",
    ),
    "bad-folder": (
        "dashboards/folder.py",
        'from grafanalib.core import Dashboard\n\nfolder = "a/b"\ndashboard = Dashboard(title="F", uid="f")\n',
        "dashboards/folder.py:3: folder 'a/b' is not a valid folder name"
        " (letters, digits, space, '_', '.', '-'; at most 64)",
    ),
    "error-in-helper": (
        "dashboards/uses_helper.py",
        "from dashboards._helper import PANELS\n",
        "dashboards/_helper.py:1: NameError: name 'undefined_name' is not defined"
        " (while loading dashboards/uses_helper.py)",
    ),
    "no-uid": (
        "dashboards/nouid.py",
        'from grafanalib.core import Dashboard\ndashboard = Dashboard(title="No uid")\n',
        "dashboards/nouid.py: dashboard has no uid; set Dashboard(uid=...) so links and pushes stay stable",
    ),
    "bad-uid": (
        "dashboards/baduid.py",
        'from grafanalib.core import Dashboard\ndashboard = Dashboard(title="B", uid="has space")\n',
        "dashboards/baduid.py · dashboard 'has space': uid 'has space' must be 1 to 40 characters"
        " of letters, digits, '-' and '_'",
    ),
    "deprecated-panel": (
        "dashboards/old.py",
        'from grafanalib.core import Dashboard, Graph, Target\n'
        'dashboard = Dashboard(title="Old", uid="old", panels=[Graph(title="CPU",'
        ' dataSource={"type": "prometheus", "uid": "p"}, targets=[Target(expr="up")])])\n',
        "dashboards/old.py · dashboard 'old' · panel 'CPU': panel type 'graph' was removed from Grafana 12;"
        " use timeseries (grafanalib TimeSeries), or barchart, bargauge, histogram",
    ),
    "datasource-by-name": (
        "dashboards/byname.py",
        'from grafanalib.core import Dashboard, Target, TimeSeries\n'
        'dashboard = Dashboard(title="N", uid="n", panels=[TimeSeries(title="Up",'
        ' dataSource="Prometheus", targets=[Target(expr="up")])])\n',
        "dashboards/byname.py · dashboard 'n' · panel 'Up': datasource given by name 'Prometheus'; refer to it"
        " by uid, e.g. {'type': 'prometheus', 'uid': 'prometheus'}, or by a datasource variable '${datasource}'",
    ),
    "unknown-datasource-variable": (
        "dashboards/novar.py",
        'from grafanalib.core import Dashboard, Target, TimeSeries\n'
        'dashboard = Dashboard(title="V", uid="v", panels=[TimeSeries(title="Up",'
        ' dataSource={"type": "prometheus", "uid": "$ds"}, targets=[Target(expr="up")])])\n',
        "dashboards/novar.py · dashboard 'v' · panel 'Up': datasource '${ds}' is not a datasource variable"
        " of this dashboard (known: none)",
    ),
    "schema": (
        "dashboards/shift.py",
        'from grafanalib.core import Dashboard, Target, TimeSeries\n'
        'dashboard = Dashboard(title="S", uid="s", panels=[TimeSeries(title="Shifted",'
        ' dataSource={"type": "prometheus", "uid": "p"}, targets=[Target(expr="up")], timeShift=5)])\n',
        "dashboards/shift.py · dashboard 's' · panel 'Shifted': schema: at /panels/0/timeShift:"
        " 5 is not of type 'string'",
    ),
    "empty-title": (
        "dashboards/notitle.py",
        'from grafanalib.core import Dashboard\ndashboard = Dashboard(title="  ", uid="t")\n',
        "dashboards/notitle.py · dashboard 't': dashboard title is empty",
    ),
    "duplicate-ref-id": (
        "dashboards/refs.py",
        'from grafanalib.core import Dashboard, Target, TimeSeries\n'
        'dashboard = Dashboard(title="R", uid="r", panels=[TimeSeries(title="Two A", dataSource={"type": "prometheus",'
        ' "uid": "p"}, targets=[Target(expr="up", refId="A"), Target(expr="up", refId="A")])])\n',
        "dashboards/refs.py · dashboard 'r' · panel 'Two A': refId 'A' is used by more than one query",
    ),
    "not-a-panel": (
        "dashboards/strays.py",
        'from grafanalib.core import Dashboard, RowPanel, Target, TimeSeries\n'
        'dashboard = Dashboard(title="S", uid="strays", panels=["oops", RowPanel(title="R", panels=["x"]),'
        ' TimeSeries(title="T", dataSource={"type": "prometheus", "uid": "p"}, targets=["up"])])\n',
        "dashboards/strays.py · dashboard 'strays': panels[0] is a str ('oops'), not a panel",
    ),
    "old-heatmap": (
        "dashboards/heat.py",
        'from grafanalib.core import Dashboard, Heatmap, Target\n'
        'dashboard = Dashboard(title="H", uid="heat", panels=[Heatmap(title="Heat",'
        ' dataSource={"type": "prometheus", "uid": "p"}, targets=[Target(expr="up")])])\n',
        "dashboards/heat.py · dashboard 'heat' · panel 'Heat': grafanalib's Heatmap writes the pre-9 heatmap model;"
        " use dashgen.panels.Viz(type='heatmap', ...)",
    ),
    "attrs-validation": (
        "dashboards/attrs.py",
        'from grafanalib.core import Dashboard, TimeSeries\n\n'
        'dashboard = Dashboard(title="A", uid="attrs", panels=[TimeSeries(title="T", unit=5)])\n',
        "dashboards/attrs.py:3: TypeError: 'unit' must be <class 'str'> (got 5 that is a <class 'int'>).",
    ),
    "target-datasource": (
        "dashboards/targetds.py",
        'from grafanalib.core import Dashboard, Target, TimeSeries\n'
        'dashboard = Dashboard(title="T", uid="tds", panels=[TimeSeries(title="T", dataSource={"type": "prometheus",'
        ' "uid": "p"}, targets=[Target(expr="up", refId="B", datasource="Prometheus")])])\n',
        "dashboards/targetds.py · dashboard 'tds' · panel 'T' · ref B: datasource given by name 'Prometheus'; refer to it"
        " by uid, e.g. {'type': 'prometheus', 'uid': 'prometheus'}, or by a datasource variable '${datasource}'",
    ),
    "bad-width": (
        "dashboards/wide.py",
        'from grafanalib.core import Dashboard, GridPos, Text\n'
        'dashboard = Dashboard(title="W", uid="w", panels=[Text(title="Note", gridPos=GridPos(h=2, w=30, x=0, y=0))])\n',
        "dashboards/wide.py · dashboard 'w' · panel 'Note': gridPos.w 30 must be a whole number from 1 to 24",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_definition_is_one_located_line(project, cli, case):
    project.write("dashboards/good.py", SIMPLE)
    assert cli("-C", str(project.root), "build")[0] == 0
    before = project.tree()
    project.write("dashboards/_helper.py", "PANELS = [undefined_name]\n")
    rel, source, message = BROKEN[case]
    project.write(rel, source)

    code, out, err = cli("-C", str(project.root), "build")

    assert code == 2
    assert err.splitlines()[0] == f"error: {message}"
    assert err.splitlines()[-1].endswith(" error") or err.splitlines()[-1].endswith(" errors")
    assert "Traceback" not in err
    assert project.tree() == before


def test_every_broken_module_is_reported_in_one_run(project, cli):
    for rel, source, _ in BROKEN.values():
        project.write(rel, source)
    project.write("dashboards/_helper.py", "PANELS = [undefined_name]\n")

    code, _, err = cli("-C", str(project.root), "build")

    expected = {f"error: {message}" for _, _, message in BROKEN.values()}
    assert code == 2
    assert expected <= set(err.splitlines()[:-1])
    assert not (project.root / "generated").exists()


def test_duplicate_uid_names_both_files(project, cli):
    project.write("dashboards/a.py", SIMPLE)
    project.write("dashboards/b.py", SIMPLE)

    code, _, err = cli("-C", str(project.root), "build")

    assert code == 2
    assert "error: dashboards/b.py · dashboard 'simple': uid 'simple' is already used by dashboards/a.py" in err


def test_debug_shows_the_traceback(project, cli):
    project.write("dashboards/boom.py", BROKEN["exception"][1])
    code, _, err = cli("--debug", "-C", str(project.root), "build")
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-2] == f"error: {BROKEN['exception'][2]}"


def test_no_project_is_a_clear_error(tmp_path, cli):
    code, _, err = cli("-C", str(tmp_path), "build")
    assert code == 2
    assert err == f"error: no pyproject.toml with a [tool.dashgen] table in {tmp_path} or any parent folder\n"


def test_unknown_setting_is_named(project, cli):
    (project.root / "pyproject.toml").write_text('[tool.dashgen]\ndefault_foldr = "x"\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err == (
        "error: pyproject.toml [tool.dashgen]: unknown setting 'default_foldr'; did you mean 'default_folder'?"
        " known: catalogue, default_folder, environments, lint, provisioning_path\n1 error\n"
    )


def test_every_stray_value_is_named(project, cli):
    project.write("dashboards/strays.py", BROKEN["not-a-panel"][1])
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [
        "error: dashboards/strays.py · dashboard 'strays': panels[0] is a str ('oops'), not a panel",
        "error: dashboards/strays.py · dashboard 'strays' · panel 'R': panels[0] of the row is a str ('x'), not a panel",
        "error: dashboards/strays.py · dashboard 'strays' · panel 'T': targets[0] is a str ('up'), not a query",
        "3 errors",
    ]


def test_errors_point_at_definitions_not_at_a_venv_inside_the_project(project, cli):
    """The README puts .venv in the project; a library frame there is not the user's line."""
    venv_lib = project.root / ".venv" / "lib" / "site-packages" / "fakelib"
    venv_lib.mkdir(parents=True)
    (venv_lib / "__init__.py").write_text("def check(value):\n    raise ValueError('bad value')\n")
    project.write("dashboards/uses_lib.py", """
        import sys
        sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / ".venv/lib/site-packages"))
        import fakelib
        fakelib.check(1)
    """)
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines()[0] == "error: dashboards/uses_lib.py:4: ValueError: bad value"


def test_helper_folders_and_dot_folders_are_not_dashboards(project, cli):
    project.write("dashboards/_lib/panels.py", "X = 1\n")
    project.write("dashboards/.scratch/try.py", "X = 1\n")
    project.write("dashboards/simple.py", SIMPLE)
    assert cli("-C", str(project.root), "build")[0] == 0


def test_a_definitions_print_goes_to_stderr(project, cli):
    project.write("dashboards/simple.py", 'print("debugging")\n' + SIMPLE)
    code, out, err = cli("-C", str(project.root), "build")
    assert code == 0
    assert "debugging" not in out and "debugging" in err


def test_a_broken_helper_is_reported_once_at_its_own_line(project, cli):
    project.write("dashboards/_helper.py", "PANELS = [undefined_name]\n")
    project.write("dashboards/a.py", "from dashboards._helper import PANELS\n")
    project.write("dashboards/b.py", "from dashboards._helper import PANELS\n")
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2
    assert err.splitlines() == [
        "error: dashboards/_helper.py:1: NameError: name 'undefined_name' is not defined (breaks 2 definitions)",
        "1 error",
    ]


def test_a_bug_is_an_internal_error_with_its_traceback_not_findings(cli, project, monkeypatch):
    """Exit 1 means findings to CI: a crash inside dashgen must not look like one."""
    import dashgen.build

    def broken(*args, **kwargs):
        raise RuntimeError("something dashgen did not expect")

    monkeypatch.setattr(dashgen.build, "build", broken)
    code, out, err = cli("-C", str(project.root), "build")
    assert (code, out) == (70, "")
    assert err.startswith("error: internal error in dashgen (a bug, not your input); please report it with this traceback:\n")
    assert err.rstrip().endswith("RuntimeError: something dashgen did not expect")


def test_a_dashboard_whose_uid_is_a_folders_is_refused(project, cli):
    project.write("dashboards/checkout.py", 'folder = "Checkout"\n' + SIMPLE.replace('uid="simple"', 'uid="checkout"'))
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, "error: dashboards/checkout.py · dashboard 'checkout': uid 'checkout' is also the uid of "
                              "folder 'Checkout', and Grafana gives one uid to one dashboard or folder; change the "
                              "dashboard's uid or the folder's title\n1 error\n")


def test_a_dashboard_title_that_is_not_text_is_named_as_such(project, cli):
    project.write("dashboards/t.py", 'from grafanalib.core import Dashboard\ndashboard = Dashboard(title={"a": 1}, uid="t")\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, "error: dashboards/t.py · dashboard 't': dashboard title {'a': 1} must be a string\n1 error\n")
