"""A dashboard's grid drawn to scale as SVG: what the screen looks like, at a glance.

Every panel is a rectangle at its gridPos, `COLUMN_WIDTH` px per column and `UNIT_HEIGHT` px per
grid unit (Grafana's own unit height), so `x`, `y`, `width` and `height` of the rectangle marked
`data-panel="<key>"` are exactly gridPos x, y, w and h times those: the grid is one group shifted
below the heading. A panel shows its title and "type · w×h"; an expanded row is a full-width bar; a
collapsed row is a dark bar saying how many panels it hides, which are not drawn.

`highlight` maps panel keys (`panel_key`: the panel's id when it has one, else its title) to
"added", "removed", "moved", "resized" or "changed", for pictures of a diff's before and after. The output is
plain text, byte-identical for the same input, and needs nothing outside the standard library.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape

from dashgen.compile.layout import COLUMNS, DEFAULT_SIZE, all_panels, panel_key

COLUMN_WIDTH = 40  # px per grid column: 24 columns make 960 px
UNIT_HEIGHT = 30  # px per grid unit, as in Grafana
MARGIN = 16
HEADING = 54  # title, uid line and legend
RULER = 16  # column numbers above the grid
GRID_LEFT = MARGIN
GRID_TOP = MARGIN + HEADING + RULER
WIDTH = 2 * MARGIN + COLUMNS * COLUMN_WIDTH
PAD = 8  # text inset inside a panel
TITLE_SIZE = 13
META_SIZE = 11
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"  # DejaVu first: the widths below are its

# state -> (fill, stroke, stroke-width, dash, legend label)
STATES = {
    "added": ("#dcf5e3", "#1f8a43", 3, "", "added"),
    "removed": ("#fde2e2", "#c62828", 3, "7 4", "removed"),
    "moved": ("#fff1d0", "#c77c00", 3, "2 3", "moved"),
    "resized": ("#fff1d0", "#c77c00", 3, "9 3", "resized"),
    "changed": ("#fff1d0", "#c77c00", 3, "", "changed"),
}
GUTTER = ("#ffffff", 4)  # a panel's own stroke: a gap between neighbours, as on the screen
TINTS = {  # fill by panel type, so that kinds stand apart; without highlights only
    "timeseries": "#dfe9f8", "stat": "#dcf0ec", "bargauge": "#ebe3f7", "logs": "#f4ecdc", "table": "#e6eddc",
}
OTHER_TINT = "#e9ecf0"
MUTED = "#e3e6eb"  # unmarked panels in a highlighted picture

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NARROW = set("fijlrtI.,:;'!|()[]{} ")
_WIDE = set("mwMW@%<>=+~#&—…")


def layout_svg(model: dict, highlight: dict[str, str] | None = None) -> str:
    """The dashboard `model` (as Grafana stores it) drawn as an SVG document; `highlight` marks
    panels by key with a state of `STATES`, and adds a legend of those states."""
    highlight = highlight or {}
    unknown = sorted(set(highlight.values()) - set(STATES))
    if unknown:
        raise ValueError(f"unknown highlight state {unknown[0]!r}; use one of {', '.join(STATES)}")
    top = [p for p in model.get("panels") or [] if isinstance(p, dict)]
    shown, hidden = _visible(top)
    bottom = max((_grid(p)[1] + _grid(p)[3] for p in shown), default=0)
    height = GRID_TOP + bottom * UNIT_HEIGHT + MARGIN
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="{FONT}">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    rows = sum(p.get("type") == "row" for p in shown)
    out += _heading(model, (len(shown) - rows, rows, sum(hidden.values())), highlight)
    out.append(f'<g transform="translate({GRID_LEFT} {GRID_TOP})">')
    out += _ruler(bottom)
    ordered = sorted(shown, key=lambda p: panel_key(p) in highlight)  # marked ones on top of neighbours
    for panel in ordered:
        if panel.get("type") == "row":
            out += _row(panel, hidden.get(id(panel), 0), _hidden_states(panel, highlight), highlight)
        else:
            out += _panel(panel, highlight.get(panel_key(panel)), bool(highlight))
    out += ["</g>", "</svg>", ""]
    return "\n".join(out)


def _visible(top: list[dict]) -> tuple[list[dict], dict[int, int]]:
    """The panels drawn on the grid, and for each collapsed row (by object id) how many it hides."""
    shown, hidden = [], {}
    for panel in top:
        shown.append(panel)
        nested = [p for p in all_panels(panel.get("panels") or []) if isinstance(p, dict)]
        if panel.get("type") == "row" and panel.get("collapsed"):
            hidden[id(panel)] = len(nested)
        else:
            shown.extend(nested)
    return shown, hidden


def _hidden_states(row: dict, highlight: dict[str, str]) -> list[str]:
    if not row.get("collapsed"):
        return []
    return [highlight[k] for k in (panel_key(p) for p in all_panels(row.get("panels") or [])) if k in highlight]


def _grid(panel: dict) -> tuple[int, int, int, int]:
    """x, y, w, h in grid units; a missing or malformed value takes Grafana's default."""
    grid = panel.get("gridPos") if isinstance(panel.get("gridPos"), dict) else {}

    def whole(name: str, default: int, low: int) -> int:
        value = grid.get(name)
        return max(low, int(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else default

    return whole("x", 0, 0), whole("y", 0, 0), whole("w", DEFAULT_SIZE[0], 1), whole("h", DEFAULT_SIZE[1], 1)


def _heading(model: dict, counts: tuple[int, int, int], highlight: dict[str, str]) -> list[str]:
    """The title, then the uid and the panels, rows and panels hidden in collapsed rows."""
    title = _fit(_text(model.get("title")) or "(untitled)", WIDTH - 2 * MARGIN, 18, bold=True)
    facts = f"uid {_text(model.get('uid')) or '(none)'} · " + ", ".join(
        f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in zip(counts, ("panel", "row", "hidden panel")) if n)
    out = [
        f'<text x="{MARGIN}" y="{MARGIN + 18}" font-size="18" font-weight="bold" fill="#111827">{_esc(title)}</text>',
        f'<text x="{MARGIN}" y="{MARGIN + 38}" font-size="12" fill="#4b5563">{_esc(_fit(facts, 560, 12))}</text>',
    ]
    if highlight:
        out += _legend(sorted(set(highlight.values()), key=list(STATES).index))
    return out


def _legend(states: list[str]) -> list[str]:
    """Swatches of the states used, right-aligned on the uid line."""
    labels = [STATES[s][4] for s in states]
    widths = [14 + 6 + _width(label, 12) + 14 for label in labels]
    x = WIDTH - MARGIN - sum(widths) + 14
    out = ['<g class="legend">']
    for state, label, w in zip(states, labels, widths):
        fill, stroke, _, dash, _ = STATES[state]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<rect x="{x}" y="{MARGIN + 27}" width="14" height="14" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="2"{dashed}/>')
        out.append(f'<text x="{x + 20}" y="{MARGIN + 38}" font-size="12" fill="#374151">{label}</text>')
        x += w
    return out + ["</g>"]


def _ruler(bottom: int) -> list[str]:
    """Faint column lines over the grid's height, numbered 0 to 24 above it."""
    depth = bottom * UNIT_HEIGHT
    out = ['<g class="ruler">', f'<rect width="{COLUMNS * COLUMN_WIDTH}" height="{depth}" fill="#fbfbfc"/>']
    for col in range(COLUMNS + 1):
        x = col * COLUMN_WIDTH
        strong = col % 6 == 0
        out.append(f'<line x1="{x}" y1="-4" x2="{x}" y2="{depth}" stroke="{"#d3d7dd" if strong else "#e8eaed"}" '
                   'stroke-width="1"/>')
        anchor = "start" if col == 0 else "end" if col == COLUMNS else "middle"
        out.append(f'<text x="{x}" y="-6" font-size="9" text-anchor="{anchor}" '
                   f'fill="{"#6b7280" if strong else "#9ca3af"}">{col}</text>')
    return out + ["</g>"]


def _rect(panel: dict, fill: str, stroke: str, width: float, dash: str, state: str | None) -> str:
    x, y, w, h = _grid(panel)
    extra = f' data-state="{state}"' if state else ""
    extra += f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<rect data-panel="{_attr(panel_key(panel))}" x="{x * COLUMN_WIDTH}" y="{y * UNIT_HEIGHT}" '
            f'width="{w * COLUMN_WIDTH}" height="{h * UNIT_HEIGHT}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width}"{extra}/>')


def _panel(panel: dict, state: str | None, muted: bool) -> list[str]:
    kind = _text(panel.get("type")) or "?"
    plain = (MUTED if muted else TINTS.get(kind, OTHER_TINT), *GUTTER, "", "")
    fill, stroke, width, dash, label = STATES[state] if state else plain
    x, y, w, h = _grid(panel)
    left, room = x * COLUMN_WIDTH + PAD, w * COLUMN_WIDTH - 2 * PAD
    title = _text(panel.get("title")) or "(no title)"
    meta = f"{kind} · {w}×{h}" + (f" · {label}" if label else "")
    top = y * UNIT_HEIGHT
    out = ['<g class="panel">', f"<title>{_esc(f'{title} ({meta}) at x={x} y={y}')}</title>",
           _rect(panel, fill, stroke, width, dash, state)]
    line = top + (UNIT_HEIGHT + TITLE_SIZE) // 2 - 1 if h == 1 else top + PAD + TITLE_SIZE
    out.append(f'<text x="{left}" y="{line}" font-size="{TITLE_SIZE}" font-weight="bold" fill="#111827">'
               f"{_esc(_fit(title, room, TITLE_SIZE, bold=True))}</text>")
    if h > 1:
        out.append(f'<text x="{left}" y="{line + META_SIZE + 6}" font-size="{META_SIZE}" fill="#4b5563">'
                   f"{_esc(_fit(meta, room, META_SIZE))}</text>")
    return out + ["</g>"]


def _row(row: dict, hides: int, hidden_states: list[str], highlight: dict[str, str]) -> list[str]:
    """A row's bar: light when expanded, dark and saying what it hides when collapsed."""
    state = highlight.get(panel_key(row))
    collapsed = bool(row.get("collapsed"))
    if state:
        fill, stroke, width, dash, _ = STATES[state]
        ink = "#111827"
    else:
        fill, stroke, width, dash = ("#374151" if collapsed else "#c3ccd8", *GUTTER, "")
        ink = "#ffffff" if collapsed else "#111827"
    x, y, w, _ = _grid(row)
    base = y * UNIT_HEIGHT + (UNIT_HEIGHT + TITLE_SIZE) // 2 - 1
    note = ""
    if collapsed:
        note = f"collapsed ({hides} panel{'' if hides == 1 else 's'}"
        for s in sorted(set(hidden_states), key=list(STATES).index):
            note += f", {hidden_states.count(s)} {s}"
        note += ")"
    note_width = _width(note, META_SIZE) + PAD if note else 0
    name = _text(row.get("title")) or "(row)"
    title = f"{'▸' if collapsed else '▾'} {name}"
    room = w * COLUMN_WIDTH - 2 * PAD - note_width
    out = ['<g class="row">', f"<title>{_esc(f'row {name}' + (f', {note}' if note else ''))}</title>",
           _rect(row, fill, stroke, width, dash, state)]
    out.append(f'<text x="{x * COLUMN_WIDTH + PAD}" y="{base}" font-size="{TITLE_SIZE}" font-weight="bold" '
               f'fill="{ink}">{_esc(_fit(title, room, TITLE_SIZE, bold=True))}</text>')
    if note:
        out.append(f'<text data-hidden="{hides}" x="{(x + w) * COLUMN_WIDTH - PAD}" y="{base}" '
                   f'font-size="{META_SIZE}" text-anchor="end" fill="{ink}">{_esc(note)}</text>')
    return out + ["</g>"]


def _text(value) -> str:
    """A title, uid or type as one line of text that XML can hold."""
    if value is None:
        return ""
    return _NOT_XML.sub("\ufffd", " ".join(str(value).split()))


def _esc(text: str) -> str:
    return escape(text, quote=True)


def _attr(text: str) -> str:
    """An attribute value that reads back as `text` (line breaks and tabs too)."""
    value = _esc(_NOT_XML.sub("\ufffd", text))
    return value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of the text's width in px (DejaVu Sans, the widest usual sans-serif)."""
    return sum(_em(c) for c in text) * size * (1.12 if bold else 1.0)


def _em(c: str) -> float:
    if c in _NARROW:
        return 0.34
    if c in _WIDE:
        return 0.95
    if unicodedata.east_asian_width(c) in "WF":  # Japanese and other wide scripts: a full em
        return 1.0
    return 0.74 if c.isupper() else 0.62


def _fit(text: str, room: float, size: float, bold: bool = False) -> str:
    """The text, cut with … so that it fits `room` px."""
    if _width(text, size, bold) <= room:
        return text
    text = text[:max(0, int(room / (0.34 * size)))]  # no character is narrower than that
    while text and _width(text + "…", size, bold) > room:
        text = text[:-1]
    return text.rstrip() + "…" if text else ""
