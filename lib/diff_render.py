"""How `dashgen diff` is shown: text for a terminal, Markdown for a pull-request comment (summary
tables, then a collapsible section per dashboard or file, with layout pictures when the layout
changed), and JSON for scripts. Every changed setting is shown with its old and new value; queries
and expressions as text diffs, or as the thresholds that changed."""

from __future__ import annotations

from urllib.parse import quote

import orjson

from dashgen.diff_lines import dashboard_lines, rule_lines
from dashgen.diff_report import Compared, Entry
from dashgen.push.vocabulary import SYMBOLS, Kind

MAX_FILE_LINES = 40  # of a provisioning file's diff in text; a longer one ends with how many more


def text(compared: Compared) -> str:
    """For a terminal: a line per dashboard or file, and under it what changed, value by value (rule by
    rule in a rule file)."""
    if not compared.entries:
        return compared.same + "\n"
    out = [f"{compared.heading}:"]
    for entry, same_in in _grouped(compared.entries):
        out.append(_head(entry, same_in))
        if entry.diff is not None:
            out.extend(f"    {line}" for line in dashboard_lines(entry.diff, False, _goes(entry)))
            out.extend(f"    {line}" for line in _lint_lines(entry, markdown=False))
        if entry.rules is not None:
            out.extend(f"    {line}" for line in rule_lines(entry.rules))
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
            out.append(f"| {SYMBOLS[e.action]} | `{e.uid}` {_cell(e.title)} | {len(d.added)} | {len(d.removed)} | "
                       f"{len(d.changed_alone())} | {len(e.introduced)} | {len(e.fixed)} |")
        out.append("")
    rule_files = [e for e in compared.entries if e.kind == Kind.RULE_FILE]
    if rule_files:
        out += ["| | Rule file | Rules added | removed | changed |", "|---|---|--:|--:|--:|"]
        out += [f"| {SYMBOLS[e.action]} | `{e.uid}` | {len(e.rules.added)} | {len(e.rules.removed)} | "
                f"{len(e.rules.changed)} |" for e in rule_files]
        out.append("")
    files = len(compared.entries) - len(dashboards) - len(rule_files)
    if files:
        out += [f"and {files} other file{'s' if files != 1 else ''} (datasources, their links, folders, rule tests).",
                ""]
    pictures: dict[str, str] = {}
    for entry, same_in in _grouped(compared.entries):
        out += ["<details>", f"<summary>{_head(entry, same_in, html=True)}</summary>", ""]
        if entry.diff is not None:
            if assets is not None and entry.diff.layout_changed:
                out += _pictures(entry, assets, pictures)
            out += dashboard_lines(entry.diff, True, _goes(entry)) + _lint_lines(entry, markdown=True)
        if entry.rules is not None:
            out += rule_lines(entry.rules, markdown=True)
        if entry.lines:
            out += ["```diff", *_file_lines(entry, indent=""), "```"]
        out += ["", "</details>", ""]
    return "\n".join(out), pictures


def _pictures(entry: Entry, assets: str, pictures: dict[str, str]) -> list[str]:
    """Before and after pictures of the grid: panels added, removed, moved, resized and changed
    marked, on each side where they are. A panel whose settings changed is "changed" however it
    moved; panels that only shifted with the others (a panel added above them) stay unmarked, as
    the text says them in one line."""
    from dashgen.diff_lines import moved_how
    from dashgen.layout_svg import layout_svg

    diff, links = entry.diff, []
    marks_before = {p.key: "removed" for p in diff.removed}
    marks_after = {p.key: "added" for p in diff.added}
    for change in diff.changed_alone():
        if set(change.values) - {"gridPos"}:
            state = "changed"
        else:
            state = "resized" if moved_how(*change.values["gridPos"]) != "moved" else "moved"
        if change.moved:
            marks_before[change.keys[0]] = state
        marks_after[change.keys[1]] = state
    for side, model, marks in (("before", entry.before, marks_before), ("after", entry.after, marks_after)):
        if model is not None:
            name = f"{entry.uid}.{side}.svg"
            pictures[name] = layout_svg(model, highlight=marks)
            links.append(f"![{side}]({quote(assets.rstrip('/') + '/' + name)})")
    return [" ".join(links), ""] if links else []


def _head(entry: Entry, same_in: list[str], html: bool = False) -> str:
    """The line that names what changed: `~ update dashboard svc-health 'Service health' (reason)`;
    in HTML for a <summary> (GitHub does not read Markdown there), the uid as code."""
    reason = f" ({entry.reason})" if entry.reason else ""
    if same_in:
        reason += f" (and the same in {', '.join(same_in)})"
    title = f" {entry.title!r}" if entry.title else ""
    uid, rest = (f"<code>{_escape(entry.uid)}</code>", _escape(title + reason)) if html else (entry.uid, title + reason)
    return f"{SYMBOLS[entry.action]} {entry.action} {entry.kind} {uid}{rest}"


def _goes(entry: Entry) -> bool:
    """A dashboard that a change removes, and whose panels are known (an orphan in Grafana stays)."""
    return entry.after is None and entry.before is not None


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
        if entry.rules is not None:
            row.update(_rules_json(entry.rules))
        rows.append(row)
    return orjson.dumps({**compared.against, "changes": rows}, option=orjson.OPT_INDENT_2).decode() + "\n"


def _rules_json(diff) -> dict:
    """Rules added and removed as their file has them (with their group); each changed rule named, with
    its changes and the thresholds that changed; a group's own settings as "changes"."""
    def named(at) -> dict:
        return {"group": at.group, at.kind: at.name, "labels": at.rule.get("labels") or {}}

    return dict(
        added=[{"group": at.group, **at.rule} for at in diff.added],
        removed=[{"group": at.group, **at.rule} for at in diff.removed],
        changed=[{**named(c.at), "changes": _changes(c.values),
                  "numbers": [{"old": n.old, "new": n.new, "places": n.places, "threshold": n.threshold}
                              for n in c.numbers]} for c in diff.changed],
        changes=_changes(diff.values),
    )


def _panel_json(panel) -> dict:
    return {"title": panel.title, "type": panel.type, "gridPos": panel.grid}


def _changes(values: dict[str, tuple]) -> list[dict]:
    return [{"path": path, "old": old, "new": new} for path, (old, new) in values.items()]
