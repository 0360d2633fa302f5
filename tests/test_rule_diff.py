"""`dashgen diff` on the generated Prometheus rules: rule by rule, an objective's change said as the
thresholds that moved, alerts added and removed, every other changed field with both values; the
rules' tests, and a rule file that is not one, as line diffs."""

from __future__ import annotations

import json

import pytest

from conftest import copy_project
from dashgen.diff_lines import rule_lines
from dashgen.diff_report import between
from dashgen.push.vocabulary import Kind
from dashgen.rule_diff import diff_rule_files, number_changes
from test_diff_against import commit_build, git


@pytest.fixture
def mpac(tmp_path, cli):
    """The repository's project in a git repository, built and committed: change slos/mpac.py, then diff."""
    root = copy_project(tmp_path / "mpac")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "dev")
    commit_build(cli, root)
    return root


def _edit(root, *replacements: tuple[str, str]) -> None:
    path = root / "slos" / "mpac.py"
    source = path.read_text()
    for old, new in replacements:
        assert old in source
        source = source.replace(old, new)
    path.write_text(source)


def _section(out: str, head: str) -> list[str]:
    """The lines of one entry of the text report: its head and what is indented under it."""
    lines = out.splitlines()
    start = lines.index(head)
    end = next((n for n in range(start + 1, len(lines)) if not lines[n].startswith(" ")), len(lines))
    return lines[start:end]


def test_an_objective_reads_as_the_thresholds_it_moves(cli, mpac):
    _edit(mpac, ("objective=0.999,", "objective=0.995,"))
    code, out, err = cli("-C", str(mpac), "diff")
    assert (code, err) == (1, "")
    assert _section(out, "~ changed rule file rules/slo-alerts.yml") == [
        "~ changed rule file rules/slo-alerts.yml",
        "    ~ alert ErrorBudgetBurnFast (group slo:availability:alerts)",
        "        threshold in 2 places: > (14.4 * 0.001) → > (14.4 * 0.005)",
        "        threshold in 2 places: > (6 * 0.001) → > (6 * 0.005)",
        '        annotations.description: … 6x the budget of 0.1% over both windows of a pair (1h and 5…'
        ' → … 6x the budget of 0.5% over both windows of a pair (1h and 5…',
        "    ~ alert ErrorBudgetBurnSlow (group slo:availability:alerts)",
        "        threshold in 2 places: > (3 * 0.001) → > (3 * 0.005)",
        "        threshold in 2 places: > (1 * 0.001) → > (1 * 0.005)",
        '        annotations.description: … 1x the budget of 0.1% over both windows of a pair (1d and 2…'
        ' → … 1x the budget of 0.5% over both windows of a pair (1d and 2…',
        "    ~ alert ErrorBudgetExhausted (group slo:availability:alerts)",
        "        threshold: > 0.001 → > 0.005",
        '        annotations.description: … a 5xx: more than 0.1% failed over 30d, so the 99.9% objecti…'
        ' → … a 5xx: more than 0.5% failed over 30d, so the 99.5% objecti…',
    ]
    assert [line for line in out.splitlines() if not line.startswith(" ")] == [
        "changes since HEAD:", "~ changed dashboard service-health 'Service health'",
        "~ changed rule file rules/slo-alerts.yml", "~ changed file rules/tests/availability.yml"]  # tests: lines
    assert "    -    values: 0+0.06x30" in out.splitlines()

    code, out, _ = cli("-C", str(mpac), "diff", "--format", "json")
    rules = next(c for c in json.loads(out)["changes"] if c["uid"] == "rules/slo-alerts.yml")
    assert (rules["kind"], rules["action"], rules["added"], rules["removed"], rules["changes"]) == (
        "rule file", "changed", [], [], [])
    fast, slow, exhausted = rules["changed"]
    assert (fast["group"], fast["alert"], fast["labels"]) == (
        "slo:availability:alerts", "ErrorBudgetBurnFast", {"severity": "page", "slo": "availability"})
    assert fast["numbers"] == [
        {"old": "> (14.4 * 0.001)", "new": "> (14.4 * 0.005)", "places": 2, "threshold": True},
        {"old": "> (6 * 0.001)", "new": "> (6 * 0.005)", "places": 2, "threshold": True}]
    assert [c["path"] for c in fast["changes"]] == ["expr", "annotations.description"]
    assert exhausted["changes"][0] == {
        "path": "expr",
        "old": 'service:http_server_requests:error_ratio_rate30d{service=~"svc-portal|svc-smarttab|mpac-pgw"} > 0.001',
        "new": 'service:http_server_requests:error_ratio_rate30d{service=~"svc-portal|svc-smarttab|mpac-pgw"} > 0.005'}


def test_alerts_added_removed_and_changed_field_by_field(cli, mpac):
    _edit(mpac, ('name="HighErrorRate", severity="page", for_="5m"', 'name="HighErrorRate", severity="ticket", for_="10m"'),
          ("fails more than 5% of its requests", "fails more than 5% of its HTTP requests"),
          ('name="HighLatencyP95"', 'name="SlowResponses"'),
          ("[5m]))\\n)", "[10m]))\\n)"))
    code, out, _ = cli("-C", str(mpac), "diff")
    assert code == 1
    assert out.splitlines() == [
        "changes since HEAD:",
        "~ changed rule file rules/alerts.yml",
        "    + alert SlowResponses (group platform)",
        "    - alert HighLatencyP95 (group platform)",
        "    ~ alert HighErrorRate (group platform)",
        '        annotations.summary: …more than 5% of its requests" → …more than 5% of its HTTP requests"',
        '        for: "5m" → "10m"',
        '        labels.severity: "page" → "ticket"',
    ]
    _, markdown, _ = cli("-C", str(mpac), "diff", "--format", "markdown")
    assert markdown.split("<details>")[0] == (
        "## Changes since HEAD\n\n"
        "| | Rule file | Rules added | removed | changed |\n|---|---|--:|--:|--:|\n"
        "| ~ | `rules/alerts.yml` | 1 | 1 | 1 |\n\n")
    assert markdown.split("</summary>\n\n")[1].split("\n\n</details>")[0].splitlines() == [
        "- + alert `SlowResponses` (group `platform`)",
        "- - alert `HighLatencyP95` (group `platform`)",
        "- ~ alert `HighErrorRate` (group `platform`)",
        '  - `annotations.summary`: `…more than 5% of its requests"` → `…more than 5% of its HTTP requests"`',
        '  - `for`: `"5m"` → `"10m"`',
        '  - `labels.severity`: `"page"` → `"ticket"`',
    ]
    _, document, _ = cli("-C", str(mpac), "diff", "--format", "json")
    (rules,) = json.loads(document)["changes"]
    assert [(r["group"], r["alert"], r["for"]) for r in rules["added"] + rules["removed"]] == [
        ("platform", "SlowResponses", "10m"), ("platform", "HighLatencyP95", "10m")]
    assert "[10m]" in rules["added"][0]["expr"]
    assert rules["changed"][0]["changes"][1:] == [
        {"path": "for", "old": "5m", "new": "10m"}, {"path": "labels.severity", "old": "page", "new": "ticket"}]


RULES = b"""groups:
- name: platform
  rules:
  - alert: HighErrorRate
    expr: errors:ratio5m > 0.05
    for: 5m
    labels: {severity: page}
  - alert: HighErrorRate
    expr: errors:ratio5m > 0.01
    for: 30m
    labels: {severity: ticket}
  - record: errors:ratio5m
    expr: |-
      sum(rate(errors_total[5m]))
      /
      sum(rate(requests_total[5m]))
"""


def test_a_name_that_repeats_in_a_group_is_told_apart_by_its_labels():
    new = (RULES.replace(b"> 0.01\n    for: 30m", b"> 0.02\n    for: 30m")
           .replace(b"errors_total[5m]", b"errors_total{code=~'5..'}[5m]"))
    assert rule_lines(diff_rule_files(RULES, new)) == [
        '~ alert HighErrorRate{severity="ticket"} (group platform)',
        "    threshold: > 0.01 → > 0.02",
        "~ record errors:ratio5m (group platform)",
        "    expr:",
        "      -sum(rate(errors_total[5m]))",
        "      +sum(rate(errors_total{code=~'5..'}[5m]))",
        "       /",
    ]
    severity = RULES.replace(b"severity: ticket", b"severity: warning")  # the other one left: the same alert
    assert rule_lines(diff_rule_files(RULES, severity)) == [
        '~ alert HighErrorRate{severity="warning"} (group platform)', '    labels.severity: "ticket" → "warning"']
    interval = RULES.replace(b"- name: platform\n", b"- name: platform\n  interval: 30s\n")
    assert rule_lines(diff_rule_files(RULES, interval)) == ['group platform.interval: (none) → "30s"']


@pytest.mark.parametrize("content", [
    b"groups:\n- name: platform\n  rules: [\n",  # not YAML
    b"groups: 3\n",  # not a rule file
    b"groups:\n- name: platform\n  rules:\n  - alert: X\n",  # a rule without an expression
])
def test_a_file_that_is_not_a_rule_file_is_diffed_line_by_line(content):
    (entry,) = between({"rules/alerts.yml": RULES}, {"rules/alerts.yml": content}, "HEAD")
    assert (entry.kind, entry.rules) == (Kind.FILE, None)
    assert entry.lines[-1] == f"+{content.decode().splitlines()[-1]}"


def test_rules_in_another_order_are_diffed_line_by_line():
    """No rule changed, yet Prometheus evaluates a group's rules in order: the line diff shows the move."""
    first, second, record = RULES.split(b"  - ")[1:]
    reordered = RULES.split(b"  - ")[0] + b"  - " + b"  - ".join([second, first, record])
    assert diff_rule_files(RULES, reordered) is None
    (entry,) = between({"rules/alerts.yml": RULES}, {"rules/alerts.yml": reordered}, "HEAD")
    assert entry.kind == Kind.FILE and "-  - alert: HighErrorRate" in entry.lines


def test_a_rule_file_added_lists_its_rules():
    (entry,) = between({}, {"rules/recorded.yml": RULES}, "HEAD")
    assert (entry.kind, entry.action) == (Kind.RULE_FILE, "added")
    assert rule_lines(entry.rules) == ['+ alert HighErrorRate{severity="page"} (group platform)',
                                       '+ alert HighErrorRate{severity="ticket"} (group platform)',
                                       "+ record errors:ratio5m (group platform)"]


@pytest.mark.parametrize("old, new, expected", [
    ("x > (14.4 * 0.001)\nand\ny > (14.4 * 0.001)", "x > (14.4 * 0.005)\nand\ny > (14.4 * 0.005)",
     [("> (14.4 * 0.001)", "> (14.4 * 0.005)", 2, True)]),
    ("x > (14.4 * 0.001)", "x > (10 * 0.005)", [("> (14.4 * 0.001)", "> (10 * 0.005)", 1, True)]),
    ('x{le="0.5"}', 'x{le="0.4"}', [('le="0.5"', 'le="0.4"', 1, True)]),
    ('1 - x{code="500"} / 0.001', '1 - x{code="500"} / 0.005', [("0.001", "0.005", 1, False)]),
    ("histogram_quantile(0.95, x) > bool 1", "histogram_quantile(0.99, x) > bool 1", [("0.95", "0.99", 1, False)]),
    ("x < -1", "x < -2", [("< -1", "< -2", 1, True)]),
    ("rate(x[5m]) > 1", "rate(x[10m]) > 1", []),  # a window is no number
    ("rate5m > 1", "rate1h > 1", []),
    ('x{code=~"5.."} > 1', 'x{code=~"4.."} > 1', []),
])
def test_numbers_are_shown_with_what_they_are_compared_against(old, new, expected):
    assert [(n.old, n.new, n.places, n.threshold) for n in number_changes(old, new)] == expected
