"""Flags: a metric the metric catalogue does not list (only where there is a catalogue: this
project's dashboards, or others linted with it).

Why: a typo or a metric nobody exports draws an empty panel that looks like "all quiet"; and the
cardinality estimate knows nothing about it.

Bad:
    sum(rate(http_server_request_total[5m]))
Good:
    sum(rate(http_server_requests_total[5m]))
"""

from dashgen.lint.context import Finding
from dashgen.lint.variables import is_placeholder

ID = "promql/unknown-metric"
SUMMARY = "a metric the metric catalogue does not list"
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "promql"
HELP = "fix the name, or add the metric to the catalogue (catalogue/*.yaml) with its type, unit and labels"
# Series Prometheus writes itself for every scrape target.
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
             "scrape_series_added"}


def check(ctx):
    if ctx.promql is None or ctx.catalogue is None:
        return
    for selector in ctx.selectors:
        name = selector.name
        if name and name not in SYNTHETIC and not is_placeholder(name) and ctx.catalogue.lookup(name) is None:
            yield Finding(f"metric {name} is not in the catalogue", ctx.locate(selector))
