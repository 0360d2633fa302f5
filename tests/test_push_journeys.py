"""Push as people live with it, against an emulator that behaves as Grafana 12.3 does on the points
push relies on (tests/emulator/README.md): the version list rewrites first versions' messages, and a
save from the UI rewrites the JSON without changing what it shows. Each test is a whole journey:
create, change the code, push, someone opens and saves in the UI, push, edit, force, prune."""

from __future__ import annotations

import json
import re

import pytest

from conftest import REPO
from emulator import GrafanaEmulator
from pushing import ALL, UIDS, built_state, live_state, run, stack, writes  # noqa: F401

PANEL = "Availability (30d)"  # a stat panel of service-health, in percent
EDITED = "      what the edit changed (as dashgen pushed it → as it is now):"


@pytest.fixture(params=[True, False], ids=["list-rewrites-messages", "list-keeps-messages"])
def grafana(request):
    """Grafana 12.3's version list rewrites messages (contract §3.5); whether its unified-storage path
    does is not established, so every journey runs both ways."""
    with GrafanaEmulator(rewrite_version_messages=request.param) as emulator:
        yield emulator
        assert emulator.errors == []


def push(cli, stack, *args):
    return run(cli, stack, "push", "--env", "test", *args)


def whole_reads(grafana) -> list[str]:
    """Requests that fetch a dashboard's whole JSON: the dashboard, or one version with its data."""
    return [e.path for e in grafana.journal
            if e.method == "GET" and re.fullmatch(r"/api/dashboards/uid/[^/]+(/versions/\d+)?", e.path)]


def edit_code(stack, old: str, new: str, file: str = "service_health.py") -> None:
    path = stack / "dashboards" / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def panel(model: dict, title: str) -> dict:
    return next(p for p in model["panels"] if p.get("title") == title)


def refusal(out: str, uid: str) -> list[str]:
    """The refusal line of `uid` and the lines under it saying what the edit changed."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  ! refused   dashboard  {uid} "))
    found = [lines[start]]
    for line in lines[start + 1:]:
        if not line.startswith("      "):
            break
        found.append(line)
    return found


def test_the_life_of_a_dashboard(cli, stack, grafana):
    code, out, err = push(cli, stack)
    assert (code, err, out.splitlines()[-1]) == (0, "", f"{ALL} created")
    saves = [e for e in grafana.writes() if e.path == "/api/dashboards/db"]
    assert len(saves) == 2 * len(UIDS)  # each created, then saved again with its message (see apply.py)

    grafana.reset_journal()
    code, out, _ = push(cli, stack)  # nothing changed: version metadata only
    assert (code, out) == (0, f"plan for {grafana.url}:\n{ALL} unchanged; 0 writes\n")
    assert writes(grafana) == [] and whole_reads(grafana) == []

    edit_code(stack, '"Service health"', '"Service health v2"')
    grafana.reset_journal()
    code, out, _ = push(cli, stack)  # the first change after the create: no --force needed
    assert code == 0 and "~ updated     dashboard  service-health" in out
    assert writes(grafana) == [("POST", "/api/dashboards/db")]

    grafana.ui_save("service-health", user="alice")  # opened, Save pressed, nothing changed
    grafana.reset_journal()
    code, out, _ = push(cli, stack)
    assert (code, writes(grafana)) == (0, []) and out.endswith("0 writes\n")
    code, out, _ = run(cli, stack, "diff", "--env", "test")
    assert (code, out) == (0, f"{grafana.url} matches the build\n")

    edit_code(stack, '"Service health v2"', '"Service health v3"')
    code, out, _ = push(cli, stack)  # a changed build over that UI save
    assert code == 0
    assert re.search(r"~ updated     dashboard  service-health \S+ \(the definition changed; saved since in "
                     r"Grafana by alice at \S+ \(version \d+, no message\), which changed nothing it shows\)", out)
    assert grafana.dashboard("service-health").model["title"] == "Service health v3"

    def show_ms(model):
        panel(model, PANEL)["fieldConfig"]["defaults"]["unit"] = "percent"

    grafana.ui_save("service-health", show_ms, user="bob", message="percent reads better")
    grafana.ui_save("device-fleet", lambda m: {**m, "refresh": "5m"}, user="carol")
    grafana.reset_journal()
    code, out, _ = push(cli, stack)
    assert (code, writes(grafana)) == (1, [])
    line, *changes = refusal(out, "service-health")
    assert re.fullmatch(
        r"  ! refused   dashboard  service-health \(changed in Grafana by bob at 2025-11-20T12:\d\d:\d\dZ \(version "
        r"\d+, message 'percent reads better'\) after dashgen pushed it\)", line)
    assert changes == [EDITED, f"        ~ panel {PANEL!r}", '            fieldConfig.defaults.unit: "percentunit" → "percent"',
                       "      --force service-health overwrites it (after a backup)"]
    assert refusal(out, "device-fleet")[1:] == [EDITED, "        settings:", '            refresh: "1m" → "5m"',
                                                "      --force device-fleet overwrites it (after a backup)"]

    code, out, _ = push(cli, stack, "--force", "service-health")  # only that one
    assert code == 1 and "! refused     dashboard  device-fleet" in out
    version = re.search(r"service-health\.v(\d+)\.json", out)[1]
    backup = stack / ".dashgen" / "backups" / "test" / f"service-health.v{version}.json"
    assert f"backup of the version it replaced: {backup}" in out
    assert panel(json.loads(backup.read_text()), PANEL)["fieldConfig"]["defaults"]["unit"] == "percent"
    assert live_state(grafana)["service-health"] == built_state(stack)["service-health"]
    assert grafana.dashboard("device-fleet").model["refresh"] == "5m"

    (stack / "dashboards" / "business_metrics.py").unlink()
    code, out, _ = push(cli, stack, "--prune", "--force", "device-fleet")
    assert code == 0 and "- deleted     dashboard  business-metrics" in out
    assert grafana.dashboard("business-metrics") is None and grafana.dashboard("device-fleet").model["refresh"] == "1m"
    grafana.reset_journal()
    code, out, _ = push(cli, stack, "--prune")
    assert (code, writes(grafana), whole_reads(grafana)) == (0, [], [])


def _set_title(m):
    m["title"] = "Edited"


def _raise_threshold(m):
    panel(m, PANEL)["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"] = 0.99


def _change_query(m):
    panel(m, PANEL)["targets"][0]["expr"] = "1"


def _add_panel(m):
    m["panels"].append({"id": 1, "type": "text", "title": "Note", "gridPos": {"h": 2, "w": 24, "x": 0, "y": 99},
                        "options": {"content": "hi", "mode": "markdown"}})


def _move_panel(m):
    panel(m, PANEL)["gridPos"]["w"] = 12


def _remove_panel(m):
    m["panels"].remove(panel(m, PANEL))


def _change_variable(m):
    m["templating"]["list"][1]["query"] = "label_values(up, env)"


@pytest.mark.parametrize("edit, detail", [
    (_set_title, ["settings:", 'title: "Service health" → "Edited"']),
    (_raise_threshold, [f"~ panel {PANEL!r}", "fieldConfig.defaults.thresholds.steps[1].value: 0.999 → 0.99"]),
    (_change_query, [f"~ panel {PANEL!r}", "query A:",
                     '-1 - service:http_server_requests:error_ratio_rate30d{env="$env", service=~"$service"}', "+1"]),
    (_add_panel, ["+ panel 'Note' (text at x=0 y=99 w=24 h=2)"]),
    (_move_panel, [f"~ panel {PANEL!r}", "resized: x=0 y=1 w=8 h=4 → x=0 y=1 w=12 h=4"]),
    (_remove_panel, [f"- panel {PANEL!r} (stat at x=0 y=1 w=8 h=4)"]),
    (_change_variable, ["settings and variables:",
                        'variable env.query: "label_values(http_server_requests_total, env)" → "label_values(up, env)"']),
], ids=["title", "threshold", "query", "panel added", "panel moved", "panel removed", "variable"])
def test_each_kind_of_edit_in_the_ui_is_refused_and_kept(cli, stack, grafana, edit, detail):
    """Each edit is shown as `dashgen diff` shows it, every value old → new, under the refusal."""
    assert push(cli, stack)[0] == 0
    grafana.ui_save("service-health", edit, user="bob")
    kept = grafana.dashboard("service-health").model
    grafana.reset_journal()
    code, out, _ = push(cli, stack)
    assert (code, writes(grafana)) == (1, [])
    line, heading, *changes, hint = refusal(out, "service-health")
    assert "(changed in Grafana by bob at " in line and ", no message) after dashgen pushed it" in line
    assert (heading, hint) == (EDITED, "      --force service-health overwrites it (after a backup)")
    assert [c.strip() for c in changes] == detail
    assert grafana.dashboard("service-health").model == kept


def test_a_restore_in_grafana_is_a_hand_edit(cli, stack, grafana):
    push(cli, stack)
    first = grafana.dashboard("service-health").version
    edit_code(stack, '"Service health"', '"Service health v2"')
    assert push(cli, stack)[0] == 0
    grafana.ui_restore("service-health", first, user="erin")
    code, out, _ = push(cli, stack)
    line, *changes = refusal(out, "service-health")
    assert code == 1 and "by erin at " in line and f"message 'Restored from version {first}'" in line
    assert changes == [EDITED, "        settings:", '            title: "Service health v2" → "Service health"',
                       "      --force service-health overwrites it (after a backup)"]


def test_a_dashboard_is_handed_over_by_tagging_it(cli, stack, grafana):
    grafana.add_dashboard({"uid": "service-health", "title": "Made by hand", "tags": ["team"]}, user="frank")
    code, out, _ = push(cli, stack)
    assert code == 1 and "without the 'dashgen' tag, so dashgen does not own it; tag it 'dashgen' in Grafana" in out
    assert grafana.dashboard("service-health").model["title"] == "Made by hand"
    grafana.ui_save("service-health", lambda m: {**m, "tags": ["team", "dashgen"]}, user="frank")
    code, out, _ = push(cli, stack)
    assert code == 0
    assert re.search(r"~ updated     dashboard  service-health \S+ \(made in Grafana and tagged 'dashgen' by frank at "
                     r"\S+ \(version 2, no message\): taken over \(the version it replaces is backed up\)\)", out)
    backup = json.loads((stack / ".dashgen" / "backups" / "test" / "service-health.v2.json").read_text())
    assert backup["title"] == "Made by hand"
    assert live_state(grafana)["service-health"] == built_state(stack)["service-health"]


def test_prune_never_deletes_a_dashboard_dashgen_never_pushed(cli, stack, grafana):
    push(cli, stack)
    grafana.add_dashboard({"uid": "tagged-by-hand", "title": "Mine", "tags": ["dashgen"]}, user="gina")
    code, out, _ = push(cli, stack, "--prune", "--force")
    assert code == 1 and grafana.dashboard("tagged-by-hand") is not None
    assert ("! refused   dashboard  tagged-by-hand" in out
            and "dashgen never pushed it: it carried the 'dashgen' tag when it was made in Grafana (an import or a "
                "copy of a dashgen dashboard?): it is not deleted" in out)


def test_a_history_that_no_longer_reaches_dashgens_push_is_an_edit(cli, stack, grafana):
    grafana.options.versions_to_keep = 3
    push(cli, stack)
    for user in ("h1", "h2", "h3"):
        grafana.ui_save("service-health", user=user)  # nothing visible changed, but dashgen's push is gone
    assert push(cli, stack)[0] == 0  # the build says the same: nothing to decide
    edit_code(stack, '"Service health"', '"Service health v2"')
    code, out, _ = push(cli, stack)
    assert code == 1 and ("none of the 3 versions Grafana still keeps was pushed by dashgen (it deletes older ones), "
                          "so a hand edit cannot be ruled out") in refusal(out, "service-health")[0]


def test_force_names_only_what_the_plan_holds(cli, stack, grafana):
    code, _, err = push(cli, stack, "--force", "servce-health")
    assert (code, err) == (2, f"error: --force servce-health: no dashboard, folder or datasource of the build or of "
                              f"{grafana.url} has that uid\n")


def test_a_dry_run_says_nothing_was_sent(cli, stack, grafana):
    code, out, _ = push(cli, stack, "--dry-run")
    assert code == 0 and writes(grafana) == []
    assert out.endswith(f"{ALL} create; {ALL} writes\ndry run: nothing was sent to Grafana\n")


def test_reordered_variables_are_an_edit(cli, stack, grafana):
    push(cli, stack)
    grafana.ui_save("service-health", lambda m: m["templating"]["list"].reverse(), user="bob")
    edit_code(stack, '"Service health"', '"Service health v2"')
    code, out, _ = push(cli, stack)
    assert code == 1 and refusal(out, "service-health")[2:4] == ["        settings and variables:", (
        "            variables (their order): [\"datasource\", \"env\", \"service\"] → [\"service\", \"env\", \"datasource\"]")]


def test_a_dashboard_imported_with_the_tag_is_not_taken_over(cli, stack, grafana):
    """Someone imports dashgen's generated JSON, tag included: push finds it as defined, and after an
    edit in Grafana refuses it; only a dashboard tagged after it was made is handed over."""
    model = json.loads((REPO / "generated" / "dashboards" / "MPAC" / "service-health.json").read_text())
    grafana.add_folder("mpac", "MPAC")
    grafana.add_dashboard({**model, "tags": [*model["tags"], "dashgen"]}, folder_uid="mpac", user="ivan")
    assert push(cli, stack)[0] == 0  # it shows what the build shows: nothing to do
    grafana.ui_save("service-health", lambda m: {**m, "refresh": "5m"}, user="ivan", message="mine now")
    edit_code(stack, '"Service health"', '"Service health v2"')
    code, out, _ = push(cli, stack)
    assert code == 1 and grafana.dashboard("service-health").model["refresh"] == "5m"
    assert ("(dashgen never pushed it: it carried the 'dashgen' tag when it was made in Grafana (an import or a copy "
            "of a dashgen dashboard?))") in refusal(out, "service-health")[0]


def test_prune_with_force_never_deletes_what_the_kept_history_does_not_show_dashgen_wrote(cli, stack, grafana):
    grafana.options.versions_to_keep = 3
    push(cli, stack)
    grafana.add_dashboard({"uid": "copy", "title": "Copy", "tags": ["dashgen"]}, user="gina")
    for n in range(3):
        grafana.ui_save("copy", lambda m, n=n: {**m, "title": f"Copy {n}"}, user="gina")
    code, out, _ = push(cli, stack, "--prune", "--force")
    assert code == 1 and grafana.dashboard("copy") is not None
    assert "none of the 3 versions Grafana still keeps was pushed by dashgen" in out


def test_a_dashboard_with_only_its_create_version_is_updated_and_pruned(cli, stack, grafana):
    """A dashboard created by an older dashgen (one version, its message in the old form) or whose
    second save failed: the list shows "Initial save", the version read alone shows dashgen's."""
    from dashgen.build import build
    from dashgen.project import find_project
    from dashgen.push.desired import DesiredDashboard, owned

    grafana.add_folder("mpac", "MPAC")
    for dash in build(find_project(stack)).dashboards:
        fingerprint = DesiredDashboard(dash, "mpac").fingerprint
        grafana.add_dashboard(owned(dash.model), folder_uid="mpac", message=f"dashgen push {fingerprint}")
    edit_code(stack, '"Service health"', '"Service health v2"')
    (stack / "dashboards" / "business_metrics.py").unlink()
    code, out, _ = push(cli, stack, "--prune")
    assert code == 0 and "~ updated     dashboard  service-health" in out
    assert "- deleted     dashboard  business-metrics" in out and grafana.dashboard("business-metrics") is None


def test_an_edit_right_after_the_create_is_refused_by_the_next_push(cli, stack, grafana, monkeypatch):
    from dashgen.grafana import Grafana

    real = Grafana.save_dashboard

    def save(self, model, folder_uid, message, version):
        saved = real(self, model, folder_uid, message, version)
        if version is None and model["uid"] == "service-health":  # someone edits it between the two saves
            grafana.ui_save("service-health", lambda m: {**m, "refresh": "5m"}, user="judy")
        return saved

    monkeypatch.setattr(Grafana, "save_dashboard", save)
    code, out, _ = push(cli, stack)
    assert code == 0 and ("+ created     dashboard  service-health" in out
                          and "(then changed in Grafana at once; the next push checks that edit)" in out)
    monkeypatch.setattr(Grafana, "save_dashboard", real)
    edit_code(stack, '"Service health"', '"Service health v2"')
    code, out, _ = push(cli, stack)
    assert code == 1 and refusal(out, "service-health")[2:4] == ["        settings:", '            refresh: "1m" → "5m"']


def test_a_folder_changed_in_the_code_moves_the_dashboard(cli, stack, grafana):
    push(cli, stack)
    grafana.ui_save("service-health", user="kim")  # nothing changed
    pyproject = stack / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('default_folder = "MPAC"', 'default_folder = "MPAC Core"'))
    code, out, _ = push(cli, stack)
    assert code == 0 and grafana.dashboard("service-health").folder_uid == "mpac-core"


def test_a_move_in_grafana_without_a_version_is_an_edit(cli, stack, grafana):
    push(cli, stack)
    grafana.add_folder("elsewhere", "Elsewhere")
    grafana.state.dashboards["service-health"].folder_uid = "elsewhere"  # a move that saved no version
    code, out, _ = push(cli, stack)
    assert code == 1 and refusal(out, "service-health")[2] == "        folder: \"mpac\" → \"Elsewhere\" (moved in Grafana)"


def test_prune_keeps_a_dashboard_edited_while_the_plan_was_made(cli, stack, grafana, monkeypatch):
    import dashgen.push.plan as plan_module

    push(cli, stack)
    (stack / "dashboards" / "business_metrics.py").unlink()
    real = plan_module.read_live

    def read_then_someone_saves(client):
        live = real(client)  # the newest version says dashgen's push; then someone saves
        grafana.ui_save("business-metrics", lambda m: {**m, "refresh": "5m"}, user="lena")
        return live

    monkeypatch.setattr(plan_module, "read_live", read_then_someone_saves)
    code, out, _ = push(cli, stack, "--prune")
    assert code == 1 and grafana.dashboard("business-metrics").model["refresh"] == "5m"
    assert refusal(out, "business-metrics")[2:4] == ["        settings:", '            refresh: "1m" → "5m"']


def test_prune_keeps_a_dashboard_edited_between_plan_and_delete(stack, grafana):
    from dashgen.environments import environment
    from dashgen.project import find_project
    from dashgen.push.apply import apply
    from dashgen.push.desired import desired_state
    from dashgen.push.plan import make_plan
    from dashgen.push.target import connect

    project = find_project(stack)
    env = environment(project, "test")
    client = connect(env)
    apply(client, make_plan(client, desired_state(project, env)), stack / "backups")
    (stack / "dashboards" / "business_metrics.py").unlink()
    plan = make_plan(client, desired_state(project, env), prune=True)
    grafana.ui_save("business-metrics", lambda m: {**m, "refresh": "5m"}, user="lena")
    outcomes, error = apply(client, plan, stack / "backups")
    (outcome,) = [o for o in outcomes if o.change.uid == "business-metrics"]
    assert error is None and outcome.result == "refused" and grafana.dashboard("business-metrics") is not None
    assert outcome.detail.startswith("changed in Grafana while pushing (version ")


def test_ctrl_c_between_the_create_and_its_message_is_reported_and_converges(cli, stack, grafana, monkeypatch):
    from dashgen.grafana import Grafana

    real = Grafana.save_dashboard

    def save(self, model, folder_uid, message, version):
        if version is not None and model["uid"] == "service-health":
            raise KeyboardInterrupt
        return real(self, model, folder_uid, message, version)

    monkeypatch.setattr(Grafana, "save_dashboard", save)
    code, out, _ = push(cli, stack)
    assert code == 130
    assert "+ created     dashboard  service-health " in out and "(but interrupted before saving it with its message)" in out
    monkeypatch.setattr(Grafana, "save_dashboard", real)
    code, out, _ = push(cli, stack)
    assert code == 0 and live_state(grafana) == built_state(stack)
