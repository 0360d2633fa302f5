"""Changing the emulator's state behind the API's back: what a person in the UI or provisioning does."""

from __future__ import annotations

import copy
from collections.abc import Callable

from . import versions
from .auth import Principal
from .options import Options
from .replies import Call
from .state import Dashboard, Datasource, Folder, State
from .ui import saved_by_ui


def add_folder(state: State, uid: str, title: str, parent_uid: str = "", user: str = "admin") -> Folder:
    if parent_uid and parent_uid not in state.folders:
        raise KeyError(f"no folder {parent_uid!r}")
    now = state.now()
    folder = Folder(id=state.next_id("folder"), uid=uid, title=title, version=1, parent_uid=parent_uid,
                    created=now, updated=now, created_by=user, updated_by=user)
    state.folders[uid] = folder
    return folder


def add_dashboard(state: State, model: dict, folder_uid: str = "", user: str = "admin", message: str = "",
                  provisioned: bool = False, allow_ui_updates: bool = False, external_id: str = "",
                  plugin_id: str = "") -> Dashboard:
    """Stores `model` (it needs a uid and a title) as version 1, as if created in the UI or provisioned."""
    if folder_uid and folder_uid not in state.folders:
        raise KeyError(f"no folder {folder_uid!r}")
    model = copy.deepcopy(model)
    now = state.now()
    dash = Dashboard(id=state.next_id("dashboard"), uid=model["uid"], title=model["title"], model=model, version=1,
                     folder_uid=folder_uid, created=now, updated=now, created_by=user, updated_by=user,
                     provisioned=provisioned, allow_ui_updates=allow_ui_updates, external_id=external_id,
                     plugin_id=plugin_id)
    model.update(id=dash.id, version=1)
    state.dashboards[dash.uid] = dash
    state.record_version(dash, 0, user, message, now)
    return dash


def ui_save(state: State, uid: str, mutate: Callable[[dict], dict | None] | None = None, user: str = "alice",
            message: str = "", folder_uid: str | None = None, *, as_ui: bool = True,
            grafana_version: str = "12.3.0", keep: int | None = None) -> Dashboard:
    """Someone saved the dashboard in the UI: `mutate` edits the model as loaded (in place, or
    returns a new one), `folder_uid` moves it, the version goes up by one and the history gets an
    entry by `user`. The model stored is what 12.3's UI writes (ui.saved_by_ui, contract §3.6);
    as_ui=False stores the mutated model as it is, for a test that needs exact JSON."""
    dash = state.dashboards[uid]
    if folder_uid is not None:
        dash.folder_uid = folder_uid
    model = copy.deepcopy(dash.model)
    if mutate is not None:
        model = mutate(model) or model
    parent = dash.version
    dash.version += 1
    model.update(id=dash.id, uid=dash.uid, version=dash.version)  # the database's id and version, the uid kept
    if as_ui:
        model = saved_by_ui(model, grafana_version)
    dash.model, dash.title = model, model.get("title", dash.title)
    dash.updated, dash.updated_by = state.now(), user
    state.record_version(dash, parent, user, message, dash.updated, keep=keep)
    return dash


def ui_restore(state: State, options: Options, uid: str, version: int, user: str = "alice") -> Dashboard:
    """Someone pressed Restore on `version` in the dashboard's Versions view: the UI posts
    {"version": n} to /api/dashboards/uid/:uid/restore (HistorySrv.ts `restoreDashboard`), so this
    runs that endpoint's handler as `user`. Raises ValueError with Grafana's answer when it refuses."""
    call = Call("POST", f"/api/dashboards/uid/{uid}/restore", {}, {"version": version},
                Principal(user, "Admin"), state, options, {"uid": uid})
    reply = versions.restore(call)
    if reply.status != 200:
        raise ValueError(f"restore refused: {reply.status} {reply.body}")
    return state.dashboards[uid]


def add_datasource(state: State, fields: dict, read_only: bool = False) -> Datasource:
    """Stores a datasource from API-style fields (name, type, access, uid, url, jsonData,
    secureJsonData...); read_only is what provisioning with editable: false gives."""
    fields = copy.deepcopy(fields)
    ds = Datasource(
        id=state.next_id("datasource"), uid=fields.get("uid") or state.new_uid("datasource"), name=fields["name"],
        type=fields["type"], access=fields.get("access", "proxy"), url=fields.get("url", ""),
        user=fields.get("user", ""), database=fields.get("database", ""), basic_auth=fields.get("basicAuth", False),
        basic_auth_user=fields.get("basicAuthUser", ""), with_credentials=fields.get("withCredentials", False),
        is_default=fields.get("isDefault", False), json_data=fields.get("jsonData", {}),
        secure=fields.get("secureJsonData", {}), version=fields.get("version", 1), read_only=read_only,
    )
    state.datasources[ds.uid] = ds
    return ds


def ui_edit_datasource(state: State, uid: str, mutate: Callable[[Datasource], None]) -> Datasource:
    """Someone saved the datasource's settings page: `mutate` changes the record (jsonData, url...);
    the version goes up by one. The page sends jsonData back whole, keys it does not show included."""
    ds = state.datasources[uid]
    mutate(ds)
    ds.version += 1
    return ds


def ui_rename_folder(state: State, uid: str, title: str, user: str = "alice") -> Folder:
    folder = state.folders[uid]
    folder.title, folder.version = title, folder.version + 1
    folder.updated, folder.updated_by = state.now(), user
    return folder
