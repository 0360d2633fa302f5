"""Grafana's variables bound as Grafana binds them when it opens a dashboard, so that live lint
runs the query a panel really sends to Prometheus.

- `$__interval` is the dashboard's range over the panel's data points (its `maxDataPoints`, else
  its width in pixels on a 1,600 px screen), rounded to Grafana's ladder of nice intervals, and at
  least the datasource's scrape interval (`timeInterval`) or the panel's own `interval`;
  `$__rate_interval` is max(`$__interval` + scrape interval, 4 × scrape interval), as Grafana's
  documentation defines it; `$__range` is the range (`_s`, `_ms` variants too).
- A query variable (`label_values(selector, label)`, `label_values(label)`) takes its values from
  Prometheus over the range, after the variables before it are bound (chained variables); its
  `regex` filters them. Custom, interval, constant and textbox variables take theirs from the JSON.
- The value selected is the saved `current` one when it is still an option, else the first option
  ("All" when the variable has it), as Grafana does; `overrides` (`--var name=value`) win.
- A multi-value or "All" variable is written for Prometheus as Grafana writes it: each value
  regex-escaped, several as `(a|b)`, "All" as the variable's custom all value when it has one;
  the formats `:raw`, `:csv`, `:pipe`, `:regex` and `:text` are honoured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dashgen.lint.variables import REFERENCE

SCREEN_PX = 1600  # the width a full-width (24 column) panel gets
DEFAULT_SCRAPE_S = 15.0  # Grafana's default when the datasource sets no timeInterval
ALL = "$__all"
_LADDER_MS = [  # (below, rounds to): Grafana's rangeutil.roundInterval, from 1 s up
    (1500, 1000), (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000),
    (45000, 30000), (90000, 60000), (210000, 120000), (450000, 300000), (750000, 600000),
    (1050000, 900000), (1500000, 1200000), (2700000, 1800000), (5400000, 3600000), (9000000, 7200000),
    (16200000, 10800000), (32400000, 21600000), (86400000, 43200000), (604800000, 86400000),
    (1800000000, 604800000), (float("inf"), 2592000000),
]
_LABEL_VALUES = re.compile(r"^\s*label_values\s*\(\s*(?:(?P<selector>.*\S)\s*,\s*)?(?P<label>[a-zA-Z_]\w*)\s*\)\s*$", re.S)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)$")
_UNITS_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_REGEX_SPECIAL = re.compile(r"[$^*{}\[\]+?.()|\\]")


class CannotBind(Exception):
    """A variable whose values cannot be found (its query is not one dashgen can run)."""


@dataclass
class Chosen:
    """A variable's selected values, and how Grafana writes them."""

    values: list[str]
    all: bool = False
    all_value: str | None = None
    regex_formatted: bool = False  # multi-value or include-All: values regex-escaped by default


@dataclass
class Bindings:
    """Every variable of one dashboard, chosen once; `bind` writes a query with them."""

    range_s: float
    scrape_s: float
    chosen: dict[str, Chosen] = field(default_factory=dict)

    def interval_s(self, panel: dict | None) -> float:
        panel = panel or {}
        points = panel.get("maxDataPoints")
        if not isinstance(points, (int, float)) or points <= 0:
            width = (panel.get("gridPos") or {}).get("w", 24)
            points = max(1.0, (width if isinstance(width, (int, float)) else 24) / 24 * SCREEN_PX)
        low = max(self.scrape_s, duration_s(panel.get("interval")) or 0)
        return max(low, _rounded(self.range_s / points * 1000) / 1000)

    def bind(self, text: str, panel: dict | None = None) -> str:
        interval = self.interval_s(panel)
        rate = max(interval + self.scrape_s, 4 * self.scrape_s)
        builtins = {
            "__interval": _duration(interval), "__interval_ms": str(int(interval * 1000)),
            "__rate_interval": _duration(rate), "__rate_interval_ms": str(int(rate * 1000)),
            "__range": _duration(self.range_s), "__range_s": str(int(self.range_s)),
            "__range_ms": str(int(self.range_s * 1000)), "__auto": _duration(interval),
        }

        def replace(match: re.Match) -> str:
            name = match.group("plain") or match.group("square") or match.group("braced")
            if name in builtins:
                return builtins[name]
            chosen = self.chosen.get(name)
            if chosen is None:
                return match.group(0)  # not a variable of this dashboard: Grafana leaves it as written
            form = re.search(r":(\w+)[}\]]$", match.group(0))
            return _formatted(chosen, form.group(1) if form else None)

        return REFERENCE.sub(replace, text)


def bindings_for(model: dict, variables: list[dict], label_values, overrides: dict[str, str],
                 scrape_s: float | None, range_s: float | None = None) -> Bindings:
    """The dashboard's variables chosen in order; `label_values(label, selector)` asks Prometheus."""
    bindings = Bindings(range_s or dashboard_range_s(model), scrape_s or DEFAULT_SCRAPE_S)
    for variable in variables:
        name = variable.get("name")
        if not isinstance(name, str) or variable.get("type") in ("datasource", "adhoc"):
            continue
        if name in overrides:
            bindings.chosen[name] = Chosen(overrides[name].split(","), regex_formatted=_regex_formatted(variable))
            continue
        options = _options(variable, bindings, label_values)
        bindings.chosen[name] = _choose(variable, options)
    return bindings


def dashboard_range_s(model: dict) -> float:
    """The range the dashboard opens with (`time.from` as now-6h), 6 hours when it says no other."""
    start = ((model.get("time") or {}).get("from")) if isinstance(model.get("time"), dict) else None
    found = re.fullmatch(r"now-(\S+)", start) if isinstance(start, str) else None
    return (duration_s(found.group(1)) if found else None) or 6 * 3600.0


def duration_s(text) -> float | None:
    found = _DURATION.match(text.strip()) if isinstance(text, str) else None
    return float(found.group(1)) * _UNITS_S[found.group(2)] if found else None


def _options(variable: dict, bindings: Bindings, label_values) -> list[str]:
    kind = variable.get("type")
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query")
    if kind == "query":
        found = _LABEL_VALUES.match(query or "")
        if not found:
            raise CannotBind(f"variable ${variable['name']}: its query {query!r} is not label_values(...),"
                             " which is all live lint runs")
        try:
            values = label_values(found.group("label"), bindings.bind(found.group("selector") or ""))
        except CannotBind as exc:
            raise CannotBind(f"variable ${variable['name']}: {exc}") from None
        return _filtered(values, variable.get("regex"))
    if kind in ("custom", "interval"):
        listed = [o.get("value") for o in variable.get("options") or [] if isinstance(o, dict)]
        values = [v for v in listed if isinstance(v, str) and v != ALL]
        return values or [v.strip() for v in str(query or "").split(",") if v.strip()]
    current = (variable.get("current") or {}).get("value")
    return [str(current if current is not None else query or "")]  # constant, textbox


def _choose(variable: dict, options: list[str]) -> Chosen:
    include_all = bool(variable.get("includeAll"))
    all_value = variable.get("allValue") or None
    shape = dict(regex_formatted=_regex_formatted(variable), all_value=all_value)
    current = (variable.get("current") or {}).get("value")
    wanted = current if isinstance(current, list) else [current] if isinstance(current, str) else []
    if include_all and (ALL in wanted or not [v for v in wanted if v in options]):
        return Chosen(options, all=True, **shape)
    kept = [v for v in wanted if v in options]
    if variable.get("type") == "textbox" or variable.get("type") == "constant":
        return Chosen([str(current if current is not None else "")], **shape)
    return Chosen(kept or options[:1], **shape)


def _regex_formatted(variable: dict) -> bool:
    return bool(variable.get("multi") or variable.get("includeAll"))


def _filtered(values: list[str], regex) -> list[str]:
    """A query variable's `regex` (written /.../): values it does not match are dropped, and a
    capture group takes the part it captures, as in Grafana."""
    if not isinstance(regex, str) or not regex.strip():
        return values
    pattern = regex.strip()
    if pattern.startswith("/") and pattern.rfind("/") > 0:
        pattern = pattern[1:pattern.rfind("/")]
    try:
        compiled = re.compile(pattern)
    except re.error:
        return values
    kept = []
    for value in values:
        found = compiled.search(value)
        if found:
            kept.append(found.group(1) if compiled.groups else value)
    return list(dict.fromkeys(kept))


def _formatted(chosen: Chosen, form: str | None) -> str:
    if chosen.all and chosen.all_value is not None and form in (None, "regex"):
        return chosen.all_value
    values = chosen.values
    if form == "raw" or form == "csv":
        return ",".join(values)
    if form == "pipe":
        return "|".join(values)
    if form == "text":
        return " + ".join(values)
    if form == "regex" or chosen.regex_formatted:
        escaped = [_REGEX_SPECIAL.sub(lambda m: "\\\\" + m.group(0), v) for v in values]
        return escaped[0] if len(escaped) == 1 else f"({'|'.join(escaped)})"
    return ",".join(values)


def _rounded(ms: float) -> float:
    return next(value for below, value in _LADDER_MS if ms < below)


def _duration(seconds: float) -> str:
    """A PromQL duration: whole units where they fit (1m, not 60s), milliseconds below a second."""
    ms = int(round(seconds * 1000))
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"
