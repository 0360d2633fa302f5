"""The LogQL parser: queries as data (what each one parses to, or where it is rejected), spans that
slice back to what was written, and every LogQL query of the real-world corpus."""

from __future__ import annotations

import json
import re

import pytest

from conftest import CORPUS
from dashgen.lint.logql import LogQLSyntaxError, label_values_selector, parse

ORACLE = CORPUS / "oracle" / "corpus_a.jsonl"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')
_INTERVALS = "__auto|__interval|__rate_interval|__range"
_INTERVAL = re.compile(rf"\$({_INTERVALS})\b|\$\{{({_INTERVALS})\}}")
_VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]")


def expand(query: str) -> str:
    """A crude stand-in for the real expander: outside strings, intervals become 5m and `$x`/`${x}` x."""
    def code(part: str) -> str:
        return _VARIABLE.sub(lambda m: next(g for g in m.groups() if g), _INTERVAL.sub("5m", part))

    out, pos = [], 0
    for m in _STRING.finditer(query):
        out += [code(query[pos:m.start()]), m.group()]
        pos = m.end()
    return "".join(out + [code(query[pos:])])


def oracle(*langs: str) -> list:
    """The corpus queries in `langs`, as pytest params named file/panel/ref; one skipped param without it."""
    if not ORACLE.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus oracle at {ORACLE} (set DASHGEN_CORPUS)"))]
    records = [json.loads(line) for line in ORACLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [pytest.param(r, id=f"{r['file'].rsplit('/', 1)[-1]}/{r['panel_title'] or r['kind']}/{r['ref']}")
            for r in records if r.get("lang") in langs]


def shape(query) -> dict:
    return {
        "selectors": [[f"{m.name}{m.op}{m.value}" for m in s.matchers] for s in query.selectors],
        "stages": [[s.kind for s in s.pipeline] for s in query.selectors],
        "groupings": [f"{g.op} {g.kind} ({', '.join(g.labels)})" for g in query.groupings],
        "ranges": [r.raw for r in query.ranges],
    }


PARSES = {
    "log_query": ('{app="api"}', {"selectors": [["app=api"]], "stages": [[]], "ranges": []}),
    "empty_selector_is_not_syntax": ("{}", {"selectors": [[]]}),
    "all_matcher_ops": ('{a="1", b!="2", c=~"3.*", d!~"4"}', {"selectors": [["a=1", "b!=2", "c=~3.*", "d!~4"]]}),
    "escapes_and_backticks": ('{a=~`\\d+`, b="x\\"y\\\\.z\\n"}', {"selectors": [["a=~\\d+", 'b=x"y\\.z\n']]}),
    "variables_inside_strings_are_text": ('{app=~"${app:regex}"} |= "id=$id"', {"selectors": [["app=~${app:regex}"]]}),
    "leftover_variable_names_are_identifiers": ('{$label=~"x"} | latency > $min', {"stages": [["label_filter"]]}),
    "comments_and_newlines": ('{a="b"} # errors only\n|~ "x"\n\n', {"stages": [["line_filter"]]}),
    "line_filters": ('{a="x"} |= "e" != "d" |~ "t.*" !~ `x` |> "<_> e" !> "a" |= ip("10.0.0.0/8")',
                     {"stages": [["line_filter"] * 7]}),
    "parsers": ('{a="x"} | json | logfmt --strict --keep-empty | regexp "(?P<m>\\\\w+)" | pattern "<ip> <_>" | unpack',
                {"stages": [["parser"] * 5]}),
    "json_arguments": ('{a="x"} | json status="response.status", method', {"stages": [["parser"]]}),
    "label_filters": ('{a="x"} | logfmt | level="error" | status >= 500 and took > 1.5s | (a="b" or c!~"d"), e="f"'
                      ' | size > 20MB | addr = ip("10.0.0.0/8") | x > -1 y="z"',
                      {"stages": [["parser"] + ["label_filter"] * 6]}),
    "not_equal_after_label_filter_is_a_line_filter": ('{a="x"} | level="error" != "debug"',
                                                      {"stages": [["label_filter", "line_filter"]]}),
    "formats_and_labels": ('{a="x"} | json | line_format "{{.msg}}" | label_format dst=src, m="{{.a}}"'
                           ' | drop a, b="c" | keep d | decolorize',
                           {"stages": [["parser", "line_format", "label_format", "drop", "keep", "decolorize"]]}),
    "range_aggregation": ('count_over_time({a="b"}[5m])', {"ranges": ["5m"], "groupings": []}),
    "range_offset": ('count_over_time({a="b"} |= "x" [5m] offset 1h)', {"ranges": ["5m"]}),
    "stages_after_the_range": ('rate({a="b"}[5m] | json | x="y")', {"stages": [["parser", "label_filter"]]}),
    "parenthesised_log_query": ('count_over_time(({a="b"} |= "Googlebot")[$__auto])',
                                {"stages": [["line_filter"]], "ranges": ["$__auto"]}),
    "grouping_before": ('sum by (level, app) (count_over_time({a="b"}[5m]))', {"groupings": ["sum by (level, app)"]}),
    "grouping_after": ('sum(rate({a="b"}[1m])) by (level)', {"groupings": ["sum by (level)"]}),
    "range_aggregation_grouping": (
        'quantile_over_time(0.99, {a="b"} | unwrap duration(took) | __error__="" [5m]) by (p)',
        {"stages": [["unwrap", "label_filter"]], "groupings": ["quantile_over_time by (p)"]}),
    "nested_aggregations": ('topk(10, sum without (pod) (rate({a="b"}[5m])))', {"groupings": ["sum without (pod)"]}),
    "two_selectors": ('sum(count_over_time({a="b"} |= "E" [5m])) / sum(count_over_time({c="d"}[5m])) * 100',
                      {"selectors": [["a=b"], ["c=d"]], "stages": [["line_filter"], []], "ranges": ["5m", "5m"]}),
    "vector_matching": ('sum by (a) (rate({a="b"}[5m])) / on (a) group_left () sum by (a) (rate({c="d"}[5m])) > bool 0'
                        ' or vector(0)', {"groupings": ["sum by (a)", "sum by (a)"]}),
    "label_replace": ('label_replace(rate({a="b"}[5m]), "dst", "$1", "src", "(.*)")', {"ranges": ["5m"]}),
    "formats_before_unwrap": ('quantile_over_time(.99, {a="b"} | json | line_format "{{.a}}" | label_format b=c'
                              ' | unwrap duration_seconds(d) [5m]) by (e)',
                              {"stages": [["parser", "line_format", "label_format", "unwrap"]],
                               "groupings": ["quantile_over_time by (e)"]}),
    "variants": ('variants(count_over_time({a="b"}[5m]), rate({a="b"}[5m])) of ({a="b"} | json [5m])',
                 {"selectors": [["a=b"], ["a=b"], ["a=b"]], "ranges": ["5m", "5m", "5m"]}),
}

REJECTS = {
    "unclosed_brace": ('{app="api"', "unclosed '{'", 0),
    "unclosed_paren": ('sum(rate({a="b"}[5m])', "unclosed '('", 3),
    "extra_brace": ('{a="b"}}', "unbalanced '}'", 7),
    "unterminated_string": ('{a="b"} |= "x', "unterminated string", 11),
    "unterminated_backticks": ("{a=`b}", "unterminated string", 3),
    "unclosed_range": ('count_over_time({a="b"}[5m)', "unclosed '['", 23),
    "bad_escape": ('{a=~"\\.ico"}', "invalid escape \\.", 5),
    "log_range_at_top_level": ('{a="b"}[5m]', "must be inside a range aggregation", 7),
    "range_aggregation_without_range": ('count_over_time({a="b"})', "needs a log range", 16),
    "aggregating_log_lines": ('sum({a="b"})', "needs a metric query", 4),
    "arithmetic_on_log_lines": ('{a="b"} / 2', "needs metric queries", 8),
    "matcher_without_value": ("{a}", "expected =, !=, =~ or !~", 2),
    "missing_comma": ('{a="b" c="d"}', "expected ',' or '}'", 7),
    "unquoted_value": ("{a=b}", "expected a quoted value", 3),
    "empty_stage": ('{a="b"} |', "expected a stage", 9),
    "filter_without_string": ('{a="b"} |= 5', "expected a quoted string", 11),
    "label_filter_without_value": ('{a="b"} | level=', "expected a value", 16),
    "unwrap_without_label": ('{a="b"} | unwrap', "expected a label to unwrap", 16),
    "unwrap_outside_a_range_aggregation": ('{a="b"} | unwrap x', "unwrap belongs in a range aggregation", 8),
    "trailing_comma_in_selector": ('{a="1",}', "a comma before '}'", 7),
    "stage_loki_does_not_have": ('{a="x"} | limit 10 |= "y"', "'limit' is neither a stage Loki knows", 10),
    "variable_query_is_not_logql": ("label_values(job)", "unknown function 'label_values'", 0),
    "empty": ("", "unexpected end of query", 0),
    "line_filter_regex": ('{a="b"} |~ "(foo"', "invalid regex: missing )", 11),
    "range_unit": ('rate({a="b"}[5minutes])', "unknown unit 'minutes'", 12),
    "topk_without_k": ('topk(count_over_time({a="b"}[5h]))', "topk needs how many series", 0),
    "set_operation_with_a_number": ('sum(count_over_time({a="b"}[5m])) by (a) or 1', "'or' matches series by", 41),
    "grouping_the_aggregation_does_not_take": ('absent_over_time({a="b"}[5h]) by (a)',
                                               "absent_over_time takes no by/without", 30),
    "range_aggregation_without_unwrap": ('sum_over_time({a="b"}[5m])', "needs | unwrap", 0),
}


@pytest.mark.parametrize("query, expected", PARSES.values(), ids=PARSES.keys())
def test_parses(query, expected):
    got = shape(parse(query))
    assert {key: got[key] for key in expected} == expected


@pytest.mark.parametrize("query, message, offset", REJECTS.values(), ids=REJECTS.keys())
def test_rejects(query, message, offset):
    with pytest.raises(LogQLSyntaxError) as caught:
        parse(query)
    assert message in caught.value.message
    assert caught.value.offset == offset


def test_spans_slice_back_to_the_query():
    text = 'sum by (level) (count_over_time({app="api", env=~"p.*"} | json | __error__="" [5m]))'
    query = parse(text)
    (selector,) = query.selectors
    assert text[slice(*selector.span)] == '{app="api", env=~"p.*"}'
    assert [text[slice(*m.span)] for m in selector.matchers] == ['app="api"', 'env=~"p.*"']
    assert [text[slice(*s.span)] for s in selector.pipeline] == ["| json", '| __error__=""']
    assert [s.text for s in selector.pipeline] == ["| json", '| __error__=""']
    assert [text[slice(*r.span)] for r in query.ranges] == ["[5m]"]
    assert [text[slice(*g.span)] for g in query.groupings] == ["by (level)"]


def test_stage_details_for_rules():
    text = ('sum_over_time({a="x"} |= "a" or "b" | regexp "(?P<method>\\\\w+) (?<path>\\\\S+)" | pattern "<ip> - <_>"'
            ' | json s="r.s", m | unwrap bytes(size) | status >= 500 and (__error__="" or x!="") [5m])')
    stages = parse(text).selectors[0].pipeline
    assert [(s.kind, s.name, s.op) for s in stages] == [
        ("line_filter", "", "|="), ("parser", "regexp", ""), ("parser", "pattern", ""), ("parser", "json", ""),
        ("unwrap", "unwrap", ""), ("label_filter", "", "")]
    assert stages[0].values == ("a", "b")
    assert [s.labels for s in stages[1:]] == [
        ("method", "path"), ("ip",), ("s", "m"), ("size",), ("status", "__error__", "x")]


@pytest.mark.parametrize("query, selector", [
    ('label_values({job="x", env=~"$env"}, level)', '{job="x", env=~"$env"}'),
    ("label_values({}, job)", "{}"),
    ("label_values(level)", None),
    ("label_names()", None),
    ('{job="x"}', None),
])
def test_label_values_selector(query, selector):
    assert label_values_selector(query) == selector


@pytest.mark.parametrize("record", oracle("logql"))
def test_every_corpus_logql_query_parses(record):
    text = expand(record["expr_raw"])
    if record["kind"] == "var_query":  # label_values(...) / label_names(): only a selector is LogQL
        text = label_values_selector(text)
        if text is None:
            assert re.fullmatch(r"\s*label_(values\(\s*\w+\s*\)|names\(\s*\))\s*", expand(record["expr_raw"]))
            return
    query = parse(text)
    assert query.selectors
    for selector in query.selectors:  # every span slices back to what it describes
        assert text[slice(*selector.span)][0] + text[slice(*selector.span)][-1] == "{}"
        assert all(text[slice(*s.span)] == s.text for s in selector.pipeline)
    assert all(text[slice(*r.span)] == f"[{r.raw}]" for r in query.ranges)
