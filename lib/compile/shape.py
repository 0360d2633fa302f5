"""The shape a definition's JSON must have before it can be compiled: objects, lists and strings
where Grafana has them, at every place the compiler reads. grafanalib accepts almost anything in
its fields (and a definition may give plain dicts), so a stray value surfaces only here; past this
check the compiler trusts the shape, and the schema check afterwards judges the values."""

from __future__ import annotations

from dashgen.compile.legacy import OLD_PANEL_MODELS

# (JSON path, what belongs in it) of every list the compiler walks, whose items must be objects.
_LISTS = (("panels", "a panel"), ("templating.list", "a variable"), ("annotations.list", "an annotation"),
          ("links", "a link"))
_OBJECTS = ("templating", "annotations", "timepicker")


def shape_problems(dash: dict) -> list[tuple[str | None, str]]:
    """(panel title or None, message) for each value of the wrong kind."""
    problems: list[tuple[str | None, str]] = []
    for key in _OBJECTS:
        if key in dash and not isinstance(dash[key], dict):
            problems.append((None, f"{key} is {_kind(dash[key])}, not an object"))
    for path, what in _LISTS:
        items = _at(dash, path)
        if items is not None and not isinstance(items, list):
            problems.append((None, f"{path} is {_kind(items)}, not a list"))
            continue
        for index, item in enumerate(items or []):
            if not isinstance(item, dict):
                problems.append((None, f"{path}[{index}] is {_kind(item)}, not {what}"))
    for index, var in _objects(_at(dash, "templating.list")):
        for key in ("name", "type"):
            if key in var and not isinstance(var[key], str):
                problems.append((None, f"templating.list[{index}].{key} is {_kind(var[key])}, not a string"))
    for index, panel in _objects(_at(dash, "panels")):
        problems.extend(_panel_problems(panel, f"panels[{index}]"))
    return problems


def _panel_problems(panel: dict, path: str) -> list[tuple[str | None, str]]:
    """Problems of one panel, located at its title or, when the title is not a string, by `path`."""
    title = panel.get("title", "")
    if not isinstance(title, str):
        return [(None, f"{path}.title is {_kind(title)}, not a string")]  # the rest once it can be named
    found = []
    kind = panel.get("type", "")
    if not isinstance(kind, str):
        found.append(f"type is {_kind(kind)}, not a string")
    if "id" in panel and (not isinstance(panel["id"], int) or isinstance(panel["id"], bool)):
        found.append(f"id is {_kind(panel['id'])}, not a whole number")
    for key in ("gridPos", "fieldConfig"):
        if key in panel and not isinstance(panel[key], dict):
            found.append(f"{key} is {_kind(panel[key])}, not an object")
    field_config = panel.get("fieldConfig") if isinstance(panel.get("fieldConfig"), dict) else {}
    if "defaults" in field_config and not isinstance(field_config["defaults"], dict):
        found.append(f"fieldConfig.defaults is {_kind(field_config['defaults'])}, not an object")
    if "overrides" in field_config and not isinstance(field_config["overrides"], list):
        found.append(f"fieldConfig.overrides is {_kind(field_config['overrides'])}, not a list")
    children = []
    for key, what in (("panels", "a panel"), ("targets", "a query")):
        items = panel.get(key, [])
        if not isinstance(items, list):
            found.append(f"{key} is {_kind(items)}, not a list")
            continue
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                found.append(f"{key}[{index}]{' of the row' if key == 'panels' else ''} is {_kind(item)}, not {what}")
            elif key == "panels":
                children.append((index, item))
            elif "refId" in item and not isinstance(item["refId"], str):
                found.append(f"targets[{index}].refId is {_kind(item['refId'])}, not a string")
    options = panel.get("options", {})
    if not isinstance(options, dict) or "fieldOptions" in options:
        hint = OLD_PANEL_MODELS.get(kind) if isinstance(kind, str) else None
        found.append(hint or "options must be an object of the panel type's options")
    problems = [(title, message) for message in found]
    for index, child in children:
        problems.extend(_panel_problems(child, f"{path}.panels[{index}]"))
    return problems


def _at(data: dict, path: str):
    """The value at a dotted path; None when it or an object on the way is missing (or not an object,
    which is reported on its own)."""
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _objects(items) -> list[tuple[int, dict]]:
    """(index, item) of the objects of a list (the other items are reported on their own)."""
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)] if isinstance(items, list) else []


def _kind(value) -> str:
    name = type(value).__name__
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name} ({shown})"
