"""Flags: rate(), irate() or increase() of a metric the catalogue says is a gauge (or a gauge
histogram, whose buckets count what is there now).

Why: rate() assumes a value that only grows and treats every drop as a counter reset, so the rate
of a gauge (memory, queue length, active devices) is meaningless, often wildly positive.

Bad:
    rate(container_memory_working_set_bytes[5m])
Good:
    deriv(container_memory_working_set_bytes[5m])
"""

import promql_parser as pp

from dashgen.lint import promql
from dashgen.lint.context import Finding

ID = "promql/rate-on-non-counter"
SUMMARY = "rate(), irate() or increase() of a metric the catalogue calls a gauge"
CATEGORY = "correctness"
SEVERITY = "error"
LANGUAGE = "promql"
HELP = "use deriv() or delta() for the change of a gauge, or *_over_time() to summarise it"


def check(ctx):
    if ctx.promql is None or ctx.catalogue is None:
        return
    for node, ancestors in ctx.nodes:
        if not isinstance(node, pp.VectorSelector) or not node.name:
            continue
        known = ctx.catalogue.lookup(node.name)
        call = next((a for a in reversed(ancestors) if isinstance(a, pp.Call)), None)
        if known and known[0].type in ("gauge", "gaugehistogram") and call is not None \
                and call.func.name in promql.COUNTER_RATES and isinstance(ancestors[-1], pp.MatrixSelector):
            yield Finding(f"{call.func.name}() of {node.name}, a {known[0].type}", ctx.locate(call, whole=True))
