"""Build-time checks of datasource definitions; each problem is one located error naming the file,
the datasource uid and the setting.

This module checks what concerns several datasources (uids and names used twice, one default, links
to datasources that exist and have the right type) and the dashboards' references to datasources;
settings_checks.py checks each datasource's own settings, regexes.py its derived-field regexes
(RE2 and JavaScript, against sample lines).
"""

from __future__ import annotations

from dashgen.datasources.settings_checks import own_problems
from dashgen.environments import DATASOURCE_UID
from dashgen.errors import InputError, Location
from dashgen.loader import DatasourceSource


def datasource_problems(sources: list[DatasourceSource]) -> list[InputError]:
    by_uid: dict[str, DatasourceSource] = {}
    errors = []
    for source in sources:
        ds = source.datasource
        where = Location(file=source.file)
        problems = list(own_problems(ds))
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
        return f"links to {uid!r}, which is not defined (known: {listed(known)})"
    if known[uid] != kind:
        return f"links to {uid!r}, a {known[uid]} datasource, where a {kind} one is needed"
    return ""


def listed(uids) -> str:
    """The uids for a message, in order, each as written unless it is not a valid uid (on one line)."""
    return ", ".join(u if DATASOURCE_UID.match(u) else repr(u) for u in sorted(uids)) or "none"


BUILTIN_UIDS = {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"}


def dashboard_reference_problems(dashboards, known: dict[str, str]) -> list[InputError]:
    """Each fixed datasource uid a dashboard uses must be defined, with the type the reference says."""
    errors = []
    for dash in dashboards:
        for panel, uid, kind in dash.references:
            if uid in BUILTIN_UIDS or uid.startswith("$") or (uid in known and known[uid] == kind):
                continue
            where = Location(file=dash.file, dashboard=dash.uid, panel=panel)
            if uid not in known:
                message = f"datasource {uid!r} is not defined under datasources/ (known: {listed(known)})"
            else:
                message = f"datasource {uid!r} is a {known[uid]} datasource, but the reference says {kind!r}"
            errors.append(InputError(where, message))
    return errors


def datasource_references(model: dict) -> tuple[tuple[str | None, str, str | None], ...]:
    """(panel title or None, uid, type) of every datasource reference in a compiled dashboard, each
    once (a panel and its queries share one reference)."""
    found = {(panel, ref.get("uid", ""), ref.get("type")): None for panel, ref in _references(model)}
    return tuple(found)


def _references(model: dict):
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
