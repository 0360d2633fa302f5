"""Runs one rule on one query or panel, inside a small dashboard with the usual MPAC variables."""

from __future__ import annotations

import json

from conftest import REPO
from dashgen.catalogue import load_catalogue
from dashgen.lint.config import LintConfig
from dashgen.lint.engine import lint
from dashgen.lint.extract import dashboard_of
from dashgen.lint.live import Measured

CATALOGUE = load_catalogue(REPO / "catalogue")
PLUGINS = {"promql": "prometheus", "logql": "loki", "traceql": "tempo"}
VARIABLES = [
    {"name": "datasource", "type": "datasource", "query": "prometheus"},
    {"name": "env", "type": "query", "query": "label_values(http_server_requests_total, env)", "datasource": {"type": "prometheus", "uid": "${datasource}"}},
    {"name": "service", "type": "query", "query": "label_values(http_server_requests_total, service)", "multi": True, "includeAll": True,
     "allValue": ".+", "datasource": {"type": "prometheus", "uid": "${datasource}"}},
]


def problems(rule, example, language: str | None = None, catalogue: str = "mpac", variables=None,
             datasources: dict | None = None, panel: dict | None = None, config: dict | None = None,
             measured: dict | None = None):
    """The problems `rule` finds in `example`: a query text, or a panel (a dict or its JSON text).
    `panel` overrides keys of the panel a query is put in (`{type: stat}`); `config` sets LintConfig fields;
    `measured` is what a live Prometheus did with the query (the fields of live.Measured)."""
    if rule.LANGUAGE == "panel":
        panel = json.loads(example) if isinstance(example, str) else example
    else:
        language = language or (rule.LANGUAGE if rule.LANGUAGE in PLUGINS else "promql")
        plugin = PLUGINS[language]
        key = "query" if language == "traceql" else "expr"
        panel = {"type": "timeseries", "title": "Example", "fieldConfig": {"defaults": {"unit": "short"}},
                 "datasource": {"type": plugin, "uid": "x"},
                 "targets": [{"refId": "A", key: example, "datasource": {"type": plugin, "uid": "x"}}]} | (panel or {})
    variables = VARIABLES if variables is None else variables
    if isinstance(example, str) and example.lstrip().startswith("label_values("):  # a variable's query
        variables = [*variables, {"name": "example", "type": "query", "query": example,
                                  "datasource": {"type": "prometheus", "uid": "${datasource}"}}]
        panel = {**panel, "targets": []}
    dashboard = dashboard_of({"uid": "example", "title": "Example", "panels": [panel],
                              "templating": {"list": variables}}, "example.json")
    config = LintConfig(select=(rule.ID,), **(config or {}))
    live = {id(q): Measured(q.text, **measured) for q in dashboard.queries} if measured is not None else None
    report = lint([dashboard], config, CATALOGUE if catalogue == "mpac" else None, datasources, measured=live)
    assert report.bad_input == []
    return [p for p in report.problems if p.rule == rule.ID]


def underlined(problem) -> str | None:
    """The text a problem's span underlines, None without a span."""
    return problem.query[slice(*problem.span)] if problem.span and problem.query is not None else None


def docstring_examples(rule) -> dict[str, list[str]]:
    """The Bad and Good examples of a rule's docstring, one per indented line."""
    sections, current = {"Bad": [], "Good": []}, None
    for line in rule.__doc__.splitlines():
        if line.strip() in ("Bad:", "Good:"):
            current = line.strip()[:-1]
        elif current and line.startswith("    ") and line.strip():
            sections[current].append(line.strip())
        elif line.strip():
            current = None
    return sections
