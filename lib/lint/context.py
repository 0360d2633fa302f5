"""What a rule sees: one query (or one panel) with everything about it computed once, on demand."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from dashgen.lint.config import LintConfig
from dashgen.lint.model import Dashboard, Query


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one thing; `span` is in the coordinates of the query as written."""

    message: str
    span: tuple[int, int] | None = None
    severity: str | None = None  # overrides the rule's default (a configured severity overrides both)


class QueryContext:
    def __init__(self, query: Query, dashboard: Dashboard, config: LintConfig, catalogue=None,
                 datasources: dict[str, str] | None = None, measured=None):
        self.query, self.dashboard, self.config, self.catalogue = query, dashboard, config, catalogue
        self.datasources = datasources  # uid -> plugin type of the project's own, None for foreign files
        self.measured = measured  # live.Measured: what the query did on a real Prometheus, when one was given

    @functools.cached_property
    def expanded(self):
        from dashgen.lint.variables import expand

        # TraceQL takes variables where LogQL does (values, not ranges), so it expands the same way.
        language = "logql" if self.query.language == "traceql" else self.query.language
        return expand(self.query.text, self.dashboard.variables, language)

    def _attempt(self, parse, error):
        """(the parsed query, None), or (None, the syntax error) for the rule that reports it."""
        try:
            return parse(self.expanded.text), None
        except error as exc:
            return None, exc

    @functools.cached_property
    def _promql(self):
        from dashgen.lint import promql

        return self._attempt(promql.parse, promql.PromQLSyntaxError)

    @property
    def promql(self):
        """The parsed PromQL, or None when it does not parse (promql/syntax reports why)."""
        return self._promql[0]

    @property
    def promql_error(self):
        return self._promql[1]

    @functools.cached_property
    def nodes(self) -> list:
        """(node, ancestors) of the whole PromQL expression, walked once for every rule."""
        from dashgen.lint.promql import walk

        return list(walk(self.promql)) if self.promql is not None else []

    @functools.cached_property
    def selectors(self) -> list:
        import promql_parser as pp

        return [node for node, _ in self.nodes if isinstance(node, pp.VectorSelector)]

    @functools.cached_property
    def _logql(self):
        from dashgen.lint import logql

        return self._attempt(logql.parse, logql.LogQLSyntaxError)

    @property
    def logql(self):
        return self._logql[0]

    @property
    def logql_error(self):
        return self._logql[1]

    @functools.cached_property
    def _traceql(self):
        from dashgen.lint import traceql

        return self._attempt(traceql.parse, traceql.TraceQLSyntaxError)

    @property
    def traceql(self):
        return self._traceql[0]

    @property
    def traceql_error(self):
        return self._traceql[1]

    @functools.cached_property
    def estimate(self):
        """Upper bounds of the series the PromQL returns and reads (None when it does not parse)."""
        from dashgen.lint.estimate import Estimator

        if self.promql is None:
            return None
        estimator = Estimator(self.catalogue, self.dashboard.variables, self.config.is_high_cardinality)
        return estimator.estimate(self.promql)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A span of the expanded text, as offsets into what the user wrote (Query.raw)."""
        begin, finish = self.expanded.original_span(start, end)
        return begin + self.query.offset, finish + self.query.offset

    @functools.cached_property
    def _locator(self):
        from dashgen.lint.spans import Locator

        return Locator(self.expanded.text, self.promql, self.nodes)

    def locate(self, node, whole: bool = False) -> tuple[int, int] | None:
        """Where a PromQL node of `nodes` is written: its head (a selector, a call's or aggregation's
        name, a range's brackets) or, with `whole`, all of it. None when it cannot be told apart."""
        found = (self._locator.whole if whole else self._locator.head)(node)
        return self.span(*found) if found else None

    def matcher_span(self, selector, index: int) -> tuple[int, int] | None:
        """The span of the `index`-th matcher of a selector, as promql.matchers(selector) orders them."""
        found = self._locator.matchers(selector)[index]
        return self.span(*found) if found else None

    def label_span(self, aggregation, label: str) -> tuple[int, int] | None:
        """The span of `label` in an aggregation's by (...) or without (...)."""
        found = self._locator.label(aggregation, label)
        return self.span(*found) if found else None

    def written(self, span: tuple[int, int] | None, default: str = "") -> str:
        """The raw text at a span (what the user wrote: `[$__interval]`, `25h`), or `default`."""
        return self.query.raw[span[0]:span[1]] if span else default


@dataclass
class PanelContext:
    panel: dict
    dashboard: Dashboard
    config: LintConfig
    datasources: dict[str, str] | None = None
