"""The build: load every definition, compile, validate, and render the files of generated/."""

from __future__ import annotations

from dataclasses import dataclass

from dashgen.canonical import canonical_json
from dashgen.errors import InputError, InputErrors, Location
from dashgen.project import Project

DASHBOARDS_DIR = "dashboards"
PROVIDER_FILE = "provisioning/dashboards/dashgen.yaml"


@dataclass(frozen=True)
class CompiledDashboard:
    """A dashboard as Grafana 12.3 stores it, with where it came from and where it goes."""

    file: str
    folder: str
    model: dict

    @property
    def uid(self) -> str:
        return self.model["uid"]

    @property
    def path(self) -> str:
        return f"{DASHBOARDS_DIR}/{self.folder}/{self.uid}.json"


@dataclass(frozen=True)
class Build:
    dashboards: list[CompiledDashboard]
    files: dict[str, bytes]


def compile_project(project: Project, debug: bool = False) -> list[CompiledDashboard]:
    """Every dashboard of the project, compiled and validated; InputErrors lists every problem."""
    from dashgen.compile import compile_dashboard
    from dashgen.loader import load_dashboards
    from dashgen.validate import schema_errors

    sources, errors = load_dashboards(project, debug=debug)
    compiled = []
    for source in sources:
        try:
            model = compile_dashboard(source)
        except InputErrors as exc:
            errors.extend(exc.errors)
            continue
        found = schema_errors(model, source.file)
        if found:
            errors.extend(found)
        else:
            compiled.append(CompiledDashboard(file=source.file, folder=source.folder, model=model))
    errors.extend(_clashes(compiled))
    if errors:
        raise InputErrors(errors)
    return compiled


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
    """The complete contents of generated/, as relative path -> bytes."""
    from dashgen.provisioning import dashboard_providers

    dashboards = compile_project(project, debug=debug)
    files = {d.path: canonical_json(d.model) for d in dashboards}
    files[PROVIDER_FILE] = dashboard_providers([d.folder for d in dashboards], project.provisioning_path)
    return Build(dashboards=dashboards, files=files)
