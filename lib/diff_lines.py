"""How a dashboard's or a rule file's differences read, line by line, wherever they are shown:
`dashgen diff` (text and Markdown), the push plan's updates and its refusals of hand edits. Every
changed setting with its old and new value (`thresholds.steps[1].value: 14.4 → 10`), long values
folded around the change, queries and expressions as text diffs (or as the thresholds that changed),
a move or resize as both grid positions."""

from __future__ import annotations

import json

from dashgen.panel_diff import DashboardDiff, PanelAt
from dashgen.rule_diff import RuleAt, RuleFileDiff


def dashboard_lines(diff: DashboardDiff, markdown: bool = False, removed: bool = False) -> list[str]:
    """Panels added and removed (with type and place), panels that only shifted (one line per
    group), then each changed panel with every changed setting, its queries as text diffs and its
    move; then settings and variables. `removed`: the dashboard goes, and only that is said."""
    item, sub = ("- ", "  - ") if markdown else ("", "    ")
    code = _code if markdown else str
    if removed:  # what it held is in the old version; the review is about its going
        return [f"{item}{count(diff.removed, 'panel')} and {count(diff.variables, 'variable')} go with it"]
    lines = [f"{item}+ {panel_at(p)}" for p in diff.added] + [f"{item}- {panel_at(p)}" for p in diff.removed]
    shifted = diff.shifted()
    for dy, changes in sorted(shifted.items()):
        names = ", ".join(repr(c.title) for c in changes[:4]) + (f" and {len(changes) - 4} more" if len(changes) > 4 else "")
        lines.append(f"{item}{'↓' if dy > 0 else '↑'} {len(changes)} panels shift {'down' if dy > 0 else 'up'} "
                     f"{abs(dy)} rows, with no other change: {names}")
    for change in diff.changed_alone():
        lines.append(f"{item}~ panel {change.title!r}")
        for path, (old, new) in change.values.items():
            if path == "gridPos":
                lines.append(f"{sub}{moved_how(old, new)}: {code(position(old))} → {code(position(new))}")
            elif not path.startswith("query "):
                lines.append(sub + valued(path, old, new, markdown))
        for ref, diff_lines in change.queries.items():
            lines.append(f"{sub}query {ref}:")
            block = ["```diff", *diff_lines, "```"] if markdown else [f"  {d}" for d in diff_lines]
            lines += [f"{'    ' if markdown else sub}{d}" for d in block]
    if diff.values:
        variables = diff.variables or any(path.startswith("variable") for path in diff.values)
        lines.append(f"{item}settings and variables:" if variables else f"{item}settings:")
        lines += [sub + valued(path, old, new, markdown) for path, (old, new) in diff.values.items()]
    lines += [f"{sub if diff.values else item}{'+' if v[0] == '+' else '-'} variable {v[1:]}"
              for v in diff.variables if v[0] in "+-"]
    return lines


def rule_lines(diff: RuleFileDiff, markdown: bool = False) -> list[str]:
    """Rules added and removed, then each changed rule: its expression as the thresholds that changed
    (`threshold in 2 places: > (14.4 * 0.001) → > (14.4 * 0.005)`) or as a text diff, and every other
    changed field; then the groups' own settings."""
    item, sub = ("- ", "  - ") if markdown else ("", "    ")
    code = _code if markdown else str
    lines = [f"{item}{sign} {rule_at(r, markdown)}" for sign, rules in (("+", diff.added), ("-", diff.removed))
             for r in rules]
    for change in diff.changed:
        lines.append(f"{item}~ {rule_at(change.at, markdown)}")
        for n in change.numbers:
            where = f" in {n.places} places" if n.places > 1 else ""
            lines.append(f"{sub}{'threshold' if n.threshold else 'number'}{where}: {code(n.old)} → {code(n.new)}")
        if change.expr:
            lines.append(f"{sub}expr:")
            block = ["```diff", *change.expr, "```"] if markdown else [f"  {d}" for d in change.expr]
            lines += [f"{'    ' if markdown else sub}{d}" for d in block]
        lines += [sub + valued(path, a, b, markdown) for path, (a, b) in change.values.items() if path != "expr"]
    return lines + [item + valued(path, old, new, markdown) for path, (old, new) in diff.values.items()]


def rule_at(at: RuleAt, markdown: bool = False) -> str:
    """`alert HighErrorRate (group platform)`; its labels too where its name repeats in the group
    (`alert HighErrorRate{severity="page"}`)."""
    code = _code if markdown else str
    labels = at.rule.get("labels") if at.labelled else None
    shown = "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if isinstance(labels, dict) else ""
    return f"{at.kind} {code(at.name + shown)} (group {code(at.group)})"


def panel_at(panel: PanelAt) -> str:
    """`panel 'Latency' (timeseries at x=0 y=8 w=12 h=8)`."""
    where = f" at {position(panel.grid)}" if panel.grid else ""
    return f"panel {panel.title!r} ({panel.type or 'no type'}{where})"


def moved_how(old, new) -> str:
    """"moved", "resized" or "moved and resized", from two gridPos."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return "moved"
    moved = any(old.get(k) != new.get(k) for k in ("x", "y"))
    resized = any(old.get(k) != new.get(k) for k in ("w", "h"))
    return "moved and resized" if moved and resized else "resized" if resized else "moved"


def count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def valued(path: str, old, new, markdown: bool = False) -> str:
    """`path: old → new`, with the path and the values as code in Markdown."""
    a, b = change_parts(path, old, new)
    return f"{_code(path)}: {_code(a)} → {_code(b)}" if markdown else f"{path}: {a} → {b}"


def position(grid) -> str:
    """A gridPos as a reviewer reads it: `x=0 y=8 w=12 h=8`."""
    if not isinstance(grid, dict):
        return shown_value(grid)
    return " ".join(f"{k}={grid.get(k)}" for k in ("x", "y", "w", "h"))


def shown_value(value) -> str:
    """A JSON value as JSON (what the dashboard file says), "(none)" when absent."""
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def change_parts(path: str, old, new, width: int = 60) -> tuple[str, str]:
    """The old and new value as shown: JSON, (none) when absent, a position as x= y= w= h=; a long
    value folded around the first place where the two differ, so that the change stays in sight."""
    show = position if path == "gridPos" or path.endswith(" gridPos") else shown_value
    a, b = show(old), show(new)
    if max(len(a), len(b)) > width:
        start = max(0, next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b))) - 20)
        a, b = (_fold(text, start, width) for text in (a, b))
    return a, b


def _fold(text: str, start: int, width: int) -> str:
    if len(text) <= width:
        return text
    head = "…" if start > 0 else ""
    piece = text[start:start + width]
    return head + piece + ("…" if start + width < len(text) else "")


def _code(value: str) -> str:
    """Inline code that survives backticks in the value."""
    fence = "``" if "`" in value else "`"
    return f"{fence} {value} {fence}" if fence == "``" else f"`{value}`"
