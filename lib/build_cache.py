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
import os
import sys
import sysconfig
from pathlib import Path

from dashgen.build import CompiledDashboard
from dashgen.project import Project

FORMAT = 1
CACHE_DIR = Path(".dashgen") / "cache"
CACHE_FILE = "compiled.bin"
_PATHS = sysconfig.get_paths()
_STDLIB = tuple({_PATHS["stdlib"], _PATHS["platstdlib"]})  # in a virtual environment, platstdlib holds
_LIBRARIES = tuple({_PATHS["purelib"], _PATHS["platlib"]})  # site-packages: libraries, tracked

_opened: set[str] | None = None  # absolute paths opened while recording, in this process
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
    if event == "open" and _opened is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.add(os.path.abspath(os.fsdecode(args[0])))  # relative to the working directory of the moment


def _worth_tracking(path: str) -> bool:
    """Everything but bytecode (its source is tracked), devices and the standard library (which
    changes only with the interpreter, part of the key)."""
    if path.endswith(".pyc") or path.startswith(("/dev/", "/proc/", "/sys/")):
        return False
    return path.startswith(_LIBRARIES) or not path.startswith(_STDLIB)


def load(project: Project, files: list[Path]) -> list[CompiledDashboard] | None:
    """The dashboards the last compile produced, if nothing it read has changed since."""
    import orjson

    try:
        data = (project.root / CACHE_DIR / CACHE_FILE).read_bytes()
        end = data.index(b"\n")
        manifest = orjson.loads(data[:end])
    except (OSError, ValueError):
        return None
    if manifest.get("key") != _key(project, files):
        return None
    read = manifest.get("read", {})
    if any(_signature(project, path) != signature for path, signature in read.items()):
        return None
    compiled, at = [], end + 1
    for entry in manifest["dashboards"]:
        file, folder, uid, title, size, references = entry
        compiled.append(CompiledDashboard(file, folder, uid, title, data[at:at + size],
                                          tuple(tuple(r) for r in references)))
        at += size
    return compiled if at == len(data) else None


def store(project: Project, files: list[Path], compiled: list[CompiledDashboard], read: set[str]) -> None:
    """Saves a successful compile and what it read; a cache that cannot be written is skipped."""
    import orjson

    tracked = read | {str(p) for p in files} | {str(project.root / "pyproject.toml")} | _import_folders(project)
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


def _import_folders(project: Project) -> set[str]:
    """The folders imports search outside the project: one changes (its modification time) when a
    package is installed or removed, which may change what an optional import finds, as Python's
    own import cache assumes."""
    return {p for p in sys.path if p and os.path.isdir(p) and not Path(p).resolve().is_relative_to(project.root)}


def _key(project: Project, files: list[Path]) -> str:
    """What must be equal besides the files read: the format, the interpreter and its environment
    (which decide where imports come from), and the definition files."""
    names = "\n".join(project.relative(p) for p in files)
    where = "\n".join([sys.version, sys.prefix, *sys.path])
    return hashlib.sha256(f"{FORMAT}\n{where}\n{names}".encode()).hexdigest()


def _signature(project: Project, path: str) -> str:
    """The content hash of a project file; size and modification time of anything else (libraries
    change only by being reinstalled); "-" for a file that is not there."""
    try:
        if Path(path).is_relative_to(project.root) and "site-packages" not in path:
            return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
        stat = os.stat(path)
        return f"{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        return "-"
