"""Queries as Grafana 12.3 stores them for Prometheus, Loki and Tempo (grafanalib's Target is
Prometheus-shaped and carries fields Grafana dropped long ago)."""

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
