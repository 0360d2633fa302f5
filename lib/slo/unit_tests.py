"""`promtool test rules` suites for each SLO, generated with its rules, so Prometheus itself checks
that the alerts do what the SLO says: steady healthy traffic raises nothing; a fast burn (20x the
budget) pages within 5 minutes; a slow burn (5x) opens a ticket and does not page, and spends the
budget. Each suite feeds synthetic counters to the generated recording and alerting rules.
"""

from __future__ import annotations

import re

from dashgen.canonical import canonical_yaml
from dashgen.slo.model import SLO, Events
from dashgen.slo.rules import RULES_DIR, alert_group, burn_alert_name

TESTS_DIR = f"{RULES_DIR}/tests"
PER_MINUTE = 600  # events a minute of the synthetic traffic (10 per second)
ENV = "test"
MATCHER = re.compile(r'([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
UNMATCHED = ("200", "ok", "success", "approved", "other")  # values tried for a label bad events must not have

# (traffic: (minutes, burn rate) one after another, {when: {alert kind: fires?}}); an alert not
# named is not checked (a fast burn also opens a ticket, which is right and beside the point).
# A 20x burn after six healthy hours crosses 14.4x over the last hour after 43.2 minutes
# (60 * 14.4 / 20): not yet paged at 40, paged at 50. The 6h/30m pair alone would take 108 minutes.
SCENARIOS = (
    (((30, 0.1),), {"30m": {"page": False, "ticket": False, "exhausted": False}}),
    (((360, 0), (50, 20)), {"400m": {"page": False}, "410m": {"page": True}}),
    (((30, 5),), {"30m": {"page": False, "ticket": True, "exhausted": True}}),
)


class SeriesError(ValueError):
    """The SLO's matchers cannot be satisfied by synthetic series (a regex dashgen cannot sample)."""


def unit_test_files(slos: list[SLO]) -> dict[str, bytes]:
    return {f"{TESTS_DIR}/{slo.name}.yml": canonical_yaml(suite(slo)) for slo in slos}


def suite(slo: SLO) -> dict:
    service = slo.services[0]
    alerts = {rule["alert"]: rule for rule in alert_group(slo)["rules"]}
    names = {"page": burn_alert_name("page"), "ticket": burn_alert_name("ticket"), "exhausted": "ErrorBudgetExhausted"}
    tests = []
    for traffic, checked in SCENARIOS:
        checks = [{"eval_time": at, "alertname": names[kind],
                   "exp_alerts": [_expected(alerts[names[kind]], service)] if firing else []}
                  for at, fires in checked.items() for kind, firing in fires.items() if names[kind] in alerts]
        tests.append({"interval": "1m", "input_series": _series(slo, service, traffic),
                      "alert_rule_test": checks})
    return {"rule_files": ["../slo-recording.yml", "../slo-alerts.yml"], "evaluation_interval": "1m", "tests": tests}


def _expected(rule: dict, service: str) -> dict:
    labels = {"env": ENV, "service": service, **rule["labels"]}
    annotations = {key: text.replace("{{ $labels.service }}", service).replace("{{ $labels.env }}", ENV)
                   for key, text in rule["annotations"].items()}
    return {"exp_labels": labels, "exp_annotations": annotations}


def _series(slo: SLO, service: str, traffic) -> list[dict]:
    """Counters of all events and of bad (or good) ones, rising by the minute as `traffic` says."""
    bad = [(minutes, round(PER_MINUTE * burn * slo.error_budget, 6)) for minutes, burn in traffic]
    rest = [(minutes, PER_MINUTE - per_minute) for minutes, per_minute in bad]
    everything = [(minutes, PER_MINUTE) for minutes, _ in traffic]
    base = {"env": ENV, "service": service}
    if slo.good is not None:
        return [_counter(slo.total, base, everything), _counter(slo.good, base, rest)]
    if slo.bad.metric != slo.total.metric:
        return [_counter(slo.total, base, everything), _counter(slo.bad, base, bad)]
    ok_labels = {**_labels(slo.total, slo.name), **_not_bad(slo.bad, slo.name)}
    return [_counter(Events(slo.total.metric), {**base, **ok_labels}, rest), _counter(slo.bad, base, bad)]


def _counter(events: Events, base: dict, rises: list[tuple[int, float]]) -> dict:
    """A series in promtool's notation, one sample a minute: `0+600x360 216600+588x49` rises by 600 a
    minute for 360 minutes, then by 588 for 50 more."""
    labels = {**base, **_labels(events, events.metric)}
    shown = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    segments, value = [], 0.0
    for minutes, per_minute in rises:
        if segments:  # the next segment's first sample is a minute after the last one's
            value += per_minute
            minutes -= 1
        segments.append(f"{value:g}+{per_minute:g}x{minutes}")
        value += per_minute * minutes
    return {"series": f"{events.metric}{{{shown}}}", "values": " ".join(segments)}


def _labels(events: Events, what: str) -> dict[str, str]:
    """Label values that satisfy the events' matchers."""
    values = {}
    for label, op, pattern in MATCHER.findall(events.matchers):
        if op == "=":
            values[label] = pattern
        elif op == "=~":
            values[label] = _sample(pattern, what)
        else:
            values[label] = next(v for v in UNMATCHED if not _matches(op, pattern, v))
    return values


def _not_bad(bad: Events, what: str) -> dict[str, str]:
    """A value of one of the bad events' labels that they do not match: the good part of the same counter."""
    for label, op, pattern in MATCHER.findall(bad.matchers):
        for value in UNMATCHED:
            if not _matches(op, pattern, value):
                return {label: value}
    raise SeriesError(f"SLO {what!r}: no label value found that its bad events' matchers {bad.matchers!r} leave out")


def _matches(op: str, pattern: str, value: str) -> bool:
    if op in ("=", "!="):
        return (value == pattern) == (op == "=")
    return bool(re.fullmatch(pattern, value)) == (op == "=~")


def _sample(pattern: str, what: str) -> str:
    for candidate in (pattern.replace(".", "0"), pattern.split("|")[0], re.sub(r"[^\w-]", "", pattern)):
        if re.fullmatch(pattern, candidate):
            return candidate
    raise SeriesError(f"SLO {what!r}: cannot make a label value matching {pattern!r} for its unit tests")
