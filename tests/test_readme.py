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
