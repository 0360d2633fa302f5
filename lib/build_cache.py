"""Reuses the last successful compile while nothing it read has changed.

Compiling is most of the time a large project's build, push or diff takes, and most runs follow one
that compiled the same sources (`build` then `build --check`, `build` then `push`). A compile
records what it read: every module loaded in its processes (the definitions, the project's helpers,
dashgen, grafanalib and any other library) and every file opened while the definitions ran. The
next compile reuses the output when the definition files are the same and each of those files
still has the same content (files in the project) or size and modification time (installed
libraries). Definitions must not depend on anything else (the environment, the clock), which a
deterministic build rules out anyway. `dashgen --no-cache` compiles regardless.

The cache is .dashgen/cache/compiled.bin: a JSON manifest line, then the compiled JSON of every
dashboard back to back. It is written atomically and ignored by git; one that cannot be read or
written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sys
import sysconfig
import time
from pathlib import Path

from dashgen.build import CompiledDashboard
from dashgen.loader import is_project_source
from dashgen.project import Project

FORMAT = 1
CACHE_DIR = Path(".dashgen") / "cache"
CACHE_FILE = "compiled.bin"
# The standard library changes only with the interpreter, which is part of the key. In a virtual
# environment "platstdlib" contains site-packages, whose libraries are tracked.
_PATHS = sysconfig.get_paths()
_STDLIB = tuple({_PATHS["stdlib"], _PATHS["platstdlib"]})
_LIBRARIES = tuple({_PATHS["purelib"], _PATHS["platlib"]})
_LISTINGS = {"os.listdir", "os.scandir"}  # how a compile finds files, the import system included
RACY_NS = 2_000_000_000  # a file changed this close to the compile's start may be newer than what it read

_opened: set[str] | None = None  # absolute paths opened or listed while recording, in this process
_hooked = False


def start_recording() -> None:
    """Records the files this process opens from now on (an audit hook, installed once: a hook
    cannot be removed, and costs a function call per audited event)."""
    global _opened, _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    _opened = set()


def stop_recording() -> set[str]:
    """The files opened since start_recording, and the source of every module now loaded: what
    the compile in this process may have read."""
    global _opened
    opened, _opened = _opened or set(), None
    modules = {getattr(m, "__file__", None) for m in list(sys.modules.values())}
    return {p for p in opened | modules if isinstance(p, str) and _worth_tracking(p)}


def _audit(event: str, args: tuple) -> None:
    if _opened is None or (event != "open" and event not in _LISTINGS) or not args \
            or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.path.abspath(os.fsdecode(args[0]))  # relative to the working directory of the moment
    if path.endswith(".pyc"):  # an import read its bytecode: the source is what can change
        try:
            path = importlib.util.source_from_cache(path)
        except ValueError:
            return
    _opened.add(path)


def _worth_tracking(path: str) -> bool:
    """Everything but devices and the standard library."""
    if path.startswith(("/dev/", "/proc/", "/sys/")):
        return False
    return path.startswith(_LIBRARIES) or not path.startswith(_STDLIB)


def load(project: Project, files: list[Path]) -> list[CompiledDashboard] | None:
    """The dashboards the last compile produced, if nothing it read has changed since."""
    import orjson

    try:
        data = (project.root / CACHE_DIR / CACHE_FILE).read_bytes()
        end = data.index(b"\n")
        manifest = orjson.loads(data[:end])
        if manifest["key"] != _key(project, files):
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


def store(project: Project, files: list[Path], compiled: list[CompiledDashboard], read: set[str],
          started_ns: int) -> None:
    """Saves a successful compile and what it read; a cache that cannot be written is skipped, and
    so is one whose inputs changed while it compiled (it may hold the older content)."""
    import orjson

    from dashgen.validate import schema_path

    tracked = read | {str(p) for p in files} | {str(project.root / "pyproject.toml"), schema_path()} \
        | _import_folders(project)
    if any(_modified_since(project, path, started_ns - RACY_NS) for path in tracked):
        return
    manifest = {
        "key": _key(project, files),
        "read": {path: _signature(project, path) for path in sorted(tracked)},
        "dashboards": [[d.file, d.folder, d.uid, d.title, len(d.json), d.references] for d in compiled],
    }
    folder = project.root / CACHE_DIR
    temporary = folder / f"{CACHE_FILE}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / ".gitignore").exists():
            (folder / ".gitignore").write_text("# written by dashgen: a cache, never committed\n*\n")
        with temporary.open("wb") as out:
            out.write(orjson.dumps(manifest) + b"\n")
            for d in compiled:
                out.write(d.json)
        temporary.replace(folder / CACHE_FILE)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)


def now_ns() -> int:
    """When a compile starts, for store's racy check."""
    return time.time_ns()


def _modified_since(project: Project, path: str, ns: int) -> bool:
    """Whether a file changed after `ns` (folders of the project are compared by their names)."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return stat.st_mtime_ns >= ns and not (os.path.isdir(path) and Path(path).is_relative_to(project.root))


def _import_folders(project: Project) -> set[str]:
    """The folders imports search: one changes (its modification time) when a package is installed
    or removed, which may change what an optional import finds, as Python's own import cache
    assumes. The project's root is left out: every build changes it (generated/ is swapped in)."""
    return {p for p in sys.path if p and os.path.isdir(p) and Path(p).resolve() != project.root}


def _key(project: Project, files: list[Path]) -> str:
    """What must be equal besides the files read: the format, the interpreter and its environment
    (which decide where imports come from), the working directory (which relative paths start
    from), and the definition files."""
    names = "\n".join(project.relative(p) for p in files)
    where = "\n".join([sys.version, sys.prefix, os.getcwd(), *sys.path])
    return hashlib.sha256(f"{FORMAT}\n{where}\n{names}".encode()).hexdigest()


def _signature(project: Project, path: str) -> str:
    """The content hash of a project file, the names in a project folder (those a build or Python
    writes left out); size and modification time of anything else (libraries change only by being
    reinstalled; a folder's time changes when a file appears in it); "-" for what is not there."""
    try:
        if is_project_source(Path(path), project.root):
            return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
        if Path(path).is_relative_to(project.root) and os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if not n.startswith((".", "__pycache__"))
                           and Path(path, n) != project.generated_dir)
            return "dir:" + hashlib.blake2b("\0".join(names).encode(), digest_size=16).hexdigest()
        stat = os.stat(path)
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        return "-"
