"""Loads and compiles a list of definition files into the model, each validated against Grafana
12.3's dashboard schema."""

from __future__ import annotations

from dashgen.canonical import canonical_json
from dashgen.compile import compile_dashboard
from dashgen.errors import InputError, InputErrors
from dashgen.model import CompiledDashboard
from dashgen.project import Project


def compile_files(project: Project, files: list, debug: bool) -> tuple[list[CompiledDashboard], list[InputError]]:
    """The compiled dashboards and the errors, in file order."""
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
