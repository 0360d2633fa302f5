"""The GitHub workflow and the pre-commit hooks offered to projects cannot run here; what they call
can. Every dashgen command line in them is one the CLI accepts, the ones that need no Grafana pass
on this repository, and the workflow's shell and comment logic do what their comments say."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib

import pytest
import yaml

from conftest import REPO

WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "dashgen.yml").read_text())
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
STEPS = {job: WORKFLOW["jobs"][job]["steps"] for job in WORKFLOW["jobs"]}
SHELL_OPERATORS = {">", ">>", "|", "||", "&&", ";", "2>", "<"}


def _dashgen_lines(script: str) -> list[list[str]]:
    """Each `dashgen ...` command of a shell script, as arguments up to the first redirection or operator."""
    found = []
    for line in script.splitlines():
        words = shlex.split(line.split(" #")[0], posix=True) if line.strip().startswith("dashgen") else []
        if words:
            end = next((i for i, w in enumerate(words) if w in SHELL_OPERATORS or w.startswith(">")), len(words))
            found.append(words[1:end])
    return found


COMMANDS = sorted(
    {tuple(args) for steps in STEPS.values() for step in steps for args in _dashgen_lines(step.get("run", ""))}
    | {tuple(shlex.split(hook["entry"])[1:]) for hook in HOOKS}
)


def test_the_files_call_the_commands_their_brief_names():
    assert COMMANDS == sorted([
        ("-C", "$GITHUB_WORKSPACE", "diff", "--against", "origin/$BASE", "--format", "markdown", "--assets", "layout"),
        ("build", "--check"), ("lint",),
        ("lint", "--format", "github"), ("push", "--env", "staging"),
    ])


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_each_command_line_is_accepted_by_the_cli(args):
    """Parsed by the real click commands: an option renamed or a value no longer a choice fails here."""
    from dashgen.cli.main import cli

    group = cli.make_context("dashgen", list(args), resilient_parsing=False)
    words = list(args[2:] if args[0] == "-C" else args)  # the command after the global -C DIR
    name, command, rest = cli.resolve_command(group, words)
    command.make_context(name, rest, parent=group)


@pytest.mark.parametrize("args", [("build", "--check"), ("lint",), ("lint", "--format", "github")], ids=" ".join)
def test_the_checks_pass_on_this_repository(cli, args):
    code, out, err = cli("-C", str(REPO), *args)
    assert (code, err) == (0, ""), out


def test_the_diff_step_fails_only_for_bad_input_or_an_unreachable_grafana(tmp_path):
    """dashgen diff exits 1 when the pull request changes something, which is no failure."""
    (step,) = [s for s in STEPS["review"] if s.get("id") == "diff"]
    fake = tmp_path / "bin" / "dashgen"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "$@" > "$RUNNER_TEMP/args"\necho "## changes"\nexit "$FAKE_STATUS"\n')
    fake.chmod(0o755)
    for status, expected in ((0, 0), (1, 0), (2, 2), (3, 3)):
        env = os.environ | {"PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}", "RUNNER_TEMP": str(tmp_path),
                            "BASE": "main", "FAKE_STATUS": str(status)}
        env["GITHUB_WORKSPACE"] = "/checkout"
        assert step["working-directory"] == "${{ runner.temp }}"
        done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == expected, (status, done.stderr)
    assert (tmp_path / "args").read_text() == "-C /checkout diff --against origin/main --format markdown --assets layout\n"
    assert (tmp_path / "review" / "diff.md").read_text() == "## changes\n"
    (upload,) = [s for s in STEPS["review"] if "upload-artifact" in s.get("uses", "")]
    assert upload["with"]["path"] == "${{ runner.temp }}/review"  # the comment and the layout/ it links
    assert step["env"] == {"BASE": "${{ github.base_ref }}"}


@pytest.mark.skipif(shutil.which("node") is None, reason="no node here to run the comment script")
def test_the_comment_is_created_once_then_updated(tmp_path):
    """The github-script step with a stand-in for GitHub's API: a second run edits the first comment."""
    (step,) = [s for s in STEPS["review"] if "github-script" in s.get("uses", "")]
    (tmp_path / "review").mkdir()
    (tmp_path / "review" / "diff.md").write_text("## changes\n![before](layout/a.before.svg) ![after](layout/a.after.svg)\n")
    harness = """
const comments = [{id: 1, user: {type: 'User'}, body: 'looks good'}];
const calls = [];
const github = {
  paginate: async (method, args) => comments,
  rest: {issues: {
    listComments: () => {},
    createComment: async (a) => { calls.push(['create', a.issue_number, a.body]);
                                  comments.push({id: 2, user: {type: 'Bot'}, body: a.body}); },
    updateComment: async (a) => { calls.push(['update', a.comment_id, a.body]); },
  }},
};
const context = {repo: {owner: 'o', repo: 'r'}, issue: {number: 7}, serverUrl: 'https://github.com', runId: 42};
(async () => {
  for (let i = 0; i < 2; i++) { await (async () => { SCRIPT })(); }
  console.log(JSON.stringify(calls));
})();
""".replace("SCRIPT", step["with"]["script"])
    done = subprocess.run(["node", "-e", harness], env=os.environ | {"RUNNER_TEMP": str(tmp_path)},
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    body = ("<!-- dashgen diff -->\n## changes\nLayout before and after: the dashgen-review artifact of "
            "[this run](https://github.com/o/r/actions/runs/42).\n")  # a comment cannot show a run's files
    assert json.loads(done.stdout) == [["create", 7, body], ["update", 2, body]]


def test_the_diff_sees_the_base_branch_and_the_comment_is_allowed():
    checkout = STEPS["review"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    assert WORKFLOW["jobs"]["review"]["permissions"]["pull-requests"] == "write"


def test_staging_is_pushed_from_main_with_the_token_its_environment_names():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    token_env = pyproject["tool"]["dashgen"]["environments"]["staging"]["token_env"]
    on = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads a bare `on` as true
    assert on["push"]["branches"] == ["main"]
    (push,) = [s for s in STEPS["push-staging"] if s.get("run", "").startswith("dashgen push")]
    assert push["env"] == {token_env: f"${{{{ secrets.{token_env} }}}}"}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_hooks_run_once_per_commit_on_the_project_files(hook):
    assert (hook["language"], hook["pass_filenames"]) == ("python", False)
    files = re.compile(hook["files"])
    for path in ("dashboards/service_health.py", "dashboards/_mpac.py", "datasources/prometheus.py",
                 "catalogue/http.yaml", "pyproject.toml"):
        assert files.search(path), path
    for path in ("README.md", "lib/build.py", "tests/test_build_output.py", "examples/pyproject.toml",
                 "docs/dashboards/x.md"):
        assert not files.search(path), path
    assert bool(files.search("generated/dashboards/MPAC/service-health.json")) == (hook["id"] == "dashgen-build-check")
