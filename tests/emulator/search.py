"""GET /api/search (contract §3.4). Results are immediate: the emulator has no search-index lag."""

from __future__ import annotations

from .replies import Call, Reply, plain
from .state import Dashboard, Folder, slugify

MAX_LIMIT = 5000
ROOT_NAMES = {"", "general"}  # [MEM] folderUIDs=general selects the root


def search(call: Call) -> Reply:
    limit = call.int_arg("limit")
    if limit > MAX_LIMIT:
        return plain(422, f"Limit is above maximum allowed ({MAX_LIMIT}), "
                          "use page parameter to access hits beyond limit")
    limit = limit if limit > 0 else 1000
    dashboard_uids = call.args("dashboardUIDs", "dashboardUID")
    folder_uids = call.params.get("folderUIDs", [])
    if (call.args("dashboardIds") and dashboard_uids) or (call.args("folderIds") and folder_uids):
        return plain(400, "search supports UIDs or IDs, not both")

    state = call.state
    kind = call.arg("type")
    query = (call.arg("query") or "").lower()
    tags = call.args("tag")
    dashboard_ids = {int(i) for i in call.args("dashboardIds") if i.isdigit()}
    folder_ids = {int(i) for i in call.args("folderIds") if i.isdigit()}
    parents = set(folder_uids) | {f.uid for f in state.folders.values() if f.id in folder_ids}
    if 0 in folder_ids:
        parents.add("")

    def in_parents(uid: str) -> bool:
        return not (folder_uids or folder_ids) or uid in parents or (uid == "" and bool(parents & ROOT_NAMES))

    hits: list[dict] = []
    if kind in (None, "", "dash-folder") and not tags and not dashboard_uids and not dashboard_ids:
        hits += [_folder_hit(call, f) for f in state.folders.values()
                 if query in f.title.lower() and in_parents(f.parent_uid)]
    if kind in (None, "", "dash-db"):
        hits += [_dashboard_hit(call, d) for d in state.dashboards.values()
                 if query in d.title.lower() and all(t in d.tags for t in tags)
                 and (not dashboard_uids or d.uid in dashboard_uids)
                 and (not dashboard_ids or d.id in dashboard_ids)
                 and in_parents(d.folder_uid)]
    if call.arg("starred") == "true":
        hits = []  # nobody has starred anything
    if call.arg("permission") == "Edit" and not call.may("dashboards:write"):
        hits = [h for h in hits if h["type"] == "dash-folder" and call.may("folders:write")]
    # [MEM] default order: folders first, then titles A-Z; sort=alpha-desc reverses the titles.
    hits.sort(key=lambda h: h["title"].lower(), reverse=call.arg("sort") == "alpha-desc")
    hits.sort(key=lambda h: h["type"] != "dash-folder")
    page = max(call.int_arg("page"), 1)
    return Reply(200, hits[(page - 1) * limit: page * limit])


def _folder_keys(call: Call, parent_uid: str) -> dict:
    """The folder* keys of a hit, left out at the root [DOC]."""
    parent = call.state.folders.get(parent_uid)
    if parent is None:
        return {}
    return {"folderId": parent.id, "folderUid": parent.uid, "folderTitle": parent.title, "folderUrl": parent.url}


def _dashboard_hit(call: Call, dash: Dashboard) -> dict:
    hit = {
        "id": dash.id, "uid": dash.uid, "orgId": 1, "title": dash.title, "uri": f"db/{dash.slug}",
        "url": f"/d/{dash.uid}/{dash.slug}", "slug": "",  # [MEM] legacy search leaves Hit.Slug empty
        "type": "dash-db", "tags": sorted(dash.tags),
        "isStarred": False,
    }
    hit.update(_folder_keys(call, dash.folder_uid))
    hit.update(sortMeta=0, isDeleted=False)  # [MEM] sortMetaName and permanentlyDeleteDate are omitempty
    return hit


def _folder_hit(call: Call, folder: Folder) -> dict:
    hit = {
        "id": folder.id, "uid": folder.uid, "orgId": 1, "title": folder.title, "uri": f"db/{slugify(folder.title)}",
        "url": folder.url, "slug": "", "type": "dash-folder", "tags": [], "isStarred": False,
    }
    hit.update(_folder_keys(call, folder.parent_uid))
    hit.update(sortMeta=0, isDeleted=False)
    return hit
