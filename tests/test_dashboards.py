"""What every MPAC dashboard owes its readers: descriptions, units, variables in every query, rows,
and links to the other dashboards."""

from __future__ import annotations

import re

import promql_parser
import pytest

from test_catalogue import dashboards, panels, queries, selectors, substitute, walk

UIDS = {"service-health", "payment-processing", "device-fleet", "database-performance", "business-metrics"}
BUILT = sorted(d["uid"] for d in dashboards())  # the five, and any a team adds beside them
NUMERIC = {"timeseries", "stat", "bargauge", "gauge", "barchart", "histogram"}
# Grafana's unit ids (packages/grafana-data/src/valueFormats/categories.ts) that these dashboards may
# use; a custom unit is "suffix:..." or "prefix:...". Add an id here after checking it there.
GRAFANA_UNITS = {
    "none", "short", "percent", "percentunit", "bool_yes_no", "s", "ms", "bytes", "currencyJPY",
    "cps", "ops", "reqps", "rps", "wps", "iops", "cpm", "opm", "reqpm", "rpm", "wpm",
}
# Labels that pick a subset of outcomes (errors, approvals...): a series appears with its first sample.
OUTCOME_LABEL = re.compile(r"status|status_code|outcome|.*_code")


def test_the_five_dashboards_are_built():
    assert UIDS <= set(BUILT)


@pytest.mark.parametrize("uid", BUILT)
def test_every_panel_is_described_and_every_number_has_a_unit(uid):
    (dash,) = [d for d in dashboards() if d["uid"] == uid]
    for panel in panels(dash):
        if panel["type"] == "row":
            continue
        assert panel.get("description", "").strip(), f"{uid}: {panel['title']} has no description"
        if panel["type"] in NUMERIC:
            unit = panel["fieldConfig"]["defaults"].get("unit")
            assert unit, f"{uid}: {panel['title']} has no unit"
            assert unit in GRAFANA_UNITS or unit.startswith(("suffix:", "prefix:")), (
                f"{uid}: {panel['title']}: {unit!r} is not a Grafana unit id"
            )


@pytest.mark.parametrize("uid", BUILT)
def test_a_stat_that_draws_its_trend_has_range_queries(uid):
    (dash,) = [d for d in dashboards() if d["uid"] == uid]
    for panel in panels(dash):
        if panel["type"] == "stat" and panel["options"].get("graphMode") == "area":
            for target in panel["targets"]:
                assert target.get("range"), f"{uid}: {panel['title']} {target['refId']}: an instant query draws no sparkline"


def _selects_outcomes(node) -> bool:
    return any(OUTCOME_LABEL.fullmatch(m.name) for s in selectors(node) for m in s.matchers.matchers)


def _unparenthesised(node):
    while isinstance(node, promql_parser.ParenExpr):
        node = node.expr
    return node


def _falls_back_to_zero(node) -> bool:
    """`part or 0 * whole`: the part, or 0 for every series of the whole while the part has none."""
    node = _unparenthesised(node)
    if not (isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "or"):
        return False
    zero = _unparenthesised(node.rhs)
    return (isinstance(zero, promql_parser.BinaryExpr) and str(zero.op) == "*"
            and isinstance(zero.lhs, promql_parser.NumberLiteral) and zero.lhs.val == 0)


def test_a_share_of_outcomes_shows_zero_not_no_data():
    """A / B where A selects some outcomes (status="error", outcome!="success"...) has no series,
    so the panel says "No data", until the first such outcome: A needs `or 0 * B` (see ratio())."""
    for where, expr in queries("prometheus"):
        for node in walk(promql_parser.parse(substitute(expr))):
            if isinstance(node, promql_parser.BinaryExpr) and str(node.op) == "/" and _selects_outcomes(node.lhs):
                assert _falls_back_to_zero(node.lhs), f"{where}: the numerator of a ratio needs `or 0 * <denominator>`"


@pytest.mark.parametrize("uid", BUILT)
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
    others = {m for link in dash["links"] if link["type"] == "link" for m in re.findall(r"^/d/([\w-]+)", link["url"])}
    assert others & (UIDS - {uid}), f"{uid}: no link-bar button to another MPAC dashboard"
    assert "mpac" in dash["tags"]
    assert {"datasource", "env"} <= {v["name"] for v in dash["templating"]["list"]}, uid
