"""Finds every query in a Grafana dashboard JSON, whoever wrote it, and the language it is in.

Exports come in every style: panels nested in rows and in collapsed rows, the legacy `rows[]`
layout, datasources given as {type, uid}, as `$datasource` variables, as `${DS_X}` inputs of a
shared export, by name, or not at all. The language comes from the datasource (the target's, then
the panel's, through variables and inputs); only when none says anything do heuristics decide.
"""

from __future__ import annotations

import re
from collections import Counter

from dashgen.lint.model import Dashboard, Query, panel_title
from dashgen.lint.variables import only_reference

PLUGIN_LANGUAGES = {"prometheus": "promql", "loki": "logql", "tempo": "traceql"}
_LABEL_VALUES = re.compile(r"^\s*label_values\s*\((?P<selector>.*),\s*[\w.$]+\s*\)\s*$", re.S)
_QUERY_RESULT = re.compile(r"^\s*query_result\s*\((?P<expr>.*)\)\s*$", re.S)


def dashboard_of(data: dict, file: str) -> Dashboard:
    """The linter's view of one dashboard JSON (an export, an API response or a provisioned file)."""
    if isinstance(data.get("dashboard"), dict) and "meta" in data:
        data = data["dashboard"]  # GET /api/dashboards/uid/... wraps the model
    variables = {v["name"]: v for v in _list(_dict(data.get("templating")).get("list"))
                 if isinstance(v, dict) and isinstance(v.get("name"), str)}
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
            panel_type=_str(panel.get("type")), panel_id=panel_id,
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
    elif language == "promql" and re.match(r"^\s*(label_values|label_names|metrics)\s*\(", raw):
        return None  # label_values(label), label_names(), metrics(regex): no PromQL inside
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
