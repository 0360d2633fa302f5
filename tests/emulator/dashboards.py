"""Dashboard endpoints: save (contract §3.1), get (§3.2), delete (§3.3). Versions are in versions.py."""

from __future__ import annotations

import copy
import re

from .replies import Call, Reply, coded, plain
from .state import UID_MAX, UID_PATTERN, Dashboard

# Row 3 of §3.1: the text varies by version [INF]; this one is the emulator's own.
V2_PAYLOAD = "Dashboard payload is a v2 or Kubernetes resource; use the /apis dashboard endpoints"
SAVE_FAILED = "Failed to save dashboard"
DELETE_FAILED = "Failed to delete dashboard"  # [MEM]
CONFLICT_409 = "Dashboard already exists. Use overwrite flag to update."


def save(call: Call) -> Reply:
    """POST /api/dashboards/db, checking §3.1's error table in its order."""
    return save_body(call, call.body)


def save_body(call: Call, body: object, restored_from: int = 0) -> Reply:
    """The save behind POST /api/dashboards/db and a restore (Grafana's `postDashboard`, which
    RestoreDashboardVersion also calls): `restored_from` > 0 marks the new version as a restore."""
    if not _binds(body):
        return plain(400, "bad request data")  # row 1
    model = body.get("dashboard") or {}
    if model.get("isFolder") is True:
        return plain(400, "Use folders endpoint for saving folders.")  # row 2
    if ("apiVersion" in model and "spec" in model) or ("elements" in model and "layout" in model):
        return plain(400, V2_PAYLOAD)  # row 3

    state = call.state
    uid = model["uid"].strip() if isinstance(model.get("uid"), str) else ""
    dash_id = _int(model.get("id"))
    by_uid = state.dashboards.get(uid) if uid else None
    by_id = state.dashboard_by_id(dash_id) if dash_id else None
    is_new = not dash_id and by_uid is None
    quota = call.options.dashboard_quota
    if is_new and quota is not None and len(state.dashboards) >= quota:
        return plain(403, "Quota reached")  # row 4

    title = model["title"].strip() if isinstance(model.get("title"), str) else ""
    if not title:
        return coded(400, "empty-name", "Dashboard title cannot be empty")  # row 5
    if len(title) > 5000:
        return coded(400, "title-too-long", "Dashboard title cannot contain more than 5 000 characters")  # row 6
    message = body.get("message") or ""
    if len(message.encode()) > 500:  # Go's len() counts bytes
        return plain(400, "message too long, max 500 characters")  # row 7
    if not UID_PATTERN.match(uid):
        return plain(400, "uid contains illegal characters")  # row 8
    if len(uid) > UID_MAX:
        return plain(400, "uid too long, max 40 characters")  # row 9

    folder_uid = body.get("folderUid") or ""
    if folder_uid and folder_uid not in state.folders:
        return plain(400, "folder not found")  # row 10
    if not folder_uid and _int(body.get("folderId")):
        folder = state.folder_by_id(_int(body.get("folderId")))
        if folder is None:
            return plain(400, "folder not found")
        folder_uid = folder.uid

    if dash_id and by_id is None:
        return coded(404, "not-found", "Dashboard not found")  # row 11
    if dash_id and by_uid is not None and by_uid.id != dash_id:
        return plain(400, "A dashboard with the same uid already exists")  # row 12
    if uid in state.folders:
        return plain(400, "Dashboard cannot be changed to a folder")  # row 13

    target = by_id or by_uid
    overwrite = body.get("overwrite") is True
    if target is not None and not overwrite and _int(model.get("version")) != target.version:  # row 14
        if call.options.conflict_status == 409:
            return plain(409, CONFLICT_409)
        return coded(412, "version-mismatch", "The dashboard has been changed by someone else")
    if target is not None and target.plugin_id and not overwrite:
        return coded(412, "plugin-dashboard", f"The dashboard belongs to plugin {target.plugin_id}.")  # row 15
    if not call.may("dashboards:write" if target else "dashboards:create"):
        return plain(403, "Access denied to save dashboard")  # row 16
    if target is not None and target.provisioned and not target.allow_ui_updates:
        return plain(400, "Cannot save provisioned dashboard")  # row 17

    saved = _store(call, target, model, (uid, title, folder_uid, message), restored_from)
    return Reply(200, {
        "status": "success", "slug": saved.slug, "version": saved.version, "id": saved.id,
        "uid": saved.uid, "url": f"/d/{saved.uid}/{saved.slug}", "folderUid": saved.folder_uid,
    })


def _binds(body: object) -> bool:
    """Whether the body unmarshals into Grafana's SaveDashboardCommand."""
    if not isinstance(body, dict):
        return False
    types = {"dashboard": dict, "overwrite": bool, "message": str, "folderUid": str, "folderId": (int, float)}
    return all(body.get(key) is None or isinstance(body[key], kind) for key, kind in types.items())


def _int(value: object) -> int:
    """simplejson's Int64(): numbers (also 3.0) count, anything else is 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value)


def _store(call: Call, target: Dashboard | None, model: dict, fields: tuple[str, str, str, str],
           restored_from: int) -> Dashboard:
    uid, title, folder_uid, message = fields
    state, login, now = call.state, call.principal.login, call.state.now()
    model = copy.deepcopy(model)
    model["title"] = title
    _raise_refresh(model, call.options.min_refresh_interval)
    if target is None:
        saved = Dashboard(
            id=state.next_id("dashboard"), uid=uid or state.new_uid("dashboard"), title=title, model=model,
            version=1, folder_uid=folder_uid, created=now, updated=now, created_by=login, updated_by=login,
        )
        parent = 0
    else:
        saved, parent = target, target.version
        state.dashboards.pop(target.uid)
        saved.uid = uid or target.uid
        saved.title, saved.model, saved.version, saved.folder_uid = title, model, target.version + 1, folder_uid
        saved.updated, saved.updated_by = now, login
    model.update(id=saved.id, uid=saved.uid, version=saved.version)
    state.dashboards[saved.uid] = saved
    state.record_version(saved, parent, login, message, now, restored_from, call.options.versions_to_keep)
    return saved


_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}


def _seconds(text: object) -> float | None:
    found = re.fullmatch(r"(\d+)(ms|s|m|h|d|w|M|y)", text) if isinstance(text, str) else None
    return int(found[1]) * _UNITS[found[2]] if found else None


def _raise_refresh(model: dict, minimum: str) -> None:
    """§3.1 point 9: a refresh below min_refresh_interval is raised to it, silently."""
    refresh, floor = _seconds(model.get("refresh")), _seconds(minimum)
    if refresh is not None and floor is not None and refresh < floor:
        model["refresh"] = minimum


def get(call: Call) -> Reply:
    """GET /api/dashboards/uid/:uid (§3.2)."""
    dash = call.state.dashboards.get(call.match["uid"])
    if dash is None:
        return plain(404, "Dashboard not found")
    if set(dash.model) <= {"id", "uid"}:
        return plain(500, "Error while loading dashboard, dashboard data is invalid")
    # A shallow copy is enough: the reply is encoded at once and only top-level keys change.
    model = {**dash.model, "id": dash.id, "uid": dash.uid, "version": dash.version}
    return Reply(200, {"dashboard": model, "meta": _meta(call, dash)})


def _meta(call: Call, dash: Dashboard) -> dict:
    can_write, can_delete = call.may("dashboards:write"), call.may("dashboards:delete")
    is_admin = call.principal.role == "Admin"
    folder = call.state.folders.get(dash.folder_uid)
    meta = {
        "type": "db", "canSave": can_write, "canEdit": can_write, "canAdmin": is_admin, "canStar": True,
        "canDelete": can_delete, "slug": dash.slug, "url": f"/d/{dash.uid}/{dash.slug}",
        "expires": "0001-01-01T00:00:00Z", "created": dash.created, "updated": dash.updated,
        "updatedBy": dash.updated_by, "createdBy": dash.created_by, "version": dash.version,
        "hasAcl": False, "isFolder": False,
        "folderId": folder.id if folder else 0,
        "folderUid": folder.uid if folder else "",
        "folderTitle": folder.title if folder else "General",
        "folderUrl": folder.url if folder else "",
        "provisioned": dash.provisioned and not dash.allow_ui_updates,
        "provisionedExternalId": dash.external_id,
        "annotationsPermissions": {  # [MEM] editors annotate dashboards, admins also the org
            "dashboard": {"canAdd": can_write, "canEdit": can_write, "canDelete": can_write},
            "organization": {"canAdd": is_admin, "canEdit": is_admin, "canDelete": is_admin},
        },
    }
    return meta  # publicDashboardEnabled and isStarred are omitted when false


def delete(call: Call) -> Reply:
    """DELETE /api/dashboards/uid/:uid (§3.3). Check order beyond the table is [MEM]: 404, 403, folder, provisioned."""
    uid = call.match["uid"]
    dash = call.state.dashboards.get(uid)
    if dash is None and uid not in call.state.folders:
        return plain(404, "Dashboard not found")
    if not call.may("dashboards:delete"):
        return plain(403, "Access denied to this dashboard")
    if dash is None:
        return plain(400, "Use folders endpoint for deleting folders.")
    if dash.provisioned:
        return plain(400, "provisioned dashboard cannot be deleted")
    del call.state.dashboards[uid]
    verb = "moved to Recently deleted" if call.options.dashboard_restore else "deleted"
    return Reply(200, {"title": dash.title, "message": f"Dashboard {dash.title} {verb}", "uid": uid})

