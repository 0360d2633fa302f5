"""`dashgen.shown`: blind to exactly what Grafana 12.3's own saves change (contract §3.6), to nothing
else. The emulator's UI save (written separately, from Grafana's source) is the independent check."""

from __future__ import annotations

import copy

import pytest

from conftest import REPO
from dashgen.build import build
from dashgen.project import find_project
from dashgen.shown import same_thing, shown
from emulator.ui import saved_by_ui

BUILT = {d.uid: d.model for d in build(find_project(REPO)).dashboards}


@pytest.mark.parametrize("uid", sorted(BUILT))
def test_a_save_from_the_ui_shows_what_the_build_shows(uid):
    model = BUILT[uid]
    saved = saved_by_ui({**copy.deepcopy(model), "id": 7, "version": 3}, "12.3.0")
    assert saved != model  # the save did rewrite the JSON...
    assert same_thing(saved, model)  # ...and nothing it shows


def stat(**extra) -> dict:
    panel = {"id": 1, "type": "stat", "title": "S", "gridPos": {"h": 4, "w": 8, "x": 0, "y": 0},
             "options": {"colorMode": "background"},
             "fieldConfig": {"defaults": {"unit": "percentunit", "thresholds": {
                 "mode": "absolute", "steps": [{"color": "red"}, {"color": "green", "value": 0.999}]}}, "overrides": []},
             "targets": [{"refId": "A", "expr": "up"}]}
    panel.update(extra)
    return panel


def dash(*panels, **top) -> dict:
    return {"uid": "d", "title": "D", "panels": list(panels), "templating": {"list": top.pop("variables", [])}, **top}


def with_base(value):
    panel = stat()
    panel["fieldConfig"]["defaults"]["thresholds"]["steps"][0]["value"] = value
    return dash(panel)


ENV = {"name": "env", "type": "query"}
DEFAULT_REFRESH = ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]


@pytest.mark.parametrize("grafana_wrote, ours", [
    (dash(stat(pluginVersion="12.3.0")), dash(stat())),
    (dash(stat(options={"colorMode": "background", "showPercentChange": False, "wideLayout": True})), dash(stat())),
    (with_base(0), dash(stat())),
    (with_base(None), dash(stat())),
    (dash(stat(links=[], transformations=[], transparent=False, hideTimeOverride=False)), dash(stat())),
    (dash(stat(), id=12, version=4, liveNow=False, weekStart="", preload=False), dash(stat(), id=None)),
    (dash(stat(), timepicker={"hidden": False, "refresh_intervals": DEFAULT_REFRESH}), dash(stat(), timepicker={})),
    (dash(stat(), variables=[{**ENV, "hide": 0, "multi": False, "allowCustomValue": True}]), dash(stat(), variables=[ENV])),
    (dash(stat(description=None)), dash(stat())),
], ids=["plugin version", "plugin defaults", "base threshold 0", "base threshold null", "empty lists and false flags",
        "server-owned and default settings", "default time picker", "variable defaults", "nulls"])
def test_what_grafana_writes_without_changing_the_screen_is_the_same(grafana_wrote, ours):
    assert same_thing(grafana_wrote, ours)


def _edit(path: str, value):
    model = dash(stat())
    target = model
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[last] = value
    return model


@pytest.mark.parametrize("edited", [
    _edit("title", "Other"),
    _edit("panels.0.fieldConfig.defaults.unit", "percent"),
    _edit("panels.0.fieldConfig.defaults.thresholds.steps.1.value", 0.99),
    _edit("panels.0.options.colorMode", "value"),  # back to the plugin's default: still an edit of ours
    _edit("panels.0.options.showPercentChange", True),  # a default turned on
    _edit("panels.0.transparent", True),
    _edit("panels.0.links", [{"title": "runbook", "url": "https://x"}]),
    _edit("panels.0.timeFrom", "1h"),
    _edit("liveNow", True),
    _edit("panels.0.gridPos", {"h": 4, "w": 12, "x": 0, "y": 0}),
    _edit("refresh", "5s"),
], ids=["title", "unit", "threshold", "option to its default", "default turned on", "transparent", "links",
        "time override", "live now", "size", "refresh"])
def test_a_change_anyone_can_see_is_a_change(edited):
    assert not same_thing(edited, dash(stat()))


def test_a_plugin_dashgen_knows_no_defaults_of_keeps_everything():
    ours = dash({"id": 1, "type": "geomap", "title": "Map", "options": {}})
    theirs = dash({"id": 1, "type": "geomap", "title": "Map", "options": {"view": {"id": "zero"}}})
    assert not same_thing(ours, theirs)  # whatever it merged in counts: unclear means changed
    assert same_thing(ours, dash({**ours["panels"][0], "pluginVersion": "12.3.0"}))


def test_shown_leaves_its_argument_alone():
    model = with_base(0)
    before = copy.deepcopy(model)
    shown(model)
    assert model == before


def test_thresholds_in_overrides_are_read_as_grafana_fixes_them():
    def with_override(value):
        panel = stat()
        panel["fieldConfig"]["overrides"] = [{"matcher": {"id": "byName", "options": "x"},
                                              "properties": [{"id": "thresholds", "value": value}]}]
        return dash(panel)

    ours = with_override({"steps": [{"color": "red"}, {"color": "green", "value": 1}]})
    saved = with_override({"mode": "absolute", "steps": [{"color": "red", "value": 0}, {"color": "green", "value": 1}]})
    assert same_thing(saved, ours)
    assert not same_thing(with_override({"mode": "percentage", "steps": [{"color": "red"}, {"color": "green", "value": 1}]}), ours)
