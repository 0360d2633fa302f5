"""`dashgen push` and `dashgen diff --env` against the Grafana emulator, through grafana-client as
in production: what is created, that a second push writes nothing, that hand edits are refused and
kept, --force with its backup, ownership and prune, and every fault the issue names."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from dashgen.project import find_project
from dashgen.push.desired import DATASOURCE_MARK, OWNERSHIP_TAG
from dashgen.push.history import push_message
from emulator import ADMIN_TOKEN, VIEWER_TOKEN, GrafanaEmulator
from pushing import (  # noqa: F401
    ALL, BEFORE_DASHBOARDS, DATASOURCES, FOLDER_OF, FOLDERS, ORDER, UIDS, answering, built_state, fingerprints, grafana, live_state, point_at, run, stack, writes,
)

def test_first_push_creates_everything_in_dependency_order(cli, stack, grafana):
    code, out, err = run(cli, stack, "push", "--env", "test")
    assert (code, err) == (0, "")
    assert writes(grafana) == (
        [("POST", "/api/folders")] * FOLDERS + [("POST", "/api/datasources")] * DATASOURCES
        + [("POST", "/api/dashboards/db")] * 2 * len(UIDS)
    )
    assert live_state(grafana) == built_state(stack)
    assert out.splitlines()[-1] == f"{ALL} created"
    assert f"+ created     dashboard  service-health {grafana.url}/d/service-health/service-health" in out
    saved = [e.body for e in grafana.writes() if e.path == "/api/dashboards/db"]
    assert all(b["overwrite"] is False and b["folderUid"] == FOLDER_OF[b["dashboard"]["uid"]] for b in saved)
    assert {b["dashboard"]["uid"]: b["message"] for b in saved} == {
        uid: push_message(f, FOLDER_OF[uid]) for uid, f in fingerprints(stack).items()}
    assert all(OWNERSHIP_TAG in b["dashboard"]["tags"] for b in saved)


def test_second_push_of_unchanged_sources_writes_nothing(cli, stack, grafana):
    assert run(cli, stack, "push", "--env", "test")[0] == 0
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0
    assert writes(grafana) == []
    assert out == f"plan for {grafana.url}:\n{ALL} unchanged; 0 writes\n"


def test_dry_run_sends_no_write(cli, stack, grafana):
    code, out, _ = run(cli, stack, "push", "--env", "test", "--dry-run")
    assert code == 0 and writes(grafana) == []
    assert "+ create    dashboard  service-health" in out
    assert out.endswith(f"{ALL} create; {ALL} writes\ndry run: nothing was sent to Grafana\n")


def test_a_changed_definition_is_updated_with_the_live_version(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.reset_journal()
    path = stack / "dashboards" / "service_health.py"
    path.write_text(path.read_text().replace('"Service health"', '"Service health v2"'))
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0
    assert writes(grafana) == [("POST", "/api/dashboards/db")]
    assert grafana.writes()[0].body["dashboard"]["version"] == 2  # created, then saved with its message
    assert grafana.dashboard("service-health").model["title"] == "Service health v2"
    assert "~ updated     dashboard  service-health" in out


def test_a_hand_edit_is_refused_named_and_kept(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.ui_save("service-health", lambda m: {**m, "title": "Edited by hand"}, user="alice")
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 1
    assert writes(grafana) == []
    assert grafana.dashboard("service-health").model["title"] == "Edited by hand"
    (line,) = [l for l in out.splitlines() if l.startswith("  ! refused   dashboard  service-health")]
    assert line.startswith("  ! refused   dashboard  service-health (changed in Grafana by alice at ")
    assert line.endswith("(version 3, no message) after dashgen pushed it)")
    assert "\n      --force service-health overwrites it (after a backup)\n" in out


def test_force_restores_the_code_and_backs_up_the_edit(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.ui_save("service-health", lambda m: {**m, "title": "Edited by hand"}, user="alice")
    code, out, _ = run(cli, stack, "push", "--env", "test", "--force")
    assert code == 0
    assert live_state(grafana) == built_state(stack)
    backup = stack / ".dashgen" / "backups" / "test" / "service-health.v3.json"
    assert f"backup of the version it replaced: {backup}" in out
    assert json.loads(backup.read_text())["title"] == "Edited by hand"


def test_an_edit_between_plan_and_apply_is_refused_not_lost(stack, grafana, monkeypatch):
    from dashgen.environments import environment
    from dashgen.push.apply import apply
    from dashgen.push.desired import desired_state
    from dashgen.push.plan import make_plan
    from dashgen.push.target import connect

    project = find_project(stack)
    env = environment(project, "test")
    client = connect(env)
    path = stack / "dashboards" / "service_health.py"
    desired = desired_state(project, env)
    apply(client, make_plan(client, desired), stack / "backups")
    path.write_text(path.read_text().replace('"Service health"', '"Service health v2"'))
    plan = make_plan(client, desired_state(project, env))
    grafana.ui_save("service-health", lambda m: {**m, "title": "Edited meanwhile"}, user="bob")
    outcomes, error = apply(client, plan, stack / "backups")
    (outcome,) = [o for o in outcomes if o.change.uid == "service-health"]
    assert error is None and outcome.result == "refused"
    assert outcome.detail.startswith("changed in Grafana while pushing (The dashboard has been changed by someone else)")
    assert grafana.dashboard("service-health").model["title"] == "Edited meanwhile"


def test_unowned_dashboards_are_never_changed_or_deleted(cli, stack, grafana):
    grafana.add_dashboard({"uid": "service-health", "title": "Hand made", "tags": []})
    grafana.add_dashboard({"uid": "someone-elses", "title": "Not ours", "tags": ["team-x"]})
    code, out, _ = run(cli, stack, "push", "--env", "test", "--prune")
    assert code == 1
    assert ("POST", "/api/dashboards/db") in writes(grafana)
    assert not any(path.endswith("/service-health") or "someone-elses" in path for _, path in writes(grafana))
    assert grafana.dashboard("service-health").model["title"] == "Hand made"
    assert grafana.dashboard("someone-elses") is not None
    assert "! refused     dashboard  service-health" in out and "without the 'dashgen' tag" in out


def test_prune_lists_then_deletes_only_managed_dashboards_no_longer_defined(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    (stack / "dashboards" / "business_metrics.py").unlink()
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0 and "? orphaned  dashboard  business-metrics (no longer defined; --prune deletes it)" in out
    assert grafana.dashboard("business-metrics") is not None
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test", "--prune", "--dry-run")
    assert code == 0 and "- delete    dashboard  business-metrics (no longer defined)" in out and writes(grafana) == []
    code, out, _ = run(cli, stack, "push", "--env", "test", "--prune")
    assert code == 0 and writes(grafana) == [("DELETE", "/api/dashboards/uid/business-metrics")]
    assert grafana.dashboard("business-metrics") is None


def test_a_bad_token_exits_3_without_showing_it(cli, stack, grafana, monkeypatch):
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", "glsa_not_a_valid_token_123")
    code, out, err = run(cli, stack, "push", "--env", "test")
    assert code == 3
    assert err.startswith(f"error: GET {grafana.url}/api/search: 401 Unauthorized: Grafana did not accept "
                          "the credentials in TEST_GRAFANA_TOKEN")
    assert "glsa_not_a_valid_token_123" not in out + err


def test_a_viewer_token_exits_3_with_a_hint(cli, stack, grafana, monkeypatch):
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", VIEWER_TOKEN)
    code, out, err = run(cli, stack, "push", "--env", "test")
    assert code == 3
    assert "403" in out + err and "may not do this (a Viewer token?" in out + err
    assert writes(grafana) in ([], [("POST", "/api/folders")])


def test_grafana_down_exits_3(cli, stack, backoff_waits):
    with GrafanaEmulator.nothing_listening() as url:
        point_at(stack, url)
        code, _, err = run(cli, stack, "push", "--env", "test")
    assert code == 3 and backoff_waits == [0.5, 1.0, 2.0]  # three retries, each after twice the wait
    assert err.startswith(f"error: GET {url}/api/search: cannot reach Grafana at ")


@pytest.mark.parametrize("command", ["push", "diff"])
@pytest.mark.parametrize("answer, message", [
    ({"hits": []}, 'search hits as dashgen reads them: {"hits":[]} is not of type "array"'),
    ([{"title": "no uid"}], 'search hits as dashgen reads them: at [0]: "uid" is a required property'),
])
def test_a_grafana_answering_nonsense_is_one_line_naming_the_endpoint(cli, stack, command, answer, message):
    with answering(answer) as url:
        point_at(stack, url)
        code, out, err = run(cli, stack, command, "--env", "test")
    assert (code, out, err) == (3, "", f"error: GET {url}/api/search: the answer is not {message}\n")


def test_a_broken_definition_is_reported_before_anything_is_asked_of_grafana(cli, stack, grafana):
    (stack / "dashboards" / "zz_broken.py").write_text("1 / 0\n")
    code, out, err = run(cli, stack, "push", "--env", "test")
    assert (code, out, err) == (2, "", "error: dashboards/zz_broken.py:1: ZeroDivisionError: division by zero\n1 error\n")
    assert grafana.journal == []


def test_concurrent_reads_keep_their_order_and_raise_the_first_failure():
    import threading

    from dashgen.push.plan import _read_all

    assert _read_all(lambda n: n * n, range(100)) == [n * n for n in range(100)]
    assert _read_all(lambda n: n, []) == []

    sixty_failed = threading.Event()

    def failing(n):
        if n == 60:
            sixty_failed.set()
            raise ValueError(n)
        if n == 3:
            sixty_failed.wait(10)  # the later item fails first
            raise ValueError(n)
        return n

    with pytest.raises(ValueError, match="^3$"):
        _read_all(failing, range(100))


def test_a_500_mid_push_reports_what_was_applied_and_a_second_push_converges(cli, stack, grafana):
    grafana.options.fail_write_n = BEFORE_DASHBOARDS + 3  # the second dashboard (each is created, then saved again)
    code, out, err = run(cli, stack, "push", "--env", "test")
    assert code == 3
    assert f"+ created     dashboard  {ORDER[0]}" in out
    assert f"x failed      dashboard  {ORDER[1]}" in out
    assert f". not applied dashboard  {ORDER[-1]}" in out
    assert "stopped: POST " in out
    grafana.options.fail_write_n = None
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0
    assert live_state(grafana) == built_state(stack)
    assert out.splitlines()[-1] == f"{len(UIDS) - 1} created, {BEFORE_DASHBOARDS + 1} unchanged"


def test_a_dropped_connection_on_a_read_is_retried(cli, stack, grafana):
    grafana.options.drop_connection_n = 1
    code, _, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0
    assert live_state(grafana) == built_state(stack)
    assert grafana.journal[0].status is None


def test_a_slow_write_past_the_timeout_fails_and_the_next_push_converges(cli, stack, grafana):
    pyproject = stack / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('token_env = "TEST_GRAFANA_TOKEN"',
                                                       'token_env = "TEST_GRAFANA_TOKEN"\ntimeout_s = 0.5'))
    # After the reads (the search, the folders, the datasources, each dashboard): the first write.
    grafana.options.slow_n, grafana.options.slow_s = 2 + BEFORE_DASHBOARDS + len(UIDS), 1.0
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 3
    assert "timed out (timeout_s in the environment sets the limit)" in out
    grafana.options.slow_n = None
    assert grafana.wait_idle()
    code, _, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0 and live_state(grafana) == built_state(stack)


def test_diff_shows_the_same_changes_as_the_plan(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    path = stack / "dashboards" / "service_health.py"
    path.write_text(path.read_text().replace('"Error logs"', '"Error log lines"'))
    grafana.ui_save("device-fleet", lambda m: {**m, "refresh": "5s"}, user="carol")
    _, plan_out, _ = run(cli, stack, "push", "--env", "test", "--dry-run", "--format", "json")
    code, diff_out, _ = run(cli, stack, "diff", "--env", "test", "--format", "json")
    planned = {(c["kind"], c["uid"], c["planned"]) for c in json.loads(plan_out)["changes"] if c["planned"] != "unchanged"}
    diffed = {(c["kind"], c["uid"], c["action"]) for c in json.loads(diff_out)["changes"]}
    assert code == 1 and diffed == planned == {("dashboard", "service-health", "update"), ("dashboard", "device-fleet", "refused")}
    _, text, _ = run(cli, stack, "diff", "--env", "test")
    assert "    ~ panel 'Error log lines'\n        title: \"Error logs\" → \"Error log lines\"\n" in text
    assert "device-fleet 'Device fleet' (changed in Grafana by carol" in text and '        refresh: "5s" → "1m"' in text
    _, plan_text, _ = run(cli, stack, "push", "--env", "test", "--dry-run")
    assert ("      what the update changes (in Grafana → in the build):\n"
            "        ~ panel 'Error log lines'\n"
            "            title: \"Error logs\" → \"Error log lines\"\n") in plan_text  # as diff shows it
    _, markdown, _ = run(cli, stack, "diff", "--env", "test", "--format", "markdown")
    assert markdown.startswith(f"## Changes to {grafana.url}")


def test_environment_errors_are_one_line(cli, stack, monkeypatch):
    code, _, err = run(cli, stack, "push", "--env", "qa")
    assert (code, err) == (2, "error: unknown environment 'qa'; known: local, production, staging, test\n")
    monkeypatch.delenv("TEST_GRAFANA_TOKEN")
    code, _, err = run(cli, stack, "push", "--env", "test")
    assert code == 2 and err.startswith("error: set TEST_GRAFANA_TOKEN to a service-account token for http://127.0.0.1:")
    monkeypatch.setenv("GRAFANA_STAGING_TOKEN", "x")
    pyproject = stack / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("https://grafana.staging.example.com", "http://grafana.staging.example.com"))
    code, _, err = run(cli, stack, "push", "--env", "staging")  # refused before any request is sent
    assert code == 2 and "is plain http to another host" in err


def test_prune_keeps_a_copy_or_a_hand_edit_it_did_not_write(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.add_dashboard({"uid": "alice-copy", "title": "Copy", "tags": [OWNERSHIP_TAG]})  # "Save as" keeps tags
    (stack / "dashboards" / "business_metrics.py").unlink()
    grafana.ui_save("business-metrics", lambda m: {**m, "refresh": "5m"}, user="alice")
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test", "--prune")
    assert code == 1 and writes(grafana) == []
    assert "! refused   dashboard  alice-copy (no longer defined, but dashgen never pushed it" in out
    assert "! refused   dashboard  business-metrics (no longer defined, but changed in Grafana by alice" in out
    code, out, _ = run(cli, stack, "push", "--env", "test", "--prune", "--force")
    assert code == 1 and grafana.dashboard("business-metrics") is None  # the copy is never deleted
    assert grafana.dashboard("alice-copy") is not None
    assert (stack / ".dashgen" / "backups" / "test" / "business-metrics.v3.json").is_file()


def test_grafana_adjusting_a_save_is_not_taken_for_a_hand_edit(cli, stack, grafana):
    grafana.options.min_refresh_interval = "5m"  # Grafana raises a lower refresh on save (contract 3.1.9)
    run(cli, stack, "push", "--env", "test")
    path = stack / "dashboards" / "service_health.py"
    path.write_text(path.read_text().replace('"Service health"', '"Service health v2"'))
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0 and "~ updated     dashboard  service-health" in out


def test_a_dashboard_moved_by_hand_is_refused(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.add_folder("elsewhere", "Elsewhere")
    grafana.ui_save("service-health", lambda m: m, user="dave", folder_uid="elsewhere")
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 1 and "! refused   dashboard  service-health (changed in Grafana by dave" in out


def test_an_unwritable_backup_stops_before_any_write(cli, stack, grafana, tmp_path):
    run(cli, stack, "push", "--env", "test")
    grafana.ui_save("service-health", lambda m: {**m, "title": "Edited"}, user="alice")
    blocker = tmp_path / "file"
    blocker.write_text("")
    grafana.reset_journal()
    code, _, err = run(cli, stack, "push", "--env", "test", "--force", "--backup-dir", str(blocker / "b"))
    assert code == 2 and writes(grafana) == []
    assert err.startswith(f"error: cannot back up service-health to {blocker / 'b' / 'service-health.v3.json'}: ")


def test_a_name_clash_on_create_is_a_failure_to_fix_not_a_conflict(cli, stack, grafana):
    grafana.add_datasource({"uid": "other", "name": "Prometheus", "type": "prometheus", "access": "proxy", "url": "http://x"})
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 3
    assert "x failed      datasource prometheus (POST " in out and "409 data source with the same name already exists" in out
    assert "fix this, then run push again" in out


@pytest.mark.parametrize("url, message", [
    ("http://admin:secret@127.0.0.1:3000", "url must be the Grafana's address alone"),
    ("https://grafana.example.com/?verify=false", "url must be the Grafana's address alone"),
])
def test_credentials_and_options_in_the_url_are_refused(cli, stack, url, message):
    pyproject = stack / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'\n[tool.dashgen.environments.bad]\nurl = "{url}"\n')
    code, _, err = run(cli, stack, "push", "--env", "bad")
    assert code == 2 and message in err and "secret" not in err


def test_a_token_with_a_trailing_newline_works(cli, stack, grafana, monkeypatch):
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", ADMIN_TOKEN + "\n")
    assert run(cli, stack, "push", "--env", "test")[0] == 0


def test_diff_works_with_a_read_only_token(cli, stack, grafana, monkeypatch):
    run(cli, stack, "push", "--env", "test")
    path = stack / "dashboards" / "service_health.py"
    path.write_text(path.read_text().replace('"Service health"', '"Service health v2"'))
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", VIEWER_TOKEN)
    code, out, err = run(cli, stack, "diff", "--env", "test")
    assert (code, err) == (1, "")
    assert ("! refused dashboard service-health 'Service health v2' (its history is not readable with this token, so a "
            "hand edit cannot be ruled out)") in out


def test_many_dashboards_are_written_concurrently_and_a_failure_stops_the_rest(cli, tmp_path, grafana, monkeypatch):
    import sys
    sys.path.insert(0, str(REPO / "bench"))
    from build_bench import write_project

    root = tmp_path / "many"
    write_project(root, 30, 2)
    with (root / "pyproject.toml").open("a") as f:
        f.write(f'\n[tool.dashgen.environments.test]\nurl = "{grafana.url}"\ntoken_env = "TEST_GRAFANA_TOKEN"\n')
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", ADMIN_TOKEN)
    grafana.options.fail_write_n = 10
    code, out, _ = cli("-C", str(root), "push", "--env", "test")
    outcomes = [line[4:16].strip() for line in out.splitlines() if line.startswith(("  + created", "  x failed", "  . not applied"))]
    assert code == 3 and "stopped: POST " in out
    # The 10th write fails: a create (failed), or the save that follows one (created, the message failed).
    assert outcomes.count("failed") <= 1 and outcomes.count("created") >= 4 and outcomes.count("not applied") >= 1
    assert len(outcomes) == 31  # the folder and 30 dashboards, each accounted for
    grafana.options.fail_write_n = None
    code, out, _ = cli("-C", str(root), "push", "--env", "test")
    created = outcomes.count("created")
    assert code == 0 and out.splitlines()[-1] == f"{31 - created} created, {created} unchanged"
    code, out, _ = cli("-C", str(root), "push", "--env", "test")
    assert code == 0 and out.endswith("31 unchanged; 0 writes\n")


def test_a_datasource_definition_change_updates_it_saying_what_it_overwrites(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    sent = [e.body for e in grafana.writes() if e.path == "/api/datasources"]
    assert all(len(b["jsonData"][DATASOURCE_MARK]) == 16 for b in sent)  # what push wrote, recorded
    path = stack / "datasources" / "mpac.py"
    path.write_text(path.read_text().replace('scrape_interval="15s"', 'scrape_interval="30s"'))
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0
    assert ("~ update    datasource prometheus (the definition changed)\n"
            "      what an update changes (as it is in Grafana → as the code says):\n"
            "        jsonData.timeInterval: \"15s\" → \"30s\"\n") in out
    assert writes(grafana) == [("PUT", "/api/datasources/uid/prometheus")]
    assert run(cli, stack, "push", "--env", "test")[1].endswith(f"{ALL} unchanged; 0 writes\n")


def hand_edit_prometheus(ds) -> None:
    ds.json_data = {**ds.json_data, "timeInterval": "30s", "handAdded": True}


def test_a_datasource_edited_in_grafana_is_refused_and_kept(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.ui_edit_datasource("prometheus", hand_edit_prometheus)
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert (code, writes(grafana)) == (1, [])
    assert ("! refused   datasource prometheus (changed in Grafana (version 2) after dashgen pushed it)\n"
            "      what an update changes (as it is in Grafana → as the code says):\n"
            "        jsonData.handAdded: true → (none)\n"
            "        jsonData.timeInterval: \"30s\" → \"15s\"\n"
            "      --force prometheus overwrites it (after a backup)\n") in out
    assert grafana.state.datasources["prometheus"].json_data["timeInterval"] == "30s"


def test_force_overwrites_an_edited_datasource_after_a_backup_without_secrets(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.ui_edit_datasource("prometheus", hand_edit_prometheus)
    code, out, _ = run(cli, stack, "push", "--env", "test", "--force")
    assert code == 0 and "~ updated     datasource prometheus (changed in Grafana (version 2)" in out
    backup = stack / ".dashgen" / "backups" / "test" / "datasources" / "prometheus.v2.json"
    assert f"backup of the version it replaced: {backup}" in out
    saved = json.loads(backup.read_text())
    assert saved["jsonData"]["timeInterval"] == "30s" and "secureJsonData" not in saved
    assert grafana.state.datasources["prometheus"].json_data["timeInterval"] == "15s"
    assert run(cli, stack, "push", "--env", "test")[1].endswith(f"{ALL} unchanged; 0 writes\n")


def test_a_datasource_dashgen_did_not_create_is_taken_over_only_with_force(cli, stack, grafana):
    grafana.add_datasource({"uid": "prometheus", "name": "Prometheus", "type": "prometheus", "access": "proxy",
                            "url": "http://prometheus:9090", "jsonData": {"timeInterval": "1m"}})
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 1
    assert ("! refused   datasource prometheus (carries no record of a dashgen push (made in Grafana, or pushed by an "
            "older dashgen))\n      what an update changes (as it is in Grafana → as the code says):\n"
            "        isDefault: false → true\n") in out
    code, out, _ = run(cli, stack, "push", "--env", "test", "--force")
    assert code == 0 and "~ updated     datasource prometheus (carries no record of a dashgen push" in out


def test_a_datasource_already_as_defined_is_marked_once(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    stored = grafana.state.datasources["prometheus"]
    del stored.json_data[DATASOURCE_MARK]  # as if someone had created it exactly as the code says
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0 and "~ updated     datasource prometheus (already as defined; records that dashgen set it)" in out
    assert writes(grafana) == [("PUT", "/api/datasources/uid/prometheus")]
    assert run(cli, stack, "push", "--env", "test")[1].endswith(f"{ALL} unchanged; 0 writes\n")


def test_a_folder_renamed_in_grafana_is_refused_and_its_dashboards_still_pushed(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.ui_rename_folder("mpac", "MPAC (old)", user="erin")
    path = stack / "dashboards" / "service_health.py"
    path.write_text(path.read_text().replace('"Service health"', '"Service health v2"'))
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 1
    assert ("! refused   folder     mpac (titled 'MPAC (old)' in Grafana, not 'MPAC' as in the code (renamed in "
            "Grafana, or in the code; last changed by erin at 2025-11-20T12:00:") in out
    assert "; --force mpac renames it)" in out
    assert "~ updated     dashboard  service-health" in out
    assert grafana.state.folders["mpac"].title == "MPAC (old)"
    code, out, _ = run(cli, stack, "push", "--env", "test", "--force")
    assert code == 0 and grafana.state.folders["mpac"].title == "MPAC"
    assert (stack / ".dashgen" / "backups" / "test" / "folders" / "mpac.v2.json").is_file()


def test_a_read_only_datasource_is_left_alone_even_with_force(cli, stack, grafana):
    run(cli, stack, "push", "--env", "test")
    grafana.mark_read_only("prometheus")
    assert run(cli, stack, "push", "--env", "test")[1].endswith(f"{ALL} unchanged; 0 writes\n")
    path = stack / "datasources" / "mpac.py"
    path.write_text(path.read_text().replace('scrape_interval="15s"', 'scrape_interval="30s"'))
    grafana.reset_journal()
    code, out, _ = run(cli, stack, "push", "--env", "test", "--force")
    assert (code, writes(grafana)) == (1, [])
    assert ("! refused   datasource prometheus (differs from the code, but is provisioned read-only in Grafana; change "
            "its provisioning file)\n      what an update changes (as it is in Grafana → as the code says):\n"
            "        jsonData.timeInterval: \"15s\" → \"30s\"\n") in out


def test_a_secret_grafana_lacks_is_sent_again_and_never_shown(cli, stack, grafana, monkeypatch):
    path = stack / "datasources" / "mpac.py"
    path.write_text(path.read_text().replace('uid="loki", name="Loki",',
                                             'uid="loki", name="Loki", basic_auth_user="grafana", '
                                             'secrets={"basicAuthPassword": "$LOKI_PASSWORD"},'))
    monkeypatch.setenv("LOKI_PASSWORD", "hunter2-secret")
    assert run(cli, stack, "push", "--env", "test")[0] == 0
    assert grafana.datasource_secrets("loki") == {"basicAuthPassword": "hunter2-secret"}
    grafana.state.datasources["loki"].secure.clear()  # lost in Grafana
    code, out, err = run(cli, stack, "push", "--env", "test")
    assert code == 0 and "~ updated     datasource loki (a secret is not set in Grafana)" in out
    assert "        secret basicAuthPassword: not set in Grafana\n" in out
    assert grafana.datasource_secrets("loki") == {"basicAuthPassword": "hunter2-secret"}
    assert "hunter2" not in out + err


def test_a_broken_definition_is_reported_before_a_missing_token(cli, stack, monkeypatch):
    monkeypatch.delenv("TEST_GRAFANA_TOKEN")
    (stack / "dashboards" / "zz_broken.py").write_text("1 / 0\n")
    assert run(cli, stack, "push", "--env", "test") == (
        2, "", "error: dashboards/zz_broken.py:1: ZeroDivisionError: division by zero\n1 error\n")
    (stack / "dashboards" / "zz_broken.py").unlink()
    code, _, err = run(cli, stack, "push", "--env", "test")
    assert code == 2 and err.startswith("error: set TEST_GRAFANA_TOKEN to a service-account token for ")


def test_a_failure_between_the_create_and_its_message_is_reported_and_converges(cli, stack, grafana):
    grafana.options.fail_write_n = BEFORE_DASHBOARDS + 2  # the first dashboard's second save, with its message
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 3
    assert (f"+ created     dashboard  {ORDER[0]} " in out and "(but saving it with its message failed: "
            f"POST {grafana.url}/api/dashboards/db: 500 Failed to save dashboard)") in out
    assert f". not applied dashboard  {ORDER[-1]}" in out
    grafana.options.fail_write_n = None
    code, out, _ = run(cli, stack, "push", "--env", "test")
    assert code == 0 and out.splitlines()[-1] == f"{len(UIDS) - 1} created, {BEFORE_DASHBOARDS + 1} unchanged"
    assert live_state(grafana) == built_state(stack)


def test_an_environment_folder_with_a_dashboards_uid_is_refused_before_any_request(cli, stack, grafana):
    pyproject = stack / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('token_env = "TEST_GRAFANA_TOKEN"',
                                                       'token_env = "TEST_GRAFANA_TOKEN"\nfolder = "Service health"'))
    code, _, err = run(cli, stack, "push", "--env", "test")
    assert (code, grafana.journal) == (2, [])
    assert err == ("error: pyproject.toml [tool.dashgen.environments.test]: folder 'Service health' would have the uid "
                   "'service-health' of the dashboard in dashboards/service_health.py, and Grafana gives one uid to "
                   "one dashboard or folder; choose another folder\n")


def test_every_word_of_the_vocabulary_is_shown_and_counted():
    from dashgen.push.vocabulary import COUNTED, DONE, SYMBOLS, Action, Between, Result

    assert set(Action) | set(Result) | set(Between) <= set(SYMBOLS)
    assert set(Action) | set(Result) <= set(COUNTED) and set(DONE) == set(Action)


def test_diff_env_shows_an_orphan_as_staying_in_grafana(cli, stack, grafana):
    """A dashboard no longer defined stays in Grafana until --prune: diff says so, not that it goes."""
    run(cli, stack, "push", "--env", "test")
    (stack / "dashboards" / "business_metrics.py").unlink()
    code, out, err = run(cli, stack, "diff", "--env", "test")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"changes to {grafana.url}:",
        "? orphaned dashboard business-metrics 'Business metrics' (no longer defined; --prune deletes it)",
    ]
    code, out, _ = run(cli, stack, "diff", "--env", "test", "--format", "json")
    (entry,) = json.loads(out)["changes"]
    assert (code, entry["uid"], entry["action"], entry["removed"]) == (1, "business-metrics", "orphaned", [])
