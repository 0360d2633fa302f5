"""Datasources as code: Prometheus, Loki and Tempo with typed correlation settings, checked at build
time and written as Grafana provisioning files."""

from dashgen.datasources.model import (
    DerivedField, ExemplarLink, Loki, MetricsQuery, Prometheus, SampleLine, TagMapping, Tempo, TraceToLogs,
    TraceToMetrics,
)

__all__ = [
    "DerivedField", "ExemplarLink", "Loki", "MetricsQuery", "Prometheus", "SampleLine", "TagMapping", "Tempo",
    "TraceToLogs", "TraceToMetrics",
]
