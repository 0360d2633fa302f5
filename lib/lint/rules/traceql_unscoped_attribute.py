"""Flags: a TraceQL attribute without its scope (.http.status_code instead of span. or resource.),
in a spanset filter or in a pipeline stage (`| select(.a)`, `| rate() by (.a)`).

Why: an unscoped attribute is looked up in every scope of every span, which Tempo documents as the
slowest form; the scope also says what is meant.

Bad:
    { .service.name = "mpac-pgw" }
    { resource.service.name = "mpac-pgw" } | select(.http.route)
Good:
    { resource.service.name = "mpac-pgw" }
    { resource.service.name = "mpac-pgw" } | select(span.http.route)
"""

from dashgen.lint.context import Finding
from dashgen.lint.traceql import scope_of

ID = "traceql/unscoped-attribute"
SUMMARY = "an attribute without its scope (.http.route, not span.http.route)"
CATEGORY = "cardinality"
SEVERITY = "warning"
LANGUAGE = "traceql"
HELP = "prefix the attribute with its scope: span., resource. (service.name is a resource attribute)"


def check(ctx):
    if ctx.traceql is None:
        return
    for spanset in ctx.traceql.spansets:
        for condition in spanset.conditions:
            if condition.scope == "unscoped":
                yield Finding(f"{condition.attribute} has no scope", ctx.span(*condition.span))
    for stage in ctx.traceql.pipeline:
        for attribute, span in stage.attributes:
            if scope_of(attribute) == "unscoped":
                yield Finding(f"{attribute} has no scope", ctx.span(*span))
