"""Runs every enabled rule over every query and panel, applying severities and suppressions."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashgen.lint.config import LintConfig
from dashgen.lint.context import PanelContext, QueryContext
from dashgen.lint.model import LANGUAGES, Dashboard, Problem, Query
from dashgen.lint.rules import RULES


@dataclass
class Report:
    files: int = 0
    dashboards: list[Dashboard] = field(default_factory=list)
    queries: list[tuple[Query, int | None]] = field(default_factory=list)  # with estimated series
    problems: list[Problem] = field(default_factory=list)
    bad_input: list[str] = field(default_factory=list)  # one line per file that could not be read

    def count(self, severity: str) -> int:
        return sum(1 for p in self.problems if p.severity == severity and not p.suppressed)


def lint(dashboards: list[Dashboard], config: LintConfig, catalogue=None,
         datasources: dict[str, str] | None = None, report: Report | None = None) -> Report:
    report = report or Report()
    rules = [rule for rule in RULES if config.enabled(rule.ID)]
    by_language = {lang: [r for r in rules if r.LANGUAGE in (lang, "query")] for lang in LANGUAGES}
    panel_rules = [r for r in rules if r.LANGUAGE == "panel"]
    for dashboard in dashboards:
        report.dashboards.append(dashboard)
        for query in dashboard.queries:
            ctx = QueryContext(query, dashboard, config, catalogue, datasources)
            for rule in by_language[query.language]:
                report.problems.extend(_problems(rule, rule.check(ctx), config, query=query))
            report.queries.append((query, ctx.estimate.returned if query.language == "promql" and ctx.estimate else None))
        for panel in dashboard.panels:
            ctx = PanelContext(panel, dashboard, config, datasources)
            for rule in panel_rules:
                report.problems.extend(_problems(rule, rule.check(ctx), config, dashboard=dashboard, panel=panel))
    return report


def _problems(rule, findings, config: LintConfig, query: Query | None = None, dashboard=None, panel=None):
    for finding in findings:
        if query is not None:
            where = dict(file=query.file, dashboard=query.dashboard, panel=query.panel, ref=query.ref, query=query.raw,
                         span=finding.span)
        else:
            where = dict(file=dashboard.file, dashboard=dashboard.uid, panel=str(panel.get("title", "")))
        problem = Problem(
            rule=rule.ID, severity=config.severity.get(rule.ID, rule.SEVERITY), message=finding.message,
            help=getattr(rule, "HELP", ""), **where,
        )
        for suppression in config.suppress:
            if suppression.covers(rule.ID, problem.dashboard, problem.panel):
                problem.suppressed = suppression.reason
                break
        yield problem
