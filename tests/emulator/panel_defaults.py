"""What a core panel plugin of Grafana 12.3 merges into a panel when it loads (contract §3.6).

When a panel's plugin loads, @grafana/data's `getPanelOptionsWithDefaults` merges the plugin's
`defaults` into `options` and its `fieldConfigDefaults.defaults` into `fieldConfig.defaults`, keeping
every value the panel already has (read in @grafana/data 12.3.0, dist/esm/panel/
getPanelOptionsWithDefaults.mjs). Which values each plugin brings is per plugin; this table holds
only what has been established, and is meant to grow: add a plugin, or a value, with its source.
The table is copied into the loaded panel (values are never shared between panels).

Each entry: {"options": {...}, "fieldConfigDefaults": {...}} (nested like the JSON; `custom`
sits inside fieldConfigDefaults). A core panel with no entry still gets pluginVersion, an
`options` object and a `fieldConfig` with `defaults` and `overrides`, but no values.
"""

from __future__ import annotations

# Sources: the @grafana/ui, @grafana/schema and @grafana/data 12.3.0 npm packages [SRC], and the
# 12.x plugin sources in grafana/grafana that could not be pinned to the v12.3.0 tag [INF]:
# public/app/plugins/panel/timeseries/config.ts (defaultGraphConfig), .../stat/common.ts
# (addStandardDataReduceOptions, addOrientationOption), .../logs/module.tsx and .../table/module.tsx.
# Each value below names its source; the INF ones are marked.

# Standard field config with a defaultValue (public/app/core/components/OptionsUI/registry.tsx
# getAllStandardFieldConfigs, the same in every version read): for plugins that use the standard
# options. The base step is -Infinity in memory and written as 0.
_STANDARD_FIELD_DEFAULTS = {
    "mappings": [],
    "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": 0}, {"color": "red", "value": 80}]},
}

# @grafana/ui 12.3.0 dist/esm/options/builder/legend.mjs (addLegendOptions).
_LEGEND = {"displayMode": "list", "placement": "bottom", "calcs": []}
# stat/common.ts addStandardDataReduceOptions and addOrientationOption [INF].
_REDUCE = {"reduceOptions": {"values": False, "calcs": ["lastNotNull"], "fields": ""}, "orientation": "auto"}

PANEL_DEFAULTS: dict[str, dict[str, dict]] = {
    "timeseries": {
        "options": {
            "legend": {"showLegend": True, **_LEGEND},
            # @grafana/ui 12.3.0 options/builder/tooltip.mjs (addTooltipOptions with hideZeros).
            "tooltip": {"mode": "single", "sort": "none", "hideZeros": False},
        },
        "fieldConfigDefaults": {
            **_STANDARD_FIELD_DEFAULTS,
            "color": {"mode": "palette-classic"},  # timeseries/config.ts [INF]
            "custom": {
                # @grafana/ui 12.3.0 options/builder/axis.mjs and hideSeries.mjs.
                "axisPlacement": "auto", "axisLabel": "", "axisColorMode": "text", "axisBorderShow": False,
                "scaleDistribution": {"type": "linear"}, "axisCenteredZero": False,
                "hideFrom": {"tooltip": False, "viz": False, "legend": False},
                # timeseries/config.ts defaultGraphConfig and its builders [INF].
                "drawStyle": "line", "lineInterpolation": "linear", "barAlignment": 0, "barWidthFactor": 0.6,
                "lineWidth": 1, "fillOpacity": 0, "gradientMode": "none", "spanNulls": False, "insertNulls": False,
                "showPoints": "auto", "pointSize": 5, "stacking": {"mode": "none", "group": "A"},
                "thresholdsStyle": {"mode": "off"},
            },
        },
    },
    "stat": {
        # @grafana/schema 12.3.0 raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen.js defaultOptions.
        "options": {
            "colorMode": "value", "graphMode": "area", "justifyMode": "auto", "percentChangeColorMode": "standard",
            "showPercentChange": False, "textMode": "auto", "wideLayout": True,
            **_REDUCE,  # stat/common.ts [INF]
        },
        "fieldConfigDefaults": _STANDARD_FIELD_DEFAULTS,
    },
    "bargauge": {
        # @grafana/schema 12.3.0 BarGaugePanelCfg_types.gen.js defaultOptions; the legend from
        # addLegendOptions(builder, true, false), which makes showLegend false.
        "options": {
            "displayMode": "gradient", "valueMode": "color", "namePlacement": "auto", "showUnfilled": True,
            "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16, "maxVizHeight": 300,
            "legend": {"showLegend": False, **_LEGEND},
            **_REDUCE,  # stat/common.ts, which bargauge's module uses too [INF]
        },
        "fieldConfigDefaults": _STANDARD_FIELD_DEFAULTS,
    },
    # logs/module.tsx [INF]: the options both of its panels set (the newLogsPanel feature toggle).
    "logs": {"options": {"showTime": False, "wrapLogMessage": False, "enableLogDetails": True,
                         "enableInfiniteScrolling": False, "dedupStrategy": "none", "sortOrder": "Descending"}},
    # @grafana/schema 12.3.0 TablePanelCfg defaultOptions and defaultTableFieldOptions; which of them
    # table/module.tsx registers in 12.3 [INF].
    "table": {
        "options": {"showHeader": True, "cellHeight": "sm"},
        "fieldConfigDefaults": {**_STANDARD_FIELD_DEFAULTS, "custom": {
            "align": "auto", "cellOptions": {"type": "auto"}, "inspect": False, "wrapHeaderText": False}},
    },
}

# Panels whose module sets sharedSingleStatMigrationHandler (stat, bargauge module.tsx, 12.x [INF]);
# the handler itself is @grafana/ui 12.3.0 components/SingleStatShared/SingleStatBaseOptions.mjs.
SINGLE_STAT_MIGRATED = frozenset({"stat", "bargauge"})

# Panel types whose plugin ships with Grafana, so it loads in any 12.3 (contract §9.3, from
# public/app/features/plugins/built_in_plugins.ts). A panel of another type is left as it is.
CORE_PANELS = frozenset({
    "timeseries", "stat", "gauge", "bargauge", "barchart", "table", "logs", "traces", "nodeGraph",
    "piechart", "text", "heatmap", "histogram", "state-timeline", "status-history", "trend", "xychart",
    "candlestick", "geomap", "canvas", "flamegraph", "dashlist", "alertlist", "annolist", "news", "live",
    "debug", "gettingstarted", "welcome",
})
