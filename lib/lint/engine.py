"""Runs every enabled rule over every query and panel, applying severities and suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashgen.errors import Location
from dashgen.lint.config import LintConfig
from dashgen.lint.context import PanelContext, QueryContext
from dashgen.lint.model import LANGUAGES, Dashboard, Problem, Query, panel_title
from dashgen.lint.rules import RULES
from dashgen.lint.suppressions import UnusedSuppression


@dataclass(frozen=True)
class Counts:
    dashboards: int
    queries: int
    rule_files: int
    rules: int
    recording_rules: int
    recorded_series: int


@dataclass
class Report:
    files: int = 0
    dashboards: list[Dashboard] = field(default_factory=list)
    queries: list[tuple[Query, int | None]] = field(default_factory=list)  # with estimated series
    problems: list[Problem] = field(default_factory=list)
    bad_input: list[str] = field(default_factory=list)  # one line per unreadable file, part or query
    # Suppressions that matched no finding; None when the lint cannot tell (files given, bad input).
    unused_suppressions: list[UnusedSuppression] | None = None
    measured: dict = field(default_factory=dict)  # id(query) -> live.Measured, with --prometheus
    live_error: Exception | None = None  # the Prometheus that could not be reached (exit 3)

    def counts(self) -> Counts:
        """Dashboards and their queries apart from rule files and their rules, and the series the
        recording rules create, as estimated (a rule whose estimate failed counts none)."""
        recording = [series for q, series in self.queries if q.kind == "rule" and q.rule.startswith("record ")]
        return Counts(
            dashboards=sum(1 for d in self.dashboards if not d.rule_file),
            queries=sum(1 for q, _ in self.queries if q.kind != "rule"),
            rule_files=sum(1 for d in self.dashboards if d.rule_file),
            rules=sum(1 for q, _ in self.queries if q.kind == "rule"),
            recording_rules=len(recording), recorded_series=sum(s or 0 for s in recording),
        )

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity and not p.suppressed)

    @property
    def exit_code(self) -> int:
        """2 some input could not be read; 3 the Prometheus of a live lint could not be reached;
        1 an error found; 0 otherwise (warnings and unused suppressions do not fail)."""
        return 2 if self.bad_input else 3 if self.live_error else 1 if self.count("error") else 0


def lint(dashboards: list[Dashboard], config: LintConfig, catalogue=None,
         datasources: dict[str, str] | None = None, report: Report | None = None,
         measured: dict | None = None) -> Report:
    """Every enabled rule on every query and panel.

    `measured` (id(query) -> live.Measured) is what live lint found on a real Prometheus; rules
    that judge it see it, and the report keeps it.

    Rules never see malformed input: the input layer (extract.unread_parts) reports a panel, query
    or variable of the wrong shape as bad input and leaves it out, and rules read a leaf value of an
    unexpected type as absent. So an exception from a rule is a bug in dashgen: it propagates, with
    a note naming the rule and what it was checking (exit 70 with the traceback). The one exception
    is RecursionError on a query nested deeper than dashgen's recursive parsers and walks go: that
    query is one bad-input line (exit 2), and the other queries and dashboards are still linted."""
    report = report or Report()
    report.measured.update(measured or {})
    rules = [rule for rule in RULES if config.enabled(rule.ID)]
    by_language = {lang: [r for r in rules if r.LANGUAGE in (lang, "query")] for lang in LANGUAGES}
    panel_rules = [r for r in rules if r.LANGUAGE == "panel"]
    for dashboard in dashboards:
        report.dashboards.append(dashboard)
        for query in dashboard.queries:
            ctx = QueryContext(query, dashboard, config, catalogue, datasources, (measured or {}).get(id(query)))
            before, series = len(report.problems), None
            try:
                for rule in by_language[query.language]:
                    if query.kind == "rule" and getattr(rule, "DASHBOARDS_ONLY", False):
                        continue
                    _run(report, rule, ctx, config, query=query)
                if query.language == "promql":
                    try:
                        series = ctx.estimate.returned if ctx.estimate else None
                    except Exception as exc:
                        _note(exc, f"the series estimate of {_located(query=query)}")
                        raise
            except RecursionError:
                del report.problems[before:]  # what was found before is not the whole story
                report.bad_input.append(f"{_located(query=query)}: query nested too deeply for dashgen to check"
                                        " (not linted)")
            report.queries.append((query, series))
        for panel in dashboard.panels:
            ctx = PanelContext(panel, dashboard, config, datasources)
            for rule in panel_rules:
                _run(report, rule, ctx, config, dashboard=dashboard, panel=panel)
    return report


def _run(report: Report, rule, ctx, config: LintConfig, **about):
    try:
        report.problems.extend(_problems(rule, rule.check(ctx), config, **about))
    except Exception as exc:
        _note(exc, f"rule {rule.ID} on {_located(**about)}")
        raise


def _note(exc: Exception, what: str) -> None:
    """Adds what raised a bug's exception to its traceback (a RecursionError is the query's depth)."""
    if not isinstance(exc, RecursionError):
        exc.add_note(f"(raised by {what})")


def _located(query: Query | None = None, dashboard: Dashboard | None = None, panel: dict | None = None) -> str:
    if query is not None:
        return str(Location(file=query.file, dashboard=query.dashboard, panel=query.panel, ref=query.ref,
                            panel_id=query.panel_id, rule=query.rule))
    return str(Location(file=dashboard.file, dashboard=dashboard.uid, panel=panel_title(panel),
                        panel_id=dashboard.panel_id(panel)))


def _problems(rule, findings, config: LintConfig, query: Query | None = None, dashboard=None, panel=None):
    for finding in findings:
        if query is not None:
            located = dict(file=query.file, dashboard=query.dashboard, panel=query.panel, panel_id=query.panel_id,
                           ref=query.ref, query=query.raw, span=finding.span, prometheus_rule=query.rule)
        else:
            located = dict(file=dashboard.file, dashboard=dashboard.uid, panel=panel_title(panel),
                           panel_id=dashboard.panel_id(panel))
        severity = config.severity.get(rule.ID) or finding.severity or rule.SEVERITY
        problem = Problem(rule=rule.ID, severity=severity, message=finding.message, help=getattr(rule, "HELP", ""),
                          **located)
        for suppression in config.suppress:
            if suppression.covers(rule.ID, problem.dashboard, problem.panel):
                problem.suppressed = suppression.reason
                break
        yield problem
