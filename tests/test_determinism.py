"""Two builds are byte-identical whatever the hash seed, file-system order, clock or working directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SOURCES

DASHGEN = [sys.executable, "-c", "from dashgen.cli.main import main; main()"]


def _build(project: Path, out: Path, cwd: Path, seed: str, tz: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz, "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([*DASHGEN, "-C", str(project), "build", "--out", str(out)], cwd=cwd, env=env, check=True,
                   capture_output=True)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _copy_in_reverse_order(src: Path, dst: Path) -> None:
    """The same project, its files created in the opposite order (directory listings then differ)."""
    files = sorted((p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts), reverse=True)
    for path in files:
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def test_builds_are_byte_identical(tmp_path):
    project = tmp_path / "copy"
    (project / "dashboards").mkdir(parents=True)
    shutil.copyfile(REPO / "pyproject.toml", project / "pyproject.toml")
    for folder in SOURCES:
        _copy_in_reverse_order(REPO / folder, project / folder)
    _copy_in_reverse_order(REPO / "tests/fixtures/compiler/dashboards", project / "dashboards" / "fixture")

    first = _build(project, tmp_path / "a", cwd=project, seed="1", tz="UTC")
    second = _build(project, tmp_path / "b", cwd=project / "dashboards", seed="4242", tz="Asia/Tokyo")

    assert len(first) >= 10
    assert first == second
