"""Why a query returns no data, found by narrowing it on the server: each selector's metric, then
its matchers one by one, then the first operation that empties inputs that have data. The answer
names what to fix: the metric that does not exist, the recording rule that is not loaded, the
label or value that never occurs (with the values that do), the two sides of an operation that
share no labels, or the comparison that keeps nothing."""

from __future__ import annotations

import promql_parser as pp

from dashgen.lint import promql
from dashgen.prometheus import QueryFailed

MAX_VALUES_SHOWN = 8
_COMPARISONS = {"==", "!=", ">", "<", ">=", "<="}
_SYMBOLS = (("=", pp.MatchOp.Equal), ("!=", pp.MatchOp.NotEqual), ("=~", pp.MatchOp.Re), ("!~", pp.MatchOp.NotRe))


class Narrowing:
    def __init__(self, target, at: float, loaded: set[str]):
        self.prometheus, self.at, self.loaded = target.prometheus, at, loaded
        self.recorded = target.recorded or {}

    def reason(self, text: str, window) -> str:
        """Why `text` (bound, as sent) returned nothing over `window` (None: at `at`)."""
        self.window = window
        self.lookback = f"{int(window[1] - window[0]) + 300}s" if window else "5m"  # the range and a staleness
        self.over = f"over the dashboard's range (the last {_human(window[1] - window[0])})" if window else \
            "in the last 5 minutes (an instant query)"
        try:
            tree = promql.parse(text)
        except promql.PromQLSyntaxError as exc:
            return f"the query as Grafana sends it does not parse: {exc}"
        try:
            for node, _ in promql.walk(tree):
                if isinstance(node, pp.VectorSelector):
                    found = self._selector(node)
                    if found:
                        return found
            return self._operation(tree) or "no series at this time (its inputs have data at other times)"
        except QueryFailed as exc:
            return f"returned nothing, and narrowing it failed: {exc}"

    def _count(self, selector: str) -> int:
        result = self.prometheus.query(f"count(last_over_time({selector}[{self.lookback}]))", self.at)
        return int(result.series[0][1][0]) if result.series else 0

    def _selector(self, node) -> str:
        name = node.name or next((m.value for m in node.matchers.matchers
                                  if m.name == "__name__" and m.op == pp.MatchOp.Equal), None)
        matchers = [m for m in node.matchers.matchers if m.name != "__name__"]
        base = f'{{__name__="{name}"}}' if name else "{}"
        over = self.over
        if name and not self._count(base):
            if name in self.recorded and name not in self.loaded:
                return (f"recording rule {name} is not loaded in Prometheus (it is in {self.recorded[name]};"
                        " list that file under rule_files)")
            if name in self.recorded:
                return f"recording rule {name} is loaded but has recorded nothing {over}"
            return f"metric {name} has no series in Prometheus {over}"
        kept = []
        for matcher in matchers:
            written = f'{matcher.name}{_symbol(matcher.op)}{_quoted(matcher.value)}'
            selector = f"{{{', '.join([f'__name__={_quoted(name)}'] * bool(name) + kept + [written])}}}"
            if self._count(selector):
                kept.append(written)
                continue
            subject = name or "the selected series"
            narrowed = f"{{{', '.join([f'__name__={_quoted(name)}'] * bool(name) + kept)}}}"
            if matcher.op in (pp.MatchOp.Equal, pp.MatchOp.Re) and matcher.value:
                values = self.prometheus.label_values(matcher.name, narrowed, *self._span())
                if not values:
                    return f"{subject} has no label {matcher.name}"
                shown = ", ".join(values[:MAX_VALUES_SHOWN]) + (" ..." if len(values) > MAX_VALUES_SHOWN else "")
                return f"no series of {subject} has {written} (its {matcher.name} values: {shown})"
            return f"no series of {subject} matches {written}"
        return ""

    def _operation(self, tree) -> str:
        """The first operation, bottom up, whose inputs have data and whose result has none."""
        for node, _ in reversed(list(promql.walk(tree))):
            if isinstance(node, pp.BinaryExpr) and self._has(node.lhs) and self._has(node.rhs) and not self._has(node):
                if str(node.op).strip() in _COMPARISONS and not _is_bool(node):
                    return f"the comparison `{str(node.op).strip()} {_short(node.rhs)}` keeps no series"
                left, right = self._labels(node.lhs), self._labels(node.rhs)
                return (f"the two sides of `{str(node.op).strip()}` match no series: the left has labels "
                        f"{_names(left)}, the right {_names(right)}")
        return ""

    def _has(self, node) -> bool:
        if isinstance(node, (pp.NumberLiteral, pp.StringLiteral)):
            return True
        if isinstance(node, pp.ParenExpr):
            return self._has(node.expr)
        return bool(self._series(node))

    def _series(self, node) -> list:
        return self.prometheus.query(str(node), self.at, self.window).series

    def _labels(self, node) -> set[str]:
        series = self._series(node)
        return set(series[0][0]) - {"__name__"} if series else set()

    def _span(self) -> tuple[float, float]:
        return (self.window[0], self.window[1]) if self.window else (self.at - 300, self.at)


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _symbol(op) -> str:
    return next(symbol for symbol, known in _SYMBOLS if known == op)  # MatchOp is not hashable


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _short(node) -> str:
    text = str(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _names(labels: set[str]) -> str:
    return "{" + ", ".join(sorted(labels)) + "}" if labels else "none"


def _is_bool(node) -> bool:
    modifier = getattr(node, "modifier", None)
    return bool(modifier and getattr(modifier, "return_bool", False))
