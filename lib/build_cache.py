"""Reuses the last successful compile while nothing it read has changed.

Compiling is most of the time a large project's build, push or diff takes, and most runs follow one
that compiled the same sources (`build` then `build --check`, `build` then `push`). Before a compile
starts, a snapshot takes the key (interpreter, virtual environment, import path, working directory,
definition files) and the list of every file in the project. During the compile, each process
records what it read: the modules it loaded, the files it opened for reading (a `.pyc` counts as
its source) and the folders outside the project it listed. The next compile reuses the output when
the key and the project's file list are the same and every recorded file still has the same
content (in the project) or size and modification time (elsewhere: libraries change only by being
reinstalled; a folder's time changes when a file appears in it). The file list catches a file that
appears or disappears anywhere in the project, even one a definition only tested for. A compile
during which a recorded file changed is not stored: it may hold the older content.

Definitions must not depend on anything else (environment variables, the clock, files outside the
project that they only test for), which a deterministic build rules out anyway. `dashgen --no-cache`
compiles regardless.

The cache is .dashgen/cache/compiled.bin: a JSON manifest line, then the compiled JSON of every
dashboard back to back, with a checksum. It is written atomically and ignored by git; one that
cannot be read, does not match its checksum or cannot be written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import sysconfig
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from dashgen.build import CompiledDashboard
from dashgen.loader import is_project_source
from dashgen.project import Project

FORMAT = 2
CACHE_DIR = Path(".dashgen") / "cache"
CACHE_FILE = "compiled.bin"
RACY_NS = 2_000_000_000  # a file changed this close to the compile's start may be newer than what it read
# The standard library changes only with the interpreter, which is part of the key. In a virtual
# environment "platstdlib" contains site-packages, whose libraries are tracked.
_PATHS = sysconfig.get_paths()
_STDLIB = tuple({os.path.join(_PATHS[k], "") for k in ("stdlib", "platstdlib")})
_LIBRARIES = tuple({os.path.join(_PATHS[k], "") for k in ("purelib", "platlib")})
_LISTINGS = {"os.listdir", "os.scandir"}
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND

_read: set[str] | None = None  # absolute paths read while recording, in this process
_hooked = False


@dataclass(frozen=True)
class Snapshot:
    """What is known before a compile starts."""

    key: str
    files: str  # a hash of the paths of every file in the project
    started_ns: int


def snapshot(project: Project, definitions: list[Path]) -> Snapshot:
    return Snapshot(_key(project, definitions), _project_files(project), time.time_ns())


def start_recording() -> None:
    """Records what this process reads from now on (an audit hook, installed once: a hook cannot
    be removed, and costs a function call per audited event)."""
    global _read, _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    _read = set()


def stop_recording() -> set[str]:
    """What the compile in this process read: the files it opened or listed, and the source of
    every module now loaded."""
    global _read
    read, _read = _read or set(), None
    modules = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    return {p for p in read | modules if isinstance(p, str) and _worth_tracking(p)}


def _audit(event: str, args: tuple) -> None:
    if _read is None or (event != "open" and event not in _LISTINGS) or not args \
            or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    if event == "open" and not _reading(*args[1:3]):
        return
    path = os.path.abspath(os.fsdecode(args[0]))  # relative to the working directory of the moment
    if path.endswith(".pyc"):  # an import read its bytecode: the source is what can change
        try:
            path = importlib.util.source_from_cache(path)
        except ValueError:
            return
    _read.add(path)


def _reading(mode, flags) -> bool:
    if isinstance(mode, str):
        return not any(c in mode for c in "wax+")
    return not (isinstance(flags, int) and flags & _WRITING)


def _worth_tracking(path: str) -> bool:
    """Everything but devices and the standard library."""
    if path.startswith(("/dev/", "/proc/", "/sys/")):
        return False
    return path.startswith(_LIBRARIES) or not path.startswith(_STDLIB)


def load(project: Project, before: Snapshot) -> list[CompiledDashboard] | None:
    """The dashboards the last compile produced, if nothing it read has changed since."""
    import orjson

    try:
        data = (project.root / CACHE_DIR / CACHE_FILE).read_bytes()
        end = data.index(b"\n")
        manifest = orjson.loads(data[:end])
        if (manifest["key"], manifest["files"]) != (before.key, before.files) \
                or zlib.crc32(memoryview(data)[end + 1:]) != manifest["checksum"]:
            return None
        if any(_signature(project, path) != signature for path, signature in manifest["read"].items()):
            return None
        compiled, at = [], end + 1
        for file, folder, uid, title, size, references in manifest["dashboards"]:
            compiled.append(CompiledDashboard(file, folder, uid, title, data[at:at + size],
                                              tuple(tuple(r) for r in references)))
            at += size
    except (OSError, LookupError, TypeError, ValueError, AttributeError):  # absent, or not what store wrote
        return None
    return compiled if at == len(data) else None


def store(project: Project, before: Snapshot, compiled: list[CompiledDashboard], read: set[str]) -> None:
    """Saves a successful compile and what it read; a cache that cannot be written is skipped, and
    so is one whose inputs changed while it compiled."""
    import orjson

    from dashgen.validate import schema_path

    listed_in_project = {p for p in read if Path(p).is_relative_to(project.root) and os.path.isdir(p)}
    tracked = (read - listed_in_project) | {str(project.root / "pyproject.toml"), schema_path()} \
        | _import_folders(project)  # the project's file list stands for the folders it listed
    if any(_modified_since(path, before.started_ns - RACY_NS) for path in tracked):
        return
    body = b"".join(d.json for d in compiled)
    try:
        manifest = orjson.dumps({
            "key": before.key, "files": before.files, "checksum": zlib.crc32(body),
            "read": {path: _signature(project, path) for path in sorted(tracked)},
            "dashboards": [[d.file, d.folder, d.uid, d.title, len(d.json), d.references] for d in compiled],
        })
    except TypeError:  # orjson.JSONEncodeError: a path that is not valid UTF-8
        return
    folder = project.root / CACHE_DIR
    temporary = folder / f"{CACHE_FILE}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / ".gitignore").exists():
            (folder / ".gitignore").write_text("# written by dashgen: a cache, never committed\n*\n")
        temporary.write_bytes(manifest + b"\n" + body)
        temporary.replace(folder / CACHE_FILE)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def _modified_since(path: str, ns: int) -> bool:
    try:
        return os.stat(path).st_mtime_ns >= ns
    except (OSError, ValueError):
        return False


def _project_files(project: Project) -> str:
    """A hash of the relative path of every file in the project, leaving out what builds, Python
    and tools write (dot folders, __pycache__, generated/, virtual environments)."""
    paths = []
    for folder, dirs, files in os.walk(project.root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"
                   and Path(folder, d) != project.generated_dir and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))]
        relative = os.path.relpath(folder, project.root)
        paths.extend(os.fsencode(os.path.join(relative, name)) for name in files if not name.startswith("."))
    return hashlib.blake2b(b"\0".join(sorted(paths)), digest_size=16).hexdigest()


def _import_folders(project: Project) -> set[str]:
    """The folders imports search: one changes (its modification time) when a package is installed
    or removed, which may change what an optional import finds, as Python's own import cache
    assumes. The project's root is left out: every build changes it (generated/ is swapped in)."""
    return {p for p in sys.path if p and os.path.isdir(p) and Path(p).resolve() != project.root}


def _key(project: Project, definitions: list[Path]) -> str:
    """What must be equal besides the files read: the format, the interpreter and its environment
    (which decide where imports come from), the working directory (which relative paths start
    from), and the definition files."""
    names = "\n".join(os.path.relpath(p, project.root) for p in definitions)
    where = "\n".join([sys.version, sys.prefix, os.getcwd(), *sys.path])
    return hashlib.sha256(f"{FORMAT}\n{where}\n{names}".encode(errors="surrogateescape")).hexdigest()


def _signature(project: Project, path: str) -> str:
    """The content hash of a project source; size and modification time of anything else; "-" for
    what is not there."""
    try:
        if is_project_source(Path(path), project.root):
            return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
        stat = os.stat(path)
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    except (OSError, ValueError):
        return "-"
