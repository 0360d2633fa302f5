"""The build: load every definition, compile, validate, and render the files of generated/."""

from __future__ import annotations

import multiprocessing

from dashgen.errors import InputError, InputErrors, Location
from dashgen.model import Build, CompiledDashboard
from dashgen.project import Project


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
    from dashgen.compile import workers as pool
    from dashgen.compile.files import compile_files
    from dashgen.loader import definition_files

    files = definition_files(project.dashboards_dir)
    workers = min(pool.usable_cores(), len(files) // (pool.PARALLEL_FROM // 2))
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        compiled, errors = pool.compile_in_workers(project, files, debug, workers)
    else:
        compiled, errors = compile_files(project, files, debug)
    return compiled, errors + _clashes(compiled)


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
               sources: list, load_errors: list[InputError]) -> Build:
    """The build from its compiled dashboards and loaded datasources, once both are checked together."""
    from dashgen.datasources.checks import dashboard_reference_problems, datasource_problems
    from dashgen.environments import load_environments
    from dashgen.provisioning import provisioning_files

    errors += load_errors + datasource_problems(sources)
    if sources or load_errors:
        errors += dashboard_reference_problems(dashboards, {s.datasource.uid: s.datasource.type for s in sources})
    folders = [d.folder for d in dashboards]
    try:
        environments = load_environments(project)
    except InputErrors as exc:  # reported with the definitions' problems; nothing is provisioned
        errors += exc.errors
        files = {}
    else:
        files, render_errors = provisioning_files(project, folders, sources, environments,
                                                  all_datasources=not load_errors)
        errors += render_errors
    if errors:
        raise InputErrors(once(errors))
    files.update({d.path: d.json for d in dashboards})
    return Build(dashboards=dashboards, files=files, datasources=sources)
