"""The MPAC observability stack: Prometheus 3.8, Loki 3.6 and Tempo 2.9, linked both ways so that
a latency exemplar opens its trace, a log line opens its trace, a span opens its logs and its
service's RED metrics. URLs come from each environment in pyproject.toml."""

from dashgen.datasources import (
    DerivedField, ExemplarLink, Loki, MetricsQuery, Prometheus, SampleLine, TagMapping, Tempo, TraceToLogs,
    TraceToMetrics,
)

# Span attributes and the labels the same things carry in Loki and Prometheus.
SERVICE_TAGS = (TagMapping("service.name", "service"), TagMapping("deployment.environment.name", "env"))

# What the services log: one JSON object per line, the trace id under "trace_id".
JSON_LOG_LINE = SampleLine(
    '{"level":"error","service":"svc-smarttab","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","msg":"payment failed"}',
    trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
)

PROMETHEUS = Prometheus(
    uid="prometheus", name="Prometheus", is_default=True, version="3.8.0", scrape_interval="15s",
    exemplars=(ExemplarLink(tempo_uid="tempo", label="trace_id"),),
)

LOKI = Loki(
    uid="loki", name="Loki", max_lines=1000,
    derived_fields=(
        DerivedField(
            name="TraceID", tempo_uid="tempo", regex=r'"trace_?[iI][dD]"\s*:\s*"([0-9a-fA-F]{16,32})"',
            samples=(
                JSON_LOG_LINE,
                SampleLine('{"msg":"ok","traceId":"00f067aa0ba902b7","level":"info"}', trace_id="00f067aa0ba902b7"),
            ),
        ),
        DerivedField(name="trace_id", tempo_uid="tempo", label="trace_id"),  # structured metadata (OTLP logs)
    ),
)

TEMPO = Tempo(
    uid="tempo", name="Tempo",
    traces_to_logs=TraceToLogs(loki_uid="loki", tags=SERVICE_TAGS, span_start_shift="-5m", span_end_shift="5m"),
    traces_to_metrics=TraceToMetrics(
        prometheus_uid="prometheus", tags=SERVICE_TAGS,
        queries=(
            MetricsQuery("Request rate", "sum(rate(http_server_requests_total{$__tags}[5m]))"),
            MetricsQuery(
                "Error ratio",  # (errors or 0 * requests) / requests: 0 when nothing failed, not an empty graph
                '(sum(rate(http_server_requests_total{$__tags, status_code=~"5.."}[5m]))'
                " or 0 * sum(rate(http_server_requests_total{$__tags}[5m])))"
                " / sum(rate(http_server_requests_total{$__tags}[5m]))",
            ),
            MetricsQuery(
                "p95 latency",
                "histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{$__tags}[5m])))",
            ),
        ),
    ),
    service_map_uid="prometheus",
)

datasources = [PROMETHEUS, LOKI, TEMPO]
