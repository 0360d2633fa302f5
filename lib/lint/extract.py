"""Finds every query in a Grafana dashboard JSON, whoever wrote it, and the language it is in.

Exports come in every style: panels nested in rows and in collapsed rows, the legacy `rows[]`
layout, datasources given as {type, uid}, as `$datasource` variables, as `${DS_X}` inputs of a
shared export, by name, or not at all. The language comes from the datasource (the target's, then
the panel's, through variables and inputs); only when none says anything do heuristics decide.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from dashgen.errors import Location
from dashgen.lint.model import Dashboard, Query, panel_title
from dashgen.lint.variables import only_reference

PLUGIN_LANGUAGES = {"prometheus": "promql", "loki": "logql", "tempo": "traceql"}
_LABEL_VALUES = re.compile(r"^\s*label_values\s*\((?P<selector>.*),\s*[\w.$]+\s*\)\s*$", re.S)
_QUERY_RESULT = re.compile(r"^\s*query_result\s*\((?P<expr>.*)\)\s*$", re.S)


def dashboard_of(data: dict, file: str) -> Dashboard:
    """The linter's view of one dashboard JSON (an export, an API response or a provisioned file)."""
    if isinstance(data.get("dashboard"), dict) and "meta" in data:
        data = data["dashboard"]  # GET /api/dashboards/uid/... wraps the model
    variables = {v["name"]: v for v in _list(_dict(data.get("templating")).get("list")) if _readable_variable(v)}
    inputs = {
        i["name"]: _str(i.get("pluginId")) or "" for i in _list(data.get("__inputs"))
        if isinstance(i, dict) and i.get("type") == "datasource" and isinstance(i.get("name"), str)
    }
    dashboard = Dashboard(
        file=file, uid=str(data.get("uid") or data.get("title") or file), json=data, variables=variables,
        queries=[], panels=list(_panels(data)), inputs=inputs,
    )
    resolve = _Resolver(variables, inputs)
    titles = Counter(panel_title(p) for p in dashboard.panels)
    dashboard.shared_titles = frozenset(title for title, count in titles.items() if count > 1)
    for panel in dashboard.panels:
        dashboard.queries.extend(_panel_queries(dashboard, panel, resolve, dashboard.panel_id(panel)))
    for var in variables.values():
        query = _variable_query(dashboard, var, resolve)
        if query:
            dashboard.queries.append(query)
    for annotation in _list(_dict(data.get("annotations")).get("list")):
        query = _annotation_query(dashboard, annotation, resolve)
        if query:
            dashboard.queries.append(query)
    return dashboard


def unread_parts(dashboard: Dashboard) -> list[str]:
    """One line (location: message) per part of the dashboard that is not of the JSON type Grafana
    gives it and so was not linted: a list that holds panels, queries, variables or annotations, an
    item of one that is not an object, a variable name or a query's `expr` that is not a string.
    Null is read as absent. Other values of an unexpected type are read as absent (a `fieldConfig`
    that is not an object has no unit): the rules treat them so, and still check the rest."""
    data, lines = dashboard.json, []

    def bad(message: str, panel: dict | None = None, ref: str | None = None) -> None:
        at = Location(file=dashboard.file, dashboard=dashboard.uid, ref=ref,
                      panel=None if panel is None else panel_title(panel),
                      panel_id=None if panel is None else dashboard.panel_id(panel))
        lines.append(f"{at}: {message} (not linted)")

    for key in ("templating", "annotations"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            bad(f"{key} is {_kind(data[key])}, not an object")
    for path, what in (("panels", "a panel"), ("rows", "a row"), ("templating.list", "a variable"),
                       ("annotations.list", "an annotation")):
        items = _at(data, path)
        for message in _not_objects(items, path, what):
            bad(message)
        if path == "templating.list":
            for index, var in _objects(items):
                for key in ("name", "type"):
                    if var.get(key) is not None and not isinstance(var[key], str):
                        bad(f"templating.list[{index}].{key} is {_kind(var[key])}, not a string")
    for _, row in _objects(data.get("rows")):
        for message in _not_objects(row.get("panels"), "panels", "a panel"):
            bad(message, row)
    for panel in dashboard.panels:
        for key, what in (("panels", "a panel"), ("targets", "a query")):
            for message in _not_objects(panel.get(key), key, what):
                bad(message, panel)
        for index, target in _objects(panel.get("targets")):
            expr = target.get("expr")
            if expr is not None and not isinstance(expr, str):
                ref = target.get("refId")
                bad(f"expr is {_kind(expr)}, not a query", panel, ref if isinstance(ref, str) and ref else f"#{index}")
    return lines


def _readable_variable(var) -> bool:
    """A variable the rules may see: named, and of a type that is a string or none (unread_parts
    reports the others)."""
    return isinstance(var, dict) and isinstance(var.get("name"), str) and isinstance(var.get("type", ""), (str, type(None)))


def _at(data: dict, path: str):
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _not_objects(items, path: str, what: str) -> list[str]:
    """What is wrong with a list that should hold objects: nothing when it is absent (or null)."""
    if items is None:
        return []
    if not isinstance(items, list):
        return [f"{path} is {_kind(items)}, not a list"]
    return [f"{path}[{i}] is {_kind(item)}, not {what}" for i, item in enumerate(items) if not isinstance(item, dict)]


def _objects(items) -> list[tuple[int, dict]]:
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)] if isinstance(items, list) else []


def _kind(value) -> str:
    """A JSON value as the message names it: `a string ("x")`, `a number (5)`, `null`, `a list`."""
    if value is None:
        return "null"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    if isinstance(value, str):
        return f"a string ({json.dumps(value if len(value) <= 40 else value[:37] + '...')})"
    return f"a {'boolean' if isinstance(value, bool) else 'number'} ({json.dumps(value)})"


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


def _panels(data: dict):
    """Every panel: top level, inside (collapsed) rows, and in the legacy rows[] layout."""
    for panel in _list(data.get("panels")):
        if isinstance(panel, dict):
            yield panel
            yield from (p for p in _list(panel.get("panels")) if isinstance(p, dict))
    for row in _list(data.get("rows")):
        if isinstance(row, dict):
            yield from (p for p in _list(row.get("panels")) if isinstance(p, dict))


class _Resolver:
    """Turns a datasource reference into a plugin id, following variables and inputs."""

    def __init__(self, variables: dict, inputs: dict):
        self.variables, self.inputs = variables, inputs

    def plugin(self, ref) -> str | None:
        """The plugin id of a reference ({type, uid}, a variable, an input or a name), or None."""
        if isinstance(ref, dict):
            uid, kind = _str(ref.get("uid")), _str(ref.get("type"))
            if kind and kind != "datasource":
                return kind
            return self._through_variable(uid) if uid else None
        if isinstance(ref, str):
            return self._through_variable(ref) or _by_name(ref)
        return None

    def _through_variable(self, text: str) -> str | None:
        name = only_reference(text)
        if name is None:
            return None
        if name in self.inputs:
            return self.inputs[name] or None
        var = self.variables.get(name)
        if var and var.get("type") == "datasource":
            return var.get("query") if isinstance(var.get("query"), str) else None
        return None


def _by_name(name: str) -> str | None:
    """A last resort: datasources are very often named after their plugin."""
    lowered = name.lower()
    return next((plugin for plugin in PLUGIN_LANGUAGES if plugin in lowered), None)


def _guess(target: dict, text: str) -> str:
    if target.get("queryType") in ("traceql", "traceqlSearch", "nativeSearch"):
        return "traceql"
    if re.match(r"^\s*\{", text) or re.search(r"\|[=~]|\b(count|bytes)_over_time\s*\(\s*\{", text):
        return "logql"
    return "promql" if "expr" in target else "other"


def _panel_queries(dashboard: Dashboard, panel: dict, resolve: _Resolver, panel_id):
    panel_plugin = resolve.plugin(panel.get("datasource"))
    for index, target in enumerate(_list(panel.get("targets"))):
        if not isinstance(target, dict):
            continue
        if target.get("expr") is not None and not isinstance(target["expr"], str):
            continue  # not a query: unread_parts reports it
        plugin = resolve.plugin(target.get("datasource")) or panel_plugin
        text = _str(target.get("expr")) or _str(target.get("query"))
        if not text or not text.strip():
            continue
        language = PLUGIN_LANGUAGES.get(plugin, "other") if plugin else _guess(target, text)
        if language == "traceql" and target.get("queryType") not in (None, "traceql", "traceqlSearch"):
            language = "other"  # a trace-id lookup, a service graph...: no TraceQL to check
        yield Query(
            file=dashboard.file, dashboard=dashboard.uid, panel=panel_title(panel), kind="panel",
            ref=str(target.get("refId") or f"#{index}"), language=language, text=text, raw=text,
            panel_type=_str(panel.get("type")), panel_id=panel_id, panel_json=panel,
            instant=target.get("instant") is True and target.get("range") is not True,
        )


def _variable_query(dashboard: Dashboard, var: dict, resolve: _Resolver) -> Query | None:
    if var.get("type") != "query":
        return None
    raw = var.get("query")
    raw = raw.get("query") if isinstance(raw, dict) else raw
    if not isinstance(raw, str) or not raw.strip():
        return None
    plugin = resolve.plugin(var.get("datasource"))
    language = PLUGIN_LANGUAGES.get(plugin, "other") if plugin else ("promql" if "(" in raw else "other")
    text, offset = raw, 0
    match = _LABEL_VALUES.match(raw) or _QUERY_RESULT.match(raw)
    selector_only = bool(match) and "selector" in match.groupdict()
    if match:
        group = "selector" if selector_only else "expr"
        text, offset = match.group(group), match.start(group)
    elif language == "promql" and re.match(r"^\s*label_values\s*\(", raw):
        language = "other"  # label_values(label): no PromQL inside, but a label whose values fill a dropdown
    elif language == "promql" and re.match(r"^\s*(label_names|metrics)\s*\(", raw):
        return None  # label_names(), metrics(regex): no PromQL inside
    elif language == "logql" and re.match(r"^\s*label_(values|names)\s*\(", raw):
        return None
    return Query(
        file=dashboard.file, dashboard=dashboard.uid, panel=None, kind="variable", ref=f"${var.get('name')}",
        language=language, text=text.strip(), raw=raw, offset=offset + len(text) - len(text.lstrip()),
        selector_only=selector_only,
    )


def _annotation_query(dashboard: Dashboard, annotation, resolve: _Resolver) -> Query | None:
    if not isinstance(annotation, dict) or annotation.get("builtIn"):
        return None
    target = annotation.get("target") if isinstance(annotation.get("target"), dict) else annotation
    text = _str(target.get("expr")) or _str(annotation.get("expr")) or _str(target.get("query"))
    if not text or not text.strip():
        return None
    plugin = resolve.plugin(annotation.get("datasource"))
    language = PLUGIN_LANGUAGES.get(plugin, "other") if plugin else _guess(target, text)
    return Query(
        file=dashboard.file, dashboard=dashboard.uid, panel=None, kind="annotation",
        ref=f"annotation {annotation.get('name', '')}".strip(), language=language, text=text, raw=text,
    )
