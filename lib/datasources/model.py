"""Typed models of the three datasources and their correlation settings.

Grafana keeps these settings in an untyped `jsonData` map whose keys are easy to misspell and whose
link templates provisioning silently empties; here each setting is a field, and `json_data()` writes
the keys Grafana 12.3 reads (grafana-contract.md section 8). Links name their target by uid (the
datasources link to each other both ways), and the build checks that each one exists and has the
right type. Field types are checked when an object is built (dashgen.datasources.coerce); values
(URLs, durations, regexes, label names) at build time (dashgen.datasources.checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from dashgen.datasources.coerce import check_arguments, check_fields


class _Typed:
    """Checks the arguments and field types of each object when it is built (see coerce.py)."""

    def __new__(cls, *args, **kwargs):
        check_arguments(cls, args, kwargs)
        return super().__new__(cls)

    def __post_init__(self):
        check_fields(self)


@dataclass(frozen=True)
class TagMapping(_Typed):
    """A span attribute (`key`) and the label it is called in the linked datasource (`value`)."""

    key: str
    value: str = ""

    def json(self) -> dict:
        return {"key": self.key, "value": self.value} if self.value else {"key": self.key}


@dataclass(frozen=True)
class SampleLine(_Typed):
    """A log line as the services write it, and the trace id a derived field must find in it."""

    line: str
    trace_id: str


@dataclass(frozen=True)
class DerivedField(_Typed):
    """A Loki derived field: a value found in each log line (by `regex`) or in a label or structured
    metadata field (`label`), turned into a link to a trace in Tempo.

    Grafana applies derived fields in the browser: `regex` is a JavaScript RegExp whose first group is
    the value, so it must be written in the syntax RE2 and JavaScript share (checked at build). For a
    label field Grafana tests `matcherRegex` as an unanchored regex against each label name, so a
    plain `trace_id` would also take `parent_trace_id`; dashgen writes `^trace_id$`.
    """

    name: str
    tempo_uid: str
    regex: str = ""
    label: str = ""
    samples: tuple[SampleLine, ...] = ()
    display: str = "View trace"
    url: str = "${__value.raw}"  # the query sent to Tempo: the trace id itself

    def json(self) -> dict:
        return {
            "datasourceUid": self.tempo_uid,
            "matcherRegex": f"^{self.label}$" if self.label else self.regex,  # a label name: no metacharacters
            "matcherType": "label" if self.label else "regex",
            "name": self.name,
            "url": self.url,
            "urlDisplayLabel": self.display,
        }


@dataclass(frozen=True)
class ExemplarLink(_Typed):
    """Prometheus exemplars whose label `label` holds a trace id, linked to that trace in Tempo."""

    tempo_uid: str
    label: str = "trace_id"
    display: str = "View trace"

    def json(self) -> dict:
        return {"datasourceUid": self.tempo_uid, "name": self.label, "urlDisplayLabel": self.display}


@dataclass(frozen=True)
class TraceToLogs(_Typed):
    """From a span to its service's logs in Loki around the span's time, filtered by its trace id.
    The shifts are added to the span's start and end: "-5m" starts five minutes earlier."""

    loki_uid: str
    tags: tuple[TagMapping, ...] = ()
    span_start_shift: str = "-5m"
    span_end_shift: str = "5m"
    filter_by_trace_id: bool = True
    filter_by_span_id: bool = False

    def json(self) -> dict:
        return {
            "customQuery": False,
            "datasourceUid": self.loki_uid,
            "filterBySpanID": self.filter_by_span_id,
            "filterByTraceID": self.filter_by_trace_id,
            "spanEndTimeShift": self.span_end_shift,
            "spanStartTimeShift": self.span_start_shift,
            "tags": [t.json() for t in self.tags],
        }


@dataclass(frozen=True)
class MetricsQuery(_Typed):
    """A named PromQL query offered from a span; `$__tags` becomes the span's mapped tags as matchers."""

    name: str
    query: str


@dataclass(frozen=True)
class TraceToMetrics(_Typed):
    """From a span to its service's metrics in Prometheus, through named queries. The shifts are
    added to the span's start and end, as TraceToLogs's."""

    prometheus_uid: str
    queries: tuple[MetricsQuery, ...]
    tags: tuple[TagMapping, ...] = ()
    span_start_shift: str = "-5m"
    span_end_shift: str = "5m"

    def json(self) -> dict:
        return {
            "datasourceUid": self.prometheus_uid,
            "queries": [{"name": q.name, "query": q.query} for q in self.queries],
            "spanEndTimeShift": self.span_end_shift,
            "spanStartTimeShift": self.span_start_shift,
            "tags": [t.json() for t in self.tags],
        }


@dataclass(frozen=True)
class Datasource(_Typed):
    """What every datasource has; the base of Prometheus, Loki and Tempo, not a datasource itself.

    `url` is the default; environments give their own in pyproject.toml. `access` is "proxy" only:
    Grafana's server queries the datasource; browser access ("direct") is deprecated and Loki and
    Tempo never supported it. `secrets` maps a secureJsonData key to a reference Grafana expands when
    it reads the file, never a value: "$LOKI_PASSWORD" or "${LOKI_PASSWORD}" (its environment),
    "$__env{LOKI_PASSWORD}", "$__file{/run/secrets/loki}" or "$__vault{...}". `basic_auth_user` is a
    user name, or one such reference when environments use different users (written as given, for
    Grafana to expand; a name holding ":" or mixing text with "$" is refused), with its password in
    `secrets={"basicAuthPassword": ...}`.
    """

    uid: str
    name: str
    url: str = ""
    access: str = "proxy"
    is_default: bool = False
    basic_auth_user: str = ""
    secrets: dict[str, str] = field(default_factory=dict)

    type: ClassVar[str] = ""

    def __post_init__(self):
        if type(self) is Datasource:
            raise TypeError("Datasource is the base of Prometheus, Loki and Tempo; define one of those")
        check_fields(self)

    def ref(self) -> dict:
        """The reference dashboards use: by uid and type, never by name."""
        return {"type": self.type, "uid": self.uid}

    def json_data(self) -> dict:
        raise NotImplementedError

    def linked(self) -> list[tuple[str, str, str]]:
        """(setting, uid, type) of every datasource this one links to."""
        return []


@dataclass(frozen=True)
class Prometheus(Datasource):
    scrape_interval: str = "15s"
    http_method: str = "POST"
    flavour: str = "Prometheus"  # Prometheus, Cortex, Mimir or Thanos
    version: str = ""  # semver, e.g. "3.8.0": Grafana uses it to know which API features exist
    exemplars: tuple[ExemplarLink, ...] = ()

    type: ClassVar[str] = "prometheus"

    def json_data(self) -> dict:
        data = {"httpMethod": self.http_method, "prometheusType": self.flavour, "timeInterval": self.scrape_interval}
        if self.version:
            data["prometheusVersion"] = self.version
        if self.exemplars:
            data["exemplarTraceIdDestinations"] = [e.json() for e in self.exemplars]
        return data

    def linked(self):
        return [(f"exemplarTraceIdDestinations {e.label}", e.tempo_uid, "tempo") for e in self.exemplars]


@dataclass(frozen=True)
class Loki(Datasource):
    max_lines: int = 1000
    derived_fields: tuple[DerivedField, ...] = ()

    type: ClassVar[str] = "loki"

    def json_data(self) -> dict:
        data = {"maxLines": str(self.max_lines)}
        if self.derived_fields:
            data["derivedFields"] = [f.json() for f in self.derived_fields]
        return data

    def linked(self):
        return [(f"derivedFields {f.name}", f.tempo_uid, "tempo") for f in self.derived_fields]


@dataclass(frozen=True)
class Tempo(Datasource):
    traces_to_logs: TraceToLogs | None = None
    traces_to_metrics: TraceToMetrics | None = None
    service_map_uid: str = ""  # the Prometheus holding Tempo's service-graph metrics
    node_graph: bool = True
    search: bool = True
    # Looking a trace up by id searches [from - start shift, to + end shift]: both are positive
    # durations that widen the range (grafana-contract.md §8.1). Not the sign convention of the
    # span shifts of TraceToLogs and TraceToMetrics, which are added to the span's time: "-5m" is
    # earlier there, while "-1h" here would move the start later and miss traces near it.
    trace_query_start_shift: str = "1h"
    trace_query_end_shift: str = "1h"

    type: ClassVar[str] = "tempo"

    def json_data(self) -> dict:
        data = {
            "nodeGraph": {"enabled": self.node_graph},
            "search": {"hide": not self.search},
            "traceQuery": {
                "spanEndTimeShift": self.trace_query_end_shift,
                "spanStartTimeShift": self.trace_query_start_shift,
                "timeShiftEnabled": True,
            },
        }
        if self.traces_to_logs:
            data["tracesToLogsV2"] = self.traces_to_logs.json()
        if self.traces_to_metrics:
            data["tracesToMetrics"] = self.traces_to_metrics.json()
        if self.service_map_uid:
            data["serviceMap"] = {"datasourceUid": self.service_map_uid}
        return data

    def linked(self):
        links = []
        if self.traces_to_logs:
            links.append(("tracesToLogsV2", self.traces_to_logs.loki_uid, "loki"))
        if self.traces_to_metrics:
            links.append(("tracesToMetrics", self.traces_to_metrics.prometheus_uid, "prometheus"))
        if self.service_map_uid:
            links.append(("serviceMap", self.service_map_uid, "prometheus"))
        return links
