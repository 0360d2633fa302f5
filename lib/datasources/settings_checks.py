"""Checks of one datasource's own settings, each problem a message that checks.py locates (file,
datasource uid) and that names the setting: a value Grafana would ignore, misread or silently drop.

Types were checked when the objects were built (coerce.py); regexes are checked by regexes.py.
"""

from __future__ import annotations

import re

from dashgen.catalogue import LABEL_NAME
from dashgen.datasources.interpolation import REFERENCE
from dashgen.datasources.model import Datasource, Loki, Prometheus, Tempo
from dashgen.datasources.regexes import regex_problems
from dashgen.environments import CREDENTIALS, DATASOURCE_UID, url_problem

DURATION = re.compile(r"^-?\d+(ms|s|m|h|d|w)\Z")
SCRAPE_INTERVAL = re.compile(r"^[1-9]\d*(ms|[Mwdhmsy])\Z")  # as Grafana's Prometheus settings (PromSettings.tsx)
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\Z")
FLAVOURS = ("Prometheus", "Cortex", "Mimir", "Thanos")


def own_problems(ds: Datasource):
    if not DATASOURCE_UID.match(ds.uid):
        yield "uid must be 1 to 40 characters of letters, digits, '-' and '_'"
    if not ds.name.strip():
        yield "name is empty"
    elif not ds.name.isprintable():
        yield f"name {ds.name!r} holds a control character (a newline?)"
    if ds.access != "proxy":
        yield (f"access {ds.access!r} is not supported; use 'proxy' (browser access, 'direct', is deprecated in"
               " Grafana, and Loki and Tempo never supported it)")
    yield from _url_problems(ds.url)
    yield from _basic_auth_problems(ds)
    for key, value in ds.secrets.items():
        if not REFERENCE.match(value):
            yield (f"secret {key!r} must be a reference such as $LOKI_PASSWORD, $__env{{LOKI_PASSWORD}} or"
                   " $__file{/run/secrets/loki}, never a value")
    escaped = sorted(set(_strings_with(ds.json_data(), "$$")))
    if escaped:
        yield (f"{escaped[0]!r} is escaped already; write templates as Grafana shows them (${{__value.raw}}, "
               "$__tags): dashgen doubles each $ for provisioning")
    if isinstance(ds, Prometheus):
        yield from _prometheus_problems(ds)
    if isinstance(ds, Loki):
        yield from _loki_problems(ds)
    if isinstance(ds, Tempo):
        yield from _tempo_problems(ds)


def _url_problems(url: str):
    problem = url_problem(url, "http://loki:3100") if url else ""
    if problem == CREDENTIALS:  # first, and without the URL: a password must not reach the output either
        yield (f"url {CREDENTIALS}, which would be written into the provisioning file; give the user as"
               " basic_auth_user and the password as secrets={'basicAuthPassword': '$VAR'}")
    elif "$" in url:
        yield (f"url {url!r} contains '$', which dashgen would write as a literal '$' (Grafana expands $NAME in"
               " provisioning files); give each environment its URL in pyproject.toml")
    elif problem:
        yield f"url {problem}"


def _basic_auth_problems(ds: Datasource):
    user = ds.basic_auth_user
    if not user:
        return
    if ":" in user:  # first, and without the value: it may be user:password
        yield ("basic_auth_user holds a ':'; give the user name only, its password as"
               " secrets={'basicAuthPassword': '$VAR'}")
    elif not user.isprintable() or user != user.strip():
        yield f"basic_auth_user {user!r} holds a control character or surrounding whitespace"
    elif "$" in user and not REFERENCE.match(user):
        yield (f"basic_auth_user {user!r} mixes text and '$'; give a user name, or one reference such as $LOKI_USER"
               " that Grafana expands")
    if "basicAuthPassword" not in ds.secrets:
        yield "basic_auth_user needs its password as secrets={'basicAuthPassword': '$VAR'}"


def _prometheus_problems(prometheus: Prometheus):
    if prometheus.http_method not in ("POST", "GET"):
        yield f"http_method {prometheus.http_method!r} must be 'POST' or 'GET'"
    if prometheus.flavour not in FLAVOURS:
        yield f"flavour {prometheus.flavour!r} must be one of {', '.join(FLAVOURS)}"
    if prometheus.version and not SEMVER.match(prometheus.version):
        yield f"version {prometheus.version!r} is not a semver version such as 3.8.0"
    if not SCRAPE_INTERVAL.match(prometheus.scrape_interval):
        yield (f"scrape_interval {prometheus.scrape_interval!r} is not a duration Grafana accepts here: one number"
               " and one unit, such as 15s or 1m")


def _loki_problems(loki: Loki):
    if loki.max_lines < 1:
        yield f"max_lines must be at least 1, not {loki.max_lines}"
    names = [f.name for f in loki.derived_fields]
    for i, derived in enumerate(loki.derived_fields):
        where = f"derived field {derived.name!r}"
        if derived.name in names[:i]:
            yield (f"{where} is defined twice; Grafana groups derived fields by name and applies only the first"
                   " one's matcher")
        yield from (f"{where}: {p}" for p in _derived_field_problems(derived))


def _derived_field_problems(field):
    if bool(field.regex) == bool(field.label):
        yield "give either regex (found in the log line) or label (a label or structured metadata), not both"
    elif field.label and not LABEL_NAME.match(field.label):
        yield f"label {field.label!r} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"
    elif field.label and field.samples:
        yield "samples are for regex fields; a label field takes the label's whole value, not part of the line"
    elif field.regex:
        yield from regex_problems(field.regex, field.samples)


def _tempo_problems(tempo: Tempo):
    shifts = []
    if tempo.traces_to_logs:
        logs = tempo.traces_to_logs
        shifts += [("tracesToLogsV2", logs.span_start_shift, logs.span_end_shift)]
        yield from _tag_problems("tracesToLogsV2", logs.tags)
    if tempo.traces_to_metrics:
        metrics = tempo.traces_to_metrics
        shifts += [("tracesToMetrics", metrics.span_start_shift, metrics.span_end_shift)]
        yield from _tag_problems("tracesToMetrics", metrics.tags)
        if not metrics.queries:
            yield "tracesToMetrics needs at least one query"
        for i, query in enumerate(metrics.queries, 1):
            if not query.name.strip():
                yield f"tracesToMetrics query {i} has no name; Grafana lists the queries by name"
            problem = _metrics_query_problem(query.query)
            if problem:
                yield f"tracesToMetrics query {query.name!r}: {problem}"
    for setting, *values in shifts:
        for value in values:
            if not DURATION.match(value):
                yield f"{setting} time shift {value!r} is not a duration such as -5m or 1h"
    for setting, value in (("start", tempo.trace_query_start_shift), ("end", tempo.trace_query_end_shift)):
        if value.startswith("-") and DURATION.match(value):
            yield (f"trace_query_{setting}_shift {value!r} must be positive, such as {value[1:]!r}: Grafana looks a "
                   f"trace id up in [from - start shift, to + end shift], so a negative value narrows the range and "
                   f"misses traces near its {setting} (unlike the span shifts of "
                   "tracesToLogsV2 and tracesToMetrics, where -5m means earlier)")
        elif not DURATION.match(value):
            yield f"trace_query_{setting}_shift {value!r} is not a positive duration such as 1h"


def _tag_problems(setting: str, tags):
    for i, tag in enumerate(tags, 1):
        if not tag.key.strip():
            yield f"{setting} tag {i} has an empty key; give the span attribute, e.g. service.name"
        elif tag.value and not LABEL_NAME.match(tag.value):
            yield f"{setting} tag {tag.key!r} maps to {tag.value!r}, which is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"


def _metrics_query_problem(query: str) -> str:
    import promql_parser

    if "$__tags" not in query:
        return "does not use $__tags, so it would ignore the span it is opened from"
    try:
        promql_parser.parse(query.replace("$__tags", 'service="x"'))
    except ValueError as exc:
        return f"invalid PromQL ($__tags replaced by a matcher): {exc}"
    return ""


def _strings_with(value, needle: str):
    if isinstance(value, str) and needle in value:
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_with(item, needle)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_with(item, needle)
