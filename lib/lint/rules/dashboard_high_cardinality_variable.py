"""Flags: a query variable that lists the values of an unbounded label (`label_values(metric,
trace_id)`), or of a label the catalogue says has tens of thousands of values.

Why: Grafana loads every value into the dropdown on each dashboard load, and Prometheus reads
every series to find them: a dropdown of a million trace ids helps nobody and slows everyone.

Bad:
    label_values(device_battery_level_ratio{env="$env"}, device_id)
Good:
    label_values(device_fleet_devices{env="$env"}, device_model)
"""

import re

from dashgen.lint.context import Finding
from dashgen.lint.estimate import UNBOUNDED_LABEL_VALUES

ID = "dashboard/high-cardinality-variable"
SUMMARY = "a query variable listing the values of an unbounded label"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "query"  # label_values(label), with no selector, holds no PromQL: it is read as "other"
HELP = "offer a bounded label; for one id, use a textbox variable and match it with label=\"$id\""
_LISTED = re.compile(r"[(,]\s*(?P<label>[a-zA-Z_]\w*)\s*\)\s*$")


def check(ctx):
    query = ctx.query
    if query.kind != "variable" or not query.raw.lstrip().startswith("label_values"):
        return
    found = _LISTED.search(query.raw)
    if not found:
        return
    label = found.group("label")
    values = ctx.catalogue.labels.get(label) if ctx.catalogue is not None else None
    if ctx.config.is_high_cardinality(label) or (values or 0) >= UNBOUNDED_LABEL_VALUES:
        count = f" (~{values:,} values)" if values else ""
        yield Finding(f"lists every value of {label}, an unbounded label{count}", found.span("label"))
