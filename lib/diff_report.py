"""`dashgen diff`: what a change does, each dashboard panel by panel, with the lint findings it
introduces and fixes, and each Prometheus rule file rule by rule. The changes come from a push plan
(`--env`: the build against a live Grafana, which takes no rules) or from two builds (`--against
REF`: a commit's generated/ against the current build); diff_render shows them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import orjson

from dashgen.model import DASHBOARDS_DIR
from dashgen.errors import InputError
from dashgen.output import RECORD_DIR
from dashgen.panel_diff import DashboardDiff, diff_dashboards
from dashgen.rule_diff import RuleFileDiff, diff_rule_files, is_rule_file
from dashgen.shown import shown
from dashgen.push.vocabulary import Action, Between, Kind


@dataclass
class Entry:
    kind: Kind
    uid: str  # for a file, its path under generated/
    title: str
    action: Action | Between  # a plan's action, or what happened between commits
    reason: str = ""
    diff: DashboardDiff | None = None
    lines: list[str] = field(default_factory=list)  # a file's unified diff
    rules: RuleFileDiff | None = None  # a rule file's rules added, removed and changed
    file: str = ""  # where a dashboard is defined or generated, for its lint findings
    before: dict | None = None  # a dashboard's two models, for its layout pictures and lint
    after: dict | None = None
    introduced: list = field(default_factory=list)  # lint Problems of `after` that `before` has not
    fixed: list = field(default_factory=list)  # and those of `before` that `after` has not


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
        entries = lint_changes(project, from_plan(plan))
        return Compared(entries, {"grafana": url}, f"changes to {url}", f"{url} matches the build")
    from dashgen.build import build
    from dashgen.git_ref import generated_at

    ref = "HEAD" if ref is None else ref
    old = generated_at(project, ref)
    built = build(project, debug=debug)
    heading = f"changes since {ref}" if old else f"changes since {ref}, which holds no generated/ (all is new)"
    datasources = {s.datasource.uid: s.datasource.type for s in built.datasources} or None
    entries = lint_changes(project, between(old, built.files, ref), datasources)
    return Compared(entries, {"git": ref}, heading, f"the build matches {ref}")


def lint_changes(project, entries: list[Entry], datasources: dict[str, str] | None = None) -> list[Entry]:
    """Each dashboard entry with the lint findings its change introduces and fixes: both models are
    linted with the project's configuration and catalogue, and findings compared by rule, place and
    message (suppressed ones left out)."""
    from dashgen.catalogue import load_catalogue
    from dashgen.lint.config import load_config
    from dashgen.lint.engine import lint
    from dashgen.lint.extract import dashboard_of
    from dashgen.lint.rules import BY_ID

    config = load_config(project.settings.get("lint", {}), set(BY_ID))
    catalogue = load_catalogue(project.catalogue_dir) if project.catalogue_dir.is_dir() else None

    def found(model: dict | None, file: str) -> dict[tuple, object]:
        if model is None:
            return {}
        report = lint([dashboard_of(model, file)], config, catalogue, datasources)
        return {(p.rule, p.panel, p.ref, p.message): p for p in report.problems if not p.suppressed}

    for entry in entries:
        if entry.kind == Kind.DASHBOARD and entry.after is not None:  # a removed one's findings go with it
            old, new = found(entry.before, entry.file), found(entry.after, entry.file)
            entry.introduced = [p for key, p in new.items() if key not in old]
            entry.fixed = [p for key, p in old.items() if key not in new]
    return entries


def from_plan(plan) -> list[Entry]:
    """Every change of the plan that is not 'unchanged', dashboards with their panel-level diff."""
    entries = []
    for c in plan.changes:
        if c.action == Action.UNCHANGED:
            continue
        entry = Entry(c.kind, c.uid, c.title, c.action, c.reason)
        if c.kind == Kind.DASHBOARD:
            entry.file = c.desired.file if c.desired is not None else f"{c.uid} in Grafana"  # compared as they show, as the plan compared them
            new = c.desired.model if c.desired is not None and c.action not in (Action.DELETE, Action.ORPHANED) else None
            entry.before, entry.after = (shown(m) if m is not None else None for m in (c.live, new))
            entry.diff = diff_dashboards(entry.before, entry.after)
        entries.append(entry)
    return entries


def between(old: dict[str, bytes], new: dict[str, bytes], old_name: str) -> list[Entry]:
    """What changed from one generated/ to another (path -> content; `old_name` says where the old
    one comes from, for errors): the dashboards added, removed, moved and changed, panel by panel,
    in uid order, then the other files: a rule file rule by rule, the rest (the datasources and their
    links per environment, the rules' tests) with their lines diffed."""
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
        rules = diff_rule_files(old.get(path), new.get(path)) if is_rule_file(path) else None
        if rules is not None:  # else not a rule file after all, or only its order or layout changed
            entries.append(Entry(Kind.RULE_FILE, path, "", action, rules=rules))
        else:
            entries.append(Entry(Kind.FILE, path, "", action, lines=_lines(old.get(path, b""), new.get(path, b""))))
    return entries


def _dashboard_entry(uid: str, before, after) -> Entry:
    old, new = (side[1] if side is not None else None for side in (before, after))
    models = dict(before=old, after=new, diff=diff_dashboards(old, new), file=f"generated/{(after or before)[2]}")
    if before is None:
        return Entry(Kind.DASHBOARD, uid, new.get("title", uid), Between.ADDED, **models)
    if after is None:
        return Entry(Kind.DASHBOARD, uid, old.get("title", uid), Between.REMOVED, **models)
    moved = f"moved from folder {before[0]!r} to {after[0]!r}" if before[0] != after[0] else ""
    return Entry(Kind.DASHBOARD, uid, new.get("title", uid), Between.CHANGED, moved, **models)


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


