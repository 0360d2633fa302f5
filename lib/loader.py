"""Imports the definition modules and reports every broken one in a single run.

A module under dashboards/ or datasources/ whose name starts with "_" is a helper (shared constants
or panels). Every other module under dashboards/ must define `dashboard`, a grafanalib Dashboard,
and may set `folder`; every other module under datasources/ must define `datasources`, a list.

What a load does to the process, and only while it runs (tests/test_loader_isolation.py): the
project's root is first on sys.path, so that definitions import their helpers as
`dashboards._mpac`; a definition's print() goes to stderr, so that stdout carries only dashgen's
report; on the main thread, os._exit raises instead of ending dashgen, and Ctrl-C is recorded.
Afterwards sys.path, stdout, os._exit and the SIGINT handler are as they were, and every module of
the project is forgotten, so that the next load sees fresh code. Libraries the definitions import
stay imported, as any import does.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib.util
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashgen.errors import InputError, Location
from dashgen.project import FOLDER_NAME, Project


@dataclass(frozen=True)
class DashboardSource:
    """A loaded definition: the grafanalib object and where it came from."""

    file: str  # relative to the project root, e.g. "dashboards/service_health.py"
    folder: str
    dashboard: Any


@dataclass(frozen=True)
class DatasourceSource:
    """A datasource definition and the file that defines it."""

    file: str
    datasource: Any


def definition_files(folder: Path) -> list[Path]:
    """Dashboard modules under `folder`, in a stable order that does not depend on the file system.
    Files and folders whose name starts with "_" or "." are helpers or tooling, not dashboards."""
    files = [
        p for p in folder.rglob("*.py")
        if not any(part.startswith(("_", ".")) for part in p.relative_to(folder).parts)
    ]
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


@functools.cache
def _installed_roots() -> tuple[str, ...]:
    """Where code that is not the user's lives: Python, its environments, and dashgen itself (which
    sits inside this repository when it is installed editable)."""
    import dashgen
    import dashgen.cli

    packages = (Path(dashgen.__file__).parent, Path(dashgen.cli.__file__).parent)
    return tuple({str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, *packages)})


def is_project_source(path: Path, root: Path) -> bool:
    """Whether `path` is the project's own code, not a library installed in a virtual environment
    that happens to live inside the project (the README puts .venv there)."""
    if not path.is_absolute() or not path.is_file():
        return False  # "<string>" (code attrs and dataclasses generate), "<frozen importlib...>"
    return _users(path.resolve(), root)


def _users(resolved: Path, root: Path) -> bool:
    if not resolved.is_relative_to(root) or {"site-packages", "dist-packages"} & set(resolved.parts):
        return False
    return not any(resolved.is_relative_to(prefix) for prefix in _installed_roots())


def _in_project(path: Path, root: Path) -> bool:
    """Whether a module's file, or a package's folder, is the project's: a namespace package such
    as `dashboards` (no __init__.py) has only its folder."""
    return is_project_source(path, root) or (path.is_absolute() and path.is_dir() and _users(path.resolve(), root))


def load_dashboards(project: Project, files: list[Path], debug: bool = False) -> Iterator[DashboardSource | InputError]:
    """Each definition file's dashboard, or a located error when the module is broken, one at a
    time so that a large project never holds every definition in memory."""
    from grafanalib.core import Dashboard

    def read(module, path: Path, rel: str) -> DashboardSource:
        return _source(module, path, rel, project, Dashboard)

    return load_modules(project, files, read, debug)


def load_datasources(project: Project, debug: bool = False) -> tuple[list[DatasourceSource], list[InputError]]:
    """Every datasource defined under datasources/ (modules listing them in `datasources`): only
    Prometheus, Loki and Tempo objects, the kinds dashgen knows how to check and provision."""
    from dashgen.datasources.model import Loki, Prometheus, Tempo

    def read(module, path: Path, rel: str) -> list[DatasourceSource]:
        found = getattr(module, "datasources", None)
        if found is None:
            raise InputError(Location(file=rel, line=1), "defines no 'datasources' (a list of dashgen.datasources objects)")
        if not isinstance(found, (list, tuple)):
            wrong = f"is a {type(found).__name__}"
        else:
            others = [(i, d) for i, d in enumerate(found, 1) if not isinstance(d, (Prometheus, Loki, Tempo))]
            wrong = f"holds a {type(others[0][1]).__name__} (item {others[0][0]})" if others else ""
        if wrong:
            raise InputError(
                Location(file=rel, line=_assignment_line(path, "datasources")),
                f"'datasources' {wrong}; it must be a list of Prometheus, Loki and Tempo objects from"
                " dashgen.datasources",
            )
        return [DatasourceSource(file=rel, datasource=d) for d in found]

    sources, errors = [], []
    for result in load_modules(project, definition_files(project.datasources_dir), read, debug):
        if isinstance(result, InputError):
            errors.append(result)
        else:
            sources.extend(result)
    return sources, errors


class ThreadLeftRunning(InputError):
    """A definition that started a thread which was still running once it had loaded."""


def load_modules(project: Project, files: list[Path], read, debug: bool) -> Iterator:
    """Reads each file's module; the definitions also compile inside this (between the yields), so
    what _contained guards covers their to_json_data() too."""
    with _project_importable(project.root), _contained():
        for path in files:
            yield _load_one(project, path, read, debug)


def _load_one(project: Project, path: Path, read, debug: bool):
    rel = project.relative(path)
    before = set(threading.enumerate())
    try:
        result = read(_import(path, project), path, rel)
    except InputError as exc:
        result = exc
    except BaseException as exc:  # noqa: BLE001 - any failure in user code is a located error
        if isinstance(exc, KeyboardInterrupt) and interrupted():
            raise  # the user's Ctrl-C, not the definition's doing
        if debug:
            traceback.print_exception(exc)
        result = _import_error(exc, path, rel, project)
    left = [t for t in threading.enumerate() if t not in before and not t.daemon]
    deadline = time.monotonic() + THREAD_GRACE_S
    for thread in left:  # a thread about to end is not one left running: the verdict must not be a race
        thread.join(max(deadline - time.monotonic(), 0))
    left = [t for t in left if t.is_alive()]
    if left and not isinstance(result, InputError):
        names = ", ".join(repr(t.name) for t in left)
        result = ThreadLeftRunning(
            Location(file=rel),
            f"leaves a thread running ({names}); a definition must not start work that outlives it"
            " (dashgen does not wait for it; pass daemon=True or join it)",
        )
    return result


def _import(path: Path, project: Project):
    name = "dashgen_definitions." + ".".join(path.relative_to(project.root).with_suffix("").parts)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source(module, path: Path, rel: str, project: Project, dashboard_type) -> DashboardSource:
    if not hasattr(module, "dashboard"):
        raise InputError(
            Location(file=rel, line=1),
            "defines no 'dashboard' (a grafanalib Dashboard); name helper modules with a leading '_'",
        )
    if not isinstance(module.dashboard, dashboard_type):
        kind = type(module.dashboard).__name__
        raise InputError(
            Location(file=rel, line=_assignment_line(path, "dashboard")),
            f"'dashboard' is a {kind}, not a grafanalib Dashboard",
        )
    folder = getattr(module, "folder", None)
    if folder is None:
        sub = path.parent.relative_to(project.dashboards_dir).parts
        folder = sub[0] if sub else project.default_folder
    if not isinstance(folder, str) or not FOLDER_NAME.match(folder):
        raise InputError(
            Location(file=rel, line=_assignment_line(path, "folder")),
            f"folder {folder!r} is not a valid folder name (letters, digits, space, '_', '.', '-'; at most 64)",
        )
    return DashboardSource(file=rel, folder=folder, dashboard=module.dashboard)


def _import_error(exc: BaseException, path: Path, rel: str, project: Project) -> InputError:
    source = exc.filename if isinstance(exc, SyntaxError) and isinstance(exc.filename, str) else None
    if source and Path(source).resolve() == path.resolve():
        return InputError(Location(file=rel, line=exc.lineno), f"SyntaxError: {safe_str(exc.msg)}")
    file, line = rel, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if is_project_source(Path(frame.filename), project.root):
            file, line = project.relative(Path(frame.filename)), frame.lineno
    if source:
        file, line = project.relative(Path(source)), exc.lineno
    return InputError(Location(file=file, line=line), _described(exc), origin=None if file == rel else rel)


def _described(exc: BaseException) -> str:
    """What a definition's exception says, with what to do instead when it is one that stops a program."""
    if isinstance(exc, DefinitionExit):
        return f"calls os._exit({exc.status!r}); a definition must not end the program"
    if isinstance(exc, SystemExit):
        return f"exits (SystemExit: {safe_str(exc.code)}); a definition must not end the program"
    if isinstance(exc, KeyboardInterrupt):
        return "raises KeyboardInterrupt (no Ctrl-C was pressed); a definition must not interrupt the build"
    # attrs validators (grafanalib's) raise TypeError(message, attribute, ...): keep the message.
    text = exc.args[0] if len(exc.args) > 1 and isinstance(exc.args[0], str) else safe_str(exc)
    return f"{type(exc).__name__}: {' '.join(text.split()) or '(no message)'}"


def safe_str(value) -> str:
    """str(value), or a note saying it could not be had: a definition's exception may have a
    __str__ that fails."""
    try:
        text = str(value)
    except BaseException as exc:  # noqa: BLE001 - whatever its __str__ raises, the error is still reported
        if isinstance(exc, KeyboardInterrupt) and interrupted():
            raise
        return f"(no message: its __str__ raised {type(exc).__name__})"
    return text if isinstance(text, str) else "(no message)"


THREAD_GRACE_S = 0.05  # how long a definition's thread may take to end before it counts as left running


class DefinitionExit(BaseException):
    """Raised in place of ending the process when a definition calls os._exit(): a BaseException,
    so that the definition's own `except Exception` does not swallow it."""

    def __init__(self, status):
        self.status = status
        super().__init__(f"os._exit({status!r}) called")


_sigint_received = False


def interrupted() -> bool:
    """Whether a Ctrl-C (SIGINT) arrived while the definitions loaded and compiled: a KeyboardInterrupt
    then is the user's, any other is a definition's own."""
    return _sigint_received


class _contained:
    """While definitions load and compile: a Ctrl-C is recorded, so it can be told apart from a
    KeyboardInterrupt that a definition raises, and os._exit() raises DefinitionExit instead of ending
    dashgen without a word. Both only on the main thread (dashgen's CLI; a library caller's thread
    leaves the process's os._exit and signal handlers alone). Only os._exit can be caught so:
    posix._exit, a signal or a crash in a C extension still ends the process."""

    def __enter__(self):
        global _sigint_received
        _sigint_received = False
        self.handler = self.exit = None
        if threading.current_thread() is not threading.main_thread():  # one owner: no interleaved patching
            return self
        previous = signal.getsignal(signal.SIGINT)
        if callable(previous):  # SIG_DFL and SIG_IGN never raise KeyboardInterrupt: nothing to tell apart
            self.handler = previous
            signal.signal(signal.SIGINT, functools.partial(_on_sigint, previous))
        self.exit, owner = os._exit, os.getpid()

        def exit_instead(status):
            if os.getpid() != owner:  # a process the definition forked ends as it asked
                self.exit(status)
            raise DefinitionExit(status)

        os._exit = exit_instead
        return self

    def __exit__(self, *exc):
        if self.exit is not None:
            os._exit = self.exit
        if self.handler is not None:
            signal.signal(signal.SIGINT, self.handler)
        return False


def _on_sigint(previous, signum, frame):
    global _sigint_received
    _sigint_received = True
    previous(signum, frame)


def _assignment_line(path: Path, name: str) -> int:
    """The line of the last top-level assignment to `name`, for pointing at wrong-typed values."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return 1
    line = 1
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            line = node.lineno
    return line


class _project_importable:
    """Lets definitions import the project's helpers (`from dashboards._mpac import ...`) for one load,
    then forgets them, so a later load in the same process sees fresh code."""

    def __init__(self, root: Path):
        self.root = root

    def __enter__(self):
        self.before = set(sys.modules)
        sys.path.insert(0, str(self.root))
        self.stdout = contextlib.redirect_stdout(sys.stderr)  # a definition's print() must not mix with
        self.stdout.__enter__()                               # dashgen's own output (--format json)
        return self

    def __exit__(self, *exc):
        self.stdout.__exit__(*exc)
        # Chosen before sys.path changes: a namespace package's path is recomputed from sys.path.
        forgotten = [name for name in set(sys.modules) - self.before if self._projects(name, sys.modules[name])]
        sys.path.remove(str(self.root))
        for name in forgotten:
            del sys.modules[name]
        return False

    def _projects(self, name: str, module) -> bool:
        homes = [getattr(module, "__file__", None) or "", *getattr(module, "__path__", [])]
        return name.startswith("dashgen_definitions.") or any(h and _in_project(Path(h), self.root) for h in homes)
