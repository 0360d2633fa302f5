"""Datasource endpoints (contract §5). Secrets go in, never come out: only secureJsonFields {key: true}."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .replies import Call, Reply, plain
from .state import Datasource

NOT_FOUND = "Data source not found"
ADD_FAILED = "Failed to add datasource"
UPDATE_FAILED = "Failed to update datasource"
DELETE_FAILED = "Failed to delete datasource"  # [MEM]
TEAM_HEADERS = "Cannot create datasource with team HTTP headers"  # [MEM] the contract gives no text

_STRINGS = ("uid", "url", "user", "database", "basicAuthUser", "apiVersion")
_BOOLS = ("basicAuth", "withCredentials", "isDefault")


def list_all(call: Call) -> Reply:
    ordered = sorted(call.state.datasources.values(), key=lambda d: d.name.lower())  # [MEM] by name
    return Reply(200, [d.list_item() for d in ordered])


def get(call: Call) -> Reply:
    ds = call.state.datasources.get(call.match["uid"])
    return Reply(200, ds.dto()) if ds else plain(404, NOT_FOUND)


def get_by_name(call: Call) -> Reply:
    ds = next((d for d in call.state.datasources.values() if d.name == call.match["name"]), None)
    return Reply(200, ds.dto()) if ds else plain(404, NOT_FOUND)


def _invalid(body: object) -> Reply | None:
    """The 400s every write checks first: binding, then the URL, then jsonData."""
    required = ("name", "type", "access")
    if not isinstance(body, dict) or not all(isinstance(body.get(k), str) and body[k] for k in required):
        return plain(400, "bad request data")
    if not all(body.get(k) is None or isinstance(body[k], str) for k in _STRINGS) \
            or not all(body.get(k) is None or isinstance(body[k], bool) for k in _BOOLS) \
            or not (body.get("jsonData") is None or isinstance(body["jsonData"], dict)) \
            or not (body.get("version") is None or isinstance(body["version"], int)) \
            or not _secure_map(body.get("secureJsonData")):
        return plain(400, "bad request data")
    if not _valid_url(body.get("url") or ""):
        return plain(400, "Validation error, invalid URL")
    if "teamHttpHeaders" in (body.get("jsonData") or {}):
        return plain(403, TEAM_HEADERS)
    return None


def _secure_map(value: object) -> bool:
    return value is None or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values()))


def _valid_url(url: str) -> bool:
    """[MEM] what Go's url.Parse refuses, after Grafana adds a missing scheme."""
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        return False
    try:
        parts = urlsplit(url if "://" in url or not url else "http://" + url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return True


def _apply(ds: Datasource, body: dict) -> None:
    """PUT is a full replacement [MEM]: omitted fields reset, jsonData replaced, secrets merged."""
    ds.name, ds.type, ds.access = body["name"], body["type"], body["access"]
    ds.url, ds.user, ds.database = body.get("url") or "", body.get("user") or "", body.get("database") or ""
    ds.basic_auth_user, ds.api_version = body.get("basicAuthUser") or "", body.get("apiVersion") or ""
    ds.basic_auth, ds.with_credentials = bool(body.get("basicAuth")), bool(body.get("withCredentials"))
    ds.is_default = bool(body.get("isDefault"))
    ds.json_data = dict(body.get("jsonData") or {})
    ds.secure.update(body.get("secureJsonData") or {})


def _one_default(call: Call, ds: Datasource) -> None:
    if ds.is_default:
        for other in call.state.datasources.values():
            other.is_default = other is ds


def create(call: Call) -> Reply:
    """POST /api/datasources: 409 when the name, then the uid, is taken [MEM order]."""
    body = call.body
    invalid = _invalid(body)
    if invalid:
        return invalid
    existing = call.state.datasources.values()
    if any(d.name == body["name"] for d in existing):
        return plain(409, "data source with the same name already exists")
    if body.get("uid") and body["uid"] in call.state.datasources:
        return plain(409, "data source with the same uid already exists")
    state = call.state
    ds = Datasource(id=state.next_id("datasource"), uid=body.get("uid") or state.new_uid("datasource"),
                    name=body["name"], type=body["type"], access=body["access"], version=1)  # [MEM] starts at 1
    _apply(ds, body)
    state.datasources[ds.uid] = ds
    _one_default(call, ds)
    return Reply(200, {"message": "Datasource added", "id": ds.id, "name": ds.name, "datasource": ds.dto()})


def update(call: Call) -> Reply:
    """PUT /api/datasources/uid/:uid: 400s, 404, 403 read-only, 409 name, 409 stale version; version + 1."""
    body = call.body
    invalid = _invalid(body)
    if invalid:
        return invalid
    ds = call.state.datasources.get(call.match["uid"])
    if ds is None:
        return plain(404, NOT_FOUND)
    if ds.read_only:
        return plain(403, "Cannot update read-only data source")
    if any(d.name == body["name"] and d is not ds for d in call.state.datasources.values()):
        return plain(409, "Failed to update datasource: data source with the same name already exists")
    if body.get("version") is not None and body["version"] < ds.version:
        return plain(409, "Datasource has already been updated by someone else. Please reload and try again")
    _apply(ds, body)
    ds.version += 1
    _one_default(call, ds)
    return Reply(200, {"message": "Datasource updated", "id": ds.id, "name": ds.name, "datasource": ds.dto()})


def delete(call: Call) -> Reply:
    ds = call.state.datasources.get(call.match["uid"])
    if ds is None:
        return plain(404, NOT_FOUND)
    if ds.read_only:
        return plain(403, "Cannot delete read-only data source")
    del call.state.datasources[ds.uid]
    return Reply(200, {"message": "Data source deleted", "id": ds.id})  # [MEM] keys
