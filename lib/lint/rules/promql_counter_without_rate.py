"""Flags: a counter read raw, not through rate(), irate() or increase().

Left alone: count(x_total) (it counts series); the difference of two different counters
(`started_total - handled_total` is what is in flight now; `x_total - x_total offset 1d` is a
hand-made increase() that breaks at every restart, so it is flagged); and counters of seconds since
start, named `*_uptime_seconds_total` or `*_time_up_seconds_total`, whose raw value is the answer.
In a stat, gauge or bar gauge panel the finding is only an info: one number showing the running
total is often what is meant (a load test's requests so far), though it resets with the process.

Why: a counter only grows and drops to zero when a process restarts; its raw value (or a sum of
raw values) says nothing about what happens now and jumps at every deploy.

Bad:
    sum(http_server_requests_total)
    http_server_requests_total - http_server_requests_total offset 1d
Good:
    sum(rate(http_server_requests_total[5m]))
    sum(increase(http_server_requests_total[1d]))
"""

import re

import promql_parser as pp

from dashgen.lint import promql
from dashgen.lint.context import Finding

ID = "promql/counter-without-rate"
SUMMARY = "a counter read raw, not through rate(), irate() or increase()"
CATEGORY = "correctness"
SEVERITY = "warning"
LANGUAGE = "promql"
HELP = "wrap it: rate(x_total[$__rate_interval]) for per-second, increase(x_total[$__range]) for a total"
COUNTER_SAFE = {
    "rate", "irate", "increase", "resets", "changes", "absent", "absent_over_time", "present_over_time",
    "count_over_time", "timestamp", "last_over_time",
}
# Without a catalogue only names that are counters by convention count: _count and _sum are also
# common gauge names (pg_locks_count, memberlist_members_count), so they are left alone.
COUNTER_SUFFIXES = ("_total", "_bucket")
COUNTING = {"count", "group", "count_values"}
UPTIME = re.compile(r"(?:^|_)(?:uptime|time_up)_seconds_total$")  # apache_uptime_seconds_total
SINGLE_VALUE_PANELS = {"stat", "gauge", "bargauge"}


def is_counter(name: str, catalogue) -> bool:
    """By the catalogue's type when it knows the metric, else by Prometheus' naming conventions."""
    known = catalogue.lookup(name) if catalogue is not None and name else None
    if known is not None:
        metric = known[0]
        return metric.type == "counter" or (metric.type in ("histogram", "summary") and name != metric.name)
    return bool(name) and name.endswith(COUNTER_SUFFIXES)


def check(ctx):
    if ctx.promql is None or ctx.query.selector_only:
        return
    for node, ancestors in ctx.nodes:
        if not isinstance(node, pp.VectorSelector) or not is_counter(node.name, ctx.catalogue):
            continue
        if UPTIME.search(node.name):
            continue  # seconds since start: the raw value is the answer
        call = next((a for a in reversed(ancestors) if isinstance(a, (pp.Call, pp.AggregateExpr, pp.BinaryExpr))), None)
        if isinstance(call, pp.Call) and call.func.name in COUNTER_SAFE:
            continue
        if isinstance(call, pp.AggregateExpr) and str(call.op) in COUNTING:
            continue  # count(x_total) counts series; the values do not matter
        if _in_difference_of_counters(ancestors, ctx.catalogue):
            continue
        span = ctx.locate(node)
        name = ctx.written(span, node.name)  # `${prefix}_requests_total` as written, not its placeholder
        if ctx.query.panel_type in SINGLE_VALUE_PANELS:
            yield Finding(f"counter {name} is shown as its running total, which restarts with the process", span,
                          severity="info")
        else:
            yield Finding(f"counter {name} is read without rate() or increase()", span)


def _in_difference_of_counters(ancestors, catalogue) -> bool:
    """Whether the selector is one side of `a_total - b_total` with two different counters."""
    for node in ancestors:
        if isinstance(node, pp.BinaryExpr) and str(node.op) == "-":
            lhs, rhs = ({s.name for s in promql.selectors(side) if is_counter(s.name, catalogue)}
                        for side in (node.lhs, node.rhs))
            if lhs and rhs and lhs != rhs:
                return True
    return False
