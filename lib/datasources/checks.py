"""Build-time checks of datasource definitions; each problem is one located error.

Regexes are checked with RE2, the engine Grafana's Go code uses (no look-around, no back-references),
and must find the expected trace id in every sample line; PromQL is parsed with promql-parser.
"""

from __future__ import annotations

import re

from dashgen.datasources.interpolation import REFERENCE
from dashgen.datasources.model import Datasource, Loki, Tempo
from dashgen.errors import InputError, Location
from dashgen.loader import DatasourceSource

UID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DURATION = re.compile(r"^-?\d+(ms|s|m|h|d|w)$")


def datasource_problems(sources: list[DatasourceSource]) -> list[InputError]:
    by_uid: dict[str, DatasourceSource] = {}
    errors = []
    for source in sources:
        ds = source.datasource
        where = Location(file=source.file)
        problems = list(_own_problems(ds))
        other = by_uid.setdefault(ds.uid, source)
        if other is not source:
            problems.append(f"uid {ds.uid!r} is also used by {other.file}")
        errors.extend(InputError(where, f"datasource {ds.uid!r}: {p}") for p in problems)
    names = [s.datasource.name for s in sources]
    errors.extend(
        InputError(Location(file=s.file), f"datasource {s.datasource.uid!r}: name {s.datasource.name!r} is used twice")
        for i, s in enumerate(sources) if s.datasource.name in names[:i]
    )
    defaults = [s for s in sources if s.datasource.is_default]
    errors.extend(
        InputError(Location(file=s.file), f"datasource {s.datasource.uid!r}: only one datasource can be the default "
                                          f"({defaults[0].datasource.uid!r} already is)")
        for s in defaults[1:]
    )
    known = {s.datasource.uid: s.datasource.type for s in sources}
    for source in sources:
        for setting, uid, kind in source.datasource.linked():
            problem = _link_problem(uid, kind, known)
            if problem:
                errors.append(InputError(
                    Location(file=source.file), f"datasource {source.datasource.uid!r}: {setting} {problem}"
                ))
    return errors


def _link_problem(uid: str, kind: str, known: dict[str, str]) -> str:
    if uid not in known:
        return f"links to {uid!r}, which is not defined (known: {', '.join(sorted(known))})"
    if known[uid] != kind:
        return f"links to {uid!r}, a {known[uid]} datasource, where a {kind} one is needed"
    return ""


def _own_problems(ds: Datasource):
    if not UID.match(ds.uid):
        yield f"uid must be 1 to 40 characters of letters, digits, '-' and '_'"
    if not ds.name.strip():
        yield "name is empty"
    for key, value in ds.secrets.items():
        if not REFERENCE.match(value):
            yield f"secret {key!r} must be an environment variable reference such as $LOKI_PASSWORD, never a value"
    escaped = sorted(set(_strings_with(ds.json_data(), "$$")))
    if escaped:
        yield (f"{escaped[0]!r} is escaped already; write templates as Grafana shows them (${{__value.raw}}, "
               "$__tags): dashgen doubles each $ for provisioning")
    if isinstance(ds, Loki):
        for derived in ds.derived_fields:
            yield from (f"derived field {derived.name!r}: {p}" for p in _derived_field_problems(derived))
    if isinstance(ds, Tempo):
        yield from _tempo_problems(ds)


def _derived_field_problems(field):
    if bool(field.regex) == bool(field.label):
        yield "give either regex (found in the log line) or label (a label or structured metadata), not both"
        return
    if field.label:
        return
    pattern = compile_re2(field.regex)
    if isinstance(pattern, str):
        yield f"regex {field.regex!r} is not valid RE2: {pattern}"
        return
    if pattern.groups != 1:
        yield f"regex {field.regex!r} has {pattern.groups} capture groups; it needs exactly one, around the trace id"
        return
    if not field.samples:
        yield "declare sample log lines (samples=...) that the regex must find a trace id in"
    for sample in field.samples:
        match = pattern.search(sample.line)
        found = match.group(1) if match else None
        if found != sample.trace_id:
            yield f"regex finds {found!r} instead of {sample.trace_id!r} in sample line {sample.line[:80]!r}"


def compile_re2(pattern: str):
    """The compiled RE2 pattern, or RE2's reason for rejecting it."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options=options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        return reason.decode() if isinstance(reason, bytes) else str(reason)


def _tempo_problems(tempo: Tempo):
    shifts = []
    if tempo.traces_to_logs:
        shifts += [("tracesToLogsV2", tempo.traces_to_logs.span_start_shift, tempo.traces_to_logs.span_end_shift)]
    if tempo.traces_to_metrics:
        metrics = tempo.traces_to_metrics
        shifts += [("tracesToMetrics", metrics.span_start_shift, metrics.span_end_shift)]
        if not metrics.queries:
            yield "tracesToMetrics needs at least one query"
        for query in metrics.queries:
            problem = _metrics_query_problem(query.query)
            if problem:
                yield f"tracesToMetrics query {query.name!r}: {problem}"
    for setting, *values in shifts:
        for value in values:
            if not DURATION.match(value):
                yield f"{setting} time shift {value!r} is not a duration such as -5m or 1h"


def _metrics_query_problem(query: str) -> str:
    import promql_parser

    if "$__tags" not in query:
        return "does not use $__tags, so it would ignore the span it is opened from"
    try:
        promql_parser.parse(query.replace("$__tags", 'service="x"'))
    except ValueError as exc:
        return f"invalid PromQL ($__tags replaced by a matcher): {exc}"
    return ""


BUILTIN_UIDS = {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"}


def dashboard_reference_problems(dashboards, known: dict[str, str]) -> list[InputError]:
    """Each fixed datasource uid a dashboard uses must be defined, with the type the reference says."""
    errors, seen = [], set()
    for dash in dashboards:
        for panel, ref in _references(dash.model):
            uid = ref.get("uid", "")
            if uid in BUILTIN_UIDS or uid.startswith("$") or (dash.uid, panel, uid, ref.get("type")) in seen:
                continue
            seen.add((dash.uid, panel, uid, ref.get("type")))  # a panel and its queries share one reference
            if uid in known and known[uid] == ref.get("type"):
                continue
            where = Location(file=dash.file, dashboard=dash.uid, panel=panel)
            if uid not in known:
                message = f"datasource {uid!r} is not defined under datasources/ (known: {', '.join(sorted(known))})"
            else:
                message = f"datasource {uid!r} is a {known[uid]} datasource, but the reference says {ref.get('type')!r}"
            errors.append(InputError(where, message))
    return errors


def _references(model: dict):
    """(panel title or None, datasource reference) of every reference in a compiled dashboard."""
    for panel in model.get("panels", []):
        for item in [panel, *panel.get("panels", [])]:
            if "datasource" in item:
                yield item.get("title", ""), item["datasource"]
            for target in item.get("targets", []):
                yield item.get("title", ""), target["datasource"]
    for var in model["templating"]["list"]:
        if "datasource" in var:
            yield None, var["datasource"]
        if var.get("type") == "datasource" and var.get("current", {}).get("value"):
            yield None, {"type": var.get("query", ""), "uid": var["current"]["value"]}
    for annotation in model["annotations"]["list"]:
        yield None, annotation.get("datasource", {})


def _strings_with(value, needle: str):
    if isinstance(value, str) and needle in value:
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_with(item, needle)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_with(item, needle)
