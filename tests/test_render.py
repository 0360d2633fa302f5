"""`dashgen render` and `dashgen.layout_svg`: a dashboard's grid drawn to scale, as valid SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from conftest import REPO, SIMPLE
from dashgen.build import build
from dashgen.compile.layout import all_panels
from dashgen.layout_svg import COLUMN_WIDTH, UNIT_HEIGHT, layout_svg, panel_key
from dashgen.project import find_project

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLE = REPO / "docs" / "device-fleet.svg"  # the README's picture


@pytest.fixture(scope="module")
def models() -> dict[str, dict]:
    return {d.uid: d.model for d in build(find_project(REPO)).dashboards}


def rects(svg: str) -> dict[str, ET.Element]:
    """The panel rectangles by panel key, from a document that must parse as SVG."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    found = [r for r in root.iter(f"{SVG}rect") if "data-panel" in r.attrib]
    by_key = {r.get("data-panel"): r for r in found}
    assert len(by_key) == len(found), "one rectangle per panel"
    return by_key


def box(rect: ET.Element) -> tuple[int, int, int, int]:
    return tuple(int(rect.get(a)) for a in ("x", "y", "width", "height"))


def test_every_panel_is_drawn_at_its_grid_position_to_scale(models):
    for model in models.values():
        _drawn_to_scale(model)


def _drawn_to_scale(model):
    drawn = rects(layout_svg(model))
    hidden = {panel_key(p) for row in model["panels"] if row.get("collapsed") for p in row["panels"]}
    for panel in all_panels(model["panels"]):
        key = panel_key(panel)
        if key in hidden:
            assert key not in drawn, f"{panel['title']!r} is inside a collapsed row"
            continue
        g = panel["gridPos"]
        assert box(drawn[key]) == (g["x"] * COLUMN_WIDTH, g["y"] * UNIT_HEIGHT,
                                   g["w"] * COLUMN_WIDTH, g["h"] * UNIT_HEIGHT), panel["title"]
    assert len(drawn) == sum(1 for _ in all_panels(model["panels"])) - len(hidden)


def test_the_grid_is_one_group_shifted_below_the_heading(models):
    svg = layout_svg(models["service-health"])
    (grid,) = [g for g in ET.fromstring(svg).findall(f"{SVG}g") if g.get("transform")]
    assert grid.get("transform").startswith("translate(")
    assert {r.get("data-panel") for r in grid.iter(f"{SVG}rect") if r.get("data-panel")} == set(rects(svg))


def test_a_collapsed_row_is_a_bar_saying_how_many_panels_it_hides(models):
    svg = layout_svg(models["device-fleet"])
    row = next(p for p in models["device-fleet"]["panels"] if p.get("collapsed"))
    assert box(rects(svg)[panel_key(row)]) == (0, row["gridPos"]["y"] * UNIT_HEIGHT, 24 * COLUMN_WIDTH, UNIT_HEIGHT)
    (note,) = [t for t in ET.fromstring(svg).iter(f"{SVG}text") if "data-hidden" in t.attrib]
    assert (note.get("data-hidden"), note.text) == ("4", "collapsed (4 panels)")
    assert "4 hidden panels" in svg


def panel(key, title, x=0, y=0, w=12, h=8, kind="timeseries", **extra) -> dict:
    return {"id": key, "title": title, "type": kind, "gridPos": {"x": x, "y": y, "w": w, "h": h}, **extra}


NASTY = 'A <b>"quoted"</b> & \'odd\' ]]> title\x01 with a long tail that cannot fit in six columns at all'


def test_titles_are_escaped_and_cut_to_fit():
    model = {"title": "<Dash & board>", "uid": "u\"id", "panels": [panel(None, NASTY, w=6)]}
    svg = layout_svg(model)
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<Dash & board>" in texts
    (title,) = [t for t in texts if t and t.startswith("A <b>")]
    assert title.endswith("…") and len(title) < 40
    assert NASTY[:20] in title
    # a panel without an id is keyed by its title, which reads back whole (control characters aside)
    assert list(rects(svg)) == [NASTY.replace("\x01", "\ufffd")]
    assert panel_key({"title": NASTY}) == NASTY and panel_key({"id": 7, "title": "x"}) == "7"


def test_line_breaks_in_a_title_survive_in_the_key_and_not_on_the_picture():
    svg = layout_svg({"panels": [panel(None, "two\nlines")]})
    assert list(rects(svg)) == ["two\nlines"]
    assert "two lines" in [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]


HIGHLIGHTED = {
    "title": "Diff", "uid": "diff",
    "panels": [
        panel(1, "new", 0, 0), panel(2, "gone", 12, 0), panel(3, "shifted", 0, 8), panel(None, "edited", 12, 8),
        panel(5, "same", 0, 16, w=24, h=4),
        {"id": 6, "type": "row", "title": "closed", "collapsed": True, "gridPos": {"x": 0, "y": 20, "w": 24, "h": 1},
         "panels": [panel(7, "inside", 0, 21), panel(8, "inside too", 12, 21)]},
    ],
}


def test_highlighted_panels_carry_their_state_and_a_legend_is_drawn():
    marks = {"1": "added", "2": "removed", "3": "moved", "edited": "changed", "7": "changed"}
    svg = layout_svg(HIGHLIGHTED, marks)
    drawn = rects(svg)
    assert {k: r.get("data-state") for k, r in drawn.items()} == {
        "1": "added", "2": "removed", "3": "moved", "edited": "changed", "5": None, "6": None}
    assert drawn["2"].get("stroke-dasharray") and not drawn["1"].get("stroke-dasharray")
    assert drawn["1"].get("stroke") != drawn["2"].get("stroke") != drawn["edited"].get("stroke")
    root = ET.fromstring(svg)
    (legend,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["added", "removed", "moved", "changed"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "collapsed (2 panels, 1 changed)" in texts and "timeseries · 12×8 · removed" in texts
    assert box(drawn["2"]) == (12 * COLUMN_WIDTH, 0, 12 * COLUMN_WIDTH, 8 * UNIT_HEIGHT)  # marking moves nothing


def test_without_highlights_there_is_no_legend_and_no_state():
    svg = layout_svg(HIGHLIGHTED)
    assert 'class="legend"' not in svg and "data-state" not in svg
    assert layout_svg(HIGHLIGHTED, {}) == svg


def test_an_unknown_highlight_state_is_refused():
    with pytest.raises(ValueError, match="unknown highlight state 'renamed'"):
        layout_svg(HIGHLIGHTED, {"1": "renamed"})


def test_drawing_is_byte_identical_each_time(models):
    for model in models.values():
        assert layout_svg(model) == layout_svg(model)
    marks = {"1": "added", "7": "changed"}
    assert layout_svg(HIGHLIGHTED, marks) == layout_svg(HIGHLIGHTED, dict(reversed(marks.items())))


def test_a_dashboard_without_panels_is_an_empty_grid():
    assert rects(layout_svg({"title": "Empty", "uid": "empty", "panels": []})) == {}
    assert rects(layout_svg({})) == {}


def test_render_prints_the_svg_of_the_dashboard(cli, models):
    code, out, err = cli("-C", str(REPO), "render", "service-health")
    assert (code, err) == (0, "")
    assert out == layout_svg(models["service-health"])


def test_render_out_writes_the_file(cli, project, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    target = tmp_path / "simple.svg"
    code, out, err = cli("-C", str(project.root), "render", "simple", "--out", str(target))
    assert (code, err) == (0, "")
    assert out == f"drew simple into {target}\n"
    drawn = rects(target.read_text(encoding="utf-8"))
    assert [box(r) for r in drawn.values()] == [(0, 0, 12 * COLUMN_WIDTH, 8 * UNIT_HEIGHT)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj", "simple.svg"]  # no partial file left


def test_render_of_an_unknown_uid_names_the_known_ones(cli, project):
    project.write("dashboards/simple.py", SIMPLE)
    code, out, err = cli("-C", str(project.root), "render", "nope")
    assert (code, out) == (2, "")
    assert err == "error: no dashboard with uid 'nope'; the uids are simple\n"


def test_render_makes_the_folder_it_is_told_to_write_into(cli, project, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    out = tmp_path / "new" / "x.svg"
    assert cli("-C", str(project.root), "render", "simple", "--out", str(out)) == (0, f"drew simple into {out}\n", "")
    assert out.read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')


def test_render_where_it_cannot_write_is_one_line(cli, project, tmp_path):
    project.write("dashboards/simple.py", SIMPLE)
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" / "x.svg"
    code, _, err = cli("-C", str(project.root), "render", "simple", "--out", str(out))
    assert (code, err) == (2, f"error: {out}: cannot write: File exists\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "proj"]


def test_the_readme_picture_is_current(models, update_golden):
    drawn = layout_svg(models["device-fleet"])
    if update_golden:
        EXAMPLE.parent.mkdir(exist_ok=True)
        EXAMPLE.write_text(drawn, encoding="utf-8")
    assert EXAMPLE.read_text(encoding="utf-8") == drawn, "docs/device-fleet.svg is stale; run pytest --update-golden"
