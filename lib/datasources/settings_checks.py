"""Checks of one datasource's own settings, each problem a message that checks.py locates (file,
datasource uid) and that names the setting: a value Grafana would ignore, misread or silently drop.

Each kind is a description of its fields (KINDS, read by dashgen.settings), so every problem of a
datasource is told in one build; what involves two fields is checked after it. Types were checked
when the objects were built (coerce.py); regexes are checked by regexes.py.
"""

from __future__ import annotations

import dataclasses
import re

from dashgen.catalogue import LABEL_NAME
from dashgen.datasources.interpolation import REFERENCE
from dashgen.datasources.model import Datasource, Loki, Prometheus, Tempo
from dashgen.datasources.regexes import regex_problems
from dashgen.environments import CREDENTIALS, DATASOURCE_UID, url_problem
from dashgen.settings import Key, Table

DURATION = re.compile(r"^-?\d+(ms|s|m|h|d|w)\Z")
SCRAPE_INTERVAL = re.compile(r"^[1-9]\d*(ms|[Mwdhmsy])\Z")  # as Grafana's Prometheus settings (PromSettings.tsx)
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\Z")
FLAVOURS = ("Prometheus", "Cortex", "Mimir", "Thanos")


def own_problems(ds: Datasource):
    kind = next(table for cls, table in KINDS.items() if isinstance(ds, cls))
    yield from kind.check(_fields(ds))[1]
    if ds.basic_auth_user and "basicAuthPassword" not in ds.secrets:
        yield "basic_auth_user needs its password as secrets={'basicAuthPassword': '$VAR'}"
    escaped = sorted(set(_strings_with(ds.json_data(), "$$")))
    if escaped:
        yield (f"{escaped[0]!r} is escaped already; write templates as Grafana shows them (${{__value.raw}}, "
               "$__tags): dashgen doubles each $ for provisioning")


def _fields(obj) -> dict:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _name_problem(name: str) -> str:
    if not name.strip():
        return "name is empty"
    return "" if name.isprintable() else f"name {name!r} holds a control character (a newline?)"


def _url_problem(url: str) -> str:
    problem = url_problem(url, "http://loki:3100") if url else ""
    if problem == CREDENTIALS:  # first, and without the URL: a password must not reach the output either
        return (f"url {CREDENTIALS}, which would be written into the provisioning file; give the user as"
                " basic_auth_user and the password as secrets={'basicAuthPassword': '$VAR'}")
    if "$" in url:
        return (f"url {url!r} contains '$', which dashgen would write as a literal '$' (Grafana expands $NAME in"
                " provisioning files); give each environment its URL in pyproject.toml")
    return f"url {problem}" if problem else ""


def _user_problem(user: str) -> str:
    if ":" in user:  # first, and without the value: it may be user:password
        return ("basic_auth_user holds a ':'; give the user name only, its password as"
                " secrets={'basicAuthPassword': '$VAR'}")
    if not user.isprintable() or user != user.strip():
        return f"basic_auth_user {user!r} holds a control character or surrounding whitespace"
    if "$" in user and not REFERENCE.match(user):
        return (f"basic_auth_user {user!r} mixes text and '$'; give a user name, or one reference such as $LOKI_USER"
                " that Grafana expands")
    return ""


def _secret_problems(secrets: dict[str, str]):
    for key, value in secrets.items():
        if not REFERENCE.match(value):
            yield (f"secret {key!r} must be a reference such as $LOKI_PASSWORD, $__env{{LOKI_PASSWORD}} or"
                   " $__file{/run/secrets/loki}, never a value")


def _derived_fields_problems(fields):
    names = [f.name for f in fields]
    for i, derived in enumerate(fields):
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


def _trace_query_problem(setting: str, value: str) -> str:
    if value.startswith("-") and DURATION.match(value):
        return (f"trace_query_{setting}_shift {value!r} must be positive, such as {value[1:]!r}: Grafana looks a "
                f"trace id up in [from - start shift, to + end shift], so a negative value narrows the range and "
                f"misses traces near its {setting} (unlike the span shifts of "
                "tracesToLogsV2 and tracesToMetrics, where -5m means earlier)")
    if not DURATION.match(value):
        return f"trace_query_{setting}_shift {value!r} is not a positive duration such as 1h"
    return ""


def _queries_problems(queries):
    if not queries:
        yield "tracesToMetrics needs at least one query"
    for i, query in enumerate(queries, 1):
        if not query.name.strip():
            yield f"tracesToMetrics query {i} has no name; Grafana lists the queries by name"
        problem = _metrics_query_problem(query.query)
        if problem:
            yield f"tracesToMetrics query {query.name!r}: {problem}"


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


def _nested(table: Table):
    """The check of a field holding a settings object (or None), by the description of its fields."""
    return lambda obj: table.check(_fields(obj))[1] if obj is not None else ()


def _span_shift(link: str) -> Key:
    return Key(ok=DURATION.match, must=f"{link} time shift {{value}} is not a duration such as -5m or 1h")


# Each kind's fields, in the order their problems are told; a field missing here is an "unknown key".
DATASOURCE = {
    "uid": Key(ok=DATASOURCE_UID.match, must="uid must be 1 to 40 characters of letters, digits, '-' and '_'"),
    "name": Key(check=_name_problem),
    "access": Key(ok=lambda access: access == "proxy", must="access {value} is not supported; use 'proxy' (browser"
                  " access, 'direct', is deprecated in Grafana, and Loki and Tempo never supported it)"),
    "url": Key(check=_url_problem),
    "basic_auth_user": Key(check=lambda user: _user_problem(user) if user else ""),
    "secrets": Key(check=_secret_problems),
    "is_default": Key(),
}
TRACES_TO_LOGS = Table({
    "loki_uid": Key(),  # links are checked by checks.py, against the other datasources
    "tags": Key(check=lambda tags: _tag_problems("tracesToLogsV2", tags)),
    "span_start_shift": _span_shift("tracesToLogsV2"),
    "span_end_shift": _span_shift("tracesToLogsV2"),
    "filter_by_trace_id": Key(),
    "filter_by_span_id": Key(),
})
TRACES_TO_METRICS = Table({
    "prometheus_uid": Key(),
    "tags": Key(check=lambda tags: _tag_problems("tracesToMetrics", tags)),
    "queries": Key(check=_queries_problems),
    "span_start_shift": _span_shift("tracesToMetrics"),
    "span_end_shift": _span_shift("tracesToMetrics"),
})
KINDS = {
    Prometheus: Table({
        **DATASOURCE,
        "http_method": Key(ok=lambda method: method in ("POST", "GET"),
                           must="http_method {value} must be 'POST' or 'GET'"),
        "flavour": Key(ok=lambda flavour: flavour in FLAVOURS,
                       must=f"flavour {{value}} must be one of {', '.join(FLAVOURS)}"),
        "version": Key(ok=lambda version: not version or SEMVER.match(version),
                       must="version {value} is not a semver version such as 3.8.0"),
        "scrape_interval": Key(ok=SCRAPE_INTERVAL.match, must="scrape_interval {value} is not a duration Grafana"
                               " accepts here: one number and one unit, such as 15s or 1m"),
        "exemplars": Key(),
    }),
    Loki: Table({
        **DATASOURCE,
        "max_lines": Key(ok=lambda lines: lines >= 1, must="max_lines must be at least 1, not {value}"),
        "derived_fields": Key(check=_derived_fields_problems),
    }),
    Tempo: Table({
        **DATASOURCE,
        "traces_to_logs": Key(check=_nested(TRACES_TO_LOGS)),
        "traces_to_metrics": Key(check=_nested(TRACES_TO_METRICS)),
        "service_map_uid": Key(),
        "node_graph": Key(),
        "search": Key(),
        "trace_query_start_shift": Key(check=lambda shift: _trace_query_problem("start", shift)),
        "trace_query_end_shift": Key(check=lambda shift: _trace_query_problem("end", shift)),
    }),
}
