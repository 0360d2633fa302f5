"""A service's recent failures in Loki and Tempo, next to its metrics."""

from __future__ import annotations

from dashgen.panels.basic import logs, table
from dashgen.panels.queries import LokiQuery, TraceQLQuery


def service_logs_panel(
    title: str, description: str, *, stream: str, datasource: dict, level: str = "error",
    max_lines: int = 500, w: int = 24, h: int = 10,
) -> object:
    """JSON log lines at `level` from the streams `stream` selects (the matchers inside {...}).

    The cheap line filter runs before the JSON parser, so Loki parses only candidate lines. Both
    filters are case-sensitive: they match the platform's services, which log the level in
    lowercase JSON ("level":"error"); a stream that logs "ERROR" needs its own `level`.
    """
    expr = f'{{{stream}}} |= "{level}" | json | level="{level}"'
    return logs(title, description, [LokiQuery(expr, max_lines=max_lines)], datasource=datasource, w=w, h=h)


def service_traces_panel(
    title: str, description: str, *, traceql: str, datasource: dict, limit: int = 20, w: int = 24, h: int = 8,
) -> object:
    """The newest traces that match a TraceQL filter, one per row, each linking to the trace view."""
    return table(title, description, [TraceQLQuery(traceql, limit=limit)], datasource=datasource, w=w, h=h)
