"""The README's example dashboard builds, and its quick-start commands are the ones CI runs."""

from __future__ import annotations

import re
import shutil

from conftest import REPO
from dashgen.build import build
from dashgen.project import find_project

README = (REPO / "README.md").read_text()


def test_the_example_dashboard_builds(tmp_path):
    example = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    root = tmp_path / "project"
    for folder in ("dashboards", "datasources", "catalogue"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / "pyproject.toml", root / "pyproject.toml")
    (root / "dashboards" / "checkout.py").write_text(example)
    built = {d.uid for d in build(find_project(root)).dashboards}
    assert "checkout" in built


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert len(commands) == 2 and "dashgen build" in commands[0]
    assert commands[1].replace(" -q", "") in (REPO / ".ci" / "run").read_text().replace(" -q", "")


def test_adding_the_example_dashboard_as_the_readme_says_keeps_the_tests_green(tmp_path):
    """Step by step as "Adding a dashboard" says, in a copy of the repository: the tests that read
    the repository's dashboards (their count, their plan, generated/) still pass beside a new one."""
    import subprocess
    import sys

    copy = tmp_path / "repo"
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, tracked.decode().split("\0")):
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / rel, copy / rel)
    (copy / "dashboards" / "checkout.py").write_text(re.search(r"```python\n(.*?)```", README, re.S).group(1))
    dashgen = [sys.executable, "-c", "from dashgen.cli.main import main; main()", "-C", str(copy)]
    assert subprocess.run([*dashgen, "build"], capture_output=True).returncode == 0  # step 4: build, commit
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
                           "tests/test_dashboards.py", "tests/test_shown.py", "tests/test_catalogue.py",
                           "tests/test_build_output.py::test_repository_generated_folder_is_current",
                           "tests/test_push.py", "-k", "not token and not slow and not many"],
                          cwd=copy, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
