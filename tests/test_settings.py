"""One settings validator (dashgen.settings), and pyproject.toml's settings read with it: every problem
of the file is told in one run, each located; an unknown key is told the nearest known key; a value
that may hold credentials is never shown; valid settings load to the same objects as before. (The
catalogue's and the datasources' are in test_catalogue.py and test_datasources.py.)"""

from __future__ import annotations

import pytest

from conftest import REPO, SIMPLE
from dashgen.errors import InputError, Location
from dashgen.settings import Key, Table, described, nearest, shown, unknown

ENV = "pyproject.toml [tool.dashgen.environments.{}]"
LINT = "pyproject.toml [tool.dashgen.lint]"


# The module itself


TABLE = Table({
    "url": Key(required=True, ok=lambda url: isinstance(url, str), must="url must be text, not {value}"),
    "timeout_s": Key(10.0, ok=lambda s: isinstance(s, (int, float)) and s > 0, convert=float,
                     must="timeout_s must be a number above 0, not {value}"),
    "tags": Key((), ok=lambda tags: isinstance(tags, list), must="tags must be a list", convert=tuple,
                check=lambda tags: (f"tag {t!r} is empty" for t in tags if not t)),
})


def test_every_problem_of_a_table_is_told_with_the_nearest_known_key():
    values, problems = TABLE.check({"timeot_s": 5, "timeout_s": -1, "tags": ["a", "", ""], "colour": "red"})
    assert problems == [
        "unknown key 'colour'; known: tags, timeout_s, url",
        "unknown key 'timeot_s'; did you mean 'timeout_s'? known: tags, timeout_s, url",
        "url is required",
        "timeout_s must be a number above 0, not -1",
        "tag '' is empty",
        "tag '' is empty",
    ]


def test_a_good_table_gets_its_defaults_and_converted_values():
    assert TABLE.check({"url": "http://x", "timeout_s": 5}) == ({"url": "http://x", "timeout_s": 5.0, "tags": ()}, [])
    assert TABLE.check({"url": "http://x", "tags": ["a"]})[0]["tags"] == ("a",)


def test_read_locates_every_problem_and_gives_no_values_when_there_is_one():
    errors: list[InputError] = []
    where = Location(file="x.yaml")
    assert TABLE.read({"url": 5, "tags": "a"}, where, errors, prefix="entry e: ") is None
    assert [(e.location, e.message) for e in errors] == [
        (where, "entry e: url must be text, not 5"), (where, "entry e: tags must be a list"),
    ]
    assert TABLE.read([1], where, errors) is None and errors[-1].message == "expected a table"


def test_the_suggestion_is_only_for_a_near_key():
    assert unknown("tokn_env", ["url", "token_env"]) == (
        "unknown key 'tokn_env'; did you mean 'token_env'? known: token_env, url")
    assert unknown("colour", ["url"], noun="setting") == "unknown setting 'colour'; known: url"
    assert unknown(5, ["url"]) == "unknown key 5; known: url"
    assert unknown("promql/sintax", ["promql/syntax"], noun="rule", listed=False) == (
        "unknown rule 'promql/sintax'; did you mean 'promql/syntax'?")
    assert nearest("x", ["url"]) == ""


@pytest.mark.parametrize("value", [
    "http://admin:hunter2@grafana:3000",
    "admin:hunter2@grafana:3000",
    ["http://x", "https://admin:hunter2@grafana"],
    {"url": "http://admin:hunter2@loki:3100"},
    ("a", "b", "http://admin:hunter2@x/" + "y" * 100),
])
def test_a_value_that_may_hold_credentials_is_never_shown(value):
    for text in (shown(value), described(value)):
        assert "hunter2" not in text and "admin" not in text
        assert text == f"a {type(value).__name__} that may hold user:password (not shown)"


def test_values_are_shown_short_and_collections_say_what_they_are():
    assert (shown("x"), shown(1e300), shown(True), shown(None)) == ("'x'", "1e+300", "True", "None")
    assert described(["gauge"]) == "a list ['gauge']" and described("gauge") == "'gauge'"
    assert described(list(range(100))) == "a list [0, 1, 2, 3, ...]"
    assert shown({"rule": "promql/syntax"}) == "{'rule': 'promql/syntax'}"


def test_a_template_keeps_its_other_braces():
    table = Table({"severity": Key(ok=lambda v: isinstance(v, dict), must='{key} must be { "rule" = "level" }')})
    assert table.check({"severity": 5})[1] == ['severity must be { "rule" = "level" }']


# A file with several mistakes: every one in one run, each located


def _append(project, toml: str):
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + toml)


THREE_MISTAKES = """
[tool.dashgen.environments.staging]
url = "https://admin:hunter2@grafana.staging.example.com"
tokn_env = "GRAFANA_STAGING_TOKEN"
timeout_s = 0
[tool.dashgen.environments.production]
url = "https://grafana.example.com"
folder = "../etc"
"""
THREE_MISTAKES_ERRORS = [
    f"error: {ENV.format('production')}: folder '../etc' is not a valid folder name (letters, digits, space, '_', '.',"
    " '-'; at most 64)",
    f"error: {ENV.format('staging')}: unknown key 'tokn_env'; did you mean 'token_env'? known: allow_http,"
    " basic_auth_env, datasources, folder, prometheus_url, timeout_s, token_env, url",
    f"error: {ENV.format('staging')}: url must be the Grafana's address alone, with no user:password in the URL: name"
    " the variable that holds the credentials with token_env (a service-account token) or basic_auth_env"
    " (user:password)",
    f"error: {ENV.format('staging')}: timeout_s must be a number of seconds above 0 and at most 600, not 0",
]


@pytest.mark.parametrize("command", [
    ["build"], ["diff", "--env", "staging"], ["push", "--env", "staging", "--dry-run"],
])
def test_every_mistake_of_the_environments_is_told_in_one_run(project, cli, monkeypatch, command):
    monkeypatch.setenv("GRAFANA_TOKEN", "glsa_not_a_real_token")
    project.write("dashboards/simple.py", SIMPLE)
    _append(project, THREE_MISTAKES)
    code, out, err = cli("-C", str(project.root), *command)
    assert (code, out, err.splitlines()) == (2, "", THREE_MISTAKES_ERRORS + ["4 errors"])
    assert "hunter2" not in err and not (project.root / "generated").exists()


def test_a_build_tells_the_environments_mistakes_with_the_definitions(project, cli):
    project.write("dashboards/simple.py", SIMPLE.replace('uid="simple"', 'uid="simple\\n"'))
    _append(project, THREE_MISTAKES)
    code, _, err = cli("-C", str(project.root), "build")
    assert code == 2 and err.splitlines()[0].startswith("error: dashboards/simple.py · dashboard 'simple\\n': uid")
    assert err.splitlines()[1:] == THREE_MISTAKES_ERRORS + ["5 errors"]


def test_lint_tells_its_configurations_mistakes_with_the_builds(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    _append(project, THREE_MISTAKES + """
[tool.dashgen.lint]
panel_budget = 200
severity = { "promql/fixed-rate-windw" = "warning", "promql/syntax" = "fatal" }
max_range = "1 day"
""")
    code, out, err = cli("-C", str(project.root), "lint")
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: {LINT}: unknown key 'panel_budget'; did you mean 'panel_series_budget'? known:"
        " high_cardinality_labels, ignore, max_range, panel_series_budget, select, severity, suppress",
        f"error: {LINT}: severity: unknown rule 'promql/fixed-rate-windw'; did you mean 'promql/fixed-rate-window'?",
        f"error: {LINT}: severity of promql/syntax: 'fatal' is not one of error, warning, info",
        f"error: {LINT}: max_range must be a PromQL duration such as \"1d\" or \"12h\", not '1 day'",
        *THREE_MISTAKES_ERRORS,
        "8 errors",
    ]


def test_every_mistake_of_a_suppression_is_told(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    _append(project, '\n[[tool.dashgen.lint.suppress]]\nrul = "promql/syntax"\npanel = 5\n'
                     '[[tool.dashgen.lint.suppress]]\nrule = "promql/sintax"\nreason = "known"\n')
    code, _, err = cli("-C", str(project.root), "lint")
    assert (code, err.splitlines()) == (2, [
        f"error: {LINT}: suppression {{'panel': 5, 'rul': 'promql/syntax'}}: unknown key 'rul'; did you mean 'rule'?"
        " known: dashboard, panel, reason, rule",
        f"error: {LINT}: suppression {{'panel': 5, 'rul': 'promql/syntax'}}: panel must be a string, not 5",
        f"error: {LINT}: suppression {{'panel': 5, 'rul': 'promql/syntax'}}: reason is required; say why the finding"
        " is acceptable",
        f"error: {LINT}: suppression names unknown rule 'promql/sintax'; did you mean 'promql/syntax'? (a rule id, or a"
        ' prefix such as "promql/")',
        "4 errors",
    ])


def test_every_mistake_of_the_project_settings_is_told(project, cli):
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('default_folder = "Team"',
                                                       'default_foldr = "Team"\ncatalogue = ""\nlint = 5'))
    code, _, err = cli("-C", str(project.root), "build")
    where = "error: pyproject.toml [tool.dashgen]"
    assert (code, err.splitlines()) == (2, [
        f"{where}: unknown setting 'default_foldr'; did you mean 'default_folder'? known: catalogue, default_folder,"
        " environments, lint, provisioning_path",
        f"{where}: catalogue '' is not a path (empty, or a control character in it)",
        f"{where}: lint must be a dict, not 5",
        "3 errors",
    ])


def test_credentials_in_an_environment_datasource_table_are_never_shown(project, cli):
    project.write("dashboards/simple.py", SIMPLE)
    _append(project, '[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n'
                     '[tool.dashgen.environments.dev.datasources]\nloki = "http://admin:hunter2@loki:3100"\n'
                     'tempo = { url = "http://admin:hunter2@tempo:3200", uri = "x" }\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err.splitlines()) == (2, [
        f"error: {ENV.format('dev')}: datasources.loki must be {{ url = \"http(s)://...\" }}, not a str that may hold"
        " user:password (not shown)",
        f"error: {ENV.format('dev')}: datasources.tempo: unknown key 'uri'; did you mean 'url'? known: url",
        "2 errors",
    ])


# Valid settings load to the same objects


def test_the_repositorys_environments_load_to_the_same_objects():
    from dashgen.environments import Environment, load_environments
    from dashgen.project import find_project

    def urls(env: str, domain: str) -> dict:
        return {"prometheus": f"http://prometheus{domain}:9090", "loki": f"http://loki{domain}:3100",
                "tempo": f"http://tempo{domain}:3200"}

    assert load_environments(find_project(REPO)) == {
        "local": Environment(name="local", url="http://localhost:3000", basic_auth_env="GRAFANA_LOCAL_AUTH",
                             datasource_urls=urls("local", "")),
        "production": Environment(name="production", url="https://grafana.example.com",
                                  token_env="GRAFANA_PRODUCTION_TOKEN", folder="MPAC",
                                  datasource_urls=urls("production", ".mpac-obs.production.local")),
        "staging": Environment(name="staging", url="https://grafana.staging.example.com",
                               token_env="GRAFANA_STAGING_TOKEN", folder="MPAC",
                               datasource_urls=urls("staging", ".mpac-obs.staging.local")),
    }


def test_an_environment_with_every_key_loads_as_written():
    from dashgen.environments import Environment, _environments

    found, errors = _environments({"dev": {
        "url": "http://[::1]:3000/grafana/", "token_env": "T", "basic_auth_env": "B", "folder": "Team A.1",
        "timeout_s": 5, "allow_http": True, "datasources": {"loki": {"url": "http://loki:3100"}},
    }})
    assert (found, errors) == ({"dev": Environment(
        name="dev", url="http://[::1]:3000/grafana", token_env="T", basic_auth_env="B", folder="Team A.1",
        timeout_s=5.0, allow_http=True, datasource_urls={"loki": "http://loki:3100"},
    )}, [])
    assert isinstance(found["dev"].timeout_s, float)


def test_a_lint_configuration_with_every_key_loads_as_written():
    from dashgen.lint.config import LintConfig, Suppression, load_config
    from dashgen.lint.rules import BY_ID

    config = load_config({
        "select": ["promql/", "logql"], "ignore": ["dashboard/missing-unit"],
        "severity": {"promql/fixed-rate-window": "error"}, "high_cardinality_labels": ["trace_id"],
        "panel_series_budget": 200, "max_range": "12h",
        "suppress": [{"rule": "promql/series-budget", "dashboard": "d", "panel": "p", "reason": " one device "}],
    }, set(BY_ID))
    assert config == LintConfig(
        select=("promql/", "logql"), ignore=("dashboard/missing-unit",), severity={"promql/fixed-rate-window": "error"},
        high_cardinality_labels=("trace_id",), panel_series_budget=200, max_range="12h",
        suppress=(Suppression(reason="one device", rule="promql/series-budget", dashboard="d", panel="p"),),
    )
    assert load_config({}, set(BY_ID)) == LintConfig()
