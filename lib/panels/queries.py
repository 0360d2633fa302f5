"""Queries as Grafana 12.3 stores them for Prometheus, Loki and Tempo (grafanalib's Target is
Prometheus-shaped and carries fields Grafana dropped long ago), and the PromQL shapes dashboards
repeat (sums of rates and increases, ratios, gauges exported by every replica)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PromQuery:
    """A PromQL query. `instant` for one value per series (stats, tables), `exemplars` to fetch the
    trace-id exemplars that Grafana turns into links to Tempo, `format` "table" or "heatmap" (the
    buckets of a histogram, de-accumulated) instead of time series."""

    expr: str
    legend: str = ""
    instant: bool = False
    exemplars: bool = False
    format: str = ""
    ref_id: str = ""

    def to_json_data(self) -> dict:
        data = {
            "editorMode": "code",
            "expr": self.expr,
            "instant": self.instant,
            "legendFormat": self.legend or "__auto",
            "range": not self.instant,
            "refId": self.ref_id,
        }
        if self.exemplars:
            data["exemplar"] = True
        if self.format:
            data["format"] = self.format
        return data


@dataclass(frozen=True)
class LokiQuery:
    """A LogQL query: log lines for a logs panel, or a metric query for a graph."""

    expr: str
    legend: str = ""
    max_lines: int | None = None
    ref_id: str = ""

    def to_json_data(self) -> dict:
        data = {"editorMode": "code", "expr": self.expr, "queryType": "range", "refId": self.ref_id}
        if self.legend:
            data["legendFormat"] = self.legend
        if self.max_lines:
            data["maxLines"] = self.max_lines
        return data


@dataclass(frozen=True)
class TraceQLQuery:
    """A TraceQL search listing matching traces, newest first, at most `limit`."""

    query: str
    limit: int = 20
    ref_id: str = ""

    def to_json_data(self) -> dict:
        return {
            "limit": self.limit,
            "query": self.query,
            "queryType": "traceql",
            "refId": self.ref_id,
            "tableType": "traces",
        }


# PromQL text for the shapes every dashboard repeats. `selector` is the label matchers inside {...};
# `by` a comma-separated label list (empty: one series).

REPLICA_LABELS = "instance, task"  # what tells the replicas of one exporting service apart


def _summed(expr: str, by: str) -> str:
    return f"sum by ({by}) ({expr})" if by else f"sum({expr})"


def rate_sum(metric: str, selector: str, *, by: str = "", per: str = "second", offset: str = "") -> str:
    """The per-second (or, with per="minute", per-minute) rate of counter `metric`, summed, as it was
    `offset` ago when given: `rate_sum("x_total", sel, by="status")`."""
    if per not in ("second", "minute"):
        raise ValueError(f"per must be 'second' or 'minute', not {per!r}")
    shift = f" offset {offset}" if offset else ""
    expr = _summed(f"rate({metric}{{{selector}}}[$__rate_interval]{shift})", by)
    return expr if per == "second" else f"60 * {expr}"


def increase_sum(metric: str, selector: str, *, by: str = "", offset: str = "") -> str:
    """How much counter `metric` grew over the panel's range ($__range), summed; as it was `offset`
    ago when given."""
    shift = f" offset {offset}" if offset else ""
    return _summed(f"increase({metric}{{{selector}}}[$__range]{shift})", by)


def deduplicated(metric: str, selector: str) -> str:
    """Gauge `metric` once, although every replica of the service that exports it reports the same
    value (e.g. a fleet count computed from a database): the highest replica's value."""
    return f"max without ({REPLICA_LABELS}) ({metric}{{{selector}}})"


def gauge_sum(metric: str, selector: str, *, by: str = "") -> str:
    """The sum of a gauge that each replica of its exporting service reports in full (see
    `deduplicated`), so that two replicas do not double the count."""
    return _summed(deduplicated(metric, selector), by)


def bucket(bound: float) -> str:
    """The `le` matcher of a bucket of a histogram that reaches Prometheus over OTLP (the services',
    through Alloy and remote write), as Prometheus stores it there: Go's shortest form of the bound,
    2 as "2", 0.5 as "0.5" (strconv.FormatFloat(bound, 'f', -1, 64) in Prometheus'
    storage/remote/otlptranslator and Alloy's otelcol.exporter.prometheus). Prometheus 3 rewrites
    bounds only when it scrapes a classic histogram ("2.0"), which these are not."""
    return f'le="{_shortest(bound)}"'


def scraped_bucket(bound: float) -> str:
    """The `le` matcher of a bucket of a scraped OpenMetrics gauge histogram: Prometheus 3 stores
    its bounds as the exporter writes them (it normalises only classic histograms' and summaries'),
    and an exporter may write "300" or the canonical "300.0": both are matched."""
    text = _shortest(bound)
    return f'le=~"{text}|{text}\\\\.0"' if "." not in text and "e" not in text else f'le="{text}"'


def _shortest(bound: float) -> str:
    """A float in Go's 'f' format with the fewest digits that read back as the same number."""
    from decimal import Decimal

    text = format(Decimal(repr(float(bound))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def ratio(part: str, whole: str) -> str:
    """`part` / `whole` that shows 0, not "No data", while `part` selects no series (e.g. errors of a
    healthy service: its error series appear with the first error). Both must have the same labels."""
    return f"(\n  {part}\n  or 0 * {whole}\n)\n/\n{whole}"
