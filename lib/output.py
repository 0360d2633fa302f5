"""Writes a build to disk all at once, or compares it with what is there.

A build is a mapping of relative paths to bytes. It is written to a temporary sibling folder and
swapped in with renames, so a failed build never leaves a half-written output folder, and files of
removed dashboards disappear with the old tree.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from dashgen.errors import InputError, Location


def stale_files(files: dict[str, bytes], out: Path) -> list[str]:
    """Relative paths that differ between the build and `out`: changed, missing or extra."""
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} if out.is_dir() else set()
    differ = [rel for rel, data in files.items() if rel not in on_disk or (out / rel).read_bytes() != data]
    differ.extend(on_disk - set(files))
    return sorted(differ)


def write_tree(files: dict[str, bytes], out: Path) -> None:
    """Replaces `out` with exactly `files`."""
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise InputError(Location(file=str(out)), "output path exists and is not a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; Grafana must be able to read it
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, retired / out.name)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(retired / out.name, out)  # put the previous build back
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
