"""The three output formats: text for people (one block per problem, the query underlined),
GitHub workflow annotations, and JSON for machines (stable; documented in the README); the
statistics of `--statistics` and the table of `--list-rules`."""

from __future__ import annotations

from collections import Counter

import orjson

from dashgen.lint.engine import Report
from dashgen.lint.model import SEVERITIES, Problem
from dashgen.lint.rules import BY_ID
from dashgen.lint.suppressions import UnusedSuppression


def text(report: Report, show_suppressed: bool = False, statistics: bool = False) -> str:
    """One block per problem, or with `statistics` the table of findings per rule; then the
    suppressions that matched nothing, and the summary."""
    if statistics:
        rows = statistics_of(report)
        blocks = [_statistics_table(rows)] if rows else []
    else:
        blocks = [_block(p) for p in _visible(report, show_suppressed)]
    blocks += [_unused_block(u) for u in report.unused_suppressions or ()]
    counts = report.counts()
    summary = (
        f"{_n(report.count('error'), 'error')}, {_n(report.count('warning'), 'warning')}, "
        f"{_n(report.count('info'), 'info')} in {_n(counts.queries, 'query', 'queries')} of "
        f"{_n(counts.dashboards, 'dashboard')}"
    )
    if counts.rule_files:
        summary += (f" and {_n(counts.rules, 'rule')} of {_n(counts.rule_files, 'rule file')} (the "
                    f"{_n(counts.recording_rules, 'recording rule')} create at most {counts.recorded_series:,} series)")
    suppressed = sum(1 for p in report.problems if p.suppressed)
    if suppressed and not show_suppressed:
        summary += f" ({suppressed} suppressed: dashgen lint --show-suppressed lists them)"
    elif suppressed:
        summary += f" ({suppressed} suppressed)"
    if report.unused_suppressions:
        summary += f"; {_n(len(report.unused_suppressions), 'unused suppression')}"
    return "\n\n".join(blocks + [summary]) + "\n"


def statistics_of(report: Report) -> list[dict]:
    """Findings per rule and severity, most first: what the summary counts (suppressed ones are not)."""
    counts = Counter((p.rule, p.severity) for p in report.problems if not p.suppressed)
    rows = [{"count": count, "rule": rule, "severity": severity, "category": BY_ID[rule].CATEGORY}
            for (rule, severity), count in counts.items()]
    return sorted(rows, key=lambda r: (-r["count"], r["rule"], SEVERITIES.index(r["severity"])))


def _statistics_table(rows: list[dict]) -> str:
    return _table(["count", "rule", "severity", "category"],
                  [[str(r["count"]), r["rule"], r["severity"], r["category"]] for r in rows], right=1)


def _table(header: list[str], rows: list[list[str]], right: int = 0) -> str:
    """Columns two spaces apart, the first `right` ones right-aligned, the last one not padded."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        cells = [cell.rjust(w) if i < right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        return "  ".join(cells[:-1] + [row[-1]])
    return "\n".join(line(row) for row in [header, *rows])


def rules_table(rules, in_project: bool) -> str:
    """`--list-rules`: every rule, whether this project's configuration enables it, and what it flags."""
    rows = [[r.id, r.category, r.severity + (f" → {r.configured_severity}" if r.configured_severity
                                             and r.configured_severity != r.severity else ""),
             "yes" if r.enabled else "no", r.summary] for r in rules]
    enabled = sum(1 for r in rules if r.enabled)
    where = (f"{enabled} enabled by this project's [tool.dashgen.lint]" if in_project
             else "all enabled (not in a dashgen project: the defaults)")
    table = _table(["rule", "category", "severity", "enabled", "summary"], rows)
    return f"{table}\n\n{_n(len(rules), 'rule')}, {where}\n"


def rules_json(rules) -> str:
    return orjson.dumps({"rules": [r.json() for r in rules]}, option=orjson.OPT_INDENT_2).decode() + "\n"


def _n(count: int, singular: str, plural: str = "") -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _visible(report: Report, show_suppressed: bool = False) -> list[Problem]:
    return [p for p in report.problems if show_suppressed or not p.suppressed]


def _block(p: Problem) -> str:
    lines = [f"{p.severity}[{p.rule}]: {p.message}", f"  --> {p.location}"]
    if p.query:
        lines.extend(_underlined(p.query, p.span))
    if p.suppressed:
        lines.append(f"   = suppressed: {p.suppressed}")
    if p.help:
        lines.append(f"   = help: {p.help}")
    return "\n".join(lines)


def _unused_block(u: UnusedSuppression) -> str:
    return "\n".join([f"warning: unused suppression: {u.names} matches no finding", f"  --> {u.location}",
                      f"   = reason: {u.suppression.reason}", f"   = help: {u.help}"])


def _underlined(query: str, span: tuple[int, int] | None) -> list[str]:
    """The query's lines (the span's line and two either side, or the first six), with ^^^ under the span."""
    lines = query.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    if span:
        focus = max(i for i, begin in enumerate(starts) if begin <= span[0])
        shown = range(max(0, focus - 2), min(len(lines), focus + 3))
    else:
        shown = range(min(len(lines), 6))
    out = ["   |"] + (["   | ..."] if shown.start > 0 else [])
    for i in shown:
        out.append(f"   | {lines[i]}")
        if span:
            lo, hi = max(span[0], starts[i]), min(span[1], starts[i] + len(lines[i]))
            if lo < hi:
                out.append("   | " + " " * (lo - starts[i]) + "^" * (hi - lo))
    if shown.stop < len(lines):
        out.append("   | ...")
    return out


def github(report: Report, show_suppressed: bool = False) -> str:
    """One workflow annotation per problem; GitHub shows them on the file in the pull request."""
    lines = []
    for p in _visible(report, show_suppressed):
        level = {"error": "error", "warning": "warning"}.get(p.severity, "notice")
        title = _escape(f"{p.rule}", properties=True)
        message = _escape(f"{p.location}: {p.message}" + (f" ({p.help})" if p.help else ""))
        lines.append(f"::{level} file={_escape(p.file, properties=True)},title={title}::{message}")
    for u in report.unused_suppressions or ():
        line = f",line={u.line}" if u.line else ""
        message = _escape(f"{u.location}: {u.names} matches no finding ({u.help})")
        lines.append(f"::warning file=pyproject.toml{line},title=unused suppression::{message}")
    return "\n".join(lines) + ("\n" if lines else "")


def _live(measured) -> dict:
    """What a live lint measured for a query: null for each key without one."""
    if measured is None:
        return {"measured_series": None, "samples": None, "sent": None}
    return {"measured_series": measured.series, "samples": measured.samples, "sent": measured.query}


def _escape(value: str, properties: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if properties else value


def as_json(report: Report, statistics: bool = False) -> str:
    """The documented document; `statistics` adds the findings per rule as a "statistics" key."""
    counts = report.counts()
    document = {
        "queries": [
            {"file": q.file, "dashboard": q.dashboard, "panel": q.panel, "ref": q.ref, "language": q.language,
             "query": q.raw, "estimated_series": series, "prometheus_rule": q.rule, **_live(report.measured.get(id(q)))}
            for q, series in report.queries
        ],
        "problems": [p.json() | ({"suppressed": p.suppressed} if p.suppressed else {}) for p in report.problems],
        "summary": {
            "files": report.files, "dashboards": counts.dashboards, "queries": counts.queries,
            "errors": report.count("error"), "warnings": report.count("warning"), "infos": report.count("info"),
            "rule_files": counts.rule_files, "rules": counts.rules, "recording_rules": counts.recording_rules,
            "recorded_series": counts.recorded_series,
        },
        "unused_suppressions": None if report.unused_suppressions is None
        else [u.json() for u in report.unused_suppressions],
        "prometheus_error": None if report.live_error is None else str(report.live_error),
    }
    if statistics:
        document["statistics"] = statistics_of(report)
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
