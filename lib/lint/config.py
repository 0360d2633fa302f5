"""`[tool.dashgen.lint]`: which rules run and how severe they are, what counts as a high-cardinality
label, the budgets, and suppressions that must say why."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta

import promql_parser as pp

from dashgen.errors import InputError, InputErrors, Location
from dashgen.lint.model import SEVERITIES
from dashgen.settings import Key, Table, nearest, shown

DEFAULT_HIGH_CARDINALITY = (
    "trace_id", "span_id", "request_id", "correlation_id", "user_id", "session_id", "event_id",
    "merchant_id", "store_id", "device_id",
)
WHERE = Location(file="pyproject.toml [tool.dashgen.lint]")


def rule_matches(pattern: str, rule: str) -> bool:
    """The one matcher of select, ignore and suppress: a rule id, or a category prefix written
    `promql` or `promql/`. `promql/fixed` matches nothing: prefixes end at a `/`."""
    return rule == pattern or rule.startswith(pattern.rstrip("/") + "/")


@dataclass(frozen=True)
class Suppression:
    reason: str
    rule: str = ""  # a rule id or prefix ("promql/"), see rule_matches; empty: every rule
    dashboard: str = ""
    panel: str = ""

    def covers(self, rule: str, dashboard: str | None, panel: str | None) -> bool:
        return (
            (not self.rule or rule_matches(self.rule, rule))
            and (not self.dashboard or self.dashboard == dashboard)
            and (not self.panel or self.panel == panel)
        )


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] = ()  # rule ids or prefixes; empty: all
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    high_cardinality_labels: tuple[str, ...] = DEFAULT_HIGH_CARDINALITY  # () means none
    panel_series_budget: int = 500
    max_range: str = "1d"
    suppress: tuple[Suppression, ...] = ()

    def enabled(self, rule: str) -> bool:
        def matches(patterns):
            return any(rule_matches(p, rule) for p in patterns)
        return (not self.select or matches(self.select)) and not matches(self.ignore)

    @functools.cached_property
    def max_window(self) -> timedelta:
        """max_range parsed (load_config has checked it)."""
        return _duration(self.max_range) or timedelta(days=1)

    @functools.cached_property
    def _high_cardinality(self) -> frozenset[str]:
        return frozenset(_normal(label) for label in self.high_cardinality_labels)

    def is_high_cardinality(self, label: str) -> bool:
        """trace_id, traceId and TraceID are one label spelled three ways."""
        return _normal(label) in self._high_cardinality


def _normal(label: str) -> str:
    return label.lower().replace("_", "")


def load_config(table: dict, known_rules: set[str]) -> LintConfig:
    """The configuration; InputErrors names every unknown key, rule id or severity and every
    malformed value of the table."""
    errors: list[InputError] = []
    values = _description(known_rules).read(table, WHERE, errors)
    if errors:
        raise InputErrors(errors)
    return LintConfig(**values)


def _description(known_rules: set[str]) -> Table:
    """[tool.dashgen.lint]'s keys; which rules exist is known at run time."""
    strings = {"ok": _strings, "must": "{key} must be a list of strings", "convert": tuple}
    return Table({
        "select": Key((), check=lambda patterns: _unmatched("select", patterns, known_rules), **strings),
        "ignore": Key((), check=lambda patterns: _unmatched("ignore", patterns, known_rules), **strings),
        "severity": Key({}, ok=lambda levels: isinstance(levels, dict),
                        check=lambda levels: _levels(levels, known_rules),
                        must='severity must be a table of rule = level, e.g. { "promql/fixed-rate-window" = "error" }',
                        convert=dict),
        "high_cardinality_labels": Key(DEFAULT_HIGH_CARDINALITY, **strings),  # [] means none: no label is unbounded
        "panel_series_budget": Key(500, ok=lambda n: not isinstance(n, bool) and isinstance(n, int) and n >= 1,
                                   must="panel_series_budget must be a positive whole number, not {value}"),
        "max_range": Key("1d", ok=lambda text: isinstance(text, str) and _duration(text) is not None,
                         must='max_range must be a PromQL duration such as "1d" or "12h", not {value}'),
        "suppress": Key((), ok=lambda entries: isinstance(entries, list),
                        must="suppress must be a list of [[tool.dashgen.lint.suppress]] tables",
                        check=lambda entries: [p for spec in entries for p in _suppression_problems(spec, known_rules)],
                        convert=lambda entries: tuple(Suppression(**SUPPRESSION.check(s)[0]) for s in entries)),
    })


SUPPRESSION = Table({
    "rule": Key("", ok=lambda rule: isinstance(rule, str), must="rule must be a string, not {value}"),
    "dashboard": Key("", ok=lambda uid: isinstance(uid, str), must="dashboard must be a string, not {value}"),
    "panel": Key("", ok=lambda title: isinstance(title, str), must="panel must be a string, not {value}"),
    "reason": Key(ok=lambda reason: isinstance(reason, str) and reason.strip(), convert=str.strip,
                  required="reason is required; say why the finding is acceptable",
                  must="reason must say why the finding is acceptable, not {value}"),
}, must="expected a table of rule, dashboard, panel and reason")


def _duration(text: str) -> timedelta | None:
    try:
        value = pp.parse_duration(text)  # as written: "1d\n" is not a duration
    except ValueError:
        return None
    return value if value > timedelta(0) else None


def _matches_a_rule(pattern: str, known_rules: set[str]) -> bool:
    return any(rule_matches(pattern, rule) for rule in known_rules)


def _unmatched(key: str, patterns: list[str], known_rules: set[str]):
    for pattern in patterns:
        if not _matches_a_rule(pattern, known_rules):
            yield f"{key}: no rule matches {pattern!r}{_near_rule(pattern, known_rules)} (see `dashgen lint --explain`)"


def _near_rule(pattern: str, known_rules: set[str]) -> str:
    """The rule id or category nearest a pattern that matches none."""
    return nearest(pattern, known_rules | {rule.split("/")[0] for rule in known_rules})


def _levels(levels: dict, known_rules: set[str]):
    for rule, level in levels.items():
        if rule not in known_rules:
            yield f"severity: unknown rule {rule!r}{nearest(rule, known_rules)}"
        elif level not in SEVERITIES:
            yield f"severity of {rule}: {shown(level)} is not one of {', '.join(SEVERITIES)}"


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _suppression_problems(spec, known_rules: set[str]):
    values, problems = SUPPRESSION.check(spec)
    yield from (f"suppression {shown(spec)}: {problem}" for problem in problems)
    rule = values.get("rule")
    if rule and not _matches_a_rule(rule, known_rules):
        yield (f"suppression names unknown rule {rule!r}{_near_rule(rule, known_rules)} (a rule id, or a prefix such as"
               ' "promql/")')
