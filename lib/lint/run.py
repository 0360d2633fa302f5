"""`dashgen lint` as a library call: from its inputs to the report (which knows its exit code)."""

from __future__ import annotations

from pathlib import Path

from dashgen.errors import InputError, InputErrors
from dashgen.lint.config import LintConfig, load_config
from dashgen.lint.engine import Report, lint
from dashgen.lint.rules import BY_ID, RULES


def run(project, paths: list[Path], catalogue_dir: Path | None = None, debug: bool = False) -> Report:
    """Lints `paths` (dashboard JSON files or folders), or with none the project's build; the report
    holds every problem, the queries read, and one line per input that could not be read."""
    from dashgen.build import build
    from dashgen.catalogue import load_catalogue
    from dashgen.lint.extract import dashboard_of
    from dashgen.lint.inputs import dashboards_from_paths

    errors: list[InputError] = []  # the configuration's, the build's and the catalogue's, reported together
    config = _collected(lambda: load_config(project.settings.get("lint", {}), set(BY_ID)), errors) \
        if project else LintConfig()
    report = Report()
    if paths:
        dashboards, report.bad_input, report.files = dashboards_from_paths(paths)
        catalogue = _collected(lambda: load_catalogue(catalogue_dir, shown=str(catalogue_dir)), errors) \
            if catalogue_dir else None
        datasources = None
    else:  # the build's own load path: what a build refuses, lint refuses the same way (InputErrors)
        built = _collected(lambda: build(project, debug=debug), errors)
        catalogue = _collected(lambda: load_catalogue(project.catalogue_dir), errors) \
            if project.catalogue_dir.is_dir() else None
        dashboards = [dashboard_of(d.model, d.file) for d in built.dashboards] if built else []
        report.files = len({d.file for d in dashboards})
        datasources = {s.datasource.uid: s.datasource.type for s in built.datasources} or None if built else None
    if errors:
        raise InputErrors(errors)
    return lint(dashboards, config, catalogue, datasources, report)


def _collected(load, errors: list[InputError]):
    """What `load` returns, or None with its problems added to `errors`."""
    try:
        return load()
    except InputErrors as exc:
        errors += exc.errors
        return None


def explain_rule(rule_id: str) -> str:
    rule = BY_ID.get(rule_id)
    if rule is None:
        known = "\n  ".join(r.ID for r in RULES)
        raise InputError(None, f"unknown rule {rule_id!r}; the rules are:\n  {known}")
    header = f"{rule.ID} ({rule.CATEGORY}, {rule.SEVERITY} by default)"
    return f"{header}\n\n{rule.__doc__.strip()}\n\nFix: {rule.HELP}\n"
