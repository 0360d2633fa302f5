"""The loader changes the process only while definitions load: afterwards sys.path, the project's
modules, stdout, os._exit and the Ctrl-C handler are exactly as they were, whether the load
succeeded or failed, so a library caller (or a second build in the same process) sees fresh code."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from conftest import SIMPLE
from dashgen.build import build
from dashgen.errors import InputErrors
from dashgen.project import find_project


def _process_state():
    return (list(sys.path), set(sys.modules), sys.stdout, sys.stderr, os._exit, signal.getsignal(signal.SIGINT))


def _project_modules(root) -> list[str]:
    return sorted(name for name, module in sys.modules.items()
                  if name.startswith(("dashgen_definitions", "dashboards"))
                  or str(getattr(module, "__file__", None) or "").startswith(str(root)))


def _write_project(project, broken: bool) -> None:
    project.write("dashboards/_helper.py", 'print("helper loaded")\nTITLE = "Simple"\n')
    project.write("dashboards/simple.py", "from dashboards._helper import TITLE\n" + SIMPLE)
    if broken:
        project.write("dashboards/broken.py", "import os\nos._exit(3)\n")


@pytest.mark.parametrize("broken", [False, True], ids=["loads", "fails"])
def test_a_build_leaves_the_process_as_it_found_it(project, capsys, broken):
    _write_project(project, broken)
    before = _process_state()
    if broken:
        with pytest.raises(InputErrors, match=r"calls os\._exit\(3\)"):
            build(find_project(project.root))
    else:
        assert [d.uid for d in build(find_project(project.root)).dashboards] == ["simple"]
    after = _process_state()
    assert after[0] == before[0] and after[2:] == before[2:]
    assert _project_modules(project.root) == []
    assert "helper loaded" in capsys.readouterr().err  # a definition's print() went to stderr meanwhile


def test_a_second_build_in_the_process_sees_the_changed_helper(project):
    project.write("dashboards/_helper.py", 'TITLE = "One"\n')
    project.write("dashboards/simple.py", "from dashboards._helper import TITLE\n"
                  + SIMPLE.replace('title="Simple"', "title=TITLE"))
    assert build(find_project(project.root)).dashboards[0].model["title"] == "One"
    project.write("dashboards/_helper.py", 'TITLE = "Two"\n')
    assert build(find_project(project.root)).dashboards[0].model["title"] == "Two"
