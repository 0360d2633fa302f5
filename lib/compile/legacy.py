"""Fields grafanalib still writes that Grafana 12.3 drops or migrates away, each with the reason.

The compiler removes them so that generated files hold only what Grafana itself stores; the strict
schema check afterwards catches anything this table misses.
"""

DASHBOARD = {
    "__inputs": "sharing metadata for grafana.com imports; provisioned files take no inputs",
    "gnetId": "the grafana.com id a dashboard was imported from; code-defined dashboards have none",
    "hideControls": "pre-5.0 toggle for the variable bar; the current model has no such field",
    "rows": "pre-5.0 row layout; migration 16 moved it to panels[] with gridPos",
    "sharedCrosshair": "replaced by graphTooltip in migration 14",
    "style": "per-dashboard dark/light theme; removed from the model, the theme is a user preference",
}

TIMEPICKER = {
    "time_options": "removed by migration 41; the picker's options are no longer per dashboard",
    "nowDelay": "written as an empty value by grafanalib; Grafana omits it unless set",
}

PANEL = {
    "editable": "panel-level flag from the Angular era; only the dashboard is editable or not",
    "error": "Angular panel error state, never persisted by current Grafana",
    "height": "pre-5.0 row layout sizing; gridPos.h replaced it",
    "span": "pre-5.0 row layout width; gridPos.w replaced it",
    "minSpan": "pre-5.0 row layout minimum width; the grid has no such notion",
    "columns": "table-old column list; the table panel shows the query's fields",
    "fontSize": "table-old font size; the table panel sizes its cells itself",
    "mappings": "pre-7 panel-level value mappings; they live in fieldConfig.defaults.mappings",
    "color": "table-old panel-level colour mode; colours live in fieldConfig",
}

TARGET = {
    "intervalFactor": "Prometheus 'resolution' (1/N); deprecated, Grafana computes the step itself",
    "step": "Prometheus step from before 5.0; replaced by the query's interval",
    "metric": "legacy query-editor scratch field, not read by any current datasource",
    "target": "Graphite's query field; meaningless on other datasources",
}

VARIABLE = {
    "useTags": "variable value tags were removed in Grafana 8",
    "tagsQuery": "variable value tags were removed in Grafana 8",
    "tagValuesQuery": "variable value tags were removed in Grafana 8",
}

VARIABLE_CURRENT = {
    "tags": "variable value tags were removed in Grafana 8",
}

# Only interval variables have an "auto" option; on every other type these are noise.
INTERVAL_ONLY = ("auto", "auto_min", "auto_count")

# Panel types Grafana 12 no longer ships (Angular was removed), with what replaces each.
DEPRECATED_PANEL_TYPES = {
    "graph": "timeseries (grafanalib TimeSeries), or barchart, bargauge, histogram",
    "singlestat": "stat (grafanalib Stat) or gauge (GaugePanel)",
    "grafana-singlestat-panel": "stat (grafanalib Stat) or gauge (GaugePanel)",
    "table-old": "table (grafanalib Table)",
    "grafana-piechart-panel": "piechart (grafanalib PieChartv2)",
    "grafana-worldmap-panel": "geomap",
}

# grafanalib panel classes that write an older panel model, with what to use instead; recognised by
# `options` that is not an object (Heatmap) or holds Grafana 6's `fieldOptions` (BarGauge, GaugePanel).
OLD_PANEL_MODELS = {
    "heatmap": "grafanalib's Heatmap writes the pre-9 heatmap model; use dashgen.panels.Viz(type='heatmap', ...)",
    "bargauge": "grafanalib's BarGauge writes Grafana 6's options.fieldOptions; use dashgen.panels.bar_gauge",
    "gauge": "grafanalib's GaugePanel writes Grafana 6's options.fieldOptions; use dashgen.panels.Viz(type='gauge', ...)",
}
