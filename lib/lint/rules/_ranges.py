"""The range windows of rate-like functions, shared by the window rules."""

from __future__ import annotations

import promql_parser as pp

from dashgen.lint import promql

RATE_FUNCTIONS = {"rate", "irate", "increase", "deriv", "delta", "idelta", "resets", "changes"}


def rate_windows(ctx):
    """(function name, matrix selector, window) of every rate-like call over a range selector."""
    for node, _ in ctx.nodes:
        if isinstance(node, pp.Call) and node.func.name in RATE_FUNCTIONS and node.args:
            arg = node.args[0]
            if isinstance(arg, pp.MatrixSelector):
                yield node.func.name, arg, promql.range_of(arg)
