"""What `dashgen build` writes: golden files, Grafana 12.3 invariants, --check and --out."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from conftest import GOLDEN, REPO, SIMPLE, check_golden
from dashgen.build import build
from dashgen.compile import all_panels
from dashgen.compile.datasources import MIXED
from dashgen.compile.layout import overlaps
from dashgen.compile.legacy import DEPRECATED_PANEL_TYPES
from dashgen.project import find_project
from dashgen.validate import schema_errors

FIXTURE = REPO / "tests" / "fixtures" / "compiler"
PROJECTS = {"repo": REPO, "fixture": FIXTURE}


def built(name: str) -> dict[str, bytes]:
    return build(find_project(PROJECTS[name])).files


def test_fixture_output_matches_golden_files(update_golden):
    files = built("fixture")
    if update_golden:
        shutil.rmtree(GOLDEN / "compiler", ignore_errors=True)
    for rel, data in files.items():
        check_golden(f"compiler/{rel}", data, update_golden)
    assert sorted(p.relative_to(GOLDEN / "compiler").as_posix() for p in (GOLDEN / "compiler").rglob("*") if p.is_file()) == sorted(files)


def test_repository_generated_folder_is_current(update_golden):
    """generated/ is this repository's golden output: committed, and refreshed by --update-golden."""
    files = built("repo")
    generated = REPO / "generated"
    if update_golden:
        from dashgen.output import write_tree

        write_tree(files, generated)
    from dashgen.output import BOOKKEEPING

    on_disk = {p.relative_to(generated).as_posix(): p.read_bytes() for p in generated.rglob("*") if p.is_file()}
    on_disk = {rel: data for rel, data in on_disk.items() if rel not in BOOKKEEPING}  # a local record, not for git
    assert sorted(on_disk) == sorted(files), "run `dashgen build` (or pytest --update-golden)"
    for rel, data in files.items():
        assert on_disk[rel].decode() == data.decode(), f"generated/{rel} is stale; run `dashgen build`"


def _dashboards(name: str) -> list[dict]:
    return [json.loads(data) for rel, data in built(name).items() if rel.endswith(".json")]


def _nulls(value, path="") -> list[str]:
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, f"{path}/{i}")]
    return []


VARIABLE_REF = re.compile(r"^\$\{\w+\}$")


def _refs(dash: dict):
    for panel in all_panels(dash["panels"]):
        if "datasource" in panel:
            yield panel["title"], panel["datasource"]
        for target in panel.get("targets", []):
            yield f"{panel['title']}/{target['refId']}", target["datasource"]
    for var in dash["templating"]["list"]:
        if "datasource" in var:
            yield f"${var['name']}", var["datasource"]


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_dashboard_is_what_grafana_12_3_stores(name):
    dashboards = _dashboards(name)
    assert dashboards
    for dash in dashboards:
        uid = dash["uid"]
        assert dash["schemaVersion"] == 42, uid
        assert "id" in dash and dash["id"] is None, uid
        assert _nulls(dash) == ["/id"], uid
        assert re.match(r"^[A-Za-z0-9_-]{1,40}$", uid)
        assert schema_errors(dash, uid) == []
        panels = list(all_panels(dash["panels"]))
        assert not {p["type"] for p in panels} & set(DEPRECATED_PANEL_TYPES), uid
        ids = [p["id"] for p in panels]
        assert len(ids) == len(set(ids)), uid
        for p in panels:
            g = p["gridPos"]
            assert 0 <= g["x"] and 1 <= g["w"] and g["x"] + g["w"] <= 24 and g["y"] >= 0 and g["h"] >= 1, p["title"]
        visible = [p for p in dash["panels"]]
        assert overlaps(visible) == [], uid
        for where, ref in _refs(dash):
            assert isinstance(ref, dict) and set(ref) == {"type", "uid"}, (uid, where, ref)
            assert ref["uid"] == MIXED or VARIABLE_REF.match(ref["uid"]) or re.match(r"^[\w-]+$", ref["uid"]), ref


def test_rows_are_laid_out_top_to_bottom():
    for dash in _dashboards("repo") + _dashboards("fixture"):
        rows = [p["gridPos"]["y"] for p in dash["panels"] if p["type"] == "row"]
        assert rows == sorted(rows) and len(rows) == len(set(rows))


def test_check_reports_stale_files_and_writes_nothing(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    assert cli("-C", str(project.root), "build")[0] == 0
    assert cli("-C", str(project.root), "build", "--check") == (0, "generated/ is up to date (2 files)\n", "")
    project.write("dashboards/simple.py", SIMPLE.replace('"Up"', '"Up now"'))
    (project.root / "generated" / "extra.json").write_text("{}")
    before = project.tree()

    code, out, _ = cli("-C", str(project.root), "build", "--check")

    assert code == 1
    assert out.splitlines() == [
        "stale: generated/dashboards/Team/simple.json",
        "stale: generated/extra.json",
        "generated/ is out of date (2 files differ); run `dashgen build`",
    ]
    assert project.tree() == before


def test_build_replaces_the_whole_tree(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    project.write("dashboards/other.py", SIMPLE.replace('uid="simple"', 'uid="other"'))
    assert cli("-C", str(project.root), "build")[0] == 0
    (project.root / "dashboards" / "other.py").unlink()

    code, out, _ = cli("-C", str(project.root), "build")

    assert code == 0
    assert out == "built 1 dashboard in 1 folder into generated/: 0 of 2 files changed, 1 removed\n"
    assert sorted(project.tree()) == [".dashgen/manifest", "dashboards/Team/simple.json",
                                      "provisioning/default/dashboards/dashgen.yaml"]
    assert oct((project.root / "generated").stat().st_mode & 0o777) != oct(0o700)


def test_out_builds_elsewhere(project, cli, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    out = tmp_path / "elsewhere"
    code, _, _ = cli("-C", str(project.root), "build", "--out", str(out))
    assert code == 0
    assert not (project.root / "generated").exists()
    assert (out / "dashboards" / "Team" / "simple.json").is_file()


def test_folder_comes_from_module_then_subfolder_then_default(project, cli):
    project.write("dashboards/a.py", SIMPLE.replace('uid="simple"', 'uid="a"'))
    project.write("dashboards/ops/b.py", SIMPLE.replace('uid="simple"', 'uid="b"'))
    project.write("dashboards/ops/c.py", 'folder = "Named"\n' + SIMPLE.replace('uid="simple"', 'uid="c"'))
    assert cli("-C", str(project.root), "build")[0] == 0
    assert sorted(project.tree()) == [
        ".dashgen/manifest", "dashboards/Named/c.json", "dashboards/Team/a.json", "dashboards/ops/b.json",
        "provisioning/default/dashboards/dashgen.yaml",
    ]


@pytest.mark.parametrize("where, message", [
    (".", "the output folder holds the project itself; choose a folder of its own"),
    ("..", "the output folder holds the project itself; choose a folder of its own"),
    ("dashboards", "the output folder holds 'simple.py', which this build would not write, and no "
                   ".dashgen/manifest records what a build wrote there; move the folder away or delete it "
                   "yourself, or choose an empty folder"),
])
def test_out_never_replaces_a_folder_dashgen_does_not_own(project, cli, where, message):
    project.write("dashboards/simple.py", SIMPLE)
    target = (project.root / where).resolve()
    code, _, err = cli("-C", str(project.root), "build", "--out", str(target))
    assert code == 2
    assert err == f"error: {target}: {message}\n"
    assert (project.root / "dashboards" / "simple.py").exists() and (project.root / "pyproject.toml").exists()


def test_an_unwritable_output_is_a_clear_error_and_the_old_build_stays(project, cli, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = cli("-C", str(project.root), "build", "--out", str(blocker / "out"))
    assert code == 2
    assert err.startswith(f"error: cannot write {blocker / 'out'}: ")
    assert "Traceback" not in err


def test_grafanalib_thresholds_and_tables_are_stored_in_grafanas_current_shape(project):
    project.write("dashboards/shapes.py", """
        from grafanalib.core import Dashboard, Stat, Table, Target, Threshold
        DS = {"type": "prometheus", "uid": "p"}
        dashboard = Dashboard(title="Shapes", uid="shapes", panels=[
            Stat(title="S", dataSource=DS, targets=[Target(expr="up")],
                 thresholds=[Threshold("green", 0, 0.0), Threshold("red", 1, 80.0)]),
            Table(title="T", dataSource=DS, targets=[Target(expr="up")], displayMode="color-background"),
        ])
    """)
    (stat, table) = build(find_project(project.root)).dashboards[0].model["panels"]
    steps = [{"color": "green", "value": 0}, {"color": "red", "value": 80.0}]  # the base step as Grafana 12.3 saves it
    assert stat["fieldConfig"]["defaults"]["thresholds"]["steps"] == steps and stat["pluginVersion"] == "12.3.0"
    custom = table["fieldConfig"]["defaults"]["custom"]
    assert "displayMode" not in custom and custom["cellOptions"] == {"type": "color-background", "mode": "gradient"}


def test_only_core_panels_get_grafanas_plugin_version(project):
    project.write("dashboards/plugins.py", """
        from grafanalib.core import Dashboard, Panel, TimeSeries, Target
        DS = {"type": "prometheus", "uid": "p"}

        class Treemap(Panel):
            def to_json_data(self):
                return self.panel_json({"type": "marcusolsson-treemap-panel"})

        dashboard = Dashboard(title="Plugins", uid="plugins", panels=[
            TimeSeries(title="Core", dataSource=DS, targets=[Target(expr="up")]),
            Treemap(title="External", dataSource=DS, targets=[Target(expr="up")]),
        ])
    """)
    core, external = build(find_project(project.root)).dashboards[0].model["panels"]
    assert (core["pluginVersion"], "pluginVersion" in external) == ("12.3.0", False)


def test_every_build_compiles_afresh(project, cli, monkeypatch):
    """Nothing serves an output a fresh compile would not produce: a definition that reads the
    environment sees its value of the moment, in one process and from the command line."""
    project.write("dashboards/simple.py", "import os\n" + SIMPLE.replace('title="Simple"', 'title=os.environ["TITLE"]'))
    for title in ("one", "two"):
        monkeypatch.setenv("TITLE", title)
        assert build(find_project(project.root)).dashboards[0].title == title
        assert cli("-C", str(project.root), "build")[0] == 0
        assert json.loads((project.root / "generated" / "dashboards" / "Team" / "simple.json").read_text())["title"] == title
