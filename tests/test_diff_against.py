"""`dashgen diff --against GIT_REF`: what a change to the definitions does to the dashboards a commit
generated, panel by panel, as a reviewer reads it in a pull request."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import SIMPLE, Project, copy_project

TWO_PANELS = SIMPLE.replace('uid="simple"', 'uid="two"')


def git(root, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    """A git repository whose project lives in a sub-folder, committed with its generated/."""
    root = tmp_path / "repo"
    project = Project(root / "observability")
    project.write("dashboards/simple.py", SIMPLE)
    project.write("dashboards/ops/two.py", TWO_PANELS)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "dev")
    return project


def commit_build(cli, root, message="build") -> None:
    assert cli("-C", str(root), "build")[0] == 0
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def test_an_unchanged_build_matches_head(cli, repo):
    commit_build(cli, repo.root)
    assert cli("-C", str(repo.root), "diff") == (0, "the build matches HEAD\n", "")
    assert cli("-C", str(repo.root), "diff", "--against", "main") == (0, "the build matches main\n", "")


def test_changes_since_a_commit_panel_by_panel(cli, repo):
    commit_build(cli, repo.root)
    source = (repo.root / "dashboards/simple.py").read_text()
    repo.write("dashboards/simple.py", source.replace("""PromQuery('up{job="$job"}')""", """PromQuery('sum(up{job="$job"})')"""))
    (repo.root / "dashboards/ops/two.py").rename(repo.root / "dashboards/two.py")  # to the default folder
    repo.write("dashboards/three.py", SIMPLE.replace('uid="simple"', 'uid="three"').replace("Simple", "Third"))

    code, out, err = cli("-C", str(repo.root), "diff", "--against", "main")
    assert (code, err) == (1, "")
    assert out.splitlines()[0] == "changes since main:"
    assert "+ added dashboard three 'Third'" in out
    assert "~ changed dashboard two 'Simple' (moved from folder 'ops' to 'Team')" in out
    assert out.splitlines()[1:] == [
        "~ changed dashboard simple 'Simple'",
        "    ~ panel 'Up'",
        "        query A:",
        '          -up{job="$job"}',
        '          +sum(up{job="$job"})',
        "+ added dashboard three 'Third'",
        "    + panel 'Up' (timeseries at x=0 y=0 w=12 h=8)",
        "    + variable datasource",
        "~ changed dashboard two 'Simple' (moved from folder 'ops' to 'Team')",
        "~ changed file provisioning/default/dashboards/dashgen.yaml",  # the ops folder's provider is gone
        "       type: file",
        "       updateIntervalSeconds: 30",
        "    -- allowUiUpdates: false",
        "    -  disableDeletion: false",
        "    -  folder: ops",
        "    -  folderUid: ops",
        "    -  name: dashgen-ops",
        "    -  options:",
        "    -    path: /var/lib/grafana/dashboards/dashgen/ops",
        "    -  orgId: 1",
        "    -  type: file",
        "    -  updateIntervalSeconds: 30",
    ]

    code, out, _ = cli("-C", str(repo.root), "diff", "--against", "main", "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["git"] == "main"
    assert [(c["uid"], c["action"]) for c in document["changes"]] == [
        ("simple", "changed"), ("three", "added"), ("two", "changed"),
        ("provisioning/default/dashboards/dashgen.yaml", "changed")]
    simple = document["changes"][0]
    assert [c["title"] for c in simple["changed"]] and all(c["queries"] for c in simple["changed"])

    _, markdown, _ = cli("-C", str(repo.root), "diff", "--against", "main", "--format", "markdown")
    assert markdown.startswith("## Changes since main\n")
    assert "```diff" in markdown


def test_a_datasource_change_shows_in_its_provisioning_files(cli, tmp_path):
    root = tmp_path / "mpac"
    copy_project(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "dev")
    commit_build(cli, root)
    path = root / "datasources" / "mpac.py"
    path.write_text(path.read_text().replace('scrape_interval="15s"', 'scrape_interval="30s"'))
    code, out, _ = cli("-C", str(root), "diff", "--format", "json")
    changes = json.loads(out)["changes"]
    assert code == 1
    assert [(c["kind"], c["uid"], c["action"]) for c in changes] == [
        ("file", f"provisioning/{env}/datasources/dashgen.yaml", "changed") for env in ("local", "production", "staging")]
    assert "-    timeInterval: 15s" in changes[0]["lines"] and "+    timeInterval: 30s" in changes[0]["lines"]
    _, text, _ = cli("-C", str(root), "diff")
    assert text.splitlines()[1:] == [
        "~ changed file provisioning/local/datasources/dashgen.yaml (and the same in production, staging)",
        *[f"    {line}" for line in changes[0]["lines"]],
    ]


def test_a_removed_definition_is_a_removed_dashboard(cli, repo):
    commit_build(cli, repo.root)
    (repo.root / "dashboards/ops/two.py").unlink()
    code, out, _ = cli("-C", str(repo.root), "diff")
    assert code == 1
    assert "- removed dashboard two 'Simple'" in out


def test_a_commit_before_the_first_build_shows_every_dashboard_added(cli, repo):
    (repo.root / "README").write_text("x\n")
    git(repo.root, "add", "README")
    git(repo.root, "commit", "-q", "-m", "start")
    commit_build(cli, repo.root)
    code, out, _ = cli("-C", str(repo.root), "diff", "--against", "HEAD~1")
    assert code == 1
    assert out.splitlines()[0] == "changes since HEAD~1, which holds no generated/ (all is new):"
    assert [line.split(" dashboard ")[1].split()[0] for line in out.splitlines() if " dashboard " in line] == [
        "simple", "two"]


@pytest.mark.parametrize("args, message", [
    (["--against", "nosuch"], "error: --against 'nosuch': no such commit, branch or tag in {root}\n"),
    (["--against", ""], "error: --against '' is not a git ref\n"),
    (["--against", "--upload-pack=x"], "error: --against '--upload-pack=x' is not a git ref\n"),
])
def test_a_bad_ref_is_a_one_line_error(cli, repo, args, message):
    commit_build(cli, repo.root)
    assert cli("-C", str(repo.root), "diff", *args) == (2, "", message.format(root=repo.root))


def test_outside_a_git_repository(cli, project):
    project.write("dashboards/simple.py", SIMPLE)
    code, out, err = cli("-C", str(project.root), "diff")
    assert (code, out) == (2, "")
    assert err == (f"error: --against compares with a git commit, and git cannot read a repository at {project.root} "
                   "(fatal: not a git repository (or any of the parent directories): .git)\n")


def test_against_and_env_together_are_refused(cli, repo):
    code, _, err = cli("-C", str(repo.root), "diff", "--against", "main", "--env", "staging")
    assert code == 2 and "give --against or --env, not both" in err


def test_a_broken_file_at_the_ref_is_named(cli, repo):
    commit_build(cli, repo.root)
    (repo.root / "generated/dashboards/Team/simple.json").write_text("{not json")
    git(repo.root, "commit", "-q", "-am", "break it")
    code, _, err = cli("-C", str(repo.root), "diff")
    assert code == 2
    assert err.startswith("error: generated/dashboards/Team/simple.json in HEAD is not valid JSON (")


def test_a_submodule_under_generated_is_named_not_a_traceback(cli, repo):
    commit_build(cli, repo.root)
    head = git(repo.root, "rev-parse", "HEAD").strip()
    git(repo.root, "update-index", "--add", "--cacheinfo", f"160000,{head},observability/generated/dashboards/Team/sub")
    git(repo.root, "commit", "-q", "-m", "a submodule")
    assert cli("-C", str(repo.root), "diff") == (
        2, "", "error: HEAD:observability/generated/dashboards/Team/sub is not a file (a submodule?)\n")


@pytest.mark.parametrize("damage", [
    lambda m: {**m, "panels": 5}, lambda m: {**m, "panels": ["x"]}, lambda m: {**m, "templating": {"list": 5}},
])
def test_a_dashboard_at_the_ref_that_is_not_shaped_like_one_is_named(cli, repo, damage):
    commit_build(cli, repo.root)
    path = repo.root / "generated/dashboards/Team/simple.json"
    path.write_text(json.dumps(damage(json.loads(path.read_text()))))
    git(repo.root, "commit", "-q", "-am", "hand-made")
    code, out, err = cli("-C", str(repo.root), "diff")
    assert (code, out) == (2, "")
    assert err.startswith("error: generated/dashboards/Team/simple.json in HEAD is not shaped like a dashboard (")
