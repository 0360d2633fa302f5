"""Realistic MPAC series for a real Prometheus, written as OpenMetrics text for
`promtool tsdb create-blocks-from openmetrics`.

Why: a dashboard is only right if its queries return data from what MPAC really exports. The series
are the metric catalogue's (names, types, labels), with a few values per label, among them every
value the dashboards and rules select (`status="error"`, `currency="JPY"`, `le="0.5"`...), so a few
thousand series cover every panel and the TSDB builds in seconds. Counters grow at a steady, wavy
rate (some 5xx and payment errors, so error ratios are not zero), histograms have consistent
cumulative buckets, gauges vary. Names and `le` are as Prometheus stores them (README, "Names as
Prometheus stores them"): the services' histograms over OTLP (`le="2"`), a scraped gauge histogram's
`_gcount` and `_gsum`. Recorded series (`level:metric:operations`) are not written here: the rules
compute them, backfilled from this data.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from dashgen.catalogue import Catalogue, Metric
from dashgen.lint.promql import parse, selectors

STEP = 30  # seconds between samples in the last hour: a scrape interval that `rate(x[1m])` can use
SPAN = 6 * 3600  # seconds of data before `now`: covers `$__range` = 6h and the rules' [6h] windows
# Older samples come every 2 minutes, as if scraped less often: nothing reads them through a window
# under the rules' [5m], and it keeps the TSDB small enough to build in a second or two.
DENSE, SPARSE_STEP = 3600, 120
ORIGIN = 8 * 86400  # counters started this long before `now`, so none resets in the data
BLOCK = 2 * 3600  # promtool cuts blocks at multiples of 2 h since the epoch

# The series a histogram kind is stored as, besides `_bucket`: the ONE place to change them.
# OpenMetrics names a gauge histogram's count and sum `_gcount` and `_gsum`, and Prometheus stores
# sample names as scraped (written here independently of dashgen.catalogue, so that the data checks it).
COUNT_AND_SUM = {"histogram": ("_count", "_sum"), "gaugehistogram": ("_gcount", "_gsum")}

# A few values per label; those the dashboards and rules select with `=` or a regex are among them.
VALUES: dict[str, tuple[str, ...]] = {
    "env": ("production", "staging"),
    "task": ("7c1f2a", "e94b03"),  # a service's replicas (in production)
    "region": ("ap-northeast-1", "ap-northeast-3"),
    "status_code": ("200", "400", "500"),
    "acquirer": ("gmo-pg", "sb-payment"),
    "payment_method": ("card", "qr"),
    "status": ("approved", "declined", "error", "pending"),
    "decline_reason": ("insufficient_funds", "do_not_honor"),
    "currency": ("JPY", "USD"),
    "upstream": ("gmo-pg", "sb-payment", "stripe"),
    "operation": ("authorize", "capture", "refund"),
    "outcome": ("success", "error", "timeout"),
    "device_model": ("a920", "p2-pro", "v2s"),
    "firmware_version": ("11.2.0", "11.3.1"),
    "app_version": ("4.18.0", "4.19.2"),
    "network": ("wifi", "cellular", "ethernet"),
    "battery_health": ("good", "degraded", "replace"),
    "error_code": ("E1001", "E2004", "E3010"),
    "device_id": ("sp-a920-000123", "sp-p2pro-004567"),
    "datname": ("payments", "portal"),
    "mode": ("accesssharelock", "rowexclusivelock", "exclusivelock"),
    "cmd": ("get", "set", "hgetall"),
    "db_system": ("postgresql", "redis"),
    "pool": ("primary", "replica"),
    "state": ("used", "idle"),
}
# Staging is smaller: one task per service, in one region.
SMALLER = {"staging": {"task": ("7c1f2a",), "region": ("ap-northeast-1",)}}
# Labels whose values follow from another label of the series: label -> (that label, its values).
TIED: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "route": ("service", {
        "svc-portal": ("/v1/merchants/{id}", "/v1/stores"),
        "svc-smarttab": ("/v1/devices/{id}/sync", "/v1/heartbeats"),
        "mpac-pgw": ("/v1/payments", "/v1/payments/{id}/refund"),
    }),
    "method": ("route", {"/v1/merchants/{id}": ("GET",), "/v1/stores": ("GET",), "/v1/devices/{id}/sync": ("GET",),
                         "/v1/heartbeats": ("POST",), "/v1/payments": ("POST",), "/v1/payments/{id}/refund": ("POST",)}),
    "db_operation": ("db_system", {"postgresql": ("select", "insert"), "redis": ("get", "set")}),
}
SERVICES = ("svc-portal", "svc-smarttab", "mpac-pgw")
# Who exports a catalogue file's metrics (its header says so); every service exports the others.
EXPORTED_BY = {"payments.yaml": ("mpac-pgw",), "devices.yaml": ("svc-smarttab",), "business.yaml": ("svc-portal",)}
SERVERS = {"postgres_exporter": ("pg-main-1", "pg-main-2"), "redis_exporter": ("redis-cache-1",)}
EXPORTER_PORTS = {"postgres_exporter": 9187, "redis_exporter": 9121}

# Per-second rate of one counter series (or observations of one histogram series); default 1.
RATES = {
    "http_server_requests_total": 20, "http_server_request_duration_seconds": 20,
    "payment_transactions_total": 5, "payment_authorization_duration_seconds": 5,
    "payment_approved_amount_minor_total": 5 * 3200,  # yen: approved transactions x an average ticket
    "payment_declines_total": 0.2, "payment_refunds_total": 0.05, "payment_voids_total": 0.02,
    "payment_upstream_requests_total": 4, "payment_upstream_request_duration_seconds": 4,
    "pg_stat_database_xact_commit": 150, "pg_stat_database_xact_rollback": 0.5, "pg_stat_database_blks_hit": 9000,
    "pg_stat_database_blks_read": 60, "pg_stat_database_deadlocks": 0.002, "redis_keyspace_hits_total": 800,
    "redis_keyspace_misses_total": 40, "redis_evicted_keys_total": 0.5, "redis_commands_total": 300,
    "redis_commands_duration_seconds_total": 300 * 0.00002, "db_client_operation_duration_seconds": 30,
    "container_cpu_usage_seconds_total": 0.6, "device_app_crashes_total": 0.01, "device_app_anrs_total": 0.02,
    "device_errors_total": 0.3, "device_sync_lag_seconds": 2,
}
# Multipliers of a rate by a label's value: few errors, a small staging, few foreign-currency payments.
WEIGHTS = {
    ("env", "staging"): 0.05, ("status_code", "400"): 0.03, ("status_code", "500"): 0.002,
    ("status", "declined"): 0.06, ("status", "error"): 0.0004, ("status", "pending"): 0.01,
    ("outcome", "error"): 0.003, ("outcome", "timeout"): 0.001, ("currency", "USD"): 0.02,
}
# Histograms: bucket bounds and the median of their log-normal observations, in seconds.
BUCKETS = {
    "http_server_request_duration_seconds": (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1, 2, 5),
    "payment_authorization_duration_seconds": (0.1, 0.25, 0.5, 1, 2, 5, 10),
    "payment_upstream_request_duration_seconds": (0.1, 0.25, 0.5, 1, 2, 5, 10),
    "db_client_operation_duration_seconds": (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1),
    "device_sync_lag_seconds": (1, 5, 15, 60, 300, 900),
    "device_heartbeat_age_seconds": (60, 300, 900, 3600, 21600, 86400),  # the catalogue's bounds
}
MEDIANS = {"http_server_request_duration_seconds": 0.08, "payment_authorization_duration_seconds": 0.7,
           "payment_upstream_request_duration_seconds": 0.5, "db_client_operation_duration_seconds": 0.004,
           "device_sync_lag_seconds": 8, "device_heartbeat_age_seconds": 45}
SPREADS = {"device_heartbeat_age_seconds": 1.5}  # sigma of ln(seconds); default 0.5
# Gauges: (typical value, relative swing); default (100, 0.1). Limits and settings do not move.
GAUGES = {
    "container_cpu_limit_cores": (2, 0), "container_memory_limit_bytes": (2 << 30, 0),
    "container_memory_working_set_bytes": (1200 << 20, 0.1), "pg_up": (1, 0), "pg_settings_max_connections": (200, 0),
    "pg_stat_database_numbackends": (40, 0.3), "pg_replication_lag_seconds": (0.4, 0.8), "pg_locks_count": (6, 0.5),
    "pg_locks_waiting_count": (1, 0.9), "redis_memory_max_bytes": (4 << 30, 0), "redis_memory_used_bytes": (2500 << 20, 0.05),
    "db_client_connections": (8, 0.5), "db_client_connections_max": (20, 0), "device_battery_level_ratio": (0.7, 0.2),
    "business_active_merchants": (6000, 0.05), "business_active_stores": (15000, 0.05), "device_fleet_devices": (400, 0.01),
    "device_connected_devices": (300, 0.1), "device_battery_devices": (300, 0.1), "device_heartbeat_age_seconds": (1600, 0.02),
}
FRACTIONAL = ("ratio", "seconds", "cores")  # gauge units whose values are not whole counts


@dataclass(frozen=True)
class Series:
    metric: Metric
    labels: dict[str, str]

    def seed(self) -> int:
        return zlib.crc32(f"{self.metric.name}{sorted(self.labels.items())}".encode())


def all_series(catalogue: Catalogue) -> list[Series]:
    """Every series of every scraped catalogue metric (recorded ones excluded): a few values per label."""
    return [Series(metric, labels) for metric in catalogue.metrics.values() if ":" not in metric.name
            for labels in _label_sets(metric)]


def series_names(metric: Metric) -> tuple[str, ...]:
    """The names a catalogue metric is stored under in Prometheus."""
    if metric.type in COUNT_AND_SUM:
        return (metric.name + "_bucket", *(metric.name + suffix for suffix in COUNT_AND_SUM[metric.type]))
    return (metric.name,)


def write_files(folder: Path, catalogue: Catalogue, now: int, offsets: dict[str, set[int]]) -> Iterator[tuple[Path, int]]:
    """Writes the OpenMetrics files of data ending at `now` (a multiple of SPARSE_STEP), one per
    promtool block, and yields each (file, samples) once written, so promtool can start on it: the
    last SPAN of every series, and SPAN before `now - offset` of the series the dashboards read at
    an offset (`offset 1w`, see `offsets_read`; a shorter offset than SPAN reads the last SPAN)."""
    series = all_series(catalogue)
    windows = [(now, series)]
    for offset in sorted({offset for found in offsets.values() for offset in found if offset >= SPAN}):
        read = {name for name, found in offsets.items() if offset in found}
        end = (now - offset) // SPARSE_STEP * SPARSE_STEP
        windows.append((end, [one for one in series if read & set(series_names(one.metric))]))
    for end, members in windows:
        for times in by_block(sample_times(end - SPAN, end)):
            path = folder / f"{times[0]}.om"
            yield path, write_openmetrics(path, members, times, now - ORIGIN)


def sample_times(start: int, end: int) -> list[int]:
    """The scrape times of a window of data (seconds, both ends included, `end` a multiple of
    SPARSE_STEP): each STEP in its last DENSE seconds, each SPARSE_STEP before."""
    assert end % SPARSE_STEP == 0, "a window ends on the sparse grid"
    sparse = range(-(-start // SPARSE_STEP) * SPARSE_STEP, end - DENSE, SPARSE_STEP)
    return [*sparse, *range(max(end - DENSE, -(-start // STEP) * STEP), end + 1, STEP)]


def by_block(times: list[int]) -> list[list[int]]:
    """`times` cut where promtool cuts blocks: a file per block, converted while the next is written."""
    found: dict[int, list[int]] = {}
    for t in times:
        found.setdefault(t // BLOCK, []).append(t)
    return list(found.values())


def write_openmetrics(path: Path, series: list[Series], times: list[int], origin: int) -> int:
    """Writes the samples of `series` at `times` (seconds) as an OpenMetrics file ending in `# EOF`;
    returns how many samples. Values are a function of the time and of `origin`, when the counters
    started, so that files of adjacent windows continue one another."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        by_metric: dict[str, list[Series]] = {}
        for one in series:
            by_metric.setdefault(one.metric.name, []).append(one)
        for name, members in by_metric.items():
            metric = members[0].metric
            out.write(f"# HELP {_family(metric)} {_escape_help(metric.help)}\n# TYPE {_family(metric)} {_type(metric)}\n")
            for one in members:
                for sample, labels, values in _samples(one, times, origin):
                    prefix = f"{sample}{{{','.join(f'{k}={_quote(v)}' for k, v in labels.items())}}} "
                    out.writelines(f"{prefix}{value} {t}\n" for t, value in zip(times, values))
                    count += len(times)
        out.write("# EOF\n")
    return count


def dashboard_targets(folder: Path) -> Iterator[tuple[str, str, str, str]]:
    """(dashboard uid, panel title, refId, PromQL as written) of every Prometheus panel target."""
    for path in sorted(folder.rglob("*.json")):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        stack = list(dashboard.get("panels", []))
        while stack:
            panel = stack.pop(0)
            stack.extend(panel.get("panels", []))
            for target in panel.get("targets", []):
                if (target.get("datasource") or {}).get("type") == "prometheus" and target.get("expr"):
                    yield dashboard["uid"], panel["title"], target["refId"], target["expr"]


def offsets_read(exprs) -> dict[str, set[int]]:
    """Series name -> the offsets (seconds) it is read at, for queries such as `x[6h] offset 1w`:
    those series need data that long ago too. Grafana's variables are replaced first."""
    found: dict[str, set[int]] = {}
    for expr in exprs:
        text = re.sub(r"\$__\w+", "5m", expr)
        for selector in selectors(parse(re.sub(r"\$\{?(\w+)(?::\w+)?\}?", r"\1", text))):
            if selector.offset and selector.name:
                found.setdefault(selector.name, set()).add(int(selector.offset.total_seconds()))
    return found


def over_otlp(metric: Metric) -> bool:
    """Whether a metric reaches Prometheus over OTLP (the services' own, through Alloy and remote
    write) rather than by a scrape (the exporters'; gauge histograms, which OTLP cannot carry)."""
    return not metric.exporter and metric.type != "gaugehistogram"


def le_text(metric: Metric, bound: float) -> str:
    """A bucket bound as Prometheus stores `le` (see the README's "Names as Prometheus stores them"):
    Go's shortest form, "0.5", "2", as OTLP sends it; a float, "2.0", "300.0", where it is scraped,
    as Prometheus 3 rewrites a classic histogram's and OpenMetrics exporters write a gauge histogram's."""
    if math.isinf(bound):
        return "+Inf"
    text = repr(float(bound))
    assert "e" not in text, f"{bound}: Python and Go write exponents differently"
    return text.removesuffix(".0") if over_otlp(metric) else text


def _label_sets(metric: Metric) -> Iterator[dict[str, str]]:
    """The label sets of one metric: the product of its labels' values, tied labels following the
    label they depend on, `job` and `instance` derived from the service or the exporter."""
    choices: list[tuple[str, tuple[str, ...] | None]] = []
    for label in metric.labels:
        if label in ("job", "instance") or label in TIED:
            continue
        if label == "service":
            choices.append((label, EXPORTED_BY.get(Path(metric.file).name, SERVICES)))
        elif label == "server":
            choices.append((label, SERVERS[metric.exporter]))
        else:
            choices.append((label, VALUES[label]))
    for values in product(*(values for _, values in choices)):
        partial = dict(zip((label for label, _ in choices), values))
        narrow = SMALLER.get(partial.get("env", ""), {})
        if any(partial.get(label, kept[0]) not in kept for label, kept in narrow.items()):
            continue
        for labels in _tie(partial, [label for label in metric.labels if label in TIED]):
            yield {label: labels[label] if label in labels else _derived(label, labels, metric)
                   for label in metric.labels}


def _tie(labels: dict[str, str], tied: list[str]) -> Iterator[dict[str, str]]:
    if not tied:
        yield labels
        return
    parent, values = TIED[tied[0]]
    for value in values[labels[parent]]:
        yield from _tie({**labels, tied[0]: value}, tied[1:])


def _derived(label: str, labels: dict[str, str], metric: Metric) -> str:
    if metric.exporter:
        job = metric.exporter.removesuffix("_exporter")
        return job if label == "job" else f"{labels['server']}.{labels['env']}:{EXPORTER_PORTS[metric.exporter]}"
    return labels["service"] if label == "job" else f"{labels['service']}-{labels['task']}.{labels['env']}:8080"


def _samples(one: Series, times: list[int], origin: int):
    """(sample name, labels, values at `times`) of one series; a histogram gives several."""
    metric, seed = one.metric, one.seed()
    weight = math.prod(WEIGHTS.get(item, 1) for item in one.labels.items())
    if metric.type == "counter":
        rate = RATES.get(metric.name, 1) * weight
        whole = metric.unit != "seconds"
        yield metric.name, one.labels, [_number(rate * _work(t - origin, seed), whole) for t in times]
    elif metric.type == "gauge":
        yield metric.name, one.labels, [_gauge(metric, t, seed) for t in times]
    elif metric.type in COUNT_AND_SUM:
        median = MEDIANS[metric.name] * (2 if one.labels.get("status_code", "").startswith("5") else 1)
        spread = SPREADS.get(metric.name, 0.5)
        if metric.type == "histogram":  # cumulative counts since the origin
            rate = RATES.get(metric.name, 1) * weight
            totals = [rate * _work(t - origin, seed) for t in times]
        else:  # a gauge histogram counts what is true now
            totals = [_gauge(metric, t, seed, whole=False) for t in times]
        for bound in (*BUCKETS[metric.name], math.inf):
            share = 1.0 if math.isinf(bound) else _lognormal_cdf(bound, median, spread)
            labels = {**one.labels, "le": le_text(metric, bound)}
            yield metric.name + "_bucket", labels, [math.floor(total * share) for total in totals]
        count, total = COUNT_AND_SUM[metric.type]
        mean = median * math.exp(spread * spread / 2)
        yield metric.name + count, one.labels, [math.floor(total * 1.0) for total in totals]
        yield metric.name + total, one.labels, [_number(total * mean, False) for total in totals]
    else:
        raise ValueError(f"{metric.name}: no data for a {metric.type} yet")


def _work(elapsed: int, seed: int) -> float:
    """How many seconds' worth of the mean rate a counter has counted after `elapsed` seconds: the
    integral of a rate that swings +-40% around its mean (two waves of per-series period and
    phase), so it only grows, yet not in a straight line."""
    waves = ((0.3, 1800 + seed % 1800, seed % 628 / 100), (0.1, 300 + seed % 300, seed % 314 / 100))
    return elapsed + sum(a * p / (2 * math.pi) * (math.sin(2 * math.pi * elapsed / p + phi) - math.sin(phi))
                         for a, p, phi in waves)


def _gauge(metric: Metric, t: int, seed: int, whole: bool | None = None):
    if metric.name.endswith("_timestamp_seconds"):  # a recent Unix time: a heartbeat 0-30 s ago
        return t - (seed + t) % 31
    base, swing = GAUGES.get(metric.name, (100, 0.1))
    period = 3600 + seed % 3600
    value = base * (1 + swing * math.sin(2 * math.pi * t / period + seed % 628 / 100)
                    + swing / 4 * math.sin(2 * math.pi * t / 170 + seed % 314 / 100))
    return _number(value, metric.unit not in FRACTIONAL if whole is None else whole)


def _number(value: float, whole: bool):
    return math.floor(value) if whole else round(value, 4)


def _lognormal_cdf(x: float, median: float, sigma: float) -> float:
    return 0.5 * math.erfc(-math.log(x / median) / (sigma * math.sqrt(2)))


def _family(metric: Metric) -> str:
    """OpenMetrics names a counter's family without `_total`; exporter counters without it stay unknown."""
    return metric.name.removesuffix("_total") if _type(metric) == "counter" else metric.name


def _type(metric: Metric) -> str:
    """The OpenMetrics type of a family. A histogram that arrives over OTLP is "unknown": remote write
    stores `le` as sent, while a promtool of Prometheus 3 would rewrite a histogram's as a scrape does."""
    if metric.type == "counter" and not metric.name.endswith("_total") or metric.type == "histogram" and over_otlp(metric):
        return "unknown"
    return metric.type


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _escape_help(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\")
