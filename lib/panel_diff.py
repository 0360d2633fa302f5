"""What changes between two versions of a dashboard, as a reviewer thinks of it: panels added,
removed and changed (matched by their stable id, else by title), with the queries diffed as text,
and the dashboard-level settings and variables that changed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from dashgen.compile.layout import all_panels, panel_key

IGNORED = {"id", "version", "gridPos"}  # server-owned, or shown as a move (both positions) rather than a setting
NOT_SETTINGS = {"panels", "templating", "id", "version", "iteration"}  # shown apart, or Grafana's own


@dataclass(frozen=True)
class PanelAt:
    """A panel added or removed: what it is and where it sits."""

    title: str
    type: str
    grid: dict | None  # gridPos
    key: str = ""  # panel_key: how a layout picture names it


@dataclass
class PanelChange:
    title: str
    fields: list[str] = field(default_factory=list)  # changed settings, as dotted paths
    queries: dict[str, list[str]] = field(default_factory=dict)  # refId -> unified diff lines
    moved: bool = False
    values: dict[str, tuple] = field(default_factory=dict)  # path -> (old, new), queries and gridPos too
    keys: tuple[str, str] = ("", "")  # panel_key before and after (a renamed panel gets a new id)


@dataclass
class DashboardDiff:
    uid: str
    title: str
    added: list[PanelAt] = field(default_factory=list)
    removed: list[PanelAt] = field(default_factory=list)
    changed: list[PanelChange] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)  # top-level keys that changed
    variables: list[str] = field(default_factory=list)  # "+name", "-name", "~name"
    values: dict[str, tuple] = field(default_factory=dict)  # setting or variable path -> (old, new)

    @property
    def layout_changed(self) -> bool:
        """Whether the screen's arrangement changed: a panel added, removed, moved or resized."""
        return bool(self.added or self.removed or any(c.moved for c in self.changed))

    def shifted(self) -> dict[int, list[PanelChange]]:
        """Panels that only went up or down, by rows, when several went the same way: what a panel
        added, removed or resized above them does to everything below. A reviewer reads one line
        for them, not one per panel."""
        groups: dict[int, list[PanelChange]] = {}
        for change in self.changed:
            if set(change.values) == {"gridPos"}:
                old, new = change.values["gridPos"]
                if isinstance(old, dict) and isinstance(new, dict) and _only_y(old, new):
                    groups.setdefault(new.get("y", 0) - old.get("y", 0), []).append(change)
        return {dy: changes for dy, changes in groups.items() if len(changes) > 1}

    def changed_alone(self) -> list[PanelChange]:
        """The changed panels that are not in a group of shifted() ones."""
        quiet = {id(c) for changes in self.shifted().values() for c in changes}
        return [c for c in self.changed if id(c) not in quiet]


def _panels(model: dict | None) -> list[dict]:
    return list(all_panels((model or {}).get("panels", [])))


def diff_dashboards(old: dict | None, new: dict | None) -> DashboardDiff:
    ref = new or old or {}
    result = DashboardDiff(uid=ref.get("uid", ""), title=ref.get("title", ""))
    old_panels, new_panels = _panels(old), _panels(new)
    by_id = {p.get("id"): p for p in old_panels if p.get("id") is not None}
    by_title = {p.get("title"): p for p in old_panels}
    matched, unmatched = set(), []
    for panel in new_panels:
        before = by_id.get(panel.get("id")) or by_title.get(panel.get("title"))
        if before is None or id(before) in matched:
            unmatched.append(panel)
            continue
        matched.add(id(before))
        _add_change(result, before, panel)
    for panel in unmatched:  # a renamed panel gets a new id: recognise it by its type and queries
        before = next((p for p in old_panels if id(p) not in matched and _same_queries(p, panel)), None)
        if before is None:
            result.added.append(_at(panel))
        else:
            matched.add(id(before))
            _add_change(result, before, panel)
    result.removed = [_at(p) for p in old_panels if id(p) not in matched]
    if old is not None and new is not None:  # a dashboard added or removed: every setting would be listed
        keys = set(old) | set(new)
        result.settings = sorted(k for k in keys - NOT_SETTINGS if _setting(old, k) != _setting(new, k))
        result.values = {path: (a, b) for key in result.settings for path, a, b in differences(old.get(key), new.get(key), key)}
    old_variables = (old or {}).get("templating", {}).get("list", [])
    new_variables = (new or {}).get("templating", {}).get("list", [])
    result.variables = _variables(old_variables, new_variables)
    names = ([v.get("name") for v in old_variables], [v.get("name") for v in new_variables])
    if names[0] != names[1] and sorted(map(str, names[0])) == sorted(map(str, names[1])):
        result.values["variables (their order)"] = names  # the order of the dropdowns on screen
    before = {v.get("name"): v for v in old_variables}
    for variable in new_variables:
        name = variable.get("name")
        if name in before and before[name] != variable:
            result.values.update((path, (a, b)) for path, a, b in differences(before[name], variable, f"variable {name}"))
    return result


def _setting(model: dict, key: str):
    """A dashboard setting as compared: tags as a set (their order shows nowhere in Grafana)."""
    value = model.get(key)
    if key == "tags" and isinstance(value, list) and all(isinstance(t, str) for t in value):
        return sorted(value)
    return value


def _only_y(old: dict, new: dict) -> bool:
    same = all(old.get(k) == new.get(k) for k in ("x", "w", "h"))
    return same and isinstance(old.get("y"), int) and isinstance(new.get("y"), int)


def _at(panel: dict) -> PanelAt:
    grid = panel.get("gridPos")
    return PanelAt(str(panel.get("title", "")), str(panel.get("type", "")), grid if isinstance(grid, dict) else None,
                   panel_key(panel))


def _add_change(result: DashboardDiff, before: dict, after: dict) -> None:
    change = _panel_change(before, after)
    if change.fields or change.queries or change.moved:
        result.changed.append(change)


def _same_queries(a: dict, b: dict) -> bool:
    return a.get("type") == b.get("type") and [_query(t) for t in a.get("targets", [])] == [_query(t) for t in b.get("targets", [])]


def _panel_change(before: dict, after: dict) -> PanelChange:
    change = PanelChange(title=after.get("title", ""), moved=before.get("gridPos") != after.get("gridPos"),
                         keys=(panel_key(before), panel_key(after)))
    if change.moved:
        change.values["gridPos"] = (before.get("gridPos"), after.get("gridPos"))
    old_targets, new_targets = _by_ref(before), _by_ref(after)
    for ref in sorted(set(old_targets) | set(new_targets)):
        old_text = _query(old_targets.get(ref))
        new_text = _query(new_targets.get(ref))
        if old_text != new_text:
            lines = difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="", n=1)
            change.queries[ref] = [line for line in list(lines)[2:] if not line.startswith("@@")]
            change.values[f"query {ref}"] = (old_text if ref in old_targets else None, new_text if ref in new_targets else None)
    found = list(differences(
        {k: v for k, v in before.items() if k not in IGNORED | {"targets", "panels"}},
        {k: v for k, v in after.items() if k not in IGNORED | {"targets", "panels"}},
    )) + [
        (f"targets.{ref}.{path}", a, b) for ref in sorted(set(old_targets) & set(new_targets), key=str)
        for path, a, b in differences(_settings(old_targets[ref]), _settings(new_targets[ref]))
    ]
    change.fields = sorted(path for path, _, _ in found)
    change.values.update((path, (a, b)) for path, a, b in found)
    return change


def _by_ref(panel: dict) -> dict[str, dict]:
    """A panel's queries by refId; one without (made through the API) by its place, as "#2"."""
    return {str(t.get("refId") or f"#{n}"): t for n, t in enumerate(panel.get("targets") or [], 1)}


def _settings(target: dict) -> dict:
    """A query's settings besides its text (legend, instant, format...)."""
    return {k: v for k, v in target.items() if k not in ("expr", "query", "refId")}


def _query(target: dict | None) -> str:
    if target is None:
        return ""
    return str(target.get("expr") or target.get("query") or "")


def differences(old, new, path: str = ""):
    """(path, old value, new value) of each difference between two JSON values, descending into
    objects, and into lists that kept their length (a step, a tag, a query edited in place): what a
    reviewer reads, e.g. jsonData.timeInterval or thresholds.steps[1].value. A list that grew or
    shrank is one value."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from differences(old.get(key), new.get(key), f"{path}.{key}" if path else key)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and path:
        for i, (a, b) in enumerate(zip(old, new)):
            yield from differences(a, b, f"{path}[{i}]")
    elif old != new:
        yield path, old, new


def _variables(old: list[dict], new: list[dict]) -> list[str]:
    before = {v.get("name"): v for v in old}
    after = {v.get("name"): v for v in new}
    return ([f"+{n}" for n in after if n not in before] + [f"-{n}" for n in before if n not in after]
            + [f"~{n}" for n in after if n in before and after[n] != before[n]])
