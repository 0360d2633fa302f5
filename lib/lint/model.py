"""What the linter works on and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashgen.errors import DashgenError, Location

LANGUAGES = ("promql", "logql", "traceql", "other")
SEVERITIES = ("error", "warning", "info")


@dataclass
class Query:
    """One query found in a dashboard: a panel target, a query variable or an annotation.

    `text` is the query as written in the dashboard; for a variable such as
    `label_values(up{job="$job"}, instance)` it is the PromQL inside (`up{job="$job"}`) and
    `offset` is where that part starts in `raw`, so spans can be shown on what the user wrote.
    """

    file: str
    dashboard: str  # uid, or title when the dashboard has no uid
    panel: str | None  # panel title; None for variables and annotations
    ref: str  # refId, "$name" for a variable, "annotation <name>" for an annotation
    kind: str  # "panel", "variable" or "annotation"
    language: str
    text: str
    raw: str
    offset: int = 0
    panel_type: str | None = None
    panel_id: int | str | None = None  # shown only when several panels of the dashboard share the title
    selector_only: bool = False  # label_values(selector, ...): a series lookup, never evaluated
    rule: str | None = None  # kind "rule": the Prometheus rule it is the expression of, "alert <name>"
    panel_json: dict | None = None  # kind "panel": the panel (its width and interval set $__interval)
    instant: bool = False  # an instant query (a stat's current value), not one over the range


@dataclass
class Problem:
    rule: str
    severity: str
    message: str
    file: str
    dashboard: str | None = None
    panel: str | None = None
    ref: str | None = None
    query: str | None = None
    span: tuple[int, int] | None = None  # character offsets into `query`
    panel_id: int | str | None = None  # set when the panel's title does not tell it apart (text output only)
    help: str = ""
    suppressed: str = ""  # the reason, when a suppression in the configuration covers it
    prometheus_rule: str | None = None  # in a rule file: "alert <name>" or "record <name>"

    @property
    def location(self) -> Location:
        return Location(file=self.file, dashboard=self.dashboard, panel=self.panel, ref=self.ref,
                        panel_id=self.panel_id, rule=self.prometheus_rule)

    def json(self) -> dict:
        return {
            "rule": self.rule, "severity": self.severity, "message": self.message, "file": self.file,
            "dashboard": self.dashboard, "panel": self.panel, "ref": self.ref, "query": self.query,
            "span": list(self.span) if self.span else None, "prometheus_rule": self.prometheus_rule,
        }


@dataclass
class Dashboard:
    """A dashboard as the linter sees it: its JSON, its variables by name, its queries and panels."""

    file: str
    uid: str
    json: dict
    variables: dict[str, dict]
    queries: list[Query]
    panels: list[dict]  # every panel, rows and nested ones included
    inputs: dict[str, str] = field(default_factory=dict)  # __inputs name -> plugin id (DS_PROMETHEUS -> prometheus)
    shared_titles: frozenset[str] = frozenset()  # titles of more than one panel: locations add the panel id
    rule_file: bool = False  # a generated Prometheus rule file, its rules as queries (lint.rule_files)

    def panel_id(self, panel: dict):
        """The panel's id when its title alone does not tell it apart, else None."""
        return panel.get("id") if panel_title(panel) in self.shared_titles else None


def panel_title(panel: dict) -> str:
    """The title as shown; "" when missing, the JSON value as text when it is not a string."""
    title = panel.get("title")
    return title if isinstance(title, str) else "" if title is None else str(title)


class QuerySyntaxError(DashgenError):
    """A query its backend would refuse to parse; `offset` is where in the query the problem is."""

    def __init__(self, message: str, offset: int):
        self.message, self.offset = message, offset
        super().__init__(f"{message} (at offset {offset})")

    def __reduce__(self):
        return (type(self), (self.message, self.offset))
