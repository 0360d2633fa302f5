"""Building blocks for dashboards: variables, queries and the recurring panels, as grafanalib objects.

Definitions import from here; each helper returns ordinary grafanalib panels, so anything grafanalib
offers can still be used beside them.
"""

from dashgen.panels.queries import (
    LokiQuery, PromQuery, TraceQLQuery, bucket, deduplicated, gauge_sum, increase_sum, rate_sum, ratio, scraped_bucket,
)
from dashgen.panels.basic import Viz, bar_gauge, dashed, logs, row, stat, table, timeseries, top_n
from dashgen.panels.links import dashboard_link, dashboards_menu, series_link
from dashgen.panels.red import latency_panel, red_row
from dashgen.panels.service import service_logs_panel, service_traces_panel
from dashgen.panels.thresholds import steps
from dashgen.panels.variables import custom_variable, datasource_variable, query_variable, textbox_variable

__all__ = [
    "LokiQuery", "PromQuery", "TraceQLQuery", "Viz", "bar_gauge", "dashboard_link", "dashboards_menu", "series_link",
    "bucket", "custom_variable", "dashed", "datasource_variable", "deduplicated", "gauge_sum", "increase_sum", "query_variable",
    "latency_panel", "logs", "rate_sum", "ratio", "red_row", "row", "scraped_bucket", "service_logs_panel", "service_traces_panel",
    "stat", "steps", "table", "textbox_variable", "timeseries", "top_n",
]
