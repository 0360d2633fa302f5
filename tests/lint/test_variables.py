"""Grafana variables are expanded into placeholders that parse, only outside strings, and every span
of the expanded text maps back onto what the user wrote."""

from __future__ import annotations

import promql_parser as pp
import pytest

from dashgen.lint.promql import parse, walk
from dashgen.lint.variables import DURATION_SENTINELS, INTERVAL_VARIABLE, expand, sentinel_for


def interval(name: str) -> str:
    """The sentinel duration a user interval variable expands to (derived from its name)."""
    return expand(f"x[${name}]").text[2:-1]


# (case name, query, expected expansion); `<$v>` stands for the sentinel of interval variable v.
EXPANSIONS = [
    ("no-variables", 'sum(rate(x_total{job="api"}[5m]))', 'sum(rate(x_total{job="api"}[5m]))'),
    ("double-quoted-string", 'up{job=~"$job", instance="${instance}"}', 'up{job=~"$job", instance="${instance}"}'),
    ("single-quoted-and-backtick", "up{job='$job', env=`[[env]]`}", "up{job='$job', env=`[[env]]`}"),
    ("escaped-quote-in-string", r'up{a="x\"$b", c="$c"} / $d', r'up{a="x\"$b", c="$c"} / __gv_d'),
    ("comment", "up # filtered by $job\n", "up # filtered by $job\n"),
    ("rate-interval", "rate(x[$__rate_interval])", "rate(x[1111111ms])"),
    ("globals-braced", "rate(x[${__interval}]) + rate(y[${__range}]) + rate(z[$__auto])",
     "rate(x[2222222ms]) + rate(y[3333333ms]) + rate(z[4444444ms])"),
    ("range-with-spaces", "rate(x[ $__rate_interval ])", "rate(x[ 1111111ms ])"),
    ("subquery-step", "max_over_time(rate(x[$__rate_interval])[$__range:$__interval])",
     "max_over_time(rate(x[1111111ms])[3333333ms:2222222ms])"),
    ("subquery-user-step", "max_over_time(x[1h:$step])", "max_over_time(x[1h:<$step>])"),
    ("user-range", "rate(x[$window])", "rate(x[<$window>])"),
    ("user-range-unit-follows", "x[${days}d]", "x[1d]"),
    ("offset", "x offset $shift", "x offset <$shift>"),
    ("offset-uppercase-newline", "x OFFSET\n  $shift", "x OFFSET\n  <$shift>"),
    ("offset-in-a-name", "xoffset $a", "xoffset __gv_a"),
    ("auto-interval", "rate(x[$__auto_interval_iv])", "rate(x[<$__auto_interval_iv>])"),
    ("number-globals", "x / $__interval_ms * ${__range_ms} - $__range_s", "x / 2222222 * 3333333 - 3333"),
    ("number-global-with-unit", "increase(x[${__range_s}s])", "increase(x[3333s])"),
    ("by", "sum by ($g) (x)", "sum by (__gv_g) (x)"),
    ("by-after", "sum(x) by ($a, [[b]])", "sum(x) by (__gv_a, __gv_b)"),
    ("on-group-left", "a / on($j) group_left($k) b", "a / on(__gv_j) group_left(__gv_k) b"),
    ("square-brackets", "x[[v]]", "x__gv_v"),
    ("square-brackets-format", "[[metric:csv]]{a=\"b\"}", '__gv_metric{a="b"}'),
    ("square-brackets-in-range", "rate(x[[[interval]]])", "rate(x[<$interval>])"),
    ("regex-format-outside-string", 'up{a=~"${v:regex}"} * ${v:regex}', 'up{a=~"${v:regex}"} * __gv_v'),
    ("kind-and-format", "x @ ${__to:date:seconds}", "x @ 1"),
    ("field-path", "${obj.field:raw}_total", "__gv_obj_total"),
    ("metric-name", '${metric}_total{job="a"} + node_$m', '__gv_metric_total{job="a"} + node___gv_m'),
    ("recording-rule-colon", "job:x:rate5m / foo:$x", "job:x:rate5m / foo:__gv_x"),
    ("matcher-name", '{$lbl="a", __name__="up"}', '{__gv_lbl="a", __name__="up"}'),
    ("topk", "topk($n, x)", "topk(1, x)"),
    ("topk-grouped", "topk by (job) ($n, x) + bottomk(${n}, sum by (a) (y))",
     "topk by (job) (1, x) + bottomk(1, sum by (a) (y))"),
    ("limitk-quantile", "limitk($n, x) + quantile($q, x)", "limitk(1, x) + quantile(1, x)"),
    ("quantile-over-time", "quantile_over_time($q, x[$w])", "quantile_over_time(1, x[<$w>])"),
    ("histogram-quantile", "histogram_quantile($q, sum by (le) (rate(x_bucket[5m])))",
     "histogram_quantile(1, sum by (le) (rate(x_bucket[5m])))"),
    ("scalar-arguments", "clamp(x, $lo, $hi) + round(x, $to) + predict_linear(x[1h], $t)",
     "clamp(x, 1, 1) + round(x, 1) + predict_linear(x[1h], 1)"),
    ("vector-argument-stays", "clamp_max($x, 1)", "clamp_max(__gv_x, 1)"),
    ("comparison-promql", "x > $threshold", "x > __gv_threshold"),
    ("function-position", "$agg(rate(x[5m])) + $agg by (a) (y)", "sum(rate(x[5m])) + sum by (a) (y)"),
    ("undefined-global", "x * $__dashboard", "x * __gv___dashboard"),
    ("lone-dollar", "x $ y", "x $ y"),
]


NOT_PROMQL = {"offset-in-a-name", "lone-dollar"}  # expanded as Grafana would, and still invalid


@pytest.mark.parametrize("case, query, expected", EXPANSIONS, ids=[c[0] for c in EXPANSIONS])
def test_expansion(case, query, expected):
    expected = _with_sentinels(expected)
    assert expand(query).text == expected
    if case not in NOT_PROMQL:
        parse(expected)


CURRENT = {
    "n": {"current": {"text": "10", "value": "10"}},
    "q": {"current": {"value": ["0.95"]}},
    "all": {"current": {"text": "All", "value": "$__all"}},
    "many": {"current": {"value": ["1", "2"]}},
    "g": {"current": {"value": "job"}},
    "agg": {"current": {"value": "max"}},
    "window": {"current": {"value": "5m"}},
}
WITH_VARIABLES = [
    ("number-current", "topk($n, x)", "topk(10, x)"),
    ("number-current-single-list", "histogram_quantile($q, x)", "histogram_quantile(0.95, x)"),
    ("number-all", "topk($all, x)", "topk(1, x)"),
    ("number-several", "topk($many, x)", "topk(1, x)"),
    ("identifier-ignores-current", "sum by ($g) (x)", "sum by (__gv_g) (x)"),
    ("function-current", "$agg(x)", "max(x)"),
    ("interval-ignores-current", "rate(x[$window])", "rate(x[<$window>])"),
]


@pytest.mark.parametrize("query, expected", [c[1:] for c in WITH_VARIABLES], ids=[c[0] for c in WITH_VARIABLES])
def test_expansion_with_current_values(query, expected):
    assert expand(query, CURRENT).text == _with_sentinels(expected)


LOGQL = [
    ("strings-and-range", 'sum by ($g) (count_over_time({app="$app"} |= "$search" [$__auto]))',
     'sum by (__gv_g) (count_over_time({app="$app"} |= "$search" [4444444ms]))'),
    ("user-range", 'rate({app="a"}[$interval])', 'rate({app="a"}[<$interval>])'),
    ("backtick-pattern", '{app="a"} | pattern `<_> $x <_>` | line_format "{{.$y}}"',
     '{app="a"} | pattern `<_> $x <_>` | line_format "{{.$y}}"'),
    ("comparison-takes-number", '{app="a"} | json | duration > $min', '{app="a"} | json | duration > 1'),
    ("topk", "topk($n, sum by (a) (rate({app=\"a\"}[$__interval])))",
     'topk(1, sum by (a) (rate({app="a"}[2222222ms])))'),
]


@pytest.mark.parametrize("query, expected", [c[1:] for c in LOGQL], ids=[c[0] for c in LOGQL])
def test_logql_expansion(query, expected):
    assert expand(query, language="logql").text == _with_sentinels(expected)


def test_sentinels_parse_are_distinct_and_below_the_overflow():
    durations = [pp.parse_duration(v) for v in DURATION_SENTINELS.values()]
    durations.append(pp.parse_duration(interval("window")))
    assert len(set(durations)) == len(durations)
    assert all(d.total_seconds() * 1000 < 2**32 for d in durations)
    for name, value in DURATION_SENTINELS.items():
        assert sentinel_for(pp.parse_duration(value)) == name


def test_sentinel_for_names_the_variable_behind_a_parsed_range():
    expr = parse(expand("rate(x[$__rate_interval]) + rate(y[$win]) + max_over_time(z[5m:$step] offset $shift)").text)
    ranges = {}
    for node, _ in walk(expr):
        if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr)):
            ranges[str(node)] = sentinel_for(node.range)
        if isinstance(node, pp.SubqueryExpr):
            assert sentinel_for(node.step) == "$step"
        if isinstance(node, (pp.VectorSelector, pp.SubqueryExpr)) and node.offset:
            assert sentinel_for(node.offset) == "$shift"
    assert sorted(v for v in ranges.values() if v) == ["$__rate_interval", "$win"]


def test_sentinel_for_leaves_written_durations_alone():
    for written in ("5m", "1h30m", "30d", "1111s", "5000001ms"):
        assert sentinel_for(pp.parse_duration(written)) in (None, INTERVAL_VARIABLE)
    assert sentinel_for(pp.parse_duration("5m")) is None
    assert sentinel_for(pp.parse_duration("5000001ms")) == INTERVAL_VARIABLE  # a slot no name has claimed


def test_spans_map_back_to_the_variable_reference():
    original = 'sum by ($g) (rate(x{job="$job"}[$__rate_interval]))'
    expanded = expand(original)
    text = expanded.text
    at = text.index("1111111ms")
    whole = (original.index("$__rate"), original.index("$__rate") + len("$__rate_interval"))
    assert expanded.original_span(at, at + 9) == whole
    assert expanded.original_span(at + 2, at + 4) == whole  # inside the placeholder
    assert expanded.original_span(at - 1, at + 10) == (whole[0] - 1, whole[1] + 1)  # the brackets
    g = text.index("__gv_g")
    assert expanded.original_span(g, g + 6) == (8, 10)
    assert original[slice(*expanded.original_span(text.index("rate"), text.index("rate") + 4))] == "rate"
    assert expanded.original_span(0, len(text)) == (0, len(original))


def test_references_record_name_role_and_both_spans():
    expanded = expand("topk($n, x[$w]) by ($g)")
    assert [(r.name, r.role) for r in expanded.references] == [("n", "number"), ("w", "duration"), ("g", "identifier")]
    for ref in expanded.references:
        assert expanded.original[ref.start] == "$"
        assert expanded.original_span(ref.exp_start, ref.exp_end) == (ref.start, ref.end)


def _with_sentinels(text: str) -> str:
    while "<$" in text:
        start = text.index("<$")
        end = text.index(">", start)
        text = text[:start] + interval(text[start + 2:end]) + text[end + 1:]
    return text
