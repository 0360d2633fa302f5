"""The panel kinds dashboards are built from, with the defaults an on-call reader needs.

Every helper takes a one-line `description` (shown as the panel's info tooltip) and a size in grid
units; dashgen places the panels, so no helper takes a position.
"""

from __future__ import annotations

import attr
from grafanalib import core as g

from dashgen.panels.queries import PromQuery, increase_sum
from dashgen.panels.thresholds import steps


@attr.s
class Viz(g.Panel):
    """A panel of any current type, as Grafana 12.3 stores it, for the types whose grafanalib class
    writes an older shape (grafanalib's BarGauge writes Grafana 6's `options.fieldOptions`)."""

    type = attr.ib(default="")
    options = attr.ib(factory=dict)
    defaults = attr.ib(factory=dict)

    def to_json_data(self):
        return self.panel_json({
            "type": self.type, "options": self.options,
            "fieldConfig": {"defaults": self.defaults, "overrides": []},
        })


def _grid(w: int, h: int) -> g.GridPos:
    return g.GridPos(h=h, w=w, x=0, y=0)  # x and y are assigned by dashgen's layout


def timeseries(
    title: str, description: str, queries: list, *, datasource: dict, unit: str,
    thresholds: list[dict] | None = None, min: int | None = None, max: int | None = None,
    stacked: bool = False, legend_calcs: tuple[str, ...] = ("mean", "max"), w: int = 12, h: int = 8,
    links: list[dict] | None = None, overrides: list[dict] | None = None,
) -> g.TimeSeries:
    """A graph over time with a table legend; thresholds, when given, are drawn as dashed lines.
    `links` are data links (see series_link) offered when a series is clicked; `overrides` change
    the look of some series (see dashed)."""
    return g.TimeSeries(
        title=title, description=description, dataSource=datasource, targets=list(queries), unit=unit,
        thresholds=thresholds or steps("green"), thresholdsStyleMode="dashed" if thresholds else "off",
        valueMin=min, valueMax=max, stacking={"mode": "normal", "group": "A"} if stacked else {"mode": "none"},
        fillOpacity=20 if stacked else 10, legendDisplayMode="table", legendPlacement="bottom",
        legendCalcs=list(legend_calcs), tooltipMode="multi", tooltipSort="desc", spanNulls=False,
        showPoints="never", maxDataPoints=None, gridPos=_grid(w, h), overrides=list(overrides or []),
        extraJson={"fieldConfig": {"defaults": {"links": links}}} if links else None,
    )


def dashed(series: str) -> dict:
    """A field override that draws the series named `series` (its legend) as a dashed line, e.g. a
    comparison with last week behind this week's solid line."""
    return {
        "matcher": {"id": "byName", "options": series},
        "properties": [{"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}],
    }


def stat(
    title: str, description: str, queries: list, *, datasource: dict, unit: str,
    thresholds: list[dict] | None = None, decimals: int | None = None, graph: bool = False,
    w: int = 6, h: int = 4, links: list[dict] | None = None, time_from: str | None = None,
) -> g.Stat:
    """A single current value per series, coloured by its thresholds. `time_from` gives the panel
    its own range (e.g. "now/d": today so far) whatever the dashboard's. `graph` draws the value's
    trend behind it, which needs range queries (an instant query has one point)."""
    if graph and any(getattr(q, "instant", False) for q in queries):
        raise ValueError(f"stat {title!r}: graph=True draws a sparkline, which an instant query cannot feed")
    return g.Stat(
        title=title, description=description, dataSource=datasource, targets=list(queries), format=unit,
        thresholds=thresholds or steps("green"), decimals=decimals, reduceCalc="lastNotNull",
        colorMode="background" if thresholds else "none", graphMode="area" if graph else "none",
        textMode="value_and_name", noValue="no data", maxDataPoints=None, gridPos=_grid(w, h), timeFrom=time_from,
        extraJson={"fieldConfig": {"defaults": {"links": links}}} if links else None,
    )


def bar_gauge(
    title: str, description: str, queries: list, *, datasource: dict, unit: str,
    thresholds: list[dict] | None = None, min: float | None = 0, max: float | None = None,
    w: int = 12, h: int = 8, links: list[dict] | None = None,
) -> Viz:
    """Horizontal bars, one per series, for comparing a handful of values (top-N, a breakdown)."""
    defaults = {"color": {"mode": "thresholds" if thresholds else "palette-classic"}, "unit": unit}
    defaults.update({k: v for k, v in (("min", min), ("max", max)) if v is not None})
    if links:
        defaults["links"] = links
    return Viz(
        type="bargauge", title=title, description=description, dataSource=datasource, targets=list(queries),
        thresholds=thresholds or steps("green"), defaults=defaults, maxDataPoints=None, gridPos=_grid(w, h),
        options={
            "displayMode": "gradient", "orientation": "horizontal", "showUnfilled": True, "valueMode": "color",
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
        },
    )


def top_n(
    title: str, description: str, *, n: int, by: str, counter: str, selector: str, datasource: dict,
    unit: str = "short", w: int = 12, h: int = 8,
) -> Viz:
    """The `n` values of label `by` whose `counter` grew most over the dashboard's range, as bars.
    A small `n` keeps a high-cardinality label (decline reasons, error codes) readable and cheap."""
    expr = f"topk({n}, {increase_sum(counter, selector, by=by)})"
    return bar_gauge(title, description, [PromQuery(expr, legend="{{" + by + "}}", instant=True)],
                     datasource=datasource, unit=unit, w=w, h=h)


def table(
    title: str, description: str, queries: list, *, datasource: dict, unit: str = "none",
    w: int = 24, h: int = 8,
) -> g.Table:
    """Rows of fields, e.g. traces from a TraceQL search or an instant PromQL result."""
    return g.Table(
        title=title, description=description, dataSource=datasource, targets=list(queries), unit=unit,
        filterable=True, maxDataPoints=None, gridPos=_grid(w, h),
    )


def logs(title: str, description: str, queries: list, *, datasource: dict, w: int = 24, h: int = 10) -> g.Logs:
    """Log lines, newest first, with time and expandable details (where the trace link lives)."""
    return g.Logs(
        title=title, description=description, dataSource=datasource, targets=list(queries),
        showTime=True, wrapLogMessages=True, enableLogDetails=True, sortOrder="Descending",
        maxDataPoints=None, gridPos=_grid(w, h),
    )


def row(title: str, *panels, collapsed: bool = False) -> g.RowPanel:
    """A row of panels answering one question; dashgen lays its panels out below it."""
    return g.RowPanel(title=title, panels=list(panels), collapsed=collapsed)
