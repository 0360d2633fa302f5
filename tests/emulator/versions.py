"""Dashboard versions: the list and one version (contract §3.5), and restore.

Read in Grafana's pkg/api/dashboard.go (`GetDashboardVersions`, `GetDashboardVersion`,
`RestoreDashboardVersion`); the README's "What the emulator does to versions and UI saves" gives
each rule with the version of the file it was read in. All three routes need dashboards:write
(pkg/api/api.go), so a Viewer meets the route middleware's 403 before any of this runs.
"""

from __future__ import annotations

import copy
import re

from .dashboards import save_body
from .replies import Call, Reply, plain
from .state import Dashboard, DashboardVersion

_INT64 = re.compile(r"[+-]?[0-9]+")  # what Go's strconv.ParseInt(s, 10, 64) accepts, range aside
_INT64_MAX = 2**63 - 1


def listed_message(version: DashboardVersion) -> str:
    """The message the list shows (§3.5): three rules in this order, the last that matches wins."""
    message = version.message
    if version.restored_from == version.version:
        message = "Initial save (created by migration)"
    if version.restored_from > 0:
        message = f"Restored from version {version.restored_from}"
    if version.parent_version == 0:
        message = "Initial save"
    return message


def _item(dash: Dashboard, version: DashboardVersion, message: str) -> dict:
    """The keys of a list item (§3.5); the single version adds `data`."""
    return {
        "id": version.id, "dashboardId": dash.id, "uid": dash.uid, "parentVersion": version.parent_version,
        "restoredFrom": version.restored_from, "version": version.version, "created": version.created,
        "createdBy": version.created_by, "message": message,
    }


def list_versions(call: Call) -> Reply:
    """GET /api/dashboards/uid/:uid/versions, newest first [DOC dashboard_versions.md: the
    {"continueToken", "versions"} wrapper; `limit` defaults to 1000 when missing or invalid].
    `limit` is read from the query string only, as Go does for GET (grafana-client sends it as a
    form body, which Grafana ignores). `start` skips that many [MEM]; continueToken resumes."""
    dash = call.state.dashboards.get(call.match["uid"])
    if dash is None:
        return plain(404, "Dashboard not found")  # getDashboardHelper
    limit = call.int_arg("limit")
    limit = limit if limit > 0 else 1000
    token = call.arg("continueToken", "") or ""
    start = int(token[1:]) if re.fullmatch(r"v\d+", token) else max(call.int_arg("start"), 0)
    newest_first = list(reversed(dash.versions))
    page = newest_first[start:start + limit]
    more = start + limit < len(newest_first)
    rewrite = call.options.rewrite_version_messages
    return Reply(200, {
        "continueToken": f"v{start + limit}" if more else "",
        "versions": [_item(dash, v, listed_message(v) if rewrite else v.message) for v in page],
    })


def get_version(call: Call) -> Reply:
    """GET /api/dashboards/uid/:uid/versions/:version: a list item plus `data`, and the message
    exactly as saved. A version that is not an integer fails ParseInt, whose plain error
    `response.Err` turns into a bare 500."""
    dash = call.state.dashboards.get(call.match["uid"])
    if dash is None:
        return plain(404, "Dashboard not found")
    text = call.match["version"]
    if not _INT64.fullmatch(text) or abs(int(text)) > _INT64_MAX:
        return plain(500, "")  # "Internal Server Error"
    number = int(text)
    found = _find(dash, number)
    if found is None:
        return plain(500, f"Dashboard version {number} not found for dashboardId {dash.id}")
    return Reply(200, {**_item(dash, found, found.message), "data": copy.deepcopy(found.model)})


def _find(dash: Dashboard, number: int) -> DashboardVersion | None:
    return next((v for v in dash.versions if v.version == number), None)


def restore(call: Call) -> Reply:
    """POST /api/dashboards/uid/:uid/restore {"version": n}: version n's data saved again through
    the dashboard save (so its reply and its errors are a save's), as a new version with
    restoredFrom = n and the message "Restored from version <n>"."""
    number = _bound_version(call.body)
    if number is None:
        return plain(400, "bad request data")  # web.Bind: not {"version": <int64>}, or version 0
    dash = call.state.dashboards.get(call.match["uid"])
    if dash is None:
        return plain(404, "Dashboard not found")
    found = _find(dash, number)
    if found is None:
        return plain(404, "Dashboard version not found")
    if _same_data(found.model, dash.model):
        return plain(400, "Current dashboard is identical to the specified version")
    data = {**copy.deepcopy(found.model), "version": dash.version, "uid": dash.uid}
    body = {"dashboard": data, "folderUid": dash.folder_uid, "message": f"Restored from version {number}"}
    return save_body(call, body, restored_from=number)


def _bound_version(body: object) -> int | None:
    """RestoreDashboardVersionCommand {Version int64 `binding:"Required"`} as web.Bind fills it:
    a JSON integer (2.0 or "2" fail to decode), and not zero (Required)."""
    if not isinstance(body, dict):
        return None  # also an empty body: it decodes to nothing, then Required fails
    value = body.get("version")
    if isinstance(value, bool) or not isinstance(value, int) or value == 0 or abs(value) > _INT64_MAX:
        return None
    return value


def _same_data(old: dict, current: dict) -> bool:
    """`compareDashboardData`: equal once version, id and uid are left out."""
    ignored = {"version", "id", "uid"}
    return ({k: v for k, v in old.items() if k not in ignored}
            == {k: v for k, v in current.items() if k not in ignored})
