"""Folder endpoints (contract §4). Nested folders are on, as in 12.x."""

from __future__ import annotations

from .replies import Call, Reply, coded, errutil, plain
from .state import UID_MAX, UID_PATTERN, Folder

NOT_FOUND = (404, "not-found", "folder not found")
EXISTS = "a folder with the same name already exists in the current location"  # [ISS] also for an existing uid
CREATE_FAILED = "Failed to create folder"  # [MEM] 500 texts
UPDATE_FAILED = "Failed to update folder"
DELETE_FAILED = "Failed to delete folder"


def dto(call: Call, folder: Folder) -> dict:
    """The folder DTO: parentUid and parents are left out at the root."""
    can_write, can_delete = call.may("folders:write"), call.may("folders:delete")
    body = {
        "id": folder.id, "uid": folder.uid, "title": folder.title, "url": folder.url,
        "hasAcl": False, "canSave": can_write, "canEdit": can_write, "canAdmin": call.principal.role == "Admin",
        "canDelete": can_delete, "createdBy": folder.created_by, "created": folder.created,
        "updatedBy": folder.updated_by, "updated": folder.updated, "version": folder.version,
    }
    if folder.description:
        body["description"] = folder.description  # [MEM] omitempty
    if folder.parent_uid:
        body["parentUid"] = folder.parent_uid
        body["parents"] = [_parent(call, p) for p in call.state.folder_chain(folder.parent_uid)]
    return body


def _parent(call: Call, folder: Folder) -> dict:
    parent = dto(call, folder)
    parent.pop("parents", None)
    return parent


def list_children(call: Call) -> Reply:
    """GET /api/folders: the immediate children of parentUid (the root when omitted), by title."""
    parent = call.arg("parentUid", "") or ""
    limit = call.int_arg("limit")
    limit = limit if limit > 0 else 1000
    page = max(call.int_arg("page"), 1)
    children = sorted((f for f in call.state.folders.values() if f.parent_uid == parent),
                      key=lambda f: f.title.lower())
    items = []
    for f in children[(page - 1) * limit: page * limit]:
        item = {"id": f.id, "uid": f.uid, "title": f.title}
        if f.parent_uid:
            item["parentUid"] = f.parent_uid
        items.append(item)
    return Reply(200, items)


def get(call: Call) -> Reply:
    folder = call.state.folders.get(call.match["uid"])
    return Reply(200, dto(call, folder)) if folder else coded(*NOT_FOUND)


def create(call: Call) -> Reply:
    """POST /api/folders. Check order [MEM]: body, title, uid, existing uid, parent, depth, title clash."""
    body = call.body
    fields = ("uid", "title", "parentUid", "description")
    if not isinstance(body, dict) or not all(isinstance(body.get(k) or "", str) for k in fields):
        return plain(400, "bad request data")
    title = (body.get("title") or "").strip()
    uid = (body.get("uid") or "").strip()
    parent = body.get("parentUid") or ""
    if not title:
        return plain(400, "folder title cannot be empty")  # [MEM] text
    if not UID_PATTERN.match(uid):
        return plain(400, "uid contains illegal characters")
    if len(uid) > UID_MAX:
        return plain(400, "uid too long, max 40 characters")
    if uid and (uid in call.state.folders or uid in call.state.dashboards):  # [MEM] one uid space, as in SQL
        return plain(409, EXISTS)
    if parent and parent not in call.state.folders:
        return coded(*NOT_FOUND)  # [MEM]
    if len(call.state.folder_chain(parent)) + 1 > call.options.max_folder_depth:
        return errutil(400, "Maximum nested folder depth reached", "folder.maximum-depth-reached")  # [MEM]
    if _title_taken(call, title, parent, None):
        return plain(409, EXISTS)
    state, now, login = call.state, call.state.now(), call.principal.login
    folder = Folder(
        id=state.next_id("folder"), uid=uid or state.new_uid("folder"), title=title, version=1,  # [MEM] starts at 1
        parent_uid=parent, created=now, updated=now, created_by=login, updated_by=login,
        description=body.get("description") or "",
    )
    state.folders[folder.uid] = folder
    return Reply(200, dto(call, folder))


def _title_taken(call: Call, title: str, parent: str, own_uid: str | None) -> bool:
    return call.options.unique_folder_titles and any(
        f.title == title and f.parent_uid == parent and f.uid != own_uid for f in call.state.folders.values())


def update(call: Call) -> Reply:
    """PUT /api/folders/:uid: version check unless overwrite; the 412 text is lowercase."""
    folder = call.state.folders.get(call.match["uid"])
    if folder is None:
        return coded(*NOT_FOUND)
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("title") or "", str):
        return plain(400, "bad request data")
    version = body.get("version") or 0
    if body.get("overwrite") is not True and version != folder.version:
        return coded(412, "version-mismatch", "the folder has been changed by someone else")
    title = (body.get("title") or "").strip() or folder.title
    if _title_taken(call, title, folder.parent_uid, folder.uid):
        return plain(409, EXISTS)
    folder.title = title
    if isinstance(body.get("description"), str):
        folder.description = body["description"]
    folder.version += 1
    folder.updated, folder.updated_by = call.state.now(), call.principal.login
    return Reply(200, dto(call, folder))


def delete(call: Call) -> Reply:
    """DELETE /api/folders/:uid: also deletes the dashboards and subfolders below it."""
    uid = call.match["uid"]
    if uid not in call.state.folders:
        return coded(*NOT_FOUND)
    doomed = {f.uid for f in call.state.folders.values() if uid in {c.uid for c in call.state.folder_chain(f.uid)}}
    for dash_uid in [d.uid for d in call.state.dashboards.values() if d.folder_uid in doomed]:
        del call.state.dashboards[dash_uid]
    for folder_uid in doomed:
        del call.state.folders[folder_uid]
    return Reply(200, {"message": "Folder deleted"})
