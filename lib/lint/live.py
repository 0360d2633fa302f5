"""Live lint: every PromQL panel query run against a real Prometheus, as Grafana would send it
(lint.bind), measured (series returned, samples touched), and when it returns nothing, narrowed to
the reason a person can act on (lint.no_data).

Cost is bounded: each query has the adapter's timeout, at most `concurrency` run at once, and the
narrowing runs only for queries that came back empty."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from dashgen.lint.bind import Bindings, CannotBind, bindings_for, dashboard_range_s
from dashgen.lint.model import Dashboard, Query
from dashgen.prometheus import Prometheus, QueryFailed

CONCURRENCY = 4


@dataclass(frozen=True)
class Measured:
    """What one query did against Prometheus. `series` is None when it did not run: `unbound` says
    which variable could not be bound (nothing was sent), `failure` why Prometheus did not answer it
    (`refused`: it refused the query itself, not just timed out). `empty` says why a query that ran
    returned no data (or only NaN)."""

    query: str  # as sent, variables bound
    series: int | None = None
    samples: int | None = None
    empty: str = ""
    failure: str = ""
    refused: bool = False
    unbound: str = ""


@dataclass(frozen=True)
class Target:
    """Where live lint runs, and how: the server, the variables to force, the scrape interval of
    the project's Prometheus datasource, the time it looks back from, and the generated recording
    rules (recorded name -> rule file) to tell a rule not loaded from a metric that does not exist."""

    prometheus: Prometheus
    overrides: dict[str, str]
    scrape_s: float | None = None
    at: float | None = None
    recorded: dict[str, str] | None = None
    concurrency: int = CONCURRENCY


def measure(dashboards: list[Dashboard], target: Target) -> dict[int, Measured]:
    """id(query) -> Measured for every PromQL panel query of `dashboards`.

    Raises PrometheusError when the server cannot be reached or stops answering."""
    from dashgen.lint.no_data import Narrowing

    at = target.at if target.at is not None else time.time()
    target.prometheus.probe(at)  # reachable, and Prometheus: one line, exit 3, before any work
    loaded = target.prometheus.recorded() if target.recorded else set()
    jobs = []
    for dashboard in dashboards:
        panels = [q for q in dashboard.queries if q.kind == "panel" and q.language == "promql"]
        if not panels:
            continue
        try:
            bindings = _bindings(dashboard, target, at)
        except CannotBind as exc:
            jobs += [(q, None, str(exc)) for q in panels]
            continue
        jobs += [(q, bindings, "") for q in panels]

    def one(job) -> tuple[int, Measured]:
        query, bindings, unbound = job
        if bindings is None:
            return id(query), Measured(query.text, unbound=unbound)
        return id(query), _measure(query, bindings, target, at, Narrowing(target, at, loaded))

    with ThreadPoolExecutor(max(1, target.concurrency)) as pool:
        return dict(pool.map(one, jobs))


def _bindings(dashboard: Dashboard, target: Target, at: float) -> Bindings:
    range_s = dashboard_range_s(dashboard.json)

    def label_values(label: str, selector: str) -> list[str]:
        try:
            return target.prometheus.label_values(label, selector or '{__name__=~".+"}', at - range_s, at)
        except QueryFailed as exc:  # the server is fine; this variable's query is not
            raise CannotBind(f"Prometheus refused to list its values ({exc})") from None

    variables = [v for v in (dashboard.json.get("templating") or {}).get("list") or [] if isinstance(v, dict)]
    return bindings_for(dashboard.json, variables, label_values, target.overrides, target.scrape_s, range_s)


def _measure(query: Query, bindings: Bindings, target: Target, at: float, narrowing) -> Measured:
    panel = query.panel_json
    text = bindings.bind(query.text, panel)
    window = None if query.instant else (at - bindings.range_s, at, bindings.interval_s(panel))
    try:
        result = target.prometheus.query(text, at, window)
    except QueryFailed as exc:
        return Measured(text, failure=f"Prometheus could not run it: {exc}", refused=exc.refused)
    empty = ""
    if not result.series:
        empty = narrowing.reason(text, window)
    elif all(math.isnan(v) for _, values in result.series for v in values):
        empty = "every value is NaN: a ratio whose denominator is 0, or a quantile of empty buckets"
    return Measured(text, len(result.series), result.samples, empty=empty)

