"""The shape a definition's JSON must have before it can be compiled: objects where Grafana expects
objects. grafanalib accepts anything in its lists, so a stray string surfaces only here."""

from __future__ import annotations

from dashgen.compile.legacy import OLD_PANEL_MODELS

# (JSON path, what belongs there) of every list whose items must be objects.
_LISTS = (("panels", "a panel"), ("templating.list", "a variable"), ("annotations.list", "an annotation"),
          ("links", "a link"))


def shape_problems(dash: dict) -> list[tuple[str | None, str]]:
    """(panel title or None, message) for each value of the wrong kind."""
    problems = []
    for path, what in _LISTS:
        for index, item in enumerate(_at(dash, path)):
            if not isinstance(item, dict):
                problems.append((None, f"{path}[{index}] is {_kind(item)}, not {what}"))
    for panel in (p for p in _at(dash, "panels") if isinstance(p, dict)):
        for index, child in enumerate(panel.get("panels") or []):
            if not isinstance(child, dict):
                problems.append((panel.get("title", ""), f"panels[{index}] of the row is {_kind(child)}, not a panel"))
        for index, target in enumerate(panel.get("targets") or []):
            if not isinstance(target, dict):
                problems.append((panel.get("title", ""), f"targets[{index}] is {_kind(target)}, not a query"))
        options = panel.get("options", {})
        if not isinstance(options, dict) or "fieldOptions" in options:
            hint = OLD_PANEL_MODELS.get(panel.get("type"), "options must be an object of the panel type's options")
            problems.append((panel.get("title", ""), hint))
    return problems


def _at(data: dict, path: str) -> list:
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, list) else []


def _kind(value) -> str:
    return f"a {type(value).__name__} ({str(value)[:40]!r})"
