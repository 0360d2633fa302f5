"""`dashgen diff --env`: the plan's changes, with each dashboard shown panel by panel, as text
(terminal), markdown (a pull-request comment) or JSON."""

from __future__ import annotations

import orjson

from dashgen.panel_diff import DashboardDiff, diff_dashboards
from dashgen.push.plan import Plan
from dashgen.push.report import SYMBOLS


def entries(plan: Plan) -> list[dict]:
    """Every change that is not 'unchanged', with a panel-level diff for dashboards."""
    rows = []
    for c in plan.changes:
        if c.action == "unchanged":
            continue
        row = {"kind": c.kind, "uid": c.uid, "title": c.title, "action": c.action, "reason": c.reason}
        if c.kind == "dashboard":
            new = c.desired.model if c.desired is not None and c.action not in ("delete", "orphaned") else None
            row["diff"] = diff_dashboards(c.live, new)
        rows.append(row)
    return rows


def text(plan: Plan, markdown: bool = False) -> str:
    rows = entries(plan)
    if not rows:
        return f"{plan.grafana_url} matches the build\n"
    out = [f"## Changes to {plan.grafana_url}\n" if markdown else f"changes to {plan.grafana_url}:"]
    for row in rows:
        reason = f" ({row['reason']})" if row["reason"] else ""
        uid = f"`{row['uid']}`" if markdown else row["uid"]
        head = f"{SYMBOLS[row['action']]} {row['action']} {row['kind']} {uid} {row['title']!r}{reason}"
        out.append(f"### {head}" if markdown else head)
        if "diff" in row:
            out.extend(_dashboard_lines(row["diff"], markdown))
    return "\n".join(out) + "\n"


def _dashboard_lines(diff: DashboardDiff, markdown: bool) -> list[str]:
    bullet, indent = ("- ", "  ") if markdown else ("    ", "        ")
    lines = [f"{bullet}+ panel {t!r}" for t in diff.added] + [f"{bullet}- panel {t!r}" for t in diff.removed]
    for change in diff.changed:
        what = ", ".join(change.fields) or ("moved" if change.moved and not change.queries else "queries")
        lines.append(f"{bullet}~ panel {change.title!r}: {what}")
        for ref, diff_lines in change.queries.items():
            if markdown:
                lines += [f"{indent}query {ref}:", f"{indent}```diff", *[f"{indent}{d}" for d in diff_lines], f"{indent}```"]
            else:
                lines += [f"{indent}query {ref}:", *[f"{indent}  {d}" for d in diff_lines]]
    if diff.settings:
        lines.append(f"{bullet}settings: {', '.join(diff.settings)}")
    if diff.variables:
        lines.append(f"{bullet}variables: {', '.join(diff.variables)}")
    return lines


def as_json(plan: Plan) -> str:
    rows = []
    for row in entries(plan):
        diff = row.pop("diff", None)
        if diff is not None:
            row.update(added=diff.added, removed=diff.removed, settings=diff.settings, variables=diff.variables,
                       changed=[{"title": c.title, "fields": c.fields, "queries": c.queries, "moved": c.moved}
                                for c in diff.changed])
        rows.append(row)
    return orjson.dumps({"grafana": plan.grafana_url, "changes": rows}, option=orjson.OPT_INDENT_2).decode() + "\n"
