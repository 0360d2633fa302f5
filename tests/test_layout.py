"""Panel placement and ids."""

from __future__ import annotations

from dashgen.compile.layout import assign_ids, lay_out, overlaps


def panel(title: str, w: int = 12, h: int = 8, **extra) -> dict:
    return {"type": "timeseries", "title": title, "gridPos": {"w": w, "h": h, "x": 0, "y": 0}, **extra}


def positions(panels):
    return {p["title"]: tuple(p["gridPos"][k] for k in "xywh") for p in panels}


def test_panels_fill_the_highest_free_spot():
    laid = lay_out([panel("tall", w=8, h=16), panel("a", w=16), panel("b", w=16), panel("c", w=24, h=2)])
    assert positions(laid) == {"tall": (0, 0, 8, 16), "a": (8, 0, 16, 8), "b": (8, 8, 16, 8), "c": (0, 16, 24, 2)}


def test_rows_start_below_everything_before_them():
    laid = lay_out([
        panel("first", w=6, h=3),
        {"type": "row", "title": "R", "panels": [panel("inside")]},
        panel("after"),
    ])
    assert positions(laid) == {"first": (0, 0, 6, 3), "R": (0, 3, 24, 1), "inside": (0, 4, 12, 8), "after": (12, 4, 12, 8)}
    assert [p["title"] for p in laid] == ["first", "R", "inside", "after"]
    assert laid[1]["panels"] == []


def test_collapsed_rows_hold_their_panels_and_take_one_line():
    laid = lay_out([
        {"type": "row", "title": "closed", "collapsed": True, "panels": [panel("hidden")]},
        {"type": "row", "title": "open", "panels": [panel("shown")]},
    ])
    assert [p["title"] for p in laid] == ["closed", "open", "shown"]
    assert positions(laid[0]["panels"]) == {"hidden": (0, 1, 12, 8)}
    assert positions(laid) == {"closed": (0, 0, 24, 1), "open": (0, 1, 24, 1), "shown": (0, 2, 12, 8)}


def test_ids_are_stable_when_a_panel_is_added():
    before = lay_out([panel("a"), panel("b")])
    assign_ids(before)
    after = lay_out([panel("new"), panel("a"), panel("b")])
    assign_ids(after)
    ids = {p["title"]: p["id"] for p in after}
    assert {p["title"]: p["id"] for p in before} == {"a": ids["a"], "b": ids["b"]}
    assert len(set(ids.values())) == 3


def test_explicit_ids_are_kept_and_same_titles_get_distinct_ids():
    laid = lay_out([panel("x", id=7), panel("x"), panel("x")])
    assign_ids(laid)
    ids = [p["id"] for p in laid]
    assert ids[0] == 7 and len(set(ids)) == 3


def test_overlaps_names_the_clashing_ids():
    a = {"id": 1, "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}}
    b = {"id": 2, "gridPos": {"x": 6, "y": 4, "w": 12, "h": 8}}
    c = {"id": 3, "gridPos": {"x": 12, "y": 2, "w": 12, "h": 4}}
    assert overlaps([a, b, c]) == [(1, 2), (2, 3)]
