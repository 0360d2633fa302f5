"""`dashgen lint` as a library call: from its inputs to the report (which knows its exit code), and
what `--explain` and `--list-rules` tell about the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dashgen.errors import InputError, InputErrors
from dashgen.lint.config import LintConfig, load_config
from dashgen.lint.engine import Report, lint
from dashgen.lint.rules import BY_ID, RULES


@dataclass(frozen=True)
class Live:
    """`--prometheus`: the server to run the panels' queries on, the variables to force
    (`--var name=value`), the per-query timeout and how many run at once."""

    url: str
    overrides: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 10.0
    concurrency: int = 4
    at: float | None = None  # the time the queries look back from (now)


def config_of(project) -> LintConfig:
    """The project's [tool.dashgen.lint], or the defaults outside a project."""
    return load_config(project.settings.get("lint", {}), set(BY_ID)) if project else LintConfig()


def run(project, paths: list[Path], catalogue_dir: Path | None = None, debug: bool = False,
        live: Live | None = None) -> Report:
    """Lints `paths` (dashboard JSON files or folders), or with none the project's build: its
    dashboards and its Prometheus rule files. The report holds every problem, the queries read, one
    line per input that could not be read and, for the project's own build, the suppressions that
    matched nothing. With `live`, the panels' PromQL also runs on that Prometheus first (measured
    series, empty panels and why); one that cannot be reached is the report's `live_error`, and
    the static findings are still all there."""
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
        datasources, scrape_s, recorded = None, None, {}
    else:  # the build's own load path: what a build refuses, lint refuses the same way (InputErrors)
        built = _collected(lambda: build(project, debug=debug), errors)  # the catalogue's problems too
        catalogue = built.catalogue if built else None
        dashboards = [dashboard_of(d.model, d.file) for d in built.dashboards] if built else []
        report.files = len({d.file for d in dashboards})
        recorded = {}
        if built:  # the rules too, and what they record is known to everything that reads it
            rules = rule_files_of(built.files, catalogue, project.relative(project.generated_dir))
            dashboards, catalogue, recorded = dashboards + rules.files, rules.catalogue, rules.recorded
        scrape_s = _scrape_interval_s(built.datasources) if built else None
        datasources = ({s.datasource.uid: s.datasource.type for s in built.datasources} or None) if built else None
    if errors:
        raise InputErrors(errors)
    measured = _measured(dashboards, live, scrape_s, recorded, report) if live else None
    lint(dashboards, config, catalogue, datasources, report, measured)
    if not paths and not report.bad_input:  # every finding of the project is known: unused ones are unused
        pyproject = (project.root / PYPROJECT).read_text(encoding="utf-8")
        report.unused_suppressions = unused(report.problems, config, BY_ID, pyproject)
    return report


def _measured(dashboards, live: Live, scrape_s, recorded, report: Report) -> dict:
    from dashgen.lint.live import Target, measure
    from dashgen.prometheus import Prometheus, PrometheusError

    from dashgen.settings import nearest

    known = {name for d in dashboards for name in d.variables}
    for name in live.overrides:
        if name not in known:
            raise InputError(None, f"--var {name}: no dashboard linted has a variable {name}{nearest(name, known)}")
    target = Target(Prometheus(live.url, live.timeout_s), live.overrides, scrape_s, live.at, recorded, live.concurrency)
    try:
        return measure([d for d in dashboards if not d.rule_file], target)
    except PrometheusError as exc:
        report.live_error = exc
        return {}


def _scrape_interval_s(sources) -> float | None:
    """The scrape interval of the project's (first) Prometheus datasource: what Grafana computes
    $__rate_interval from."""
    from dashgen.lint.bind import duration_s

    for source in sources:
        if source.datasource.type == "prometheus":
            return duration_s(getattr(source.datasource, "scrape_interval", None))
    return None


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
