"""Grid positions and panel ids: the same definitions always give the same layout and the same ids.

Definitions give each panel a size (gridPos w and h, default 12x8); dashgen places them. Each panel
goes to the highest free spot on the 24-column grid, leftmost on ties, never above its row. Ids come
from the row and panel titles, so adding a panel leaves the other panels' ids (and links) alone.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

COLUMNS = 24
DEFAULT_SIZE = (12, 8)  # w, h
ID_SPACE = 999_983  # a prime: ids stay below a million and spread evenly


class LayoutError(ValueError):
    """A panel that cannot be placed; `panel` is its title."""

    def __init__(self, panel: str, message: str):
        self.panel = panel
        super().__init__(message)


@dataclass
class _Section:
    row: dict | None
    children: list[dict] = field(default_factory=list)


def _sections(panels: list[dict]) -> list[_Section]:
    """Rows with their panels, whether nested in the row or following it at the top level."""
    sections = [_Section(row=None)]
    for panel in panels:
        if panel.get("type") == "row":
            sections.append(_Section(row=panel, children=list(panel.get("panels", []))))
        else:
            sections[-1].children.append(panel)
    return [s for s in sections if s.row is not None or s.children]


def _size(panel: dict) -> tuple[int, int]:
    grid = panel.get("gridPos") or {}
    w, h = grid.get("w", DEFAULT_SIZE[0]), grid.get("h", DEFAULT_SIZE[1])
    if not isinstance(w, int) or not 1 <= w <= COLUMNS:
        raise LayoutError(panel.get("title", ""), f"gridPos.w {w!r} must be a whole number from 1 to {COLUMNS}")
    if not isinstance(h, int) or h < 1:
        raise LayoutError(panel.get("title", ""), f"gridPos.h {h!r} must be a whole number of at least 1")
    return w, h


def _place(panels: list[dict], top: int) -> int:
    """Places panels below `top`; returns the first free line under them."""
    skyline = [top] * COLUMNS
    for panel in panels:
        w, h = _size(panel)
        tops = [max(skyline[x:x + w]) for x in range(COLUMNS - w + 1)]
        y = min(tops)
        x = tops.index(y)  # the leftmost of the highest spots
        panel["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        skyline[x:x + w] = [y + h] * w
    return max(skyline)


def lay_out(panels: list[dict]) -> list[dict]:
    """Grafana's flat panel list with gridPos set: expanded rows are followed by their panels,
    collapsed rows hold theirs (positioned as they will be when the row is opened)."""
    out, y = [], 0
    for section in _sections(panels):
        if section.row is None:
            y = _place(section.children, y)
            out.extend(section.children)
            continue
        row = section.row
        row["gridPos"] = {"h": 1, "w": COLUMNS, "x": 0, "y": y}
        bottom = _place(section.children, y + 1)
        if row.get("collapsed"):
            row["panels"] = section.children
            out.append(row)
            y += 1
        else:
            row["panels"] = []
            out.append(row)
            out.extend(section.children)
            y = bottom
    return out


def all_panels(panels: list[dict]):
    """Every panel, including those inside collapsed rows, in document order."""
    for panel in panels:
        yield panel
        yield from panel.get("panels", [])


def panel_key(panel: dict) -> str:
    """How `highlight` names a panel: its id when it has one (as text, "7"), else its title."""
    if panel.get("id") is not None:
        return str(panel["id"])
    title = panel.get("title")
    return "" if title is None else str(title)


def assign_ids(panels: list[dict]) -> None:
    """Keeps ids the definition set; gives every other panel an id derived from its titles."""
    taken: dict[int, str] = {}
    for panel in all_panels(panels):
        pid = panel.get("id")
        if pid is not None:
            if pid in taken:
                raise LayoutError(panel.get("title", ""), f"panel id {pid} is also used by panel {taken[pid]!r}")
            taken[pid] = panel.get("title", "")
    seen: dict[str, int] = {}
    row_title = ""
    for panel in all_panels(panels):
        if panel.get("type") == "row":
            row_title = panel.get("title", "")
            key = f"row:{row_title}"
        else:
            key = f"{row_title}/{panel.get('title', '')}"
        seen[key] = seen.get(key, 0) + 1
        if panel.get("id") is not None:
            continue
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        pid = 1 + zlib.crc32(key.encode("utf-8")) % ID_SPACE
        while pid in taken:
            pid = pid % ID_SPACE + 1
        panel["id"] = pid
        taken[pid] = panel.get("title", "")


def overlaps(panels: list[dict]) -> list[tuple[int, int]]:
    """Id pairs of visible panels whose grid cells overlap (empty for any layout dashgen made)."""
    owner: dict[tuple[int, int], int] = {}
    clashes: set[tuple[int, int]] = set()
    for panel in panels:
        g = panel["gridPos"]
        for cell in ((cx, cy) for cx in range(g["x"], g["x"] + g["w"]) for cy in range(g["y"], g["y"] + g["h"])):
            other = owner.setdefault(cell, panel["id"])
            if other != panel["id"]:
                clashes.add((other, panel["id"]))
    return sorted(clashes)
