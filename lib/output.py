"""Writes a build to disk all at once, or compares it with what is there; deletes only what a build wrote.

A build is a mapping of relative paths to bytes. It is written to a fresh sibling folder
(`.<name>.new-<hex>`) and swapped in with two renames (the old output becomes `.<name>.old-<hex>`),
so files of removed dashboards disappear with the old tree and readers never see a half-written one.

Because the old tree goes, every build records what it wrote: `.dashgen/manifest` in the output lists
each file with its sha256 (the format of `sha256sum`). A build replaces a folder only when every file
in it is listed there, so a folder a person made is refused, never emptied. The manifest is part of
the output, committed with it (so a fresh clone knows what a build wrote); a folder without one (a
build of an older dashgen) is taken only when every file in it is one this build writes, or a
provisioning file carrying dashgen's do-not-edit header.

A kill can stop the swap at any point. The manifest goes into the new folder first and out of a
retired one last, so every leftover sibling dashgen made lists what it holds: the next build puts a
retired output back when the output is missing (or completes the swap of a complete new one) and
removes the rest. A look-alike sibling that holds anything unlisted is never touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from dashgen.canonical import YAML_HEADER
from dashgen.errors import DashgenError, InputError, Location

try:
    import fcntl
except ImportError:  # not POSIX: builds into one folder at once are then not kept apart
    fcntl = None

RECORD_DIR = ".dashgen"
MANIFEST = f"{RECORD_DIR}/manifest"
_MANIFEST_TMP = f"{RECORD_DIR}/manifest.tmp"
BOOKKEEPING = frozenset({MANIFEST, _MANIFEST_TMP})  # dashgen's own files: not dashboards or provisioning
HEADER = (b"# dashgen build manifest 1: each file the last build wrote in this folder, with its sha256.\n"
          b"# A build replaces or deletes only these. Check them here with: sha256sum -c .dashgen/manifest\n")
_LINE = re.compile(r"([0-9a-f]{64})  (.+)")
_PLAIN = re.compile(r"[^\x00-\x1f\x7f\\]+")  # no control characters: one path, one manifest line
_PROVISIONING_FILE = re.compile(r"provisioning/[^/]+/(dashboards|datasources)/dashgen\.yaml")


def output_folder(path: Path) -> Path:
    """`path` with its links resolved: a build writes into the folder a link points at and keeps the link."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # RuntimeError: a symlink loop (Python 3.11)
        raise InputError(Location(file=str(path)), "the output path is a symlink loop; point it at a folder") from None


def write_files(folder: Path, files: dict[str, str | bytes]) -> None:
    """Writes files a user asked for by name (a picture, a report) into `folder`, each whole or not at
    all: written beside, then renamed over. Unlike write_tree it deletes nothing."""
    for name, data in sorted(files.items()):
        temporary = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data.encode() if isinstance(data, str) else data)
            os.replace(temporary, folder / name)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise InputError(Location(file=str(folder / name)), f"cannot write: {exc.strerror or exc}") from None


def stale_files(files: dict[str, bytes], out: Path, record: bytes | None = None) -> list[str]:
    """Relative paths that differ between the build (with its manifest, `record` when the caller
    has it already) and `out`: changed, missing or extra."""
    files = {**files, MANIFEST: manifest(files) if record is None else record}
    on_disk = _entries(out) if out.is_dir() else {}
    differ = [rel for rel, data in files.items() if not on_disk.get(rel) or (out / rel).read_bytes() != data]
    differ.extend(set(on_disk) - set(files) - {_MANIFEST_TMP})
    return sorted(differ)


def manifest(files: dict[str, bytes]) -> bytes:
    """The record of a build: byte-identical for equal builds."""
    for rel in files:
        _check_plain(rel)
    lines = (f"{hashlib.sha256(data).hexdigest()}  {rel}\n" for rel, data in sorted(files.items()))
    return HEADER + "".join(lines).encode()


def check_target(out: Path, project_root: Path | None, files: dict[str, bytes]) -> None:
    """Refuses an output folder whose replacement would delete anything a build did not write."""
    where = Location(file=str(out))
    if project_root is not None and project_root.resolve().is_relative_to(out):
        raise InputError(where, "the output folder holds the project itself; choose a folder of its own")
    if os.path.lexists(out) and not out.is_dir():
        raise InputError(where, "the output path exists and is not a folder")
    if not out.is_dir():
        return
    held = set(_entries(out)) - BOOKKEEPING
    listed = _listed(out)
    if listed is not None:
        foreign = sorted(held - set(listed))
        if foreign:
            raise InputError(where, f"the output folder holds {foreign[0]!r}, which no build wrote (it is not in "
                                    f"{MANIFEST}); move it away, or choose an empty folder or a previous build's")
        changed = sorted(rel for rel in held - set(files) if _sha256(out / rel) != listed[rel])
        if changed:  # to be removed, but not what a build wrote there: someone's file now
            raise InputError(where, f"the output folder holds {changed[0]!r}, which is not what a build wrote there "
                                    f"(its sha256 differs from {MANIFEST}); move it away, then build again")
        return
    foreign = sorted(rel for rel in held if rel not in files and not _marked(out, rel))
    if foreign:
        raise InputError(where, f"the output folder holds {foreign[0]!r}, which this build would not write, and "
                                f"no {MANIFEST} records what a build wrote there; move the folder away or delete "
                                "it yourself, or choose an empty folder")


def recover(out: Path) -> None:
    """Finishes what an interrupted build left: the output put back (or its swap completed) when it
    is missing, and dashgen's leftover siblings removed. Run before anything else a build does."""
    with _exclusive(out.parent):
        _recover(out)


def write_tree(files: dict[str, bytes], out: Path, project_root: Path | None = None) -> list[str]:
    """Replaces `out` with exactly `files` and their manifest; the paths that differed (changed,
    new or removed: see stale_files), empty when it already held them."""
    out = output_folder(out)
    record = manifest(files)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DashgenError(f"cannot write {out}: {exc.strerror or exc}") from None
    with _exclusive(out.parent):
        _recover(out)
        try:
            check_target(out, project_root, files)
            stale = stale_files(files, out, record)
            if not stale:
                return stale
            if stale == [MANIFEST]:  # only the record is missing or old: no need to swap the files
                _write_record(out, record)
            else:
                _swap_in(files, record, out)
        except OSError as exc:
            raise DashgenError(f"cannot write {out}: {exc.strerror or exc}; it is left as it was") from None
    return stale


def _swap_in(files: dict[str, bytes], record: bytes, out: Path) -> None:
    staging = _sibling(out, "new")
    staging.mkdir()  # mode from the umask: Grafana must be able to read what is mounted
    try:
        _write_record(staging, record)  # first: a staging folder cut short lists all it holds
        for rel, data in sorted(files.items()):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if not out.exists():
            os.rename(staging, out)
            return
        if _listed(out) is None:  # a folder taken without a manifest gets one, so that a retired copy is known
            _write_record(out, manifest({rel: _read(out / rel) or b"" for rel in _entries(out)
                                         if rel in files or _marked(out, rel)}))  # what check_target took
        retired = _sibling(out, "old")
        os.rename(out, retired)
        try:
            os.rename(staging, out)
        except BaseException:
            os.rename(retired, out)  # put the previous build back, also on Ctrl-C
            raise
        with contextlib.suppress(OSError):  # the build is in; a retired copy left here goes next time
            _remove(retired)
    finally:
        if staging.exists():
            with contextlib.suppress(OSError):
                _remove(staging)


def _recover(out: Path) -> None:
    try:
        leftovers = _leftovers(out)
        if not os.path.lexists(out):
            retired = [p for kind, p in leftovers if kind == "old" and _whole(p)]
            candidates = retired or [p for kind, p in leftovers if kind == "new" and _complete(p)]
            if len(candidates) > 1:
                names = ", ".join(sorted(p.name for p in candidates))
                raise InputError(Location(file=str(out)), f"the output folder is missing and interrupted builds "
                                                          f"left {names}; rename the one to keep to {out.name!r} "
                                                          "and delete the others")
            if candidates:
                os.rename(candidates[0], out)
                leftovers = [(kind, p) for kind, p in leftovers if p != candidates[0]]
        for _, folder in leftovers:
            _remove(folder)
    except OSError as exc:
        raise DashgenError(f"cannot recover {out} from an interrupted build: {exc.strerror or exc}") from None


def _leftovers(out: Path) -> list[tuple[str, Path]]:
    """dashgen's staging and retired siblings of `out`, as ("new" | "old", path): named as dashgen
    names them, real folders (not links), and holding nothing their manifest does not list."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(new|old)-[0-9a-f]{{8}}")
    if not out.parent.is_dir():
        return []
    found = []
    with os.scandir(out.parent) as listing:
        for entry in listing:
            match = pattern.fullmatch(entry.name)
            if match and entry.is_dir(follow_symlinks=False) and _owned(Path(entry.path)):
                found.append((match[1], Path(entry.path)))
    return sorted(found, key=lambda found: found[1].name)


def _owned(folder: Path) -> bool:
    """Every file in `folder` is listed by its manifest (a folder without one may hold only bookkeeping)."""
    return set(_entries(folder)) - BOOKKEEPING <= set(_listed(folder) or {})


def _whole(folder: Path) -> bool:
    """Holds every file its manifest lists (a retired output is put back only whole)."""
    listed = _listed(folder)
    return listed is not None and set(_entries(folder)) - BOOKKEEPING == set(listed)


def _complete(folder: Path) -> bool:
    """Holds exactly what its manifest lists, each file with its recorded sha256."""
    listed, held = _listed(folder), _entries(folder)
    return (listed is not None and set(held) - BOOKKEEPING == set(listed)
            and all(held[rel] and _sha256(folder / rel) == digest for rel, digest in listed.items()))


def _remove(folder: Path) -> None:
    """Deletes a folder dashgen wrote: its listed files, then its manifest, then its empty folders.
    In that order a kill leaves a folder still known as dashgen's; anything unlisted stops it."""
    listed = _listed(folder) or {}
    held = _entries(folder)
    for rel in sorted(set(held) & set(listed)):
        os.unlink(folder / rel)
    for rel in sorted(set(held) & BOOKKEEPING, key=lambda rel: rel == MANIFEST):  # the manifest last
        os.unlink(folder / rel)
    for parent, _, _ in sorted(os.walk(folder), key=lambda step: -len(step[0])):
        os.rmdir(parent)


def _write_record(folder: Path, record: bytes) -> None:
    """The manifest, replaced at once (a kill leaves the old one or the new one, never half of one)."""
    (folder / RECORD_DIR).mkdir(exist_ok=True)
    (folder / _MANIFEST_TMP).write_bytes(record)
    os.replace(folder / _MANIFEST_TMP, folder / MANIFEST)


def _listed(folder: Path) -> dict[str, str] | None:
    """Path -> sha256 of each file the folder's manifest lists; None without a readable manifest."""
    data = _read(folder / MANIFEST)
    if data is None or not data.startswith(HEADER) or not data.endswith(b"\n"):
        return None
    listed = {}
    try:
        lines = data[len(HEADER):].decode().splitlines()
    except UnicodeDecodeError:
        return None
    for line in lines:
        match = _LINE.fullmatch(line)
        if not match or not _is_plain(match[2]):
            return None
        listed[match[2]] = match[1]
    return listed


def _sha256(path: Path) -> str | None:
    data = _read(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


def _marked(out: Path, rel: str) -> bool:
    """A provisioning file dashgen wrote for an environment that is gone: its header says so."""
    return bool(_PROVISIONING_FILE.fullmatch(rel)) and (_read(out / rel) or b"").startswith(YAML_HEADER.encode())


def _entries(folder: Path) -> dict[str, bool]:
    """Every path under `folder` that is not a folder (files, links, anything else), relative, with
    whether it is a regular file. Links are not followed: removing one never touches its target."""
    found, pending = {}, [""]
    while pending:
        rel = pending.pop()
        with os.scandir(folder / rel) as listing:
            for entry in listing:
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                else:
                    found[path] = entry.is_file(follow_symlinks=False)
    return found


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def _sibling(out: Path, kind: str) -> Path:
    return out.parent / f".{out.name}.{kind}-{secrets.token_hex(4)}"


def _is_plain(rel: str) -> bool:
    parts = rel.split("/")
    return bool(_PLAIN.fullmatch(rel)) and all(part not in ("", ".", "..") for part in parts)


def _check_plain(rel: str) -> None:
    if not _is_plain(rel) or rel in BOOKKEEPING or rel.startswith(f"{RECORD_DIR}/"):
        raise DashgenError(f"the build would write {rel!r}, which is not a plain relative path of its own; "
                           "nothing was written")


@contextlib.contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """One build at a time writes beside `out`: another's staging folder is not an interrupted build's."""
    fd = None
    with contextlib.suppress(OSError):  # no such folder yet, or unreadable: the writes that follow say so
        fd = os.open(folder, os.O_RDONLY)
    try:
        if fd is not None and fcntl is not None:
            with contextlib.suppress(OSError):  # a file system without locks (some network mounts)
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fd is not None:
            os.close(fd)
