"""`dashgen diff`: what a change does, with each dashboard shown panel by panel, as text (terminal),
markdown (a pull-request comment) or JSON. The changes come from a push plan (`--env`: the build
against a live Grafana) or from two builds (`--against REF`: a commit's generated/ against the
current build)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import orjson

from dashgen.model import DASHBOARDS_DIR
from dashgen.errors import InputError
from dashgen.output import RECORD_DIR
from dashgen.panel_diff import DashboardDiff, diff_dashboards
from dashgen.shown import shown
from dashgen.push.vocabulary import SYMBOLS, Action, Between, Kind


MAX_FILE_LINES = 40  # of a provisioning file's diff in text; a longer one ends with how many more


@dataclass
class Entry:
    kind: Kind
    uid: str  # for a file, its path under generated/
    title: str
    action: Action | Between  # a plan's action, or what happened between commits
    reason: str = ""
    diff: DashboardDiff | None = None
    lines: list[str] = field(default_factory=list)  # a file's unified diff


@dataclass(frozen=True)
class Compared:
    """What `dashgen diff` found: the entries, what they compare against (for JSON), and the heading
    and the sentence that say so in text."""

    entries: list[Entry]
    against: dict  # {"git": ref} or {"grafana": url}
    heading: str
    same: str

    @property
    def exit_code(self) -> int:
        """1 when anything differs, else 0."""
        return 1 if self.entries else 0


def compare(project, ref: str | None = None, env_name: str | None = None, debug: bool = False) -> Compared:
    """The build against a live Grafana (`env_name`: what a push would change, nothing is written) or
    against the generated/ of a commit (`ref`, default HEAD: what a pull request changes)."""
    if env_name is not None:
        from dashgen.push.run import plan_for

        _, _, plan = plan_for(project, env_name, debug=debug)
        url = plan.grafana_url
        return Compared(from_plan(plan), {"grafana": url}, f"changes to {url}", f"{url} matches the build")
    from dashgen.build import build
    from dashgen.git_ref import generated_at

    ref = "HEAD" if ref is None else ref
    old = generated_at(project, ref)
    heading = f"changes since {ref}" if old else f"changes since {ref}, which holds no generated/ (all is new)"
    return Compared(between(old, build(project, debug=debug).files, ref), {"git": ref}, heading,
                    f"the build matches {ref}")


def from_plan(plan) -> list[Entry]:
    """Every change of the plan that is not 'unchanged', dashboards with their panel-level diff."""
    entries = []
    for c in plan.changes:
        if c.action == Action.UNCHANGED:
            continue
        entry = Entry(c.kind, c.uid, c.title, c.action, c.reason)
        if c.kind == Kind.DASHBOARD:  # compared as they show, as the plan compared them
            new = c.desired.model if c.desired is not None and c.action not in (Action.DELETE, Action.ORPHANED) else None
            entry.diff = diff_dashboards(*(shown(m) if m is not None else None for m in (c.live, new)))
        entries.append(entry)
    return entries


def between(old: dict[str, bytes], new: dict[str, bytes], old_name: str) -> list[Entry]:
    """What changed from one generated/ to another (path -> content; `old_name` says where the old
    one comes from, for errors): the dashboards added, removed, moved and changed, panel by panel,
    in uid order, then the provisioning files (the datasources and their links, per environment)
    with their lines diffed."""
    old = {path: content for path, content in old.items() if not path.startswith(f"{RECORD_DIR}/")}  # the manifest
    same = {path for path, content in new.items() if old.get(path) == content}  # most: nothing to parse or show
    old = {path: content for path, content in old.items() if path not in same}
    new = {path: content for path, content in new.items() if path not in same}
    old_dashboards, new_dashboards = _dashboards(old, old_name), _dashboards(new, "the build")
    entries = []
    for uid in sorted(set(old_dashboards) | set(new_dashboards)):
        before, after = old_dashboards.get(uid), new_dashboards.get(uid)
        try:
            entries.append(_dashboard_entry(uid, before, after))
        except (AttributeError, KeyError, TypeError) as exc:  # a hand-made file: say which, not a traceback
            path = (before or after)[2]
            raise InputError(None, f"generated/{path} in {old_name} is not shaped like a dashboard ({exc})") from None
    for path in sorted(p for p in old.keys() | new.keys() if not _dashboard_path(p)):
        action = Between.ADDED if path not in old else Between.REMOVED if path not in new else Between.CHANGED
        entries.append(Entry(Kind.FILE, path, "", action, lines=_lines(old.get(path, b""), new.get(path, b""))))
    return entries


def _dashboard_entry(uid: str, before, after) -> Entry:
    if before is None:
        return Entry(Kind.DASHBOARD, uid, after[1].get("title", uid), Between.ADDED, diff=diff_dashboards(None, after[1]))
    if after is None:
        return Entry(Kind.DASHBOARD, uid, before[1].get("title", uid), Between.REMOVED,
                     diff=diff_dashboards(before[1], None))
    moved = f"moved from folder {before[0]!r} to {after[0]!r}" if before[0] != after[0] else ""
    return Entry(Kind.DASHBOARD, uid, after[1].get("title", uid), Between.CHANGED, moved,
                 diff_dashboards(before[1], after[1]))


def _dashboard_path(path: str) -> bool:
    return path.startswith(f"{DASHBOARDS_DIR}/") and path.endswith(".json")


def _dashboards(files: dict[str, bytes], name: str) -> dict[str, tuple[str, dict, str]]:
    """uid -> (folder, model, path) of the dashboards among generated/'s files."""
    found = {}
    for path, content in files.items():
        if not _dashboard_path(path):
            continue
        try:
            model = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            raise InputError(None, f"generated/{path} in {name} is not valid JSON ({exc})") from None
        if not isinstance(model, dict) or not isinstance(model.get("uid"), str):
            raise InputError(None, f"generated/{path} in {name} is not a dashboard dashgen generated")
        found[model["uid"]] = (path.split("/")[1], model, path)
    return found


def _lines(old: bytes, new: bytes) -> list[str]:
    """A unified diff with two lines of context, "..." between its hunks."""
    lines = []
    for line in difflib.unified_diff(old.decode(errors="replace").splitlines(),
                                     new.decode(errors="replace").splitlines(), lineterm="", n=2):
        if line.startswith("@@"):
            lines.extend(["..."] if lines else [])
        elif not line.startswith(("---", "+++")):
            lines.append(line)
    return lines


def text(entries: list[Entry], heading: str, same: str, markdown: bool = False) -> str:
    """`heading` introduces the changes ("changes to https://grafana..."); `same` says there are none."""
    if not entries:
        return same + "\n"
    out = [f"## {heading[0].upper()}{heading[1:]}\n" if markdown else f"{heading}:"]
    for entry, same_in in _grouped(entries):
        reason = f" ({entry.reason})" if entry.reason else ""
        if same_in:
            reason += f" (and the same in {', '.join(same_in)})"
        uid = f"`{entry.uid}`" if markdown else entry.uid
        title = f" {entry.title!r}" if entry.title else ""
        head = f"{SYMBOLS[entry.action]} {entry.action} {entry.kind} {uid}{title}{reason}"
        out.append(f"### {head}" if markdown else head)
        if entry.diff is not None:
            out.extend(_dashboard_lines(entry.diff, markdown))
        if entry.lines:
            lines = entry.lines if len(entry.lines) <= MAX_FILE_LINES else \
                [*entry.lines[:MAX_FILE_LINES], f"... {len(entry.lines) - MAX_FILE_LINES} more lines"]
            out.extend(["```diff", *lines, "```"] if markdown else [f"    {line}" for line in lines])
    return "\n".join(out) + "\n"


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
        if entry.lines:
            row["lines"] = entry.lines
        if entry.diff is not None:
            diff = entry.diff
            row.update(added=diff.added, removed=diff.removed, settings=diff.settings, variables=diff.variables,
                       changed=[{"title": c.title, "fields": c.fields, "queries": c.queries, "moved": c.moved}
                                for c in diff.changed])
        rows.append(row)
    return orjson.dumps({**against, "changes": rows}, option=orjson.OPT_INDENT_2).decode() + "\n"
