"""Template variables as Grafana 12.3 stores them (grafanalib's Template writes removed fields and no
`definition`). Each helper returns the variable's JSON; grafanalib's Templating takes it as it is."""

from __future__ import annotations

REFRESH_ON_LOAD = 1
REFRESH_ON_TIME_RANGE_CHANGE = 2
SORT_ALPHABETICAL = 1


def datasource_variable(
    plugin: str, name: str = "datasource", label: str = "Data source", default_uid: str = "", default_name: str = "",
) -> dict:
    """Lets a viewer switch between datasources of one plugin type (`prometheus`, `loki`...),
    starting from the datasource `default_uid` (named `default_name`) when given."""
    var = {
        "hide": 0, "includeAll": False, "label": label, "multi": False, "name": name,
        "options": [], "query": plugin, "refresh": REFRESH_ON_LOAD, "regex": "", "type": "datasource",
    }
    if default_uid:
        var["current"] = {"text": default_name or default_uid, "value": default_uid}
    return var


def query_variable(
    name: str, label: str, query: str, *, datasource: dict, multi: bool = False,
    include_all: bool = False, all_value: str = "", description: str = "", default: str = "",
) -> dict:
    """Values from a datasource query, refreshed with the time range so new values appear, starting
    at `default` when given (else Grafana picks the first value).

    With `include_all`, give `all_value` (e.g. ".+") so "All" becomes one short regex instead of a
    list of every value in every query.
    """
    var = {
        "datasource": datasource, "definition": query, "hide": 0, "includeAll": include_all, "label": label,
        "multi": multi, "name": name, "options": [], "query": query, "refresh": REFRESH_ON_TIME_RANGE_CHANGE,
        "regex": "", "sort": SORT_ALPHABETICAL, "type": "query",
    }
    if include_all and all_value:
        var["allValue"] = all_value
    if default:
        var["current"] = {"text": default, "value": default}
    if description:
        var["description"] = description
    return var


def custom_variable(name: str, label: str, values: list[str], default: str | None = None, description: str = "") -> dict:
    """A fixed list of values; the first is selected unless `default` says otherwise."""
    chosen = default if default is not None else values[0]
    if chosen not in values:
        raise ValueError(f"default {chosen!r} of variable {name!r} is not one of {values}")
    var = {
        "current": {"text": chosen, "value": chosen}, "hide": 0, "includeAll": False, "label": label,
        "multi": False, "name": name, "query": ",".join(values), "type": "custom",
        "options": [{"selected": v == chosen, "text": v, "value": v} for v in values],
    }
    if description:
        var["description"] = description
    return var


def textbox_variable(name: str, label: str, description: str, default: str = "") -> dict:
    """A free-text value, e.g. one device id to drill into (queries use it with `=`, never `by`)."""
    return {
        "current": {"text": default, "value": default}, "description": description, "hide": 0,
        "label": label, "name": name, "options": [], "query": default, "type": "textbox",
    }
