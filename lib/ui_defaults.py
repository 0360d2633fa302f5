"""What Grafana 12.3 merges into a panel when its plugin loads, and so writes when someone saves the
dashboard from the UI (grafana-contract.md §3.6): for these keys, present at this value and absent
show the same thing. Stored values always win the merge, and lists are replaced, not merged.

Read from Grafana's own source (the 12.3.0 npm packages and the 12.x plugin modules):
- legend, tooltip, axis, hideFrom and stacking builders: @grafana/ui 12.3.0
  `dist/esm/options/builder/{legend,tooltip,axis,hideSeries,stacking}.mjs`;
- stat, bar gauge and table `defaultOptions` and `defaultTableFieldOptions`: @grafana/schema 12.3.0
  `raw/composable/<type>/panelcfg/x/*_types.gen.js`;
- the time series field defaults: `public/app/plugins/panel/timeseries/config.ts` (12.x line, not
  pinned to the v12.3.0 tag); logs and table options: their 12.x `module.tsx` (likewise);
- the standard mappings and thresholds every plugin using field config gets:
  `public/app/core/components/OptionsUI/registry.tsx`.
A value is listed only where it was found. A default missing here makes a UI save count as a change
(a refusal, never a lost edit); a wrong value would hide an edit that sets that key to exactly that
value where dashgen leaves it out, so every value here is cited, and the 12.x ones (not pinned to
the 12.3.0 tag) are among the README fidelity section's unsure items. The emulator's UI save
(tests/emulator/panel_defaults.py) was written from the same sources, so the tests check the
comparison, not these values.
"""

from __future__ import annotations

# The base step has no value and the mode is left out: `dashgen.shown` takes out both first (fixThresholds).
_THRESHOLDS = {"steps": [{"color": "green"}, {"color": "red", "value": 80}]}
_STANDARD = {"mappings": [], "thresholds": _THRESHOLDS}
_REDUCE = {"values": False, "calcs": ["lastNotNull"], "fields": ""}
_LEGEND = {"displayMode": "list", "placement": "bottom", "calcs": []}

# Per panel type: "options", "fieldConfig.defaults" and "fieldConfig.defaults.custom".
PANEL_DEFAULTS: dict[str, dict[str, dict]] = {
    "timeseries": {
        "options": {
            "legend": {**_LEGEND, "showLegend": True},
            "tooltip": {"mode": "single", "sort": "none", "hideZeros": False},
        },
        "fieldConfig.defaults": {**_STANDARD, "color": {"mode": "palette-classic"}},
        "fieldConfig.defaults.custom": {
            "drawStyle": "line", "lineInterpolation": "linear", "barAlignment": 0, "barWidthFactor": 0.6,
            "lineWidth": 1, "fillOpacity": 0, "gradientMode": "none", "spanNulls": False, "insertNulls": False,
            "showPoints": "auto", "pointSize": 5, "stacking": {"mode": "none", "group": "A"},
            "axisPlacement": "auto", "axisLabel": "", "axisColorMode": "text", "axisBorderShow": False,
            "scaleDistribution": {"type": "linear"}, "axisCenteredZero": False,
            "hideFrom": {"tooltip": False, "viz": False, "legend": False}, "thresholdsStyle": {"mode": "off"},
        },
    },
    "stat": {
        "options": {
            "reduceOptions": _REDUCE, "orientation": "auto", "textMode": "auto", "wideLayout": True,
            "colorMode": "value", "graphMode": "area", "justifyMode": "auto", "showPercentChange": False,
            "percentChangeColorMode": "standard",
        },
        "fieldConfig.defaults": _STANDARD,
    },
    "bargauge": {
        "options": {
            "reduceOptions": _REDUCE, "orientation": "auto", "legend": {**_LEGEND, "showLegend": False},
            "displayMode": "gradient", "valueMode": "color", "namePlacement": "auto", "showUnfilled": True,
            "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16, "maxVizHeight": 300,
        },
        "fieldConfig.defaults": _STANDARD,
    },
    "logs": {  # only the options both of 12.3's logs panels (the newLogsPanel toggle) set
        "options": {
            "showTime": False, "wrapLogMessage": False, "enableLogDetails": True, "enableInfiniteScrolling": False,
            "dedupStrategy": "none", "sortOrder": "Descending",
        },
    },
    "table": {
        "options": {"showHeader": True, "cellHeight": "sm"},
        "fieldConfig.defaults": _STANDARD,
        "fieldConfig.defaults.custom": {"align": "auto", "cellOptions": {"type": "auto"}, "inspect": False,
                                        "wrapHeaderText": False},
    },
}

# The time picker entries the save drops when they equal these (defaultTimePickerConfig, @grafana/schema
# 12.3.0, removed by transformSceneToSaveModel's removeDefaults).
TIMEPICKER_DEFAULTS: dict[str, object] = {
    "hidden": False, "quick_ranges": [],
    "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"],
}

# On template variables, sceneVariablesSetToVariables.ts (12.x) deletes hide 0, skipUrlSync false,
# label "", multi false and sort 0; allowCustomValue true is written, the schema's default.
VARIABLE_DEFAULTS: dict[str, object] = {"hide": 0, "skipUrlSync": False, "label": "", "multi": False, "sort": 0,
                                        "allowCustomValue": True}
