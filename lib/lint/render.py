"""The three output formats: text for people (one block per problem, the query underlined),
GitHub workflow annotations, and JSON for machines (stable; documented in the README)."""

from __future__ import annotations

import orjson

from dashgen.lint.engine import Report
from dashgen.lint.model import Problem


def text(report: Report, show_suppressed: bool = False) -> str:
    blocks = [_block(p) for p in _visible(report, show_suppressed)]
    summary = (
        f"{_n(report.count('error'), 'error')}, {_n(report.count('warning'), 'warning')}, "
        f"{_n(report.count('info'), 'info')} in {_n(len(report.queries), 'query', 'queries')} of "
        f"{_n(len(report.dashboards), 'dashboard')}"
    )
    suppressed = sum(1 for p in report.problems if p.suppressed)
    if suppressed and not show_suppressed:
        summary += f" ({suppressed} suppressed: dashgen lint --show-suppressed lists them)"
    elif suppressed:
        summary += f" ({suppressed} suppressed)"
    return "\n\n".join(blocks + [summary]) + "\n"


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
    return "\n".join(lines) + ("\n" if lines else "")


def _escape(value: str, properties: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if properties else value


def as_json(report: Report) -> str:
    document = {
        "queries": [
            {"file": q.file, "dashboard": q.dashboard, "panel": q.panel, "ref": q.ref, "language": q.language,
             "query": q.raw, "estimated_series": series}
            for q, series in report.queries
        ],
        "problems": [p.json() | ({"suppressed": p.suppressed} if p.suppressed else {}) for p in report.problems],
        "summary": {
            "files": report.files, "dashboards": len(report.dashboards), "queries": len(report.queries),
            "errors": report.count("error"), "warnings": report.count("warning"), "infos": report.count("info"),
        },
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
