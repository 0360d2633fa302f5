"""The build: load every definition, compile, validate, and render the files of generated/."""

from __future__ import annotations

import functools
import multiprocessing
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dashgen.canonical import canonical_json
from dashgen.errors import InputError, InputErrors, Location
from dashgen.project import Project

if TYPE_CHECKING:
    from dashgen.loader import DatasourceSource

DASHBOARDS_DIR = "dashboards"


@dataclass(frozen=True, eq=False)
class CompiledDashboard:
    """A dashboard as Grafana 12.3 stores it, with where it came from and where it goes.

    It carries the canonical JSON, the form every consumer needs and the cheapest to pass between
    processes; `model` parses it on demand.
    """

    file: str
    folder: str
    uid: str
    title: str
    json: bytes
    references: tuple  # (panel, uid, type) of each datasource it uses, for checks that need no parse

    @functools.cached_property
    def model(self) -> dict:
        import orjson

        return orjson.loads(self.json)

    @property
    def path(self) -> str:
        return f"{DASHBOARDS_DIR}/{self.folder}/{self.uid}.json"


@dataclass(frozen=True)
class Build:
    dashboards: list[CompiledDashboard]
    files: dict[str, bytes]
    datasources: list[DatasourceSource]


# Below this many definitions, starting worker processes costs more than it saves.
PARALLEL_FROM = 64
WORKER_DIED = ("a compile worker ended without answering: a definition ended its process (a signal, a crash "
               "in a C extension) or the system stopped it (out of memory?)")


def once(errors: list[InputError]) -> list[InputError]:
    """Each error once: a broken module that several definitions import fails each of them the
    same way, so it is reported at its own line, naming how many definitions it broke."""
    groups: dict[tuple, list[InputError]] = {}
    for error in errors:
        core = error.message.split(" (while loading ")[0]
        groups.setdefault((error.location, core), []).append(error)
    result = []
    for (location, core), same in groups.items():
        if len(same) == 1:
            result.append(same[0])
        else:
            result.append(InputError(location, f"{core} (breaks {len(same)} definitions)"))
    return result


def _compile_dashboards(project: Project, debug: bool) -> tuple[list[CompiledDashboard], list[InputError]]:
    """The compiled dashboards and the errors; a large project compiles in forked workers."""
    from dashgen.loader import definition_files

    files = definition_files(project.dashboards_dir)
    workers = min(usable_cores(), len(files) // (PARALLEL_FROM // 2))
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        compiled, errors = _compile_in_workers(project, files, debug, workers)
    else:
        compiled, errors = _compile_files(project, files, debug)
    return compiled, errors + _clashes(compiled)


def usable_cores() -> int:
    """Cores this process may run on (affinity and cgroup cpusets), not the machine's count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _compile_files(project: Project, files: list, debug: bool) -> tuple[list[CompiledDashboard], list[InputError]]:
    """The compiled dashboards and the errors, in file order."""
    from dashgen.compile import compile_dashboard
    from dashgen.datasources.checks import datasource_references
    from dashgen.loader import load_dashboards
    from dashgen.validate import schema_errors

    compiled, errors = [], []
    for source in load_dashboards(project, files, debug=debug):
        if isinstance(source, InputError):
            errors.append(source)
            continue
        try:
            model = compile_dashboard(source)
        except InputErrors as exc:
            errors.extend(exc.errors)
            continue
        found = schema_errors(model, source.file)
        if found:
            errors.extend(found)
        else:
            compiled.append(CompiledDashboard(source.file, source.folder, model["uid"], model["title"],
                                              canonical_json(model), datasource_references(model)))
    return compiled, errors


def _compile_in_workers(project: Project, files: list, debug: bool, workers: int,
                        ) -> tuple[list[CompiledDashboard], list[InputError]]:
    """The same as _compile_files, on interleaved shards in forked processes, merged back into file
    order."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import grafanalib.core  # noqa: F401 - imported once here, shared by every forked worker

    from dashgen.loader import ThreadLeftRunning
    from dashgen.validate import is_valid

    is_valid({})  # builds the validator before forking
    shards = [files[i::workers] for i in range(workers)]
    # A pool that notices a worker dying (a multiprocessing.Pool would wait for its answer forever).
    # With fork it starts every worker at the first submit, before its own thread.
    fork, others = multiprocessing.get_context("fork"), set(multiprocessing.active_children())
    with ProcessPoolExecutor(workers, mp_context=fork, initializer=_worker_started) as pool:
        try:
            results = [p.result() for p in [pool.submit(_compile_files, project, shard, debug) for shard in shards]]
        except BrokenProcessPool as exc:
            if exc.__cause__ is not None:  # not a dead worker: an answer this process could not read
                raise
            return [], [InputError(None, WORKER_DIED)]
        except BaseException:  # Ctrl-C (perhaps to this process alone): leaving the pool would wait for them
            _terminate(set(multiprocessing.active_children()) - others)
            raise
        if any(isinstance(e, ThreadLeftRunning) for _, failed in results for e in failed):
            _terminate(set(multiprocessing.active_children()) - others)  # a worker would wait for it to end
    order = {project.relative(path): i for i, path in enumerate(files)}
    compiled = sorted((d for done, _ in results for d in done), key=lambda d: order[d.file])
    errors = sorted((e for _, failed in results for e in failed), key=lambda e: order.get(e.location.file, -1))
    return compiled, errors


def _terminate(workers) -> None:
    for worker in workers:
        worker.terminate()


def _worker_started() -> None:
    """Ctrl-C at a terminal reaches the workers too: each ends at once, without a traceback, and
    the parent reports the interrupt. A build started with Ctrl-C ignored (in the background of a
    script) keeps ignoring it."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def _clashes(dashboards: list[CompiledDashboard]) -> list[InputError]:
    """Two dashboards with one uid, two folder titles that map to one folder uid, or a dashboard
    whose uid is a folder's."""
    from dashgen.provisioning import ROOT_FOLDER, folder_uid

    errors, by_uid, by_folder_uid = [], {}, {}
    for d in dashboards:
        first = by_uid.setdefault(d.uid, d)
        if first is not d:
            errors.append(InputError(
                Location(file=d.file, dashboard=d.uid), f"uid {d.uid!r} is already used by {first.file}"
            ))
        folder = by_folder_uid.setdefault(folder_uid(d.folder), d)
        if folder.folder != d.folder:
            errors.append(InputError(
                Location(file=d.file, dashboard=d.uid),
                f"folder {d.folder!r} and folder {folder.folder!r} ({folder.file}) would share one folder uid",
            ))
    folders = {folder_uid(d.folder): d.folder for d in dashboards if d.folder != ROOT_FOLDER}
    for d in dashboards:  # Grafana keeps folders and dashboards in one uid space (contract §3.1, row 13)
        if d.uid in folders:
            errors.append(InputError(
                Location(file=d.file, dashboard=d.uid),
                f"uid {d.uid!r} is also the uid of folder {folders[d.uid]!r}, and Grafana gives one uid to one "
                "dashboard or folder; change the dashboard's uid or the folder's title",
            ))
    return errors


def build(project: Project, debug: bool = False) -> Build:
    """The complete contents of generated/, as relative path -> bytes; InputErrors lists every
    problem in the dashboards, the datasources and the environments together."""
    from dashgen.loader import load_datasources

    sources, load_errors = load_datasources(project, debug=debug)
    dashboards, errors = _compile_dashboards(project, debug)
    return _assembled(project, dashboards, errors, sources, load_errors)


def _assembled(project: Project, dashboards: list[CompiledDashboard], errors: list[InputError],
               sources: list[DatasourceSource], load_errors: list[InputError]) -> Build:
    """The build from its compiled dashboards and loaded datasources, once both are checked together."""
    from dashgen.datasources.checks import dashboard_reference_problems, datasource_problems
    from dashgen.environments import load_environments
    from dashgen.provisioning import provisioning_files

    errors += load_errors + datasource_problems(sources)
    if sources or load_errors:
        errors += dashboard_reference_problems(dashboards, {s.datasource.uid: s.datasource.type for s in sources})
    folders = [d.folder for d in dashboards]
    files, render_errors = provisioning_files(project, folders, sources, load_environments(project),
                                              all_datasources=not load_errors)
    errors += render_errors
    if errors:
        raise InputErrors(once(errors))
    files.update({d.path: d.json for d in dashboards})
    return Build(dashboards=dashboards, files=files, datasources=sources)
