"""The build: load every definition, compile, validate, and render the files of generated/."""

from __future__ import annotations

import functools
import multiprocessing
import os
from dataclasses import dataclass

from dashgen.canonical import canonical_json
from dashgen.errors import InputError, InputErrors, Location
from dashgen.project import Project

DASHBOARDS_DIR = "dashboards"
PROVISIONING_DIR = "provisioning"
DEFAULT_ENVIRONMENT = "default"


@dataclass(frozen=True, eq=False)
class CompiledDashboard:
    """A dashboard as Grafana 12.3 stores it, with where it came from and where it goes.

    It carries the canonical JSON, the form every consumer needs and the cheapest to pass between
    processes; `model` parses it on demand.
    """

    file: str
    folder: str
    uid: str
    json: bytes

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


# Below this many definitions, starting worker processes costs more than it saves.
PARALLEL_FROM = 64


def compile_project(project: Project, debug: bool = False) -> list[CompiledDashboard]:
    """Every dashboard of the project, compiled and validated; InputErrors lists every problem."""
    compiled, errors = _compile_dashboards(project, debug)
    if errors:
        raise InputErrors(errors)
    return compiled


def _compile_dashboards(project: Project, debug: bool) -> tuple[list[CompiledDashboard], list[InputError]]:
    from dashgen.loader import definition_files

    files = definition_files(project.dashboards_dir)
    workers = min(_usable_cores(), len(files) // (PARALLEL_FROM // 2))
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        compiled, errors = _compile_in_workers(project, files, debug, workers)
    else:
        compiled, errors = _compile_files(project, files, debug)
    errors.extend(_clashes(compiled))
    return compiled, errors


def _usable_cores() -> int:
    """Cores this process may run on (affinity and cgroup cpusets), not the machine's count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _compile_files(project: Project, files: list, debug: bool) -> tuple[list[CompiledDashboard], list[InputError]]:
    from dashgen.compile import compile_dashboard
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
            compiled.append(CompiledDashboard(source.file, source.folder, model["uid"], canonical_json(model)))
    return compiled, errors


def _compile_in_workers(project: Project, files: list, debug: bool, workers: int):
    """The same as _compile_files, on interleaved shards in forked processes, merged back into file order."""
    import grafanalib.core  # noqa: F401 - imported once here, shared by every forked worker

    from dashgen.validate import is_valid

    is_valid({})  # builds the validator before forking
    shards = [files[i::workers] for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.starmap(_compile_files, [(project, shard, debug) for shard in shards])
    order = {project.relative(path): i for i, path in enumerate(files)}
    compiled = sorted((d for done, _ in results for d in done), key=lambda d: order[d.file])
    errors = sorted((e for _, failed in results for e in failed), key=lambda e: order.get(e.location.file, -1))
    return compiled, errors


def _clashes(dashboards: list[CompiledDashboard]) -> list[InputError]:
    """Two dashboards with one uid, or two folder titles that map to one folder uid."""
    from dashgen.provisioning import folder_uid

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
    return errors


def build(project: Project, debug: bool = False) -> Build:
    """The complete contents of generated/, as relative path -> bytes; InputErrors lists every
    problem in the dashboards, the datasources and the environments together."""
    from dashgen.datasources.checks import dashboard_reference_problems, datasource_problems
    from dashgen.environments import load_environments
    from dashgen.loader import load_datasources

    dashboards, errors = _compile_dashboards(project, debug)
    sources, load_errors = load_datasources(project, debug=debug)
    errors += load_errors + datasource_problems(sources)
    if sources or load_errors:
        errors += dashboard_reference_problems(dashboards, {s.datasource.uid: s.datasource.type for s in sources})
    files, render_errors = _provisioning(project, dashboards, sources, load_environments(project))
    errors += render_errors
    if errors:
        raise InputErrors(errors)
    files.update({d.path: d.json for d in dashboards})
    return Build(dashboards=dashboards, files=files)


def _provisioning(project: Project, dashboards, sources, environments) -> tuple[dict[str, bytes], list[InputError]]:
    """provisioning/<environment>/{dashboards,datasources}/dashgen.yaml: one folder per environment,
    to mount as Grafana's provisioning folder ("default" when the project names none)."""
    from dashgen.datasources.provisioning import datasource_entry, datasources_file
    from dashgen.provisioning import dashboard_providers

    providers = dashboard_providers([d.folder for d in dashboards], project.provisioning_path)
    files, errors = {}, []
    for name in environments or [DEFAULT_ENVIRONMENT]:
        files[f"{PROVISIONING_DIR}/{name}/dashboards/dashgen.yaml"] = providers
        env = environments.get(name)
        urls = env.datasource_urls if env else {}
        where = Location(file=f"pyproject.toml [tool.dashgen.environments.{name}.datasources]")
        known = {s.datasource.uid for s in sources}
        errors += [
            InputError(where, f"{uid!r} is not a datasource (known: {', '.join(sorted(known)) or 'none'})")
            for uid in sorted(set(urls) - known)
        ]
        entries = []
        for source in sources:
            url = urls.get(source.datasource.uid) or source.datasource.url
            if not url:
                errors.append(InputError(where, f"no url for datasource {source.datasource.uid!r}, and its definition "
                                                f"in {source.file} gives none"))
            entries.append(datasource_entry(source.datasource, url))
        if sources:
            files[f"{PROVISIONING_DIR}/{name}/datasources/dashgen.yaml"] = datasources_file(entries)
    return files, errors
