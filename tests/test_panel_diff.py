"""The panel-level diff reviewers read: added, removed, changed and renamed panels, query text diffs."""

from dashgen.panel_diff import diff_dashboards


def dash(*panels, **top):
    return {"uid": "d", "title": "D", "panels": list(panels), "templating": {"list": top.pop("variables", [])}, **top}


def panel(pid, title, expr, **extra):
    return {"id": pid, "type": "timeseries", "title": title, "targets": [{"refId": "A", "expr": expr}], **extra}


def test_added_removed_and_changed_panels_with_query_diffs():
    old = dash(panel(1, "Rate", "sum(rate(x_total[5m]))"), panel(2, "Gone", "up"))
    new = dash(panel(1, "Rate", "sum(rate(x_total[$__rate_interval]))", description="Per second."), panel(3, "New", "down"))
    result = diff_dashboards(old, new)
    assert [(p.title, p.type) for p in result.added] == [("New", "timeseries")]
    assert [p.title for p in result.removed] == ["Gone"]
    (change,) = result.changed
    assert change.title == "Rate" and change.fields == ["description"]
    assert change.queries == {"A": ["-sum(rate(x_total[5m]))", "+sum(rate(x_total[$__rate_interval]))"]}


def test_a_renamed_panel_is_a_change_not_a_new_panel():
    result = diff_dashboards(dash(panel(1, "Error logs", "{app=\"x\"}")), dash(panel(9, "Error log lines", "{app=\"x\"}")))
    assert (result.added, result.removed) == ([], [])
    assert [(c.title, c.fields) for c in result.changed] == [("Error log lines", ["title"])]


def test_settings_and_variables():
    result = diff_dashboards(dash(refresh="1m", variables=[{"name": "env"}]),
                             dash(refresh="5s", variables=[{"name": "env", "query": "x"}, {"name": "region"}]))
    assert result.settings == ["refresh"] and result.variables == ["+region", "~env"]
    assert not diff_dashboards(dash(panel(1, "A", "up")), dash(panel(1, "A", "up"))).changed


def test_query_settings_besides_the_text_are_changes():
    old = dash(panel(1, "Rate", "up"))
    new = dash(panel(1, "Rate", "up"))
    new["panels"][0]["targets"][0]["legendFormat"] = "{{job}}"
    (change,) = diff_dashboards(old, new).changed
    assert change.fields == ["targets.A.legendFormat"] and change.queries == {}
