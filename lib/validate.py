"""Validates compiled dashboards against the strict JSON Schema of Grafana 12.3's dashboard model.

The schema ships in the package (schema/, generated from Grafana's published types); the validator
is built once per process because building it costs far more than one validation.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from dashgen.errors import InputError, Location

SCHEMA_FILE = "grafana-dashboard-12.3.0.schema.json"


@functools.cache
def _validator():
    from jsonschema import validators

    schema = json.loads(resources.files("dashgen").joinpath("schema", SCHEMA_FILE).read_text("utf-8"))
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_errors(dash: dict, file: str) -> list[InputError]:
    """One located error per schema violation, in document order; empty when the dashboard is valid."""
    validator = _validator()
    if validator.is_valid(dash):
        return []
    errors = []
    for error in sorted(validator.iter_errors(dash), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        where = Location(file=file, dashboard=dash.get("uid"), panel=_panel_title(dash, path))
        pointer = "/" + "/".join(str(p) for p in path)
        errors.append(InputError(where, f"schema: at {pointer}: {_message(error)}"))
    return errors


def _panel_title(dash: dict, path: list) -> str | None:
    if len(path) < 2 or path[0] != "panels" or not isinstance(path[1], int):
        return None
    panel = dash["panels"][path[1]]
    if len(path) >= 4 and path[2] == "panels" and isinstance(path[3], int):
        panel = panel["panels"][path[3]]
    return panel.get("title", "")


def _message(error) -> str:
    """The most specific reason: for a failed union, the branch that got furthest."""
    from jsonschema.exceptions import best_match

    if error.context:
        error = best_match(error.context)
    return " ".join(error.message.split())[:300]
