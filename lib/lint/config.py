"""`[tool.dashgen.lint]`: which rules run and how severe they are, what counts as a high-cardinality
label, the budgets, and suppressions that must say why."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import timedelta

import promql_parser as pp

from dashgen.errors import InputError, Location
from dashgen.lint.model import SEVERITIES

DEFAULT_HIGH_CARDINALITY = (
    "trace_id", "span_id", "request_id", "correlation_id", "user_id", "session_id", "event_id",
    "merchant_id", "store_id", "device_id",
)
KEYS = {"select", "ignore", "severity", "high_cardinality_labels", "panel_series_budget", "max_range", "suppress"}
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
    """The configuration, with every unknown key, rule id, severity or malformed value reported by name."""
    if not isinstance(table, dict):
        raise InputError(WHERE, "expected a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise InputError(WHERE, f"unknown key {unknown[0]!r}; known: {', '.join(sorted(KEYS))}")
    for key in ("select", "ignore"):
        for pattern in _strings(table, key):
            _known(pattern, known_rules, f"{key}: no rule matches {pattern!r} (see `dashgen lint --explain`)")
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise InputError(
            WHERE, 'severity must be a table of rule = level, e.g. { "promql/fixed-rate-window" = "error" }')
    for rule, level in severity.items():
        if rule not in known_rules:
            raise InputError(WHERE, f"severity: unknown rule {rule!r}")
        if level not in SEVERITIES:
            raise InputError(WHERE, f"severity of {rule}: {level!r} is not one of {', '.join(SEVERITIES)}")
    budget = table.get("panel_series_budget", 500)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise InputError(WHERE, f"panel_series_budget must be a positive whole number, not {budget!r}")
    max_range = table.get("max_range", "1d")
    if not isinstance(max_range, str) or _duration(max_range) is None:
        raise InputError(WHERE, f"max_range must be a PromQL duration such as \"1d\" or \"12h\", not {max_range!r}")
    labels = DEFAULT_HIGH_CARDINALITY if table.get("high_cardinality_labels") is None \
        else tuple(_strings(table, "high_cardinality_labels"))  # [] means none: no label is unbounded
    suppress = table.get("suppress", [])
    if not isinstance(suppress, list):
        raise InputError(WHERE, "suppress must be a list of [[tool.dashgen.lint.suppress]] tables")
    return LintConfig(
        select=tuple(_strings(table, "select")), ignore=tuple(_strings(table, "ignore")), severity=dict(severity),
        high_cardinality_labels=labels,
        panel_series_budget=budget, max_range=max_range,
        suppress=tuple(_suppression(s, known_rules) for s in suppress),
    )


def _duration(text: str) -> timedelta | None:
    try:
        value = pp.parse_duration(text)  # as written: "1d\n" is not a duration
    except ValueError:
        return None
    return value if value > timedelta(0) else None


def _known(pattern: str, known_rules: set[str], message: str):
    if not any(rule_matches(pattern, rule) for rule in known_rules):
        raise InputError(WHERE, message)


def _strings(table: dict, key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(WHERE, f"{key} must be a list of strings")
    return value


def _suppression(spec, known_rules: set[str]) -> Suppression:
    if not isinstance(spec, dict) or set(spec) - {"rule", "dashboard", "panel", "reason"}:
        raise InputError(WHERE, f"suppress entries are {{rule, dashboard, panel, reason}}, not {spec!r}")
    if not all(isinstance(v, str) for v in spec.values()):
        raise InputError(WHERE, f"suppression {spec!r}: rule, dashboard, panel and reason are strings")
    if not spec.get("reason", "").strip():
        raise InputError(WHERE, f"suppression {spec!r} has no reason; say why the finding is acceptable")
    rule = spec.get("rule", "")
    if rule:
        _known(rule, known_rules,
               f"suppression names unknown rule {rule!r} (a rule id, or a prefix such as \"promql/\")")
    return Suppression(reason=spec["reason"].strip(), rule=rule, dashboard=spec.get("dashboard", ""),
                       panel=spec.get("panel", ""))
