"""What dashgen relies on in Grafana's answers, as JSON Schemas checked where the answers enter (the
adapter), so that the plan and the diffs never meet a shape they cannot handle: a proxy's page,
another service, a hand-made dashboard whose panels are not a list, a Grafana far from 12.3.

Only what dashgen reads is required; everything else may be anything, as Grafana allows.
"""

from __future__ import annotations

import functools

_OBJECT = {"type": "object"}
_OBJECTS = {"type": "array", "items": _OBJECT}
_TEXT = {"type": "string"}
_NUMBER = {"type": "integer"}

# A dashboard model as the plan, `dashgen.shown` and the panel diff read it.
_TARGETS = {"type": "array", "items": {"type": "object", "properties": {"refId": _TEXT}}}
_FIELD_CONFIG = {"type": "object", "properties": {
    "defaults": {"type": "object", "properties": {"custom": _OBJECT, "thresholds": _OBJECT}},
    "overrides": {"type": "array", "items": {"type": "object", "properties": {"properties": _OBJECTS}}},
}}
_ROW = {"type": "object", "properties": {"id": _NUMBER, "targets": _TARGETS, "title": _TEXT, "type": _TEXT,
                                         "fieldConfig": _FIELD_CONFIG, "options": _OBJECT}}
_PANEL = {"type": "object", "properties": {"panels": {"type": "array", "items": _ROW}, **_ROW["properties"]}}
_MODEL = {"type": "object", "properties": {
    "panels": {"type": "array", "items": _PANEL},
    "templating": {"type": "object", "properties": {
        "list": {"type": "array", "items": {"type": "object", "properties": {"name": _TEXT}}}}},
    "timepicker": _OBJECT,
    "tags": {"type": "array"},
    "title": _TEXT,
}}
_VERSION = {"type": "object", "required": ["version"], "properties": {
    "version": _NUMBER, "parentVersion": _NUMBER, "restoredFrom": _NUMBER, "message": _TEXT, "createdBy": _TEXT,
    "created": _TEXT,
}}

SCHEMAS: dict[str, dict] = {
    "search hits": {"type": "array", "items": {"type": "object", "required": ["uid"], "properties": {
        "uid": _TEXT, "title": _TEXT, "url": _TEXT, "folderUid": _TEXT}}},
    "a dashboard": {"type": "object", "required": ["dashboard"], "properties": {
        "dashboard": _MODEL, "meta": {"type": "object", "properties": {
            "version": _NUMBER, "folderUid": _TEXT, "folderTitle": _TEXT, "url": _TEXT}}}},
    "versions": {"type": "array", "items": _VERSION},
    "a version": {**_VERSION, "required": ["version", "data"], "properties": {**_VERSION["properties"], "data": _MODEL}},
    "a saved dashboard": {"type": "object", "required": ["version"], "properties": {"version": _NUMBER, "url": _TEXT}},
    "a folder": {"type": "object", "properties": {"title": _TEXT, "version": _NUMBER}},
    "a datasource": {"type": "object", "properties": {
        "jsonData": _OBJECT, "secureJsonFields": _OBJECT, "version": _NUMBER, "readOnly": {"type": "boolean"}}},
}


def problem(what: str, answer) -> str | None:
    """Why `answer` is not `what` (a key of SCHEMAS) as dashgen reads it, or None when it is."""
    error = next(_validator(what).iter_errors(answer), None)
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.instance_path).lstrip(".")
    return f"{what} as dashgen reads {'them' if what.endswith('s') else 'it'}: {f'at {where}: ' if where else ''}" \
        f"{' '.join(error.message.split())[:200]}"


@functools.cache
def _validator(what: str):
    import jsonschema_rs

    return jsonschema_rs.validator_for(SCHEMAS[what])
