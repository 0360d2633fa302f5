"""Validates compiled dashboards against the strict JSON Schema of Grafana 12.3's dashboard model.

The schema ships in the package (schema/, generated from Grafana's published types). Each
validator is built once per process. jsonschema-rs answers "valid?" about 200 times faster than
jsonschema, which would otherwise be most of a build; only an invalid dashboard pays for
jsonschema, whose errors say which branch of a union failed and why.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from dashgen.errors import InputError, Location

SCHEMA_FILE = "grafana-dashboard-12.3.0.schema.json"


def _schema_file():
    return resources.files("dashgen").joinpath("schema", SCHEMA_FILE)


@functools.cache
def dashboard_schema() -> dict:
    return json.loads(_schema_file().read_text("utf-8"))


@functools.cache
def _fast_validator():
    import jsonschema_rs

    return jsonschema_rs.validator_for(dashboard_schema())


@functools.cache
def _explaining_validator():
    from jsonschema import validators

    cls = validators.validator_for(dashboard_schema())
    cls.check_schema(dashboard_schema())
    return cls(dashboard_schema())


def is_valid(dash: dict) -> bool:
    return _fast_validator().is_valid(dash)


def schema_errors(dash: dict, file: str) -> list[InputError]:
    """One located error per schema violation, in document order; empty when the dashboard is valid."""
    if is_valid(dash):
        return []
    leaves = [leaf for error in _explaining_validator().iter_errors(dash) for leaf in _leaves(error)]
    errors = []
    for error in sorted(leaves, key=lambda e: [(isinstance(p, str), p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        where = Location(file=file, dashboard=dash.get("uid"), panel=_panel_title(dash, path))
        pointer = "/" + "/".join(str(p) for p in path)
        errors.append(InputError(where, f"schema: at {pointer}: {' '.join(error.message.split())[:300]}"))
    return errors


def _leaves(error) -> list:
    """The specific reasons behind a failed union (a panel is a Panel or a RowPanel): skip the
    branches whose `type` does not match, then take every error of the closest remaining branch."""
    if not error.context:
        return [error]
    branches: dict = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    viable = [
        subs for subs in branches.values()
        if not any(s.validator in ("const", "enum") and list(s.relative_path) == ["type"] for s in subs)
    ] or list(branches.values())
    best = min(viable, key=len)  # the branch the instance almost matches
    return [leaf for sub in best for leaf in _leaves(sub)]


def _panel_title(dash: dict, path: list) -> str | None:
    if len(path) < 2 or path[0] != "panels" or not isinstance(path[1], int):
        return None
    panel = dash["panels"][path[1]]
    if len(path) >= 4 and path[2] == "panels" and isinstance(path[3], int):
        panel = panel["panels"][path[3]]
    return panel.get("title", "")
