"""The README's example dashboard builds, and its quick-start commands are the ones CI runs."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import REPO, copy_project
from dashgen.build import build
from dashgen.project import find_project

README = (REPO / "README.md").read_text()


def test_the_example_dashboard_builds(tmp_path):
    example = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    root = tmp_path / "project"
    copy_project(root)
    (root / "dashboards" / "checkout.py").write_text(example)
    built = {d.uid for d in build(find_project(root)).dashboards}
    assert "checkout" in built


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert len(commands) == 2 and "dashgen build" in commands[0]
    assert commands[1].replace(" -q", "") in (REPO / ".ci" / "run").read_text().replace(" -q", "")


@pytest.mark.parametrize("folder", ["Payments"], ids=["a folder of its own"])
def test_adding_the_example_dashboard_as_the_readme_says_keeps_the_tests_green(tmp_path, folder):
    """Step by step as "Adding a dashboard" says, in a copy of the repository: the tests that read
    the repository's dashboards (their count, their folders, their plan, generated/) still pass
    beside a new one in a folder of its own: the whole suite, not a chosen part."""
    import subprocess
    import sys

    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "build", "dist",
                                                              "*.egg-info", ".dashgen*", ".pytest_cache"))
    shutil.copytree(REPO / "generated" / ".dashgen", copy / "generated" / ".dashgen")
    example = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    (copy / "dashboards" / "checkout.py").write_text(example.replace('folder = "MPAC"', f'folder = "{folder}"'))
    dashgen = [sys.executable, "-c", "from dashgen.cli.main import main; main()", "-C", str(copy)]
    built = subprocess.run([*dashgen, "build"], capture_output=True, text=True)  # step 4: build, then commit
    assert (built.returncode, built.stderr) == (0, "")
    # The whole suite but itself and the fuzz cases (which build projects of their own).
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "tests",
                           "--ignore=tests/test_readme.py", "--ignore=tests/fuzz"],
                          cwd=copy, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
