"""`dashgen lint` as a library call: from its inputs to the report (which knows its exit code), and
what `--explain` and `--list-rules` tell about the rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashgen.errors import InputError, InputErrors
from dashgen.lint.config import LintConfig, load_config
from dashgen.lint.engine import Report, lint
from dashgen.lint.rules import BY_ID, RULES


def config_of(project) -> LintConfig:
    """The project's [tool.dashgen.lint], or the defaults outside a project."""
    return load_config(project.settings.get("lint", {}), set(BY_ID)) if project else LintConfig()


def run(project, paths: list[Path], catalogue_dir: Path | None = None, debug: bool = False) -> Report:
    """Lints `paths` (dashboard JSON files or folders), or with none the project's build: its
    dashboards and its Prometheus rule files. The report holds every problem, the queries read, one
    line per input that could not be read and, for the project's own build, the suppressions that
    matched nothing."""
    from dashgen.build import build
    from dashgen.catalogue import load_catalogue
    from dashgen.lint.extract import dashboard_of
    from dashgen.lint.inputs import dashboards_from_paths
    from dashgen.lint.rule_files import rule_files_of
    from dashgen.lint.suppressions import unused
    from dashgen.project import PYPROJECT

    errors: list[InputError] = []  # the configuration's, the build's and the catalogue's, reported together
    config = _collected(lambda: config_of(project), errors)
    report = Report()
    if paths:
        dashboards, report.bad_input, report.files = dashboards_from_paths(paths)
        catalogue = _collected(lambda: load_catalogue(catalogue_dir, shown=str(catalogue_dir)), errors) \
            if catalogue_dir else None
        datasources = None
    else:  # the build's own load path: what a build refuses, lint refuses the same way (InputErrors)
        built = _collected(lambda: build(project, debug=debug), errors)  # the catalogue's problems too
        catalogue = built.catalogue if built else None
        dashboards = [dashboard_of(d.model, d.file) for d in built.dashboards] if built else []
        report.files = len({d.file for d in dashboards})
        if built:  # the rules too, and what they record is known to everything that reads it
            rules = rule_files_of(built.files, catalogue, project.relative(project.generated_dir))
            dashboards, catalogue = dashboards + rules.files, rules.catalogue
        datasources = ({s.datasource.uid: s.datasource.type for s in built.datasources} or None) if built else None
    if errors:
        raise InputErrors(errors)
    lint(dashboards, config, catalogue, datasources, report)
    if not paths and not report.bad_input:  # every finding of the project is known: unused ones are unused
        pyproject = (project.root / PYPROJECT).read_text(encoding="utf-8")
        report.unused_suppressions = unused(report.problems, config, BY_ID, pyproject)
    return report


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


@dataclass(frozen=True)
class RuleListing:
    """One rule as `--list-rules` shows it, under a project's configuration."""

    id: str
    category: str
    severity: str  # the default
    configured_severity: str | None  # what [tool.dashgen.lint] severity sets, when it sets one
    enabled: bool
    summary: str

    def json(self) -> dict:
        return {"rule": self.id, "category": self.category, "severity": self.severity,
                "configured_severity": self.configured_severity, "enabled": self.enabled, "summary": self.summary}


def rule_listings(project) -> list[RuleListing]:
    """Every rule, in the registry's order, as the project's configuration (or the defaults) sets it."""
    config = config_of(project)
    return [RuleListing(rule.ID, rule.CATEGORY, rule.SEVERITY, config.severity.get(rule.ID),
                        config.enabled(rule.ID), rule.SUMMARY) for rule in RULES]
