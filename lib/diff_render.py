"""How `dashgen diff` is shown: text for a terminal, Markdown for a pull-request comment (a summary
table, then a collapsible section per dashboard, with layout pictures when the layout changed), and
JSON for scripts. Every changed setting is shown with its old and new value; queries as text diffs."""

from __future__ import annotations

import orjson

from dashgen.diff_report import Compared, Entry
from dashgen.panel_diff import DashboardDiff, change_parts, position
from dashgen.push.vocabulary import SYMBOLS, Kind

MAX_FILE_LINES = 40  # of a provisioning file's diff in text; a longer one ends with how many more


def text(compared: Compared) -> str:
    """For a terminal: a line per dashboard or file, and under it what changed, value by value."""
    if not compared.entries:
        return compared.same + "\n"
    out = [f"{compared.heading}:"]
    for entry, same_in in _grouped(compared.entries):
        out.append(_head(entry, same_in, markdown=False))
        if entry.diff is not None:
            out.extend(f"    {line}" for line in _dashboard_lines(entry.diff, False, _goes(entry)))
            out.extend(f"    {line}" for line in _lint_lines(entry, markdown=False))
        out.extend(f"    {line}" for line in _file_lines(entry))
    return "\n".join(out) + "\n"


def markdown(compared: Compared, assets: str | None = None) -> tuple[str, dict[str, str]]:
    """A pull-request comment, and the layout pictures it links to (file name -> SVG) when `assets`
    names the folder they are written to, relative to the comment."""
    if not compared.entries:
        return compared.same + "\n", {}
    out = [f"## {compared.heading[0].upper()}{compared.heading[1:]}", ""]
    dashboards = [e for e in compared.entries if e.kind == Kind.DASHBOARD]
    if dashboards:
        out += ["| | Dashboard | Panels added | removed | changed | Lint findings introduced | fixed |",
                "|---|---|--:|--:|--:|--:|--:|"]
        for e in dashboards:
            d = e.diff
            changed = len(d.changed) - sum(len(c) for c in d.shifted().values())
            out.append(f"| {SYMBOLS[e.action]} | `{e.uid}` {_cell(e.title)} | {len(d.added)} | {len(d.removed)} | "
                       f"{changed} | {len(e.introduced)} | {len(e.fixed)} |")
        out.append("")
    files = len(compared.entries) - len(dashboards)
    if files:
        out += [f"and {files} provisioning file{'s' if files != 1 else ''} (datasources, their links, folders).", ""]
    pictures: dict[str, str] = {}
    for entry, same_in in _grouped(compared.entries):
        out += ["<details>", f"<summary>{_summary(entry, same_in)}</summary>", ""]
        if entry.diff is not None:
            if assets is not None and entry.diff.layout_changed:
                out += _pictures(entry, assets, pictures)
            out += _dashboard_lines(entry.diff, True, _goes(entry)) + _lint_lines(entry, markdown=True)
        if entry.lines:
            out += ["```diff", *_file_lines(entry, indent=""), "```"]
        out += ["", "</details>", ""]
    return "\n".join(out), pictures


def _pictures(entry: Entry, assets: str, pictures: dict[str, str]) -> list[str]:
    """Before and after pictures of the grid, the panels that moved, came or went marked."""
    from dashgen.layout_svg import layout_svg

    diff, links = entry.diff, []
    quiet = {id(c) for changes in diff.shifted().values() for c in changes}
    changed = [c for c in diff.changed if id(c) not in quiet]
    marks_before = {p.key: "removed" for p in diff.removed} | {c.keys[0]: "moved" for c in changed if c.moved}
    marks_after = ({p.key: "added" for p in diff.added} | {c.keys[1]: "changed" for c in changed}
                   | {c.keys[1]: "moved" for c in changed if c.moved})
    for side, model, marks in (("before", entry.before, marks_before), ("after", entry.after, marks_after)):
        if model is not None:
            name = f"{entry.uid}.{side}.svg"
            pictures[name] = layout_svg(model, highlight=marks)
            links.append(f"![{side}]({assets.rstrip('/')}/{name})")
    return [" ".join(links), ""] if links else []


def _summary(entry: Entry, same_in: list[str]) -> str:
    """The line a collapsed section shows, in HTML (GitHub does not read Markdown inside <summary>)."""
    reason = f" ({entry.reason})" if entry.reason else ""
    if same_in:
        reason += f" (and the same in {', '.join(same_in)})"
    title = f" {entry.title!r}" if entry.title else ""
    return (f"{SYMBOLS[entry.action]} {entry.action} {entry.kind} <code>{_escape(entry.uid)}</code>"
            f"{_escape(title + reason)}")


def _head(entry: Entry, same_in: list[str], markdown: bool) -> str:
    reason = f" ({entry.reason})" if entry.reason else ""
    if same_in:
        reason += f" (and the same in {', '.join(same_in)})"
    uid = f"`{entry.uid}`" if markdown else entry.uid
    title = f" {entry.title!r}" if entry.title else ""
    return f"{SYMBOLS[entry.action]} {entry.action} {entry.kind} {uid}{title}{reason}"


def _goes(entry: Entry) -> bool:
    """A dashboard that a change removes, and whose panels are known (an orphan in Grafana stays)."""
    return entry.after is None and entry.before is not None


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def _dashboard_lines(diff: DashboardDiff, markdown: bool, removed: bool = False) -> list[str]:
    """Panels added and removed (with type and place), then each changed panel with every changed
    setting's old and new value, its queries as text diffs and its move; then settings and variables."""
    item, sub = ("- ", "  - ") if markdown else ("", "    ")
    code = _code if markdown else str
    if removed:  # what it held is in the old commit; the review is about its going
        return [f"{item}{_count(diff.removed, 'panel')} and {_count(diff.variables, 'variable')} go with it"]
    lines = [f"{item}+ {p}" for p in diff.added] + [f"{item}- {p}" for p in diff.removed]
    shifted = diff.shifted()
    for dy, changes in sorted(shifted.items()):
        names = ", ".join(repr(c.title) for c in changes[:4]) + (f" and {len(changes) - 4} more" if len(changes) > 4 else "")
        lines.append(f"{item}{'↓' if dy > 0 else '↑'} {len(changes)} panels shift {'down' if dy > 0 else 'up'} "
                     f"{abs(dy)} rows, with no other change: {names}")
    quiet = {id(c) for changes in shifted.values() for c in changes}
    for change in (c for c in diff.changed if id(c) not in quiet):
        lines.append(f"{item}~ panel {change.title!r}")
        for path, (old, new) in change.values.items():
            if path == "gridPos":
                lines.append(f"{sub}moved: {code(position(old))} → {code(position(new))}")
            elif not path.startswith("query "):
                lines.append(sub + _valued(path, old, new, markdown))
        for ref, diff_lines in change.queries.items():
            lines.append(f"{sub}query {ref}:")
            block = ["```diff", *diff_lines, "```"] if markdown else [f"  {d}" for d in diff_lines]
            lines += [f"{'    ' if markdown else sub}{d}" for d in block]
    if diff.settings or diff.values:
        lines.append(f"{item}settings and variables:" if diff.variables else f"{item}settings:")
        lines += [sub + _valued(path, old, new, markdown) for path, (old, new) in diff.values.items()]
    lines += [f"{sub if diff.values else item}{'+' if v[0] == '+' else '-'} variable {v[1:]}"
              for v in diff.variables if v[0] in "+-"]
    return lines


def _valued(path: str, old, new, markdown: bool) -> str:
    """`path: old → new`, with the path and the values as code in Markdown."""
    a, b = change_parts(path, old, new)
    return f"{_code(path)}: {_code(a)} → {_code(b)}" if markdown else f"{path}: {a} → {b}"


def _lint_lines(entry: Entry, markdown: bool) -> list[str]:
    item = "- " if markdown else ""
    lines = []
    for word, problems in (("introduces", entry.introduced), ("fixes", entry.fixed)):
        for p in problems:
            where = " · ".join(part for part in (f"panel {p.panel!r}" if p.panel is not None else "",
                                                 f"ref {p.ref}" if p.ref else "") if part)
            finding = f"{p.severity}[{p.rule}]: {p.message}" + (f" ({where})" if where else "")
            lines.append(f"{item}lint {word} {_escape(finding) if markdown else finding}")
    return lines


def _file_lines(entry: Entry, indent: str = "") -> list[str]:
    if len(entry.lines) <= MAX_FILE_LINES:
        return [indent + line for line in entry.lines]
    return [indent + line for line in entry.lines[:MAX_FILE_LINES]] + [f"... {len(entry.lines) - MAX_FILE_LINES} more lines"]


def _grouped(entries: list[Entry]) -> list[tuple[Entry, list[str]]]:
    """Each entry with the environments where the same file changed the same way
    (provisioning/<env>/...): a datasource change shows once, not once per environment."""
    out: list[tuple[Entry, list[str]]] = []
    for entry in entries:
        if out and entry.kind == Kind.FILE == out[-1][0].kind and (entry.action, entry.lines) == (out[-1][0].action, out[-1][0].lines):
            first, rest = out[-1][0].uid.split("/"), entry.uid.split("/")
            if len(first) == len(rest) > 2 and first[0] == rest[0] == "provisioning" and first[2:] == rest[2:]:
                out[-1][1].append(rest[1])
                continue
        out.append((entry, []))
    return out


def _code(value: str) -> str:
    """Inline code that survives backticks in the value."""
    fence = "``" if "`" in value else "`"
    return f"{fence} {value} {fence}" if fence == "``" else f"`{value}`"


def _cell(title: str) -> str:
    return _escape(title).replace("|", "\\|")


def _escape(value: str) -> str:
    """Text that Markdown shows as written inside HTML (a <summary>) or a table."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_json(compared: Compared) -> str:
    """`{"git": ref}` or `{"grafana": url}`, then every change; each changed setting with "old" and "new"."""
    rows = []
    for entry in compared.entries:
        row = {"kind": entry.kind, "uid": entry.uid, "title": entry.title, "action": entry.action,
               "reason": entry.reason}
        if entry.lines:
            row["lines"] = entry.lines
        if entry.diff is not None:
            diff = entry.diff
            row.update(
                added=[_panel_json(p) for p in diff.added], removed=[_panel_json(p) for p in diff.removed],
                changed=[{"title": c.title, "fields": c.fields, "queries": c.queries, "moved": c.moved,
                          "changes": _changes(c.values)} for c in diff.changed],
                settings=diff.settings, variables=diff.variables, changes=_changes(diff.values),
                lint={"introduced": [p.json() for p in entry.introduced], "fixed": [p.json() for p in entry.fixed]},
            )
        rows.append(row)
    return orjson.dumps({**compared.against, "changes": rows}, option=orjson.OPT_INDENT_2).decode() + "\n"


def _panel_json(panel) -> dict:
    return {"title": panel.title, "type": panel.type, "gridPos": panel.grid}


def _changes(values: dict[str, tuple]) -> list[dict]:
    return [{"path": path, "old": old, "new": new} for path, (old, new) in values.items()]
