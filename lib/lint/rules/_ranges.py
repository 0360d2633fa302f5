"""The range windows of rate-like functions, shared by the window rules."""

from __future__ import annotations

import promql_parser as pp

from dashgen.lint import promql


def rate_windows(ctx):
    """(function name, range node, window) of every rate-like call over a range selector (`x[5m]`)
    or a subquery (`sum(x)[5m:]`)."""
    for node, _ in ctx.nodes:
        if isinstance(node, pp.Call) and node.func.name in promql.RANGE_RATES and node.args:
            arg = node.args[0]
            if isinstance(arg, (pp.MatrixSelector, pp.SubqueryExpr)):
                yield node.func.name, arg, arg.range
