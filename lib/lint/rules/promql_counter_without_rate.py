"""Flags: a counter read raw, not through rate(), irate() or increase().

Why: a counter only grows and drops to zero when a process restarts; its raw value (or a sum of
raw values) says nothing about what happens now and jumps at every deploy.

Bad:
    sum(http_server_requests_total)
Good:
    sum(rate(http_server_requests_total[5m]))
"""

import promql_parser as pp

from dashgen.lint import promql

from dashgen.lint.context import Finding

ID = "promql/counter-without-rate"
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
        call = next((a for a in reversed(ancestors) if isinstance(a, (pp.Call, pp.AggregateExpr, pp.BinaryExpr))), None)
        if isinstance(call, pp.Call) and call.func.name in COUNTER_SAFE:
            continue
        if isinstance(call, pp.AggregateExpr) and str(call.op) in COUNTING:
            continue  # count(x_total) counts series; the values do not matter
        if _in_difference_of_counters(ancestors, ctx.catalogue) or "uptime" in node.name or "time_up" in node.name:
            continue  # started - finished is what is in flight now; an uptime counter's value is the answer
        yield Finding(f"counter {node.name} is read without rate() or increase()", ctx.find(rf"\b{node.name}\b"))


def _in_difference_of_counters(ancestors, catalogue) -> bool:
    """Whether the selector is one side of `a_total - b_total` (mallocs - frees, started - handled)."""
    for node in ancestors:
        if isinstance(node, pp.BinaryExpr) and str(node.op) == "-":
            sides = [{s.name for s in _selectors(side)} for side in (node.lhs, node.rhs)]
            if all(any(is_counter(n, catalogue) for n in side) for side in sides):
                return True
    return False


def _selectors(expr):
    return [n for n, _ in promql.walk(expr) if isinstance(n, pp.VectorSelector)]
