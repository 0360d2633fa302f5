"""The TraceQL parser: queries as data (their conditions and pipeline, or where they are rejected),
and every Tempo query of the real-world corpus."""

from __future__ import annotations

import pytest

from dashgen.lint.traceql import TraceQLSyntaxError, is_empty_filter, is_trace_id, parse, scope_of
from test_logql import expand, oracle


def conditions(query) -> list[list[str]]:
    return [[f"{c.scope}:{c.attribute} {c.op} {c.value}".strip() for c in s.conditions] for s in query.spansets]


PARSES = {
    "scoped_and_intrinsic": ('{ span.http.method = "GET" && status = error }',
                             [["span:span.http.method = GET", "intrinsic:status = error"]]),
    "unscoped": ('{ .service.name = "api" || .http.status_code >= 500 }',
                 [["unscoped:.service.name = api", "unscoped:.http.status_code >= 500"]]),
    "every_scope": ('{ resource.k8s.pod.name =~ "api-.*" && event.name = "exception" && link.traceID != nil'
                    ' && instrumentation.name = "otel" }',
                    [["resource:resource.k8s.pod.name =~ api-.*", "event:event.name = exception",
                      "link:link.traceID != nil", "instrumentation:instrumentation.name = otel"]]),
    "colon_intrinsics": ("{ trace:duration > 2s && span:kind = server && !(span:status = error) }",
                         [["intrinsic:trace:duration > 2s", "intrinsic:span:kind = server",
                           "intrinsic:span:status = error"]]),
    "legacy_intrinsics": ('{ traceDuration > 1.5s && rootServiceName = "api" && name = "GET /" && duration < 100ms }',
                          [["intrinsic:traceDuration > 1.5s", "intrinsic:rootServiceName = api",
                            "intrinsic:name = GET /", "intrinsic:duration < 100ms"]]),
    "quoted_attribute_parts": ('{ span."http request".x = `raw\\n` }', [["span:span.http request.x = raw\\n"]]),
    "arithmetic_keeps_the_first_attribute": ("{ span.a + span.b > 3 }", [["span:span.a > 3"]]),
    "bare_attribute": ("{ span.cache_hit }", [["span:span.cache_hit"]]),
    "structural": ("{ kind = server } >> { status = error } !~ { .x = 1 } &>> {}",
                   [["intrinsic:kind = server"], ["intrinsic:status = error"], ["unscoped:.x = 1"], []]),
    "empty_and_true": ("{} && { true } && { (true) }", [[], [], []]),
    "pipeline_spansets": ("({ span.a = 1 } | count() > 2) && ({ })", [["span:span.a = 1"], []]),
    "compare_spanset": ("{ } | compare({ status = error })", [[], ["intrinsic:status = error"]]),
    "nil_on_the_left_and_parentheses": ("{ nil != (span.a) && !((span.b + 1) > 2) }",
                                        [["span:span.a != nil", "span:span.b > 2"]]),
    "variables_stand_for_values_and_attributes": ('{ __gv_attr = "x" && span.a = __gv_value }',
                                                  [["span:span.a = __gv_value"]]),
    "constants_are_not_conditions": ("{ 1 = 1 && (status = error) }", [["intrinsic:status = error"]]),
}

PIPELINES = {
    "select": ("{ } | select(span.db.name, span.db.statement)", ["| select(span.db.name, span.db.statement)"], []),
    "metrics_with_hint": ("{ } | rate() by (resource.service.name) with(sample=true)",
                          ["| rate() by (resource.service.name)"], ["with(sample=true)"]),
    "several": ("{ } | by(resource.service.name) | count() > 1 | quantile_over_time(duration, .99, .9)",
                ["| by(resource.service.name)", "| count() > 1", "| quantile_over_time(duration, .99, .9)"], []),
    "inside_parentheses": ("({ span.b = 1 } | avg(duration) > 1s) && ({ })", ["| avg(duration) > 1s"], []),
    "none": ("{ span.a = 1 }", [], []),
}

REJECTS = {
    "unclosed_brace": ('{ span.a = "x"', "unclosed '{'", 0),
    "extra_brace": ("{ } }", "unbalanced '}'", 4),
    "unclosed_paren": ("({ } | count() > 1", "unclosed '('", 0),
    "unterminated_string": ('{ span.a = "x }', "unterminated string", 11),
    "nested_spanset": ("{ { } }", "cannot contain another '{'", 2),
    "empty_stage": ("{ } |", "expected a pipeline stage", 4),
    "no_spanset": ("dashTraceID", "not TraceQL", 0),
    "empty": ("", "not TraceQL", 0),
    "parent_attribute": ("{ parent.span.x = 1 }", "does not support parent.", 2),
    "type_mismatch": ('{ span.a = 1 && status = "x" }', "cannot compare or combine a status with a string", 16),
    "second_scope_stage_error": ("{ } | rate() | { }", "'|' cannot follow a metrics query", 13),
}


@pytest.mark.parametrize("query, expected", PARSES.values(), ids=PARSES.keys())
def test_conditions(query, expected):
    assert conditions(parse(query)) == expected


@pytest.mark.parametrize("query, stages, hints", PIPELINES.values(), ids=PIPELINES.keys())
def test_pipeline(query, stages, hints):
    parsed = parse(query)
    assert [s.text for s in parsed.pipeline] == stages
    assert [s.text for s in parsed.hints] == hints
    assert all(query[slice(*s.span)] == s.text for s in parsed.pipeline + parsed.hints)


@pytest.mark.parametrize("query, message, offset", REJECTS.values(), ids=REJECTS.keys())
def test_rejects(query, message, offset):
    with pytest.raises(TraceQLSyntaxError) as caught:
        parse(query)
    assert message in caught.value.message
    assert caught.value.offset == offset


def test_spans_slice_back_to_the_query():
    text = '{ .service.name = "api" && (duration > 1s) } >> { status = error }'
    first, second = parse(text).spansets
    assert text[slice(*first.span)] == '{ .service.name = "api" && (duration > 1s) }'
    assert [text[slice(*c.span)] for c in first.conditions] == ['.service.name = "api"', "duration > 1s"]
    assert first.text == '.service.name = "api" && (duration > 1s)'
    assert text[slice(*second.span)] == "{ status = error }"


@pytest.mark.parametrize("query, empty", [("{}", True), ("{ true }", True), ("{ ( true ) }", True),
                                          ("{ /* all */ }", True),
                                          ("{ false }", False), ("{ status = error }", False)])
def test_is_empty_filter(query, empty):
    assert is_empty_filter(parse(query).spansets[0]) is empty


@pytest.mark.parametrize("text, lookup", [("${dashTraceID}", True), ("$traceId", True), ("[[traceId]]", True),
                                          ("4bf92f3577b34da6a3ce929d0e0e4736", True), ("{}", False),
                                          ("${a} && ${b}", False)])
def test_is_trace_id(text, lookup):
    assert is_trace_id(text) is lookup


@pytest.mark.parametrize("attribute, scope", [
    ("span.a", "span"), (".a", "unscoped"), ("resource.service.name", "resource"), ("event.name", "event"),
    ("status", "intrinsic"), ("trace:rootService", "intrinsic"), ("event:name", "intrinsic"),
    ("parent.span.a", "span"), ("parent.a", "unscoped"),
])
def test_scope_of(attribute, scope):
    assert scope_of(attribute) == scope


@pytest.mark.parametrize("record", oracle("tempo"))
def test_every_corpus_tempo_query_parses(record):
    raw = record["expr_raw"]
    if is_trace_id(raw):  # `${dashTraceID}`: a trace lookup panel, not a TraceQL query
        with pytest.raises(TraceQLSyntaxError):
            parse(expand(raw))
        return
    text = expand(raw)
    query = parse(text)
    assert query.spansets and all(s.conditions for s in query.spansets)
    assert all(text[slice(*c.span)].startswith(c.attribute) for s in query.spansets for c in s.conditions)
