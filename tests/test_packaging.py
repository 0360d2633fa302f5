"""The wheel holds every package folder and the schema, not only what an editable install finds."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile

import pytest

from conftest import REPO

PACKAGE_DIRS = {"dashgen": "lib", "dashgen.cli": "cli"}


def _package_folders() -> set[str]:
    names = set()
    for package, folder in PACKAGE_DIRS.items():
        for init in (REPO / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(REPO / folder).parts
            names.add(".".join((package, *rel)))
    return names


def test_pyproject_lists_every_package_folder():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == PACKAGE_DIRS
    assert sorted(config["packages"]) == sorted(_package_folders())


def test_every_python_folder_is_a_package():
    for folder in PACKAGE_DIRS.values():
        for module in (REPO / folder).rglob("*.py"):
            assert (module.parent / "__init__.py").exists(), f"{module} is in a folder without __init__.py"


def test_wheel_contains_the_code_and_the_schema(tmp_path):
    pytest.importorskip("setuptools", minversion="68", reason="building the wheel needs setuptools>=68")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("dashgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"{package.replace('.', '/')}/{path.relative_to(REPO / folder).as_posix()}"
        for package, folder in PACKAGE_DIRS.items()
        for path in (REPO / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in {".py", ".json", ".md"}
        and not (package == "dashgen" and path.is_relative_to(REPO / "cli"))
    }
    assert expected <= names, sorted(expected - names)
    assert "dashgen/schema/LICENSE-grafana-schema" in names
    assert not any(n.startswith(("lib/", "cli/")) for n in names)
