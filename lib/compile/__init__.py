"""Compiles a loaded grafanalib definition into the dashboard JSON that Grafana 12.3 stores."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from dashgen.compile import legacy
from dashgen.compile.clean import clean_dashboard, clean_panel
from dashgen.compile.datasources import DatasourceRefError, DatasourceRefs, resolve_panel
from dashgen.compile.layout import LayoutError, all_panels, assign_ids, lay_out
from dashgen.compile.plain import to_plain
from dashgen.compile.shape import shape_problems
from dashgen.errors import InputError, InputErrors, Location
from dashgen.loader import DashboardSource, interrupted, safe_str

SCHEMA_VERSION = 42  # what Grafana 12.3 writes (migration 42 is its newest)
UID = re.compile(r"^[A-Za-z0-9_-]{1,40}\Z")  # \Z: "$" would also take a final newline
_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]


def ref_ids() -> Iterator[str]:
    """A..Z, AA..ZZ, AAA...: the names Grafana's UI gives new queries (getNextRefId), without end."""
    for length in itertools.count(1):
        for letters in itertools.product(_LETTERS, repeat=length):
            yield "".join(letters)


def compile_dashboard(source: DashboardSource) -> dict:
    """The Grafana 12.3 model of one definition; raises InputErrors with every problem found in it."""
    uid = getattr(source.dashboard, "uid", None)
    where = Location(file=source.file, dashboard=uid if isinstance(uid, str) else None)
    try:
        raw = to_plain(source.dashboard)
    except (TypeError, ValueError) as exc:
        raise InputErrors([InputError(where, f"cannot turn the definition into JSON: {_why(exc)}")]) from None
    problems = shape_problems(raw)
    if problems:
        raise InputErrors([
            InputError(Location(source.file, dashboard=where.dashboard, panel=panel), message)
            for panel, message in problems
        ])
    errors: list[InputError] = []
    dash = clean_dashboard(raw)
    _check_identity(dash, where, errors)
    refs = DatasourceRefs(dash["templating"]["list"])
    _resolve_variables(dash, refs, where, errors)
    panels = [_panel(p, refs, where, errors) for p in dash.get("panels", [])]
    try:
        panels = lay_out(panels)
        assign_ids(panels)
    except LayoutError as exc:
        errors.append(InputError(Location(source.file, dashboard=where.dashboard, panel=exc.panel), str(exc)))
    if errors:
        raise InputErrors(errors)
    dash["panels"] = panels
    dash["schemaVersion"] = SCHEMA_VERSION
    dash["id"] = None  # the one null: provisioned files never pin a database id
    return dash


def _check_identity(dash: dict, where: Location, errors: list[InputError]) -> None:
    uid, title = dash.get("uid"), dash.get("title")
    if uid is None or uid == "":
        errors.append(InputError(where, "dashboard has no uid; set Dashboard(uid=...) so links and pushes stay stable"))
    elif not isinstance(uid, str):
        errors.append(InputError(where, f"uid {uid!r} must be a string"))
    elif not UID.match(uid):
        errors.append(InputError(where, f"uid {uid!r} must be 1 to 40 characters of letters, digits, '-' and '_'"))
    if not isinstance(title, str):
        errors.append(InputError(where, f"dashboard title {title!r} must be a string"))
    elif not title.strip():
        errors.append(InputError(where, "dashboard title is empty"))


def _resolve_variables(dash: dict, refs: DatasourceRefs, where: Location, errors: list[InputError]) -> None:
    for var in dash["templating"]["list"]:
        if "datasource" in var:
            try:
                var["datasource"] = refs.resolve(var["datasource"])
            except DatasourceRefError as exc:
                errors.append(InputError(where, f"variable {var.get('name')!r}: {exc}"))
    for annotation in dash["annotations"]["list"]:
        if "datasource" in annotation and not annotation.get("builtIn"):
            try:
                annotation["datasource"] = refs.resolve(annotation["datasource"])
            except DatasourceRefError as exc:
                errors.append(InputError(where, f"annotation {annotation.get('name')!r}: {exc}"))


def _panel(panel: dict, refs: DatasourceRefs, where: Location, errors: list[InputError]) -> dict:
    panel = clean_panel(panel)
    here = Location(where.file, dashboard=where.dashboard, panel=panel.get("title", ""))
    kind = panel.get("type")
    if kind in legacy.DEPRECATED_PANEL_TYPES:
        errors.append(InputError(
            here, f"panel type {kind!r} was removed from Grafana 12; use {legacy.DEPRECATED_PANEL_TYPES[kind]}"
        ))
    if kind == "row":
        panel["panels"] = [_panel(p, refs, where, errors) for p in panel.get("panels", [])]
        return panel
    try:
        resolve_panel(panel, refs)
    except DatasourceRefError as exc:
        errors.append(InputError(Location(here.file, dashboard=here.dashboard, panel=here.panel, ref=exc.ref), str(exc)))
    _assign_ref_ids(panel, here, errors)
    return panel


def _assign_ref_ids(panel: dict, here: Location, errors: list[InputError]) -> None:
    targets = panel.get("targets", [])
    given = [t["refId"] for t in targets if t.get("refId")]
    used = set(given)
    if len(used) < len(given):
        first = next(r for i, r in enumerate(given) if r in given[:i])
        errors.append(InputError(here, f"refId {first!r} is used by more than one query"))
    free = (r for r in ref_ids() if r not in used)
    for target in targets:
        if not target.get("refId"):
            target["refId"] = next(free)


def _why(exc: BaseException) -> str:
    """What went wrong turning a definition into JSON: to_plain (like orjson) reports an exception
    raised by a to_json_data() as "Type is not JSON serializable: X", with the real one as its cause."""
    cause = exc.__cause__
    if cause is None:
        return safe_str(exc)
    if isinstance(cause, KeyboardInterrupt) and interrupted():
        raise KeyboardInterrupt  # Ctrl-C while a to_json_data() ran
    owner = str(exc).rsplit(": ", 1)[-1]
    return f"{owner}.to_json_data() raised {type(cause).__name__}: {safe_str(cause)}"


__all__ = ["SCHEMA_VERSION", "all_panels", "compile_dashboard"]
