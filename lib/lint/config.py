"""`[tool.dashgen.lint]`: which rules run and how severe they are, what counts as a high-cardinality
label, the budgets, and suppressions that must say why."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from dashgen.errors import InputError, Location
from dashgen.lint.model import SEVERITIES

DEFAULT_HIGH_CARDINALITY = (
    "trace_id", "span_id", "request_id", "correlation_id", "user_id", "session_id", "event_id",
    "merchant_id", "store_id", "device_id",
)
KEYS = {"select", "ignore", "severity", "high_cardinality_labels", "panel_series_budget", "max_range", "suppress"}
WHERE = Location(file="pyproject.toml [tool.dashgen.lint]")


@dataclass(frozen=True)
class Suppression:
    reason: str
    rule: str = ""  # a rule id or prefix ("promql/"); empty: every rule
    dashboard: str = ""
    panel: str = ""

    def covers(self, rule: str, dashboard: str | None, panel: str | None) -> bool:
        return (
            (not self.rule or rule == self.rule or (self.rule.endswith("/") and rule.startswith(self.rule)))
            and (not self.dashboard or self.dashboard == dashboard)
            and (not self.panel or self.panel == panel)
        )


@dataclass(frozen=True)
class LintConfig:
    select: tuple[str, ...] = ()  # rule ids or prefixes; empty: all
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    high_cardinality_labels: tuple[str, ...] = DEFAULT_HIGH_CARDINALITY
    panel_series_budget: int = 500
    max_range: str = "1d"
    suppress: tuple[Suppression, ...] = ()

    def enabled(self, rule: str) -> bool:
        def matches(patterns):
            return any(rule == p or (p.endswith("/") and rule.startswith(p)) or rule.startswith(p + "/") for p in patterns)
        return (not self.select or matches(self.select)) and not matches(self.ignore)

    @functools.cached_property
    def _high_cardinality(self) -> frozenset[str]:
        return frozenset(_normal(label) for label in self.high_cardinality_labels)

    def is_high_cardinality(self, label: str) -> bool:
        """trace_id, traceId and TraceID are one label spelled three ways."""
        return _normal(label) in self._high_cardinality


def _normal(label: str) -> str:
    return label.lower().replace("_", "")


def load_config(table: dict, known_rules: set[str]) -> LintConfig:
    """The configuration, with every unknown key, rule id or severity reported by name."""
    if not isinstance(table, dict):
        raise InputError(WHERE, "expected a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise InputError(WHERE, f"unknown key {unknown[0]!r}; known: {', '.join(sorted(KEYS))}")
    for key in ("select", "ignore"):
        for pattern in _strings(table, key):
            if not any(r == pattern or r.startswith(pattern.rstrip("/") + "/") for r in known_rules):
                raise InputError(WHERE, f"{key}: no rule matches {pattern!r} (see `dashgen lint --explain`)")
    severity = table.get("severity", {})
    for rule, level in severity.items():
        if rule not in known_rules:
            raise InputError(WHERE, f"severity: unknown rule {rule!r}")
        if level not in SEVERITIES:
            raise InputError(WHERE, f"severity of {rule}: {level!r} is not one of {', '.join(SEVERITIES)}")
    budget = table.get("panel_series_budget", 500)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise InputError(WHERE, f"panel_series_budget must be a positive whole number, not {budget!r}")
    return LintConfig(
        select=tuple(_strings(table, "select")), ignore=tuple(_strings(table, "ignore")), severity=dict(severity),
        high_cardinality_labels=tuple(_strings(table, "high_cardinality_labels")) or DEFAULT_HIGH_CARDINALITY,
        panel_series_budget=budget, max_range=str(table.get("max_range", "1d")),
        suppress=tuple(_suppression(s, known_rules) for s in table.get("suppress", [])),
    )


def _strings(table: dict, key: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(WHERE, f"{key} must be a list of strings")
    return value


def _suppression(spec, known_rules: set[str]) -> Suppression:
    if not isinstance(spec, dict) or set(spec) - {"rule", "dashboard", "panel", "reason"}:
        raise InputError(WHERE, f"suppress entries are {{rule, dashboard, panel, reason}}, not {spec!r}")
    if not str(spec.get("reason", "")).strip():
        raise InputError(WHERE, f"suppression {spec!r} has no reason; say why the finding is acceptable")
    rule = str(spec.get("rule", ""))
    if rule and not any(r == rule or r.startswith(rule) for r in known_rules):
        raise InputError(WHERE, f"suppression names unknown rule {rule!r}")
    return Suppression(reason=spec["reason"].strip(), rule=rule, dashboard=str(spec.get("dashboard", "")),
                       panel=str(spec.get("panel", "")))
