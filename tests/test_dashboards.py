"""What every MPAC dashboard owes its readers: descriptions, units, variables in every query, rows,
and links to the other dashboards."""

from __future__ import annotations

import re

import promql_parser
import pytest

from test_catalogue import dashboards, panels, selectors, substitute

UIDS = {"service-health", "payment-processing", "device-fleet", "database-performance", "business-metrics"}
NUMERIC = {"timeseries", "stat", "bargauge", "gauge", "barchart", "histogram"}


def test_the_five_dashboards_are_built():
    assert {d["uid"] for d in dashboards()} == UIDS


@pytest.mark.parametrize("uid", sorted(UIDS))
def test_every_panel_is_described_and_every_number_has_a_unit(uid):
    (dash,) = [d for d in dashboards() if d["uid"] == uid]
    for panel in panels(dash):
        if panel["type"] == "row":
            continue
        assert panel.get("description", "").strip(), f"{uid}: {panel['title']} has no description"
        if panel["type"] in NUMERIC:
            assert panel["fieldConfig"]["defaults"].get("unit"), f"{uid}: {panel['title']} has no unit"


@pytest.mark.parametrize("uid", sorted(UIDS))
def test_every_query_is_filtered_by_a_dashboard_variable(uid):
    (dash,) = [d for d in dashboards() if d["uid"] == uid]
    variables = {v["name"] for v in dash["templating"]["list"]}
    for panel in panels(dash):
        for target in panel.get("targets", []):
            text = target.get("expr") or target.get("query")
            used = set(re.findall(r"\$\{?(\w+)", text)) & variables
            assert used, f"{uid}: {panel['title']} {target['refId']} uses no dashboard variable"
            if target["datasource"]["type"] == "prometheus":
                for selector in selectors(promql_parser.parse(substitute(text))):
                    assert any(m.value.endswith("_value") for m in selector.matchers.matchers), (
                        f"{uid}: {panel['title']}: {selector.name} is not filtered by a variable"
                    )


@pytest.mark.parametrize("uid", sorted(UIDS))
def test_panels_are_grouped_in_rows_and_dashboards_link_to_each_other(uid):
    (dash,) = [d for d in dashboards() if d["uid"] == uid]
    assert dash["panels"][0]["type"] == "row", f"{uid}: panels before the first row"
    assert any(link["type"] == "dashboards" and "mpac" in link["tags"] for link in dash["links"]), uid
    assert "mpac" in dash["tags"]
    assert {"datasource", "env"} <= {v["name"] for v in dash["templating"]["list"]}, uid
