"""The panel kinds dashboards are built from, with the defaults an on-call reader needs.

Every helper takes a one-line `description` (shown as the panel's info tooltip) and a size in grid
units; dashgen places the panels, so no helper takes a position.
"""

from __future__ import annotations

from grafanalib import core as g

from dashgen.panels.thresholds import steps


def _grid(w: int, h: int) -> g.GridPos:
    return g.GridPos(h=h, w=w, x=0, y=0)  # x and y are assigned by dashgen's layout


def timeseries(
    title: str, description: str, queries: list, *, datasource: dict, unit: str,
    thresholds: list[dict] | None = None, min: int | None = None, max: int | None = None,
    stacked: bool = False, legend_calcs: tuple[str, ...] = ("mean", "max"), w: int = 12, h: int = 8,
) -> g.TimeSeries:
    """A graph over time with a table legend; thresholds, when given, are drawn as dashed lines."""
    return g.TimeSeries(
        title=title, description=description, dataSource=datasource, targets=list(queries), unit=unit,
        thresholds=thresholds or steps("green"), thresholdsStyleMode="dashed" if thresholds else "off",
        valueMin=min, valueMax=max, stacking={"mode": "normal", "group": "A"} if stacked else {"mode": "none"},
        fillOpacity=20 if stacked else 10, legendDisplayMode="table", legendPlacement="bottom",
        legendCalcs=list(legend_calcs), tooltipMode="multi", tooltipSort="desc", spanNulls=False,
        showPoints="never", maxDataPoints=None, gridPos=_grid(w, h),
    )


def stat(
    title: str, description: str, queries: list, *, datasource: dict, unit: str,
    thresholds: list[dict] | None = None, decimals: int | None = None, graph: bool = False,
    w: int = 6, h: int = 4,
) -> g.Stat:
    """A single current value per series, coloured by its thresholds."""
    return g.Stat(
        title=title, description=description, dataSource=datasource, targets=list(queries), format=unit,
        thresholds=thresholds or steps("green"), decimals=decimals, reduceCalc="lastNotNull",
        colorMode="background" if thresholds else "none", graphMode="area" if graph else "none",
        textMode="value_and_name", noValue="no data", maxDataPoints=None, gridPos=_grid(w, h),
    )


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
