"""What changes between two versions of a Prometheus rule file, as a reviewer approving an alert or
an objective thinks of it: rules added, removed and changed (matched by group and name, and by their
labels where a name repeats in a group), each changed field with its old and new value, and an
expression that changed only in its numbers said as the thresholds that changed (`> (14.4 * 0.001)`
→ `> (14.4 * 0.005)`, `le="0.5"` → `le="0.4"`) rather than as a text diff of every line holding them."""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

import yaml

from dashgen.panel_diff import differences
from dashgen.slo.rules import RULES_DIR

_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_TOKENS = re.compile(
    rf'(?P<quote>["\'])(?P<quoted>{_NUMBER})(?P=quote)'  # a label value that is a number: le="0.5"
    r'|"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`'  # any other string holds no number
    rf'|(?<![\w.:])(?P<bare>{_NUMBER})(?![\w.])')  # not part of a name (rate5m) or a duration (5m)
_ARITHMETIC = set("0123456789. \t\n*/+-%^()")  # what a threshold such as (14.4 * 0.001) is written with
_COMPARED = re.compile(r"(==|!=|>=|<=|>|<)\s*(bool\s+)?$")
_MATCHER = re.compile(r"(\w+)\s*(=~|!~|!=|=)\s*$")


@dataclass(frozen=True)
class RuleAt:
    """A rule as its file has it, and the group it is in."""

    group: str
    rule: dict
    labelled: bool = False  # its name repeats in its group: its labels tell it apart

    @property
    def kind(self) -> str:
        return "alert" if "alert" in self.rule else "record"

    @property
    def name(self) -> str:
        return str(self.rule[self.kind])


@dataclass(frozen=True)
class NumberChange:
    """Numbers of an expression that changed while the rest stayed, with what surrounds them."""

    old: str  # `> (14.4 * 0.001)`
    new: str
    places: int  # how many times the expression holds this change
    threshold: bool  # compared against (`>`, `<=`, ...) or a bucket bound (`le`), not e.g. a quantile


@dataclass
class RuleChange:
    at: RuleAt  # the new version
    expr: list[str] = field(default_factory=list)  # unified diff lines, when more than numbers changed
    numbers: list[NumberChange] = field(default_factory=list)  # when only numbers changed
    values: dict[str, tuple] = field(default_factory=dict)  # path -> (old, new), the expression's too


@dataclass
class RuleFileDiff:
    added: list[RuleAt] = field(default_factory=list)
    removed: list[RuleAt] = field(default_factory=list)
    changed: list[RuleChange] = field(default_factory=list)
    values: dict[str, tuple] = field(default_factory=dict)  # a group's own settings: `group platform.interval`


def is_rule_file(path: str) -> bool:
    """generated/rules/*.yml; their promtool tests (rules/tests/) are not rule files."""
    return path.startswith(f"{RULES_DIR}/") and path.count("/") == 1 and path.endswith((".yml", ".yaml"))


def diff_rule_files(old: bytes | None, new: bytes | None) -> RuleFileDiff | None:
    """The rules added, removed and changed from `old` to `new` (None: the file is added or removed);
    None when a side is not a rule file, or when nothing but order or layout changed (the line diff
    shows those)."""
    groups = [_groups(content) if content is not None else [] for content in (old, new)]
    if None in groups:
        return None
    result = RuleFileDiff()
    old_settings, new_settings = ({g["name"]: _settings(g) for g in side} for side in groups)
    for name in [n for n in new_settings if n in old_settings]:
        found = differences(old_settings[name], new_settings[name], f"group {name}")
        result.values.update((path, (a, b)) for path, a, b in found)
    repeated = _repeated(*groups)
    pairs, result.added, result.removed = _matched(*(_rules(side, repeated) for side in groups))
    result.changed = [_change(before, after) for before, after in pairs if before.rule != after.rule]
    return result if result.added or result.removed or result.changed or result.values else None


def _groups(content: bytes) -> list[dict] | None:
    """The groups of a rule file, or None when it is not valid YAML or not shaped like one."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return None
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(_is_group(g) for g in groups):
        return None
    return groups


def _is_group(group) -> bool:
    if not (isinstance(group, dict) and isinstance(group.get("name"), str) and isinstance(group.get("rules"), list)):
        return False
    return all(isinstance(r, dict) and ("alert" in r) != ("record" in r) and "expr" in r for r in group["rules"])


def _settings(group: dict) -> dict:
    return {k: v for k, v in group.items() if k not in ("name", "rules")}


def _repeated(*sides: list[dict]) -> set[tuple[str, str, str]]:
    """(group, kind, name) of the rules whose name occurs more than once in their group, on either side."""
    return {(g["name"], *name) for groups in sides for g in groups
            for name, times in Counter(_name(r) for r in g["rules"]).items() if times > 1}


def _rules(groups: list[dict], repeated: set) -> list[RuleAt]:
    return [RuleAt(g["name"], rule, (g["name"], *_name(rule)) in repeated) for g in groups for rule in g["rules"]]


def _name(rule: dict) -> tuple[str, str]:
    kind = "alert" if "alert" in rule else "record"
    return kind, str(rule[kind])


def _matched(old: list[RuleAt], new: list[RuleAt]) -> tuple[list[tuple[RuleAt, RuleAt]], list[RuleAt], list[RuleAt]]:
    """Pairs of the same rule (in the new file's order), then those added and removed. A rule is its
    group and name, and its labels where the name repeats (one alert per severity); rules of a
    repeated name left over are paired in order (a severity changed)."""
    def key(at: RuleAt, exact: bool) -> tuple:
        labels = at.rule.get("labels")
        shown = repr(sorted(labels.items(), key=str)) if isinstance(labels, dict) else repr(labels)
        return (at.group, *_name(at.rule)) + ((shown,) if exact and at.labelled else ())

    pairs, left, waiting = [], list(new), list(old)
    for exact in (True, False):
        pool: dict[tuple, list[RuleAt]] = {}
        for at in waiting:
            pool.setdefault(key(at, exact), []).append(at)
        unmatched = []
        for at in left:
            candidates = pool.get(key(at, exact))
            if candidates:
                pairs.append((candidates.pop(0), at))
            else:
                unmatched.append(at)
        left, waiting = unmatched, [at for ats in pool.values() for at in ats]
    order = {id(at): n for n, at in enumerate(new)}
    unpaired = {id(at) for at in waiting}
    return sorted(pairs, key=lambda pair: order[id(pair[1])]), left, [at for at in old if id(at) in unpaired]


def _change(before: RuleAt, after: RuleAt) -> RuleChange:
    change = RuleChange(after)
    old, new = (_text(at.rule.get("expr")) for at in (before, after))
    if old != new:
        change.values["expr"] = (old, new)
        change.numbers = number_changes(old, new)
        if not change.numbers:
            lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
            change.expr = [line for line in list(lines)[2:] if not line.startswith("@@")]
    rest = [{k: v for k, v in at.rule.items() if k != "expr"} for at in (before, after)]
    change.values.update((path, (a, b)) for path, a, b in differences(*rest))
    return change


def _text(expr) -> str:
    return "" if expr is None else str(expr)


def number_changes(old: str, new: str) -> list[NumberChange]:
    """Each distinct change of an expression whose text is the same but for its numbers, with the
    arithmetic around it and the comparison before it, or its label matcher; [] when more than
    numbers changed."""
    old_numbers, new_numbers = _numbers(old), _numbers(new)
    if _skeleton(old, old_numbers) != _skeleton(new, new_numbers):
        return []
    seen, counted = set(), Counter()
    for a, b in zip(old_numbers, new_numbers):
        where = _context(old, *a)
        if old[a[0]:a[1]] == new[b[0]:b[1]] or where in seen:  # (10 * 0.005) can hold two changed numbers
            continue
        seen.add(where)
        after = _context(new, *b)
        counted[(" ".join(old[where[0]:where[1]].split()), " ".join(new[after[0]:after[1]].split()), where[2])] += 1
    return [NumberChange(a, b, places, threshold) for (a, b, threshold), places in counted.items()]


def _numbers(text: str) -> list[tuple[int, int]]:
    return [m.span("quoted") if m.group("quoted") is not None else m.span("bare")
            for m in _TOKENS.finditer(text) if m.group("quoted") is not None or m.group("bare") is not None]


def _skeleton(text: str, numbers: list[tuple[int, int]]) -> str:
    parts, last = [], 0
    for start, end in numbers:
        parts += [text[last:start], "#"]
        last = end
    return "".join(parts + [text[last:]])


def _context(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """What a reviewer needs around a number, and whether it is a threshold: a label matcher
    (`le="0.5"`, a bucket bound is one), or the arithmetic it is part of with the comparison before
    it (`> (14.4 * 0.001)`)."""
    if start > 0 and text[start - 1] in "\"'":
        matcher = _MATCHER.search(text, 0, start - 1)
        return (matcher.start() if matcher else start - 1), end + 1, bool(matcher and matcher.group(1) == "le")
    i, j = _around(text, start, end)
    compared = _COMPARED.search(text, 0, i)
    return (compared.start() if compared else i), j, compared is not None


def _around(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the arithmetic a number is part of starts and ends: `(14.4 * 0.001)` of `x > (14.4 * 0.001)`,
    `0.001` of `x / 0.001`; brackets kept only in pairs."""
    i, j = start, end
    while i > 0 and text[i - 1] in _ARITHMETIC:
        i -= 1
    while j < len(text) and text[j] in _ARITHMETIC:
        j += 1
    while True:
        was = i, j
        i += len(text[i:j]) - len(text[i:j].lstrip())
        j -= len(text[i:j]) - len(text[i:j].rstrip())
        opened, closed = text.count("(", i, j), text.count(")", i, j)
        if i < start and (text[i] in "*/%^)" or text[i:i + 2] in ("+ ", "- ") or (text[i] == "(" and opened > closed)):
            i += 1
        if j > end and (text[j - 1] in "*/%^+-(" or (text[j - 1] == ")" and closed > opened)):
            j -= 1
        if (i, j) == was:
            return i, j
