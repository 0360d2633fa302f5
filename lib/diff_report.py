"""`dashgen diff`: what a change does, with each dashboard shown panel by panel, as text (terminal),
markdown (a pull-request comment) or JSON. The changes come from a push plan (`--env`: the build
against a live Grafana) or from two builds (`--against REF`: a commit's generated/ against the
current build)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from dashgen.panel_diff import DashboardDiff, diff_dashboards
from dashgen.push.report import SYMBOLS


@dataclass
class Entry:
    kind: str  # "dashboard", "folder" or "datasource"
    uid: str
    title: str
    action: str  # a plan's action, or added / changed / removed between commits
    reason: str = ""
    diff: DashboardDiff | None = None


def from_plan(plan) -> list[Entry]:
    """Every change of the plan that is not 'unchanged', dashboards with their panel-level diff."""
    entries = []
    for c in plan.changes:
        if c.action == "unchanged":
            continue
        entry = Entry(c.kind, c.uid, c.title, c.action, c.reason)
        if c.kind == "dashboard":
            new = c.desired.model if c.desired is not None and c.action not in ("delete", "orphaned") else None
            entry.diff = diff_dashboards(c.live, new)
        entries.append(entry)
    return entries


def between(old: dict, new: list) -> list[Entry]:
    """The dashboards added, removed and changed from `old` (uid -> git_ref.CommittedDashboard) to
    `new` (the build's CompiledDashboards), in uid order."""
    current = {d.uid: d for d in new}
    entries = []
    for uid in sorted(set(old) | set(current)):
        before, after = old.get(uid), current.get(uid)
        if before is None:
            entries.append(Entry("dashboard", uid, after.title, "added", diff=diff_dashboards(None, after.model)))
            continue
        title = before.model.get("title", uid)
        if after is None:
            entries.append(Entry("dashboard", uid, title, "removed", diff=diff_dashboards(before.model, None)))
            continue
        if before.model == after.model and before.folder == after.folder:
            continue
        moved = f"moved from folder {before.folder!r} to {after.folder!r}" if before.folder != after.folder else ""
        entries.append(Entry("dashboard", uid, after.title, "changed", moved, diff_dashboards(before.model, after.model)))
    return entries


def text(entries: list[Entry], heading: str, same: str, markdown: bool = False) -> str:
    """`heading` introduces the changes ("changes to https://grafana..."); `same` says there are none."""
    if not entries:
        return same + "\n"
    out = [f"## {heading[0].upper()}{heading[1:]}\n" if markdown else f"{heading}:"]
    for entry in entries:
        reason = f" ({entry.reason})" if entry.reason else ""
        uid = f"`{entry.uid}`" if markdown else entry.uid
        head = f"{SYMBOLS[entry.action]} {entry.action} {entry.kind} {uid} {entry.title!r}{reason}"
        out.append(f"### {head}" if markdown else head)
        if entry.diff is not None:
            out.extend(_dashboard_lines(entry.diff, markdown))
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


def as_json(entries: list[Entry], against: dict) -> str:
    """`against`: {"grafana": url} or {"git": ref}, the first key of the document."""
    rows = []
    for entry in entries:
        row = {"kind": entry.kind, "uid": entry.uid, "title": entry.title, "action": entry.action,
               "reason": entry.reason}
        if entry.diff is not None:
            diff = entry.diff
            row.update(added=diff.added, removed=diff.removed, settings=diff.settings, variables=diff.variables,
                       changed=[{"title": c.title, "fields": c.fields, "queries": c.queries, "moved": c.moved}
                                for c in diff.changed])
        rows.append(row)
    return orjson.dumps({**against, "changes": rows}, option=orjson.OPT_INDENT_2).decode() + "\n"
