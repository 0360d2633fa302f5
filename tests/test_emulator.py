"""The Grafana emulator, driven through grafana-client exactly as dashgen's push and diff code drives it."""

from __future__ import annotations

import base64
import threading
import time

import niquests
import pytest
from emulator import ADMIN_TOKEN, EDITOR_TOKEN, VIEWER_TOKEN, DashboardVersion, GrafanaEmulator
from emulator.ui import saved_by_ui
from emulator.versions import listed_message
from grafana_client import GrafanaApi
from grafana_client.client import (
    GrafanaBadInputError,
    GrafanaClientError,
    GrafanaException,
    GrafanaServerError,
    GrafanaTimeoutError,
    GrafanaUnauthorizedError,
)

UNAUTHORIZED = {
    "extra": None, "message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": "",
}
META_KEYS = {
    "type", "canSave", "canEdit", "canAdmin", "canStar", "canDelete", "slug", "url", "expires", "created", "updated",
    "createdBy", "updatedBy", "version", "hasAcl", "isFolder", "folderId", "folderUid", "folderTitle", "folderUrl",
    "provisioned", "provisionedExternalId", "annotationsPermissions",
}
VERSION_KEYS = {
    "id", "dashboardId", "uid", "parentVersion", "restoredFrom", "version", "created", "createdBy", "message",
}


@pytest.fixture
def connect():
    """connect(grafana, credential, timeout) -> GrafanaApi; sessions are closed afterwards."""
    opened: list[GrafanaApi] = []

    def make(grafana: GrafanaEmulator, credential=ADMIN_TOKEN, timeout: float = 2.0) -> GrafanaApi:
        api = GrafanaApi.from_url(grafana.url, credential=credential, timeout=timeout)
        opened.append(api)
        return api

    yield make
    for api in opened:
        api.client.s.close()


@pytest.fixture
def grafana():
    with GrafanaEmulator() as emulator:
        yield emulator
        assert emulator.errors == []


@pytest.fixture
def api(grafana, connect) -> GrafanaApi:
    return connect(grafana)


def save(api: GrafanaApi, uid: str = "svc", title: str = "Service", version: int | None = None, **body):
    model = {"uid": uid, "title": title, "tags": body.pop("tags", [])}
    if version is not None:
        model["version"] = version
    return api.dashboard.update_dashboard({"dashboard": model, **body})


# Health and auth


def test_health_needs_no_auth_and_frontend_settings_gives_the_version(grafana, connect):
    health = connect(grafana, credential=None).client.GET("/health")
    assert health == {"commit": "emulator", "database": "ok", "version": "12.3.0"}
    api = connect(grafana)
    assert api.health.check()["version"] == "12.3.0"  # grafana-client reads /api/frontend/settings, not /api/health
    with pytest.raises(GrafanaUnauthorizedError):
        connect(grafana, credential=None).health.check()


def test_failing_database_is_a_503(connect):
    with GrafanaEmulator(health_database="failing") as grafana:
        with pytest.raises(GrafanaServerError) as error:
            connect(grafana).client.GET("/health")
    assert error.value.status_code == 503 and error.value.response["database"] == "failing"


@pytest.mark.parametrize("credential", ["glsa_wrong", ("admin", "wrong"), None])
def test_bad_or_missing_credentials_get_the_errutil_401(grafana, connect, credential):
    with pytest.raises(GrafanaUnauthorizedError) as error:
        connect(grafana, credential=credential).search.search_dashboards()
    assert error.value.status_code == 401 and error.value.response == UNAUTHORIZED


def test_basic_auth_admin_and_unknown_paths(grafana, connect):
    api = connect(grafana, credential=("admin", "admin"))
    assert save(api)["status"] == "success"
    assert grafana.dashboard("svc").created_by == "admin"
    with pytest.raises(GrafanaClientError) as error:
        api.client.GET("/no/such/thing")
    assert (error.value.status_code, error.value.response) == (404, {"message": "Not found"})


def test_viewer_gets_the_contract_403_texts(grafana, connect):
    viewer = connect(grafana, credential=VIEWER_TOKEN)
    with pytest.raises(GrafanaClientError) as error:
        save(viewer)
    assert (error.value.status_code, error.value.response) == (403, {"message": "Access denied to save dashboard"})
    with pytest.raises(GrafanaClientError) as error:
        viewer.folder.create_folder("Team", uid="team")
    assert error.value.response == {"message": "Access denied"}
    grafana.add_dashboard({"uid": "svc", "title": "Service"})
    with pytest.raises(GrafanaClientError) as error:
        viewer.dashboard.delete_dashboard("svc")
    assert error.value.response == {"message": "Access denied to this dashboard"}
    with pytest.raises(GrafanaClientError) as error:  # no contract text: the middleware's body
        viewer.client.GET("/dashboards/uid/svc/versions")
    assert error.value.response["message"].endswith("Permissions needed: dashboards:write")
    assert [h["uid"] for h in viewer.search.search_dashboards()] == ["svc"]  # reading is fine
    assert viewer.dashboard.get_dashboard("svc")["meta"]["canSave"] is False


def test_rbac_style_403_is_the_middleware_body(connect):
    with GrafanaEmulator(forbidden_style="rbac") as grafana:
        with pytest.raises(GrafanaClientError) as error:
            save(connect(grafana, credential=VIEWER_TOKEN))
    body = error.value.response
    assert body["title"] == "Access denied" and body["accessErrorId"] == "ACE0000000001"
    assert body["message"].endswith("Permissions needed: any of dashboards:create, dashboards:write")


def test_datasource_permissions_editor_cannot_write_viewer_reads_unless_enforced(connect):
    with GrafanaEmulator() as grafana:
        assert connect(grafana, credential=VIEWER_TOKEN).datasource.list_datasources() == []
        with pytest.raises(GrafanaClientError) as error:
            connect(grafana, credential=EDITOR_TOKEN).datasource.create_datasource(
                {"name": "Prometheus", "type": "prometheus", "access": "proxy"})
        assert error.value.response["message"].endswith("Permissions needed: datasources:create")
    with GrafanaEmulator(datasource_permissions_enforced=True) as grafana:
        with pytest.raises(GrafanaClientError) as error:
            connect(grafana, credential=VIEWER_TOKEN).datasource.list_datasources()
        assert error.value.status_code == 403
        assert error.value.response["message"].endswith("Permissions needed: datasources:read")


# Dashboards


def test_create_get_update_delete(grafana, api):
    created = save(api, message="first")
    assert created == {"status": "success", "slug": "service", "version": 1, "id": 1, "uid": "svc",
                       "url": "/d/svc/service", "folderUid": ""}
    got = api.dashboard.get_dashboard("svc")
    assert set(got["meta"]) == META_KEYS
    assert got["meta"]["folderTitle"] == "General" and got["meta"]["folderUid"] == "" and got["meta"]["version"] == 1
    assert got["dashboard"]["version"] == 1 and got["dashboard"]["id"] == 1

    updated = save(api, title="Service v2", version=got["meta"]["version"], message="second")
    assert (updated["version"], updated["id"], updated["slug"]) == (2, 1, "service-v2")
    versions = api.client.GET("/dashboards/uid/svc/versions")["versions"]
    # The list shows the first version's message as "Initial save" (§3.5); the saved one is kept.
    assert [(v["version"], v["parentVersion"], v["message"]) for v in versions] == [
        (2, 1, "second"), (1, 0, "Initial save")]

    deleted = api.dashboard.delete_dashboard("svc")
    assert deleted == {"title": "Service v2", "message": "Dashboard Service v2 deleted", "uid": "svc"}
    with pytest.raises(GrafanaClientError) as error:
        api.dashboard.get_dashboard("svc")
    assert (error.value.status_code, error.value.response) == (404, {"message": "Dashboard not found"})


def test_generated_uid_and_ids_are_deterministic(connect):
    answers = []
    for _ in range(2):
        with GrafanaEmulator() as grafana:
            api = connect(grafana)
            uid = api.dashboard.update_dashboard({"dashboard": {"title": "Made up"}})["uid"]
            answers.append(api.dashboard.get_dashboard(uid))
    assert answers[0] == answers[1]
    uid = answers[0]["dashboard"]["uid"]
    assert len(uid) == 14 and uid[0].isalpha() and uid.isalnum() and uid.islower()


@pytest.mark.parametrize("version", [None, 7])
def test_version_mismatch_is_412_and_overwrite_wins(grafana, api, version):
    save(api)
    with pytest.raises(GrafanaClientError) as error:
        save(api, version=version)  # missing counts as 0
    assert (error.value.status_code, error.value.response) == (
        412, {"status": "version-mismatch", "message": "The dashboard has been changed by someone else"})
    assert save(api, version=version, overwrite=True)["version"] == 2


def test_version_mismatch_is_409_after_12_3(connect):
    with GrafanaEmulator(conflict_status=409) as grafana:
        api = connect(grafana)
        save(api)
        with pytest.raises(GrafanaClientError) as error:
            save(api, version=5)
    assert (error.value.status_code, error.value.response) == (
        409, {"message": "Dashboard already exists. Use overwrite flag to update."})


def test_ui_save_drifts_and_shows_in_history(grafana, api):
    save(api, message="pushed")
    seen = api.dashboard.get_dashboard("svc")["meta"]["version"]
    grafana.ui_save("svc", lambda model: model.update(title="Edited by hand"), user="alice")
    with pytest.raises(GrafanaClientError):
        save(api, version=seen)
    got = api.dashboard.get_dashboard("svc")
    assert got["dashboard"]["title"] == "Edited by hand"
    assert (got["meta"]["version"], got["meta"]["updatedBy"]) == (2, "alice")
    newest = api.client.GET("/dashboards/uid/svc/versions", params={"limit": 1})
    assert newest["versions"][0]["createdBy"] == "alice" and newest["versions"][0]["message"] == ""
    assert newest["continueToken"] != ""


def test_grafana_client_sends_the_versions_limit_as_a_get_body_which_grafana_ignores(grafana, api):
    save(api)
    grafana.ui_save("svc")
    assert len(api.dashboard_versions.get_dashboard_versions_by_uid("svc", limit=1)["versions"]) == 2
    assert grafana.journal[-1].query == ""


def test_folder_moves_and_missing_folder_uid_moves_to_root(grafana, api):
    api.folder.create_folder("Team", uid="team")
    assert save(api, folderUid="team")["folderUid"] == "team"
    meta = api.dashboard.get_dashboard("svc")["meta"]
    assert (meta["folderUid"], meta["folderTitle"], meta["folderUrl"]) == ("team", "Team", "/dashboards/f/team/team")
    assert save(api, version=1)["folderUid"] == ""
    with pytest.raises(GrafanaBadInputError) as error:
        save(api, version=2, folderUid="nope")
    assert error.value.response == {"message": "folder not found"}


ERROR_ROWS = [  # (body, status, response): the rows of contract §3.1 in order
    ([1], 400, {"message": "bad request data"}),
    ({"dashboard": {"title": "x", "isFolder": True}}, 400, {"message": "Use folders endpoint for saving folders."}),
    ({"dashboard": {"title": "  "}}, 400, {"status": "empty-name", "message": "Dashboard title cannot be empty"}),
    ({"dashboard": {"title": "x" * 5001}}, 400,
     {"status": "title-too-long", "message": "Dashboard title cannot contain more than 5 000 characters"}),
    ({"dashboard": {"title": "x"}, "message": "é" * 251}, 400, {"message": "message too long, max 500 characters"}),
    ({"dashboard": {"title": "x", "uid": "a/b"}}, 400, {"message": "uid contains illegal characters"}),
    ({"dashboard": {"title": "x", "uid": "a" * 41}}, 400, {"message": "uid too long, max 40 characters"}),
    ({"dashboard": {"title": "x"}, "folderUid": "nope"}, 400, {"message": "folder not found"}),
    ({"dashboard": {"title": "x", "id": 99}}, 404, {"status": "not-found", "message": "Dashboard not found"}),
    ({"dashboard": {"title": "x", "id": 1, "uid": "other"}}, 400,
     {"message": "A dashboard with the same uid already exists"}),
    ({"dashboard": {"title": "x", "uid": "team"}}, 400, {"message": "Dashboard cannot be changed to a folder"}),
    ({"dashboard": {"title": "x", "uid": "plugged", "version": 1}}, 412,
     {"status": "plugin-dashboard", "message": "The dashboard belongs to plugin grafana-k8s-app."}),
    ({"dashboard": {"title": "x", "uid": "prov"}, "overwrite": True}, 400,
     {"message": "Cannot save provisioned dashboard"}),
]


@pytest.mark.parametrize(("body", "status", "response"), ERROR_ROWS)
def test_save_error_table(grafana, api, body, status, response):
    grafana.add_folder("team", "Team")
    for uid in ("svc", "other", "plugged", "prov"):
        grafana.add_dashboard({"uid": uid, "title": uid}, plugin_id="grafana-k8s-app" if uid == "plugged" else "")
    grafana.mark_provisioned("prov")
    with pytest.raises(GrafanaException) as error:
        api.client.POST("/dashboards/db", json=body)
    assert (error.value.status_code, error.value.response) == (status, response)
    assert len(grafana.state.dashboards) == 4


def test_quota_and_refresh_floor(connect):
    with GrafanaEmulator(dashboard_quota=1) as grafana:
        api = connect(grafana)
        api.dashboard.update_dashboard({"dashboard": {"uid": "a", "title": "A", "refresh": "1s"}})
        assert api.dashboard.get_dashboard("a")["dashboard"]["refresh"] == "5s"
        with pytest.raises(GrafanaClientError) as error:
            save(api, uid="b")
    assert (error.value.status_code, error.value.response) == (403, {"message": "Quota reached"})


def test_provisioned_dashboard_cannot_be_deleted(grafana, api):
    grafana.add_dashboard({"uid": "prov", "title": "Prov"}, provisioned=True, allow_ui_updates=True)
    assert api.dashboard.get_dashboard("prov")["meta"]["provisioned"] is False  # the provider allows UI updates
    with pytest.raises(GrafanaBadInputError) as error:
        api.dashboard.delete_dashboard("prov")
    assert error.value.response == {"message": "provisioned dashboard cannot be deleted"}


# Versions: the list, one version, restore, retention (contract §3.5)


def versions_of(api: GrafanaApi, uid: str = "svc", **params) -> list[dict]:
    return api.client.GET(f"/dashboards/uid/{uid}/versions", params=params)["versions"]


def three_saves(grafana: GrafanaEmulator, api: GrafanaApi) -> None:
    """Versions 1, 2, 3 with titles A, B, C and messages one, two, three."""
    for version, (title, message) in enumerate([("A", "one"), ("B", "two"), ("C", "three")]):
        save(api, title=title, version=version or None, message=message)


@pytest.mark.parametrize(("version", "parent", "restored_from", "shown"), [
    (2, 1, 0, "as saved"),
    (1, 0, 0, "Initial save"),  # parentVersion 0: every dashboard's first version
    (0, 3, 0, "Initial save (created by migration)"),  # restoredFrom == version
    (3, 2, 3, "Restored from version 3"),  # restoredFrom == version too, but > 0 comes later and wins
    (4, 3, 2, "Restored from version 2"),
    (1, 0, 2, "Initial save"),  # parentVersion 0 is checked last
])
def test_list_message_rules_last_match_wins(version, parent, restored_from, shown):
    entry = DashboardVersion(id=1, version=version, parent_version=parent, created="", created_by="",
                             message="as saved", model={}, restored_from=restored_from)
    assert listed_message(entry) == shown


def test_version_list_rewrites_messages_unless_switched_off(grafana, api):
    three_saves(grafana, api)
    api.client.POST("/dashboards/uid/svc/restore", json={"version": 2})
    listed = [(v["version"], v["parentVersion"], v["restoredFrom"], v["message"]) for v in versions_of(api)]
    assert listed == [(4, 3, 2, "Restored from version 2"), (3, 2, 0, "three"), (2, 1, 0, "two"),
                      (1, 0, 0, "Initial save")]
    grafana.options.rewrite_version_messages = False
    assert [v["message"] for v in versions_of(api)] == ["Restored from version 2", "three", "two", "one"]


def test_version_list_keeps_its_wrapper_and_paging(grafana, api):
    three_saves(grafana, api)
    first = api.client.GET("/dashboards/uid/svc/versions", params={"limit": 2})
    assert [v["version"] for v in first["versions"]] == [3, 2] and first["continueToken"]
    rest = api.client.GET("/dashboards/uid/svc/versions", params={"limit": 2, "continueToken": first["continueToken"]})
    assert ([v["version"] for v in rest["versions"]], rest["continueToken"]) == ([1], "")
    assert [v["version"] for v in versions_of(api, start=1)] == [2, 1]
    assert set(first["versions"][0]) == VERSION_KEYS


def test_single_version_has_data_and_the_message_as_saved(grafana, api):
    three_saves(grafana, api)
    one = api.client.GET("/dashboards/uid/svc/versions/1")
    assert set(one) == VERSION_KEYS | {"data"}
    assert (one["version"], one["parentVersion"], one["message"], one["createdBy"]) == (1, 0, "one", "sa-1-admin")
    assert one["data"] == {"uid": "svc", "title": "A", "tags": [], "id": 1, "version": 1}
    assert api.client.GET("/dashboards/uid/svc/versions/3")["data"]["title"] == "C"


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/dashboards/uid/nope/versions", 404, "Dashboard not found"),
    ("/dashboards/uid/nope/versions/1", 404, "Dashboard not found"),
    ("/dashboards/uid/svc/versions/7", 500, "Dashboard version 7 not found for dashboardId 1"),
    ("/dashboards/uid/svc/versions/two", 500, "Internal Server Error"),  # ParseInt fails: response.Err
])
def test_version_read_errors(grafana, api, path, status, message):
    save(api)
    with pytest.raises(GrafanaException) as error:
        api.client.GET(path)
    assert (error.value.status_code, error.value.response) == (status, {"message": message})


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/dashboards/uid/svc/versions", None),
    ("GET", "/dashboards/uid/svc/versions/1", None),
    ("POST", "/dashboards/uid/svc/restore", {"version": 1}),
])
def test_viewer_gets_the_middleware_403_on_versions_and_restore(grafana, connect, method, path, body):
    grafana.add_dashboard({"uid": "svc", "title": "Service"})
    viewer = connect(grafana, credential=VIEWER_TOKEN)
    with pytest.raises(GrafanaClientError) as error:
        viewer.client.GET(path) if method == "GET" else viewer.client.POST(path, json=body)
    assert error.value.status_code == 403
    assert error.value.response["message"].endswith("Permissions needed: dashboards:write")
    assert connect(grafana, credential=EDITOR_TOKEN).client.GET("/dashboards/uid/svc/versions/1")["version"] == 1


def test_restore_saves_the_old_data_as_a_new_version(grafana, api):
    api.folder.create_folder("Team", uid="team")
    for version, title in enumerate(["A", "B"]):
        save(api, title=title, version=version or None, folderUid="team")
    restored = api.client.POST("/dashboards/uid/svc/restore", json={"version": 1})
    assert restored == {"status": "success", "slug": "a", "version": 3, "id": 1, "uid": "svc",
                        "url": "/d/svc/a", "folderUid": "team"}  # a save's answer, folder kept
    got = api.dashboard.get_dashboard("svc")
    assert (got["dashboard"]["title"], got["dashboard"]["version"], got["meta"]["folderUid"]) == ("A", 3, "team")
    newest = api.client.GET("/dashboards/uid/svc/versions/3")
    assert (newest["parentVersion"], newest["restoredFrom"], newest["message"], newest["createdBy"]) == (
        2, 1, "Restored from version 1", "sa-1-admin")


@pytest.mark.parametrize(("uid", "body", "status", "message"), [
    ("svc", {}, 400, "bad request data"),  # version is required
    ("svc", {"version": 0}, 400, "bad request data"),
    ("svc", {"version": "1"}, 400, "bad request data"),  # Go does not decode a string into int64
    ("svc", {"version": 1.0}, 400, "bad request data"),  # nor a number with a fraction part
    ("svc", [1], 400, "bad request data"),
    ("nope", {"version": 1}, 404, "Dashboard not found"),
    ("svc", {"version": 9}, 404, "Dashboard version not found"),
    ("svc", {"version": 2}, 400, "Current dashboard is identical to the specified version"),
    ("prov", {"version": 1}, 400, "Cannot save provisioned dashboard"),  # through the save's checks
])
def test_restore_errors(grafana, api, uid, body, status, message):
    for name in ("svc", "prov"):
        grafana.add_dashboard({"uid": name, "title": "A"})
        grafana.ui_save(name, lambda model: model.update(title="B"), as_ui=False)
    grafana.mark_provisioned("prov")
    with pytest.raises(GrafanaException) as error:
        api.client.POST(f"/dashboards/uid/{uid}/restore", json=body)
    assert (error.value.status_code, error.value.response) == (status, {"message": message})
    assert grafana.dashboard("svc").version == 2


def test_injected_restore_failure_is_the_save_failure(connect):
    with GrafanaEmulator(fail_write_n=3) as grafana:
        api = connect(grafana)
        save(api, title="A")
        save(api, title="B", version=1)
        with pytest.raises(GrafanaServerError) as error:
            api.client.POST("/dashboards/uid/svc/restore", json={"version": 1})
        assert error.value.response == {"message": "Failed to save dashboard"}
        assert grafana.dashboard("svc").version == 2


def test_ui_restore_is_the_restore_endpoint_as_a_person(grafana, api):
    three_saves(grafana, api)
    grafana.ui_restore("svc", 1, user="carol")
    newest = versions_of(api, limit=1)[0]
    assert (newest["version"], newest["createdBy"], newest["restoredFrom"]) == (4, "carol", 1)
    assert api.dashboard.get_dashboard("svc")["meta"]["updatedBy"] == "carol"
    with pytest.raises(ValueError, match="404"):
        grafana.ui_restore("svc", 99)
    assert [e.method for e in grafana.journal].count("POST") == 3  # no request: nothing journaled


@pytest.mark.parametrize(("keep", "left"), [(None, [5, 4, 3, 2, 1]), (3, [5, 4, 3]), (0, [5])])
def test_versions_to_keep_prunes_the_oldest_on_save(connect, keep, left):
    with GrafanaEmulator(versions_to_keep=keep) as grafana:
        api = connect(grafana)
        grafana.add_dashboard({"uid": "svc", "title": "Service"})
        for step in range(3):
            save(api, version=step + 1, message=f"api {step}")
        grafana.ui_save("svc", user="alice")  # UI saves are pruned too
        assert [v["version"] for v in versions_of(api)] == left
        if keep:
            with pytest.raises(GrafanaServerError):
                api.client.GET("/dashboards/uid/svc/versions/1")
        assert grafana.errors == []


# UI saves (contract §3.6): what Grafana 12.3's UI writes after "open, Save"


def ui_saved(model: dict) -> dict:
    return saved_by_ui(model, "12.3.0")


def panel(**fields) -> dict:
    return {"type": "timeseries", "title": "P", **fields}


def test_ui_save_goes_through_the_ui_and_as_ui_false_stores_exactly(grafana, api):
    grafana.add_dashboard({"uid": "svc", "title": "Service", "liveNow": False, "panels": [panel(id=1)]})
    grafana.ui_save("svc", user="alice", message="looked at it")
    got = api.dashboard.get_dashboard("svc")["dashboard"]
    assert got == ui_saved({"uid": "svc", "title": "Service", "liveNow": False, "panels": [panel(id=1)],
                            "id": 1, "version": 2})
    assert list(got) == sorted(got) and "liveNow" not in got and got["panels"][0]["pluginVersion"] == "12.3.0"
    assert api.client.GET("/dashboards/uid/svc/versions/2")["message"] == "looked at it"
    exact = {"uid": "svc", "title": "Exact", "liveNow": False, "zeta": None, "id": 1, "version": 3}
    grafana.ui_save("svc", lambda model: exact, as_ui=False)
    assert list(api.dashboard.get_dashboard("svc")["dashboard"].items()) == list(exact.items())


def test_ui_save_replaces_id_and_version_and_keeps_the_uid(grafana):
    grafana.add_dashboard({"uid": "svc", "title": "Service"})
    saved = grafana.ui_save("svc", lambda model: model.update(id=77, version=9, uid="svc"))
    assert (saved.model["id"], saved.model["version"], saved.model["uid"]) == (1, 2, "svc")


def test_plugin_version_on_every_panel_but_rows_and_unknown_plugins():
    out = ui_saved({"panels": [
        panel(), {"type": "row", "collapsed": False, "panels": []},
        {"type": "row", "collapsed": True, "panels": [panel(), {"type": "stat"}]},
        {"type": "grafana-clock-panel"}, {"type": "stat", "libraryPanel": {"uid": "lib"}},
    ]})
    top, open_row, closed_row, plugin, library = out["panels"]
    assert top["pluginVersion"] == "12.3.0"
    assert [p["pluginVersion"] for p in closed_row["panels"]] == ["12.3.0", "12.3.0"]
    assert "pluginVersion" not in open_row and "pluginVersion" not in closed_row
    assert plugin == {"type": "grafana-clock-panel"} and "pluginVersion" not in library


def test_plugin_defaults_are_merged_where_absent_and_panel_values_win():
    out = ui_saved({"panels": [
        panel(options={"legend": {"showLegend": False, "calcs": ["max"]}, "tooltip": {"mode": "multi"}},
              fieldConfig={"defaults": {"custom": {"axisLabel": "req/s", "lineWidth": 2}, "unit": "reqps"}}),
        {"type": "stat", "options": {"wideLayout": False}, "pluginVersion": "12.3.0"},
        {"type": "gauge"},
    ]})
    timeseries, stat, gauge = out["panels"]
    assert timeseries["options"] == {
        "legend": {"calcs": ["max"], "displayMode": "list", "placement": "bottom", "showLegend": False},
        "tooltip": {"hideZeros": False, "mode": "multi", "sort": "none"}}
    defaults = timeseries["fieldConfig"]["defaults"]
    assert (defaults["unit"], defaults["custom"]["axisLabel"], defaults["custom"]["lineWidth"]) == ("reqps", "req/s", 2)
    assert defaults["custom"]["hideFrom"] == {"legend": False, "tooltip": False, "viz": False}
    assert (defaults["mappings"], defaults["thresholds"]) == (
        [], {"mode": "absolute", "steps": [{"color": "green", "value": 0}, {"color": "red", "value": 80}]})
    assert stat["options"] == {
        "colorMode": "value", "graphMode": "area", "justifyMode": "auto", "percentChangeColorMode": "standard",
        "showPercentChange": False, "textMode": "auto", "wideLayout": False, "orientation": "auto",
        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
    # Every loaded plugin gives options and a fieldConfig with defaults and overrides (getPanelOptionsWithDefaults).
    assert (gauge["options"], gauge["fieldConfig"]) == ({}, {"defaults": {}, "overrides": []})
    assert ui_saved({"panels": [{"type": "bargauge"}]})["panels"][0]["options"]["legend"]["showLegend"] is False


@pytest.mark.parametrize(("stored", "expected"), [
    # No pluginVersion reads as "6.1": a percent unit gets min 0 and max 100 (or 1 for percentunit)
    ({"options": {}, "fieldConfig": {"defaults": {"unit": "percent", "max": 50}}},
     {"unit": "percent", "min": 0, "max": 50}),
    ({"options": {}, "fieldConfig": {"defaults": {"unit": "percentunit", "title": "T"}}},
     {"unit": "percentunit", "min": 0, "max": 1, "displayName": "T"}),
    # A version from 8 on skips those branches; the plugin's own version skips the migration.
    ({"options": {}, "pluginVersion": "10.4.1", "fieldConfig": {"defaults": {"unit": "percent"}}}, {"unit": "percent"}),
    ({"options": {}, "pluginVersion": "12.3.0", "fieldConfig": {"defaults": {"unit": "percent"}}}, {"unit": "percent"}),
])
def test_single_stat_migration_runs_on_stat_panels_of_another_version(stored, expected):
    saved = ui_saved({"panels": [{"type": "stat", **stored}]})["panels"][0]
    defaults = saved["fieldConfig"]["defaults"]
    assert {key: defaults[key] for key in defaults if key not in ("mappings", "thresholds")} == expected
    assert saved["pluginVersion"] == "12.3.0"


def test_single_stat_migration_without_options_gives_mean_and_horizontal():
    options = ui_saved({"panels": [{"type": "bargauge"}]})["panels"][0]["options"]
    # The migration's mean and horizontal, then the plugin's defaults merged in where absent.
    assert (options["reduceOptions"], options["orientation"]) == (
        {"calcs": ["mean"], "fields": "", "values": False}, "horizontal")


@pytest.mark.parametrize("base", [
    {"color": "green"}, {"color": "green", "value": None}, {"color": "green", "value": 5},
])
def test_base_threshold_step_is_written_as_zero(base):
    steps = [base, {"color": "red", "value": 80}]
    override = {"matcher": {"id": "byName", "options": "x"},
                "properties": [{"id": "thresholds", "value": {"steps": [dict(base)]}}]}
    out = ui_saved({"panels": [panel(fieldConfig={"defaults": {"thresholds": {"mode": "percentage", "steps": steps}},
                                                  "overrides": [override]})]})
    field_config = out["panels"][0]["fieldConfig"]
    assert field_config["defaults"]["thresholds"] == {
        "mode": "percentage", "steps": [{"color": "green", "value": 0}, {"color": "red", "value": 80}]}
    # fixThresholds also gives a missing mode "absolute"
    assert field_config["overrides"][0]["properties"][0]["value"] == {
        "mode": "absolute", "steps": [{"color": "green", "value": 0}]}


def test_thresholds_without_mode_or_steps_get_absolute_and_no_steps():
    out = ui_saved({"panels": [{"type": "gauge", "fieldConfig": {"defaults": {"thresholds": {}}}}]})
    assert out["panels"][0]["fieldConfig"]["defaults"]["thresholds"] == {"mode": "absolute", "steps": []}


def test_nulls_are_removed_and_keys_sorted_everywhere():
    out = ui_saved({"title": "T", "description": None, "tags": ["b", None],
                    "panels": [panel(datasource=None, targets=[{"refId": "A", "expr": None, "b": 1}])]})
    assert "description" not in out and out["tags"] == ["b", None]  # nulls inside arrays stay
    target = out["panels"][0]["targets"][0]
    assert list(target.items()) == [("b", 1), ("refId", "A")] and "datasource" not in out["panels"][0]
    assert list(out) == sorted(out) and list(out["panels"][0]) == sorted(out["panels"][0])


@pytest.mark.parametrize(("fields", "kept"), [
    ({"links": [], "transformations": [], "transparent": False}, {}),
    ({"links": [{"title": "x"}], "transformations": [{"id": "merge"}], "transparent": True},
     {"links": [{"title": "x"}], "transformations": [{"id": "merge"}], "transparent": True}),
    ({"hideTimeOverride": True}, {}),
    ({"hideTimeOverride": True, "timeFrom": "1h"}, {"hideTimeOverride": True, "timeFrom": "1h"}),
    ({"hideTimeOverride": False, "timeShift": "1d"}, {"hideTimeOverride": False, "timeShift": "1d"}),
])
def test_panel_keys_dropped_by_the_save(fields, kept):
    saved = ui_saved({"panels": [panel(**fields)]})["panels"][0]
    assert {key: saved[key] for key in saved if key in fields} == kept


@pytest.mark.parametrize(("fields", "expected"), [
    ({"liveNow": False, "weekStart": ""}, {"preload": False}),
    ({"liveNow": True, "weekStart": "monday", "preload": True},
     {"liveNow": True, "weekStart": "monday", "preload": True}),
])
def test_top_level_live_now_week_start_and_preload(fields, expected):
    saved = ui_saved({"title": "T", **fields})
    assert {key: saved[key] for key in saved if key != "title"} == expected


def test_timepicker_default_entries_are_dropped():
    defaults = {"hidden": False, "quick_ranges": [],
                "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]}
    assert ui_saved({"timepicker": defaults})["timepicker"] == {}
    mine = {"hidden": True, "refresh_intervals": ["1m", "5m"], "nowDelay": "1m"}
    assert ui_saved({"timepicker": mine})["timepicker"] == mine


def test_variable_defaults_dropped_and_allow_custom_value_added():
    variables = [
        {"type": "query", "name": "job", "hide": 0, "multi": False, "skipUrlSync": False, "label": "", "sort": 0},
        {"type": "custom", "name": "c", "hide": 2, "multi": True, "label": "C", "sort": 1,
         "allowCustomValue": False},
        {"type": "datasource", "name": "ds"},
        {"type": "constant", "name": "k", "hide": 2},
    ]
    query, custom, datasource, constant = ui_saved({"templating": {"list": variables}})["templating"]["list"]
    assert query == {"allowCustomValue": True, "name": "job", "type": "query"}
    assert custom == {"allowCustomValue": False, "hide": 2, "label": "C", "multi": True, "name": "c", "sort": 1,
                      "type": "custom"}
    assert datasource["allowCustomValue"] is True and "allowCustomValue" not in constant


def test_a_second_open_and_save_changes_nothing_more():
    model = {"uid": "svc", "title": "T", "liveNow": False, "timepicker": {"hidden": False},
             "templating": {"list": [{"type": "query", "name": "q", "hide": 0}]},
             "panels": [panel(links=[], fieldConfig={"defaults": {"thresholds": {"steps": [{"color": "g"}]}}})]}
    once = ui_saved(model)
    assert ui_saved(once) == once and once != model


# Search


def test_search_filters_and_hit_keys(grafana, api):
    api.folder.create_folder("Team", uid="team")
    save(api, uid="a", title="Alpha", tags=["red", "blue"], folderUid="team")
    save(api, uid="b", title="Beta", tags=["red"])
    titles = lambda **kw: [h["title"] for h in api.search.search_dashboards(**kw)]  # noqa: E731
    assert titles() == ["Team", "Alpha", "Beta"]
    assert titles(tag=["red", "blue"]) == ["Alpha"]
    assert titles(type_="dash-folder") == ["Team"]
    assert titles(dashboard_uids=["b"]) == ["Beta"]
    assert titles(folder_uids=["team"]) == ["Alpha"]
    assert titles(query="bet") == ["Beta"]
    assert titles(type_="dash-db", limit=1, page=2) == ["Beta"]
    alpha, beta = api.search.search_dashboards(type_="dash-db")
    assert (alpha["folderUid"], alpha["folderTitle"], alpha["url"]) == ("team", "Team", "/d/a/alpha")
    assert "folderUid" not in beta and "folderTitle" not in beta and beta["tags"] == ["red"]


def test_search_limit_above_5000_is_422(api):
    with pytest.raises(GrafanaClientError) as error:
        api.search.search_dashboards(limit=5001)
    assert error.value.status_code == 422
    assert error.value.response == {
        "message": "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit"}
    with pytest.raises(GrafanaBadInputError):
        api.search.search_dashboards(dashboard_ids=[1], dashboard_uids=["a"])


# Folders


def test_folders_create_conflict_update_and_cascade_delete(grafana, api):
    created = api.folder.create_folder("Team", uid="team")
    assert (created["version"], created["url"], "parentUid" in created) == (1, "/dashboards/f/team/team", False)
    with pytest.raises(GrafanaClientError) as error:
        api.folder.create_folder("Other", uid="team")
    assert (error.value.status_code, error.value.response) == (
        409, {"message": "a folder with the same name already exists in the current location"})
    child = api.folder.create_folder("Child", uid="child", parent_uid="team")
    assert child["parentUid"] == "team" and [p["uid"] for p in child["parents"]] == ["team"]
    assert api.folder.get_all_folders() == [{"id": 1, "uid": "team", "title": "Team"}]
    children = api.folder.get_all_folders(parent_uid="team")
    assert children == [{"id": 2, "uid": "child", "title": "Child", "parentUid": "team"}]

    with pytest.raises(GrafanaClientError) as error:
        api.folder.update_folder("team", title="Renamed", version=5)
    assert (error.value.status_code, error.value.response) == (
        412, {"status": "version-mismatch", "message": "the folder has been changed by someone else"})
    assert api.folder.update_folder("team", title="Renamed", version=1)["version"] == 2

    save(api, folderUid="child")
    assert api.folder.delete_folder("team") == {"message": "Folder deleted"}
    assert grafana.state.dashboards == {} and grafana.state.folders == {}
    with pytest.raises(GrafanaClientError) as error:
        api.folder.get_folder("team")
    assert error.value.response == {"status": "not-found", "message": "folder not found"}


def test_folder_depth_limit_is_an_errutil_400(grafana, api):
    parent = ""
    for depth in range(4):
        parent = api.folder.create_folder(f"L{depth}", uid=f"l{depth}", parent_uid=parent or None)["uid"]
    with pytest.raises(GrafanaBadInputError) as error:
        api.folder.create_folder("Too deep", parent_uid=parent)
    assert error.value.response["messageId"] == "folder.maximum-depth-reached"


# Datasources

PROMETHEUS = {"name": "Prometheus", "uid": "prometheus", "type": "prometheus", "access": "proxy",
              "url": "http://prometheus:9090", "jsonData": {"httpMethod": "POST"},
              "secureJsonData": {"basicAuthPassword": "s3cret", "httpHeaderValue1": "Bearer abc"}}


def test_datasource_secrets_go_in_and_never_come_out(grafana, api):
    added = api.datasource.create_datasource(PROMETHEUS)
    assert added["message"] == "Datasource added" and added["name"] == "Prometheus"
    dto = api.datasource.get_datasource_by_uid("prometheus")
    assert dto["secureJsonFields"] == {"basicAuthPassword": True, "httpHeaderValue1": True}
    assert "secureJsonData" not in dto and (dto["version"], dto["readOnly"]) == (1, False)
    assert "s3cret" not in repr(grafana.journal)  # the journal redacts secrets too
    assert set(api.datasource.list_datasources()[0]) == {
        "id", "uid", "orgId", "name", "type", "typeName", "typeLogoUrl", "access", "url", "user", "database",
        "basicAuth", "isDefault", "jsonData", "readOnly"}

    change = {**PROMETHEUS, "url": "http://prom:9090", "jsonData": {}, "secureJsonData": {"basicAuthPassword": "new"}}
    updated = api.datasource.update_datasource_by_uid("prometheus", change)
    assert updated["message"] == "Datasource updated" and updated["datasource"]["version"] == 2
    assert updated["datasource"]["jsonData"] == {}
    assert grafana.datasource_secrets("prometheus") == {"basicAuthPassword": "new", "httpHeaderValue1": "Bearer abc"}
    with pytest.raises(GrafanaClientError) as error:
        api.datasource.update_datasource_by_uid("prometheus", {**change, "version": 1})
    assert error.value.response == {
        "message": "Datasource has already been updated by someone else. Please reload and try again"}
    assert api.datasource.delete_datasource_by_uid("prometheus") == {"message": "Data source deleted", "id": 1}


@pytest.mark.parametrize(("change", "message"), [
    ({"uid": "other"}, "data source with the same name already exists"),
    ({"name": "Other"}, "data source with the same uid already exists"),
])
def test_datasource_create_conflicts(grafana, api, change, message):
    api.datasource.create_datasource(PROMETHEUS)
    with pytest.raises(GrafanaClientError) as error:
        api.datasource.create_datasource({**PROMETHEUS, **change})
    assert (error.value.status_code, error.value.response) == (409, {"message": message})


def test_read_only_datasource_refuses_update_and_delete(grafana, api):
    grafana.add_datasource(PROMETHEUS, read_only=True)
    assert api.datasource.get_datasource_by_uid("prometheus")["readOnly"] is True
    for call, message in ((lambda: api.datasource.update_datasource_by_uid("prometheus", PROMETHEUS),
                           "Cannot update read-only data source"),
                          (lambda: api.datasource.delete_datasource_by_uid("prometheus"),
                           "Cannot delete read-only data source")):
        with pytest.raises(GrafanaClientError) as error:
            call()
        assert (error.value.status_code, error.value.response) == (403, {"message": message})
    with pytest.raises(GrafanaBadInputError) as error:
        api.datasource.create_datasource({"name": "No type", "access": "proxy"})
    assert error.value.response == {"message": "bad request data"}



def test_ui_edits_of_a_datasource_and_a_folder_raise_their_versions(grafana, api):
    api.datasource.create_datasource({**PROMETHEUS, "jsonData": {"timeInterval": "15s", "mark": "kept"}})
    grafana.ui_edit_datasource("prometheus", lambda ds: ds.json_data.update(timeInterval="30s"))
    got = api.datasource.get_datasource_by_uid("prometheus")
    assert (got["version"], got["jsonData"]) == (2, {"timeInterval": "30s", "mark": "kept"})
    api.folder.create_folder("Team", uid="team")
    grafana.ui_rename_folder("team", "Team (renamed)", user="erin")
    folder = api.folder.get_folder("team")
    assert (folder["title"], folder["version"], folder["updatedBy"]) == ("Team (renamed)", 2, "erin")


# Faults, timing, journal


def test_nth_write_fails_with_500_and_changes_nothing(connect):
    with GrafanaEmulator(fail_write_n=2) as grafana:
        api = connect(grafana)
        save(api)
        with pytest.raises(GrafanaServerError) as error:
            save(api, version=1)
        assert (error.value.status_code, error.value.response) == (500, {"message": "Failed to save dashboard"})
        assert grafana.dashboard("svc").version == 1
        assert save(api, version=1)["version"] == 2
        assert [e.status for e in grafana.writes()] == [200, 500, 200]


def test_dropped_connection_raises_niquests_connection_error_unwrapped(connect):
    with GrafanaEmulator(drop_connection_n=1) as grafana:
        api = connect(grafana)
        with pytest.raises(niquests.exceptions.ConnectionError) as error:
            save(api)
        assert not isinstance(error.value, GrafanaException)
        assert grafana.state.dashboards == {} and grafana.journal[0].status is None
        assert save(api)["version"] == 1  # the next request is answered


def test_slow_response_is_a_grafana_timeout_and_the_write_still_lands(connect):
    with GrafanaEmulator(slow_n=1, slow_s=0.4) as grafana:
        with pytest.raises(GrafanaTimeoutError):
            save(connect(grafana, timeout=0.1))
        assert grafana.wait_idle()
        assert grafana.dashboard("svc").version == 1


def test_grafana_down(connect):
    with GrafanaEmulator.nothing_listening() as url:
        with pytest.raises(niquests.exceptions.ConnectionError):
            GrafanaApi.from_url(url, credential=ADMIN_TOKEN, timeout=1).search.search_dashboards()
    with GrafanaEmulator() as grafana:
        api = connect(grafana)
        save(api)
        grafana.stop()
        with pytest.raises(niquests.exceptions.ConnectionError):
            api.search.search_dashboards()
        grafana.start()
        assert [h["uid"] for h in connect(grafana).search.search_dashboards()] == ["svc"]


def test_delay_applies_to_every_response(connect):
    with GrafanaEmulator(delay_s=0.05) as grafana:
        api = connect(grafana)
        started = time.monotonic()
        api.search.search_dashboards()
        api.search.search_dashboards()
        assert time.monotonic() - started >= 0.1


def test_journal_records_requests_but_never_credentials(grafana, connect):
    token_api, basic_api = connect(grafana), connect(grafana, credential=("admin", "admin"))
    save(token_api, message="via token")
    basic_api.search.search_dashboards(tag="x")
    with pytest.raises(GrafanaUnauthorizedError):
        connect(grafana, credential="glsa_leaked_by_mistake").search.search_dashboards()
    assert [(e.method, e.path, e.query, e.status, e.login) for e in grafana.journal] == [
        ("POST", "/api/dashboards/db", "", 200, "sa-1-admin"),
        ("GET", "/api/search", "tag=x", 200, "admin"),
        ("GET", "/api/search", "", 401, ""),
    ]
    pushed = {"dashboard": {"uid": "svc", "title": "Service", "tags": []}, "message": "via token"}
    assert grafana.writes()[0].body == pushed
    text = repr([e.as_dict() for e in grafana.journal])
    for secret in (ADMIN_TOKEN, "glsa_leaked_by_mistake", base64.b64encode(b"admin:admin").decode(), "Bearer"):
        assert secret not in text
    grafana.reset_journal()
    assert grafana.journal == [] and grafana.writes() == []


def test_concurrent_writers_get_distinct_ids(grafana, connect):
    apis = [connect(grafana) for _ in range(8)]

    def push(worker: int) -> None:
        for i in range(5):
            save(apis[worker], uid=f"w{worker}-{i}", title=f"W{worker} {i}")

    threads = [threading.Thread(target=push, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(d.id for d in grafana.state.dashboards.values()) == list(range(1, 41))
    assert [e.n for e in grafana.journal] == list(range(1, 41))


def test_head_health_has_no_body(grafana):
    with niquests.Session() as session:
        response = session.head(grafana.url + "/api/health")
    assert response.status_code == 200 and response.content in (b"", None)


def test_stop_leaves_no_threads_even_with_open_keep_alive_connections(connect):
    before = set(threading.enumerate())
    with GrafanaEmulator() as grafana:
        api = connect(grafana)
        api.search.search_dashboards()  # the pooled connection stays open
    assert not [t for t in set(threading.enumerate()) - before if "idle_conn" not in t.name]
