"""Writes a build to disk all at once, or compares it with what is there.

A build is a mapping of relative paths to bytes. It is written to a fresh sibling folder and swapped
in with renames, so a failed or interrupted build never leaves a half-written output folder, and
files of removed dashboards disappear with the old tree. Because the old tree goes, the output
folder must be one dashgen owns: never the project itself, nor a folder holding anything else.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from dashgen.errors import DashgenError, InputError, Location

OWNED_ENTRIES = {"dashboards", "provisioning"}  # everything a build writes at the top of its folder


def stale_files(files: dict[str, bytes], out: Path) -> list[str]:
    """Relative paths that differ between the build and `out`: changed, missing or extra."""
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} if out.is_dir() else set()
    differ = [rel for rel, data in files.items() if rel not in on_disk or (out / rel).read_bytes() != data]
    differ.extend(on_disk - set(files))
    return sorted(differ)


def check_target(out: Path, project_root: Path) -> None:
    """Refuses an output folder whose replacement would destroy anything but a previous build."""
    out = out.resolve()
    where = Location(file=str(out))
    if project_root.is_relative_to(out):
        raise InputError(where, "the output folder holds the project itself; choose a folder of its own")
    if out.exists() and not out.is_dir():
        raise InputError(where, "the output path exists and is not a folder")
    foreign = sorted(p.name for p in out.iterdir() if p.name not in OWNED_ENTRIES) if out.is_dir() else []
    if foreign:
        raise InputError(
            where, f"the output folder holds {foreign[0]!r}, which a build did not write; "
                   "choose an empty folder or a previous build's",
        )


def write_tree(files: dict[str, bytes], out: Path) -> None:
    """Replaces `out` with exactly `files`."""
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = out.parent / f".{out.name}.new-{secrets.token_hex(4)}"
        staging.mkdir()  # mode from the umask: Grafana must be able to read what is mounted
    except OSError as exc:
        raise DashgenError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _swap(staging, out)
    except OSError as exc:
        raise DashgenError(f"cannot write {out}: {exc.strerror or exc}; it is left as it was") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    retired = out.parent / f".{out.name}.old-{secrets.token_hex(4)}"
    os.rename(out, retired)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(retired, out)  # put the previous build back, also on Ctrl-C
        raise
    shutil.rmtree(retired, ignore_errors=True)
