"""The build: load every definition, compile, validate, and render the files of generated/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashgen.errors import InputError, InputErrors, Location
from dashgen.model import Build, CompiledDashboard
from dashgen.project import Project


def once(errors: list[InputError]) -> list[InputError]:
    """Each error once: a broken module that several definitions import fails each of them the
    same way, so it is reported at its own line, naming how many definitions it broke."""
    groups: dict[tuple, list[InputError]] = {}
    for error in errors:
        groups.setdefault((type(error), error.location, error.message), []).append(error)
    result = []
    for (kind, location, message), same in groups.items():
        if len(same) == 1 or not any(e.origin for e in same):
            result.append(same[0])
        else:
            result.append(kind(location, f"{message} (breaks {len(same)} definitions)"))
    return result


def _compile_dashboards(project: Project, debug: bool) -> tuple[list[CompiledDashboard], list[InputError]]:
    """The compiled dashboards and the errors, in one process: worker processes saved a sixth of
    the wall time of 1,000 dashboards for a third more CPU, and no project comes near that size."""
    from dashgen.compile.files import compile_files
    from dashgen.loader import definition_files

    compiled, errors = compile_files(project, definition_files(project.dashboards_dir), debug)
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
    from dashgen.slo.outputs import slo_outputs

    sources, load_errors = load_datasources(project, debug=debug)
    catalogue, catalogue_errors = _catalogue(project)
    objectives, rules, slo_errors = slo_outputs(project, catalogue.metrics if catalogue else {}, debug=debug)
    dashboards, errors = _compile_dashboards(project, debug)
    built = _assembled(project, dashboards, errors + catalogue_errors + slo_errors, sources, load_errors)
    return Build(built.dashboards, built.files | rules, built.datasources, objectives, catalogue)


def _catalogue(project: Project):
    """The metric catalogue (None when the project has none) and its problems."""
    from dashgen.catalogue import load_catalogue

    if not project.catalogue_dir.is_dir():
        return None, []
    try:
        return load_catalogue(project.catalogue_dir), []
    except InputErrors as exc:
        return None, exc.errors


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


@dataclass(frozen=True)
class Written:
    """What `dashgen build` did to its output folder: with `check`, the files that differ from the
    build (nothing written); otherwise the files it wrote or removed."""

    build: Build
    folder: Path
    check: bool
    changed: list[str]  # relative paths, the manifest only when it alone differs
    removed: int = 0

    @property
    def exit_code(self) -> int:
        """1 when --check finds the output stale, else 0."""
        return 1 if self.check and self.changed else 0


def build_into(project: Project, out: Path | None = None, check: bool = False, debug: bool = False) -> Written:
    """Builds and writes the output folder (default generated/), or with `check` compares it only.
    An interrupted earlier write is recovered first; nothing is written unless every definition built."""
    from dashgen.output import MANIFEST, output_folder, recover, stale_files, write_tree

    folder = output_folder(out or project.generated_dir)
    if not check:
        recover(folder)
    built = build(project, debug=debug)
    if check:
        found = stale_files(built.files, folder)
        return Written(built, folder, check, [rel for rel in found if rel != MANIFEST] or found)
    changed = [rel for rel in write_tree(built.files, folder, project.root) if rel != MANIFEST]
    return Written(built, folder, check, changed, removed=sum(1 for rel in changed if rel not in built.files))
