"""Configuration is checked when it is loaded: every identifier ends where it ends (a final newline is
not taken), numbers are finite and in range, URLs parse, have a port from 1 to 65535 and no control
character, and carry no credentials. Each slip is one located line and exit 2 (never "cannot reach
Grafana", exit 3, nor a traceback), for build as for diff and push."""

from __future__ import annotations

import pytest

from conftest import SIMPLE

ENV = '[tool.dashgen.environments.dev]\nurl = "http://localhost:3000"\n'
WHERE = "pyproject.toml [tool.dashgen.environments.dev]"
PORTS = "a port is a number from 1 to 65535"
TIMEOUT = "timeout_s must be a number of seconds above 0 and at most 600, not"


@pytest.fixture
def configured(project, monkeypatch):
    """A project with one dashboard; `configured(toml)` appends toml to its pyproject.toml."""
    monkeypatch.setenv("GRAFANA_TOKEN", "glsa_not_a_real_token")
    project.write("dashboards/simple.py", SIMPLE)

    def add(toml: str):
        pyproject = project.root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text() + toml)
        return project

    return add


NOT_SHOWN = ("must name an environment variable, such as GRAFANA_TOKEN (the value is not shown: if it is the secret"
             " itself, take it out of pyproject.toml and revoke it)")
CASES = {
    # names end where they end
    "environment name with a newline": (
        '[tool.dashgen.environments."staging\\n"]\nurl = "http://localhost:3000"\n',
        'pyproject.toml [tool.dashgen.environments."staging\\n"]: an environment name is letters, digits, \'-\''
        " and '_', at most 40",
    ),
    "folder with a newline": (
        ENV + 'folder = "Evil\\n"\n',
        f"{WHERE}: folder 'Evil\\n' is not a valid folder name (letters, digits, space, '_', '.', '-'; at most 64)",
    ),
    "folder that is not a title": (
        ENV + 'folder = "../etc"\n',
        f"{WHERE}: folder '../etc' is not a valid folder name (letters, digits, space, '_', '.', '-'; at most 64)",
    ),
    "folder that is a number": (
        ENV + "folder = 5\n",
        f"{WHERE}: folder 5 is not a valid folder name (letters, digits, space, '_', '.', '-'; at most 64)",
    ),
    "token_env with a newline": (ENV + 'token_env = "GRAFANA_TOKEN\\n"\n', f"{WHERE}: token_env {NOT_SHOWN}"),
    "basic_auth_env with a newline": (ENV + 'basic_auth_env = "AUTH\\n"\n', f"{WHERE}: basic_auth_env {NOT_SHOWN}"),
    "token_env that is a token": (ENV + f'token_env = "glsa_{"x" * 32}_0a1b2c3d"\n', f"{WHERE}: token_env {NOT_SHOWN}"),
    "basic_auth_env that is user:password": (ENV + 'basic_auth_env = "admin:hunter2"\n',
                                             f"{WHERE}: basic_auth_env {NOT_SHOWN}"),
    "datasource uid with a newline": (
        ENV + '[tool.dashgen.environments.dev.datasources]\n"prometheus\\n" = { url = "http://prometheus:9090" }\n',
        f"{WHERE[:-1]}.datasources]: 'prometheus\\n' is not a datasource uid (1 to 40 letters, digits, '-' and '_')",
    ),
    # numbers
    "timeout nan": (ENV + "timeout_s = nan\n", f"{WHERE}: {TIMEOUT} nan"),
    "timeout inf": (ENV + "timeout_s = inf\n", f"{WHERE}: {TIMEOUT} inf"),
    "timeout 1e300": (ENV + "timeout_s = 1e300\n", f"{WHERE}: {TIMEOUT} 1e+300"),
    "timeout negative": (ENV + "timeout_s = -1\n", f"{WHERE}: {TIMEOUT} -1"),
    "timeout zero": (ENV + "timeout_s = 0\n", f"{WHERE}: {TIMEOUT} 0"),
    "timeout too long": (ENV + "timeout_s = 601\n", f"{WHERE}: {TIMEOUT} 601"),
    "timeout as a string": (ENV + 'timeout_s = "10"\n', f"{WHERE}: {TIMEOUT} '10'"),
    "timeout as a boolean": (ENV + "timeout_s = true\n", f"{WHERE}: {TIMEOUT} True"),
    # URLs
    "unclosed IPv6 address": (
        '[tool.dashgen.environments.dev]\nurl = "http://[::1:3000"\n',
        f"{WHERE}: url 'http://[::1:3000' is not a valid URL: an IPv6 address is written in [], as in"
        " http://[::1]:3000",
    ),
    "port out of range": (
        '[tool.dashgen.environments.dev]\nurl = "http://localhost:99999"\n',
        f"{WHERE}: url 'http://localhost:99999' has port 99999; {PORTS}",
    ),
    "port zero": (
        '[tool.dashgen.environments.dev]\nurl = "http://localhost:0"\n',
        f"{WHERE}: url 'http://localhost:0' has port 0; {PORTS}",
    ),
    "port that is not a number": (
        '[tool.dashgen.environments.dev]\nurl = "http://localhost:30o0"\n',
        f"{WHERE}: url 'http://localhost:30o0' has port '30o0'; {PORTS}",
    ),
    "url ending in a newline": (
        '[tool.dashgen.environments.dev]\nurl = "http://localhost:3000\\n"\n',
        f"{WHERE}: url 'http://localhost:3000\\n' holds whitespace or a control character",
    ),
    "url with a space": (
        '[tool.dashgen.environments.dev]\nurl = "http://local host:3000"\n',
        f"{WHERE}: url 'http://local host:3000' holds whitespace or a control character",
    ),
    "url of another scheme": (
        '[tool.dashgen.environments.dev]\nurl = "ftp://localhost"\n',
        f"{WHERE}: url 'ftp://localhost' is not an http(s) URL such as https://grafana.example.com",
    ),
    "url without a host": (
        '[tool.dashgen.environments.dev]\nurl = "http://:3000"\n',
        f"{WHERE}: url 'http://:3000' names no host",
    ),
    "url with a variable for a host": (
        '[tool.dashgen.environments.dev]\nurl = "https://$GRAFANA_HOST"\n',
        f"{WHERE}: url 'https://$GRAFANA_HOST' has host '$grafana_host', which is not a host name or an IP address",
    ),
    "url that is not a string": (
        "[tool.dashgen.environments.dev]\nurl = 3000\n",
        f"{WHERE}: url must be the http(s) URL of the Grafana, not 3000",
    ),
    "datasource url ending in a newline": (
        ENV + '[tool.dashgen.environments.dev.datasources]\nprometheus = { url = "http://prometheus:9090\\n" }\n',
        f"{WHERE[:-1]}.datasources]: the url of 'prometheus', 'http://prometheus:9090\\n' holds whitespace or a"
        " control character",
    ),
    "datasource url with a bad port": (
        ENV + '[tool.dashgen.environments.dev.datasources]\nprometheus = { url = "http://prometheus:90900" }\n',
        f"{WHERE[:-1]}.datasources]: the url of 'prometheus', 'http://prometheus:90900' has port 90900; {PORTS}",
    ),
    # credentials
    "credentials in the Grafana url": (
        '[tool.dashgen.environments.dev]\nurl = "http://admin:pw@localhost:3000"\n',
        f"{WHERE}: url must be the Grafana's address alone, with no user:password in the URL: name the variable"
        " that holds the credentials with token_env (a service-account token) or basic_auth_env (user:password)",
    ),
    "credentials in a datasource url": (
        ENV + '[tool.dashgen.environments.dev.datasources]\nprometheus = { url = "http://admin:pw@prometheus:9090" }\n',
        f"{WHERE[:-1]}.datasources]: the url of 'prometheus' has user:password in the URL, which would be written"
        " into the provisioning file; give the user as basic_auth_user and the password as"
        " secrets={'basicAuthPassword': '$VAR'} in the datasource's definition, with VAR set where Grafana runs",
    ),
    "credentials in a url that is broken too": (
        ENV + '[tool.dashgen.environments.dev.datasources]\nprometheus = { url = "http://admin:pw@[::1:9090\\n" }\n',
        f"{WHERE[:-1]}.datasources]: the url of 'prometheus' has user:password in the URL, which would be written"
        " into the provisioning file; give the user as basic_auth_user and the password as"
        " secrets={'basicAuthPassword': '$VAR'} in the datasource's definition, with VAR set where Grafana runs",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_environment_setting_is_one_located_config_error(configured, cli, case):
    toml, message = CASES[case]
    project = configured(toml)
    for command in (["build"], ["diff", "--env", "dev"]):
        code, _, err = cli("-C", str(project.root), *command)
        assert (code, err) == (2, f"error: {message}\n1 error\n"), command
        assert "pw" not in err
    assert not (project.root / "generated").exists()


def test_good_settings_at_the_edges_are_accepted(configured, cli):
    project = configured(
        '[tool.dashgen.environments.dev]\nurl = "http://[::1]:65535/grafana/"\ntimeout_s = 600\nfolder = "Team A.1"\n'
        '[tool.dashgen.environments.prod]\nurl = "https://grafana.example.com:1"\ntimeout_s = 0.5\n'
    )
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (0, "")
    assert (project.root / "generated" / "provisioning" / "dev").is_dir()


def test_an_environment_made_in_code_with_credentials_in_its_url_is_refused_by_connect():
    from dashgen.environments import Environment
    from dashgen.errors import InputError
    from dashgen.push.target import connect

    env = Environment(name="dev", url="https://admin:pw@grafana.example.com")
    with pytest.raises(InputError) as refused:
        connect(env, environ={"GRAFANA_TOKEN": "glsa_x"})
    assert str(refused.value) == CASES["credentials in the Grafana url"][1].replace("http", "https", 0)
    assert "pw" not in str(refused.value)


@pytest.mark.parametrize("setting, message", [
    ('default_folder = "Team\\n"', "default_folder 'Team\\n' is not a valid folder name"),
    ('provisioning_path = "/var/lib/grafana\\n"',
     "provisioning_path '/var/lib/grafana\\n' is not a path (empty, or a control character in it)"),
    ('catalogue = ""', "catalogue '' is not a path (empty, or a control character in it)"),
])
def test_a_bad_project_setting_is_one_located_error(project, cli, setting, message):
    assert _with_setting(project, cli, "build", lambda text: text.replace('default_folder = "Team"', setting)) == (
        2, f"error: pyproject.toml [tool.dashgen]: {message}\n1 error\n")


def _with_setting(project, cli, command: str, edit) -> tuple[int, str]:
    """The exit code and stderr of `command` on a one-dashboard project whose pyproject `edit` changed."""
    project.write("dashboards/simple.py", SIMPLE)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(edit(pyproject.read_text()))
    code, _, err = cli("-C", str(project.root), command)
    return code, err


def test_a_dashgen_setting_that_is_not_a_table_is_an_error(project, cli):
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text('[project]\nname = "example"\nversion = "0"\n\n[tool]\ndashgen = 5\n')
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, f"error: {pyproject}: tool.dashgen must be a table ([tool.dashgen]), not 5\n")


def test_a_dashboard_uid_with_a_final_newline_is_refused(project, cli):
    project.write("dashboards/simple.py", SIMPLE.replace('uid="simple"', 'uid="simple\\n"'))
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, "error: dashboards/simple.py · dashboard 'simple\\n': uid 'simple\\n' must be 1 to 40"
                              " characters of letters, digits, '-' and '_'\n1 error\n")


def test_a_definition_folder_with_a_final_newline_is_refused(project, cli):
    project.write("dashboards/simple.py", 'folder = "Evil\\n"\n' + SIMPLE)
    code, _, err = cli("-C", str(project.root), "build")
    assert (code, err) == (2, "error: dashboards/simple.py:1: folder 'Evil\\n' is not a valid folder name (letters,"
                              " digits, space, '_', '.', '-'; at most 64)\n1 error\n")


LINT = "pyproject.toml [tool.dashgen.lint]"


@pytest.mark.parametrize("setting, message", [
    ("panel_series_budget = nan", "panel_series_budget must be a positive whole number, not nan"),
    ("panel_series_budget = inf", "panel_series_budget must be a positive whole number, not inf"),
    ("panel_series_budget = 1e300", "panel_series_budget must be a positive whole number, not 1e+300"),
    ("panel_series_budget = 500.0", "panel_series_budget must be a positive whole number, not 500.0"),
    ("panel_series_budget = true", "panel_series_budget must be a positive whole number, not True"),
    ('max_range = "1d\\n"', 'max_range must be a PromQL duration such as "1d" or "12h", not \'1d\\n\''),
    ('max_range = " 1d"', 'max_range must be a PromQL duration such as "1d" or "12h", not \' 1d\''),
    ('severity = { "promql/fixed-rate-window" = ["error"] }',
     "severity of promql/fixed-rate-window: ['error'] is not one of error, warning, info"),
    ('select = ["promql/\\n"]',
     "select: no rule matches 'promql/\\n'; did you mean 'promql'? (see `dashgen lint --explain`)"),
])
def test_a_bad_lint_setting_is_one_located_error(project, cli, setting, message):
    assert _with_setting(project, cli, "lint", lambda text: text + f"\n[tool.dashgen.lint]\n{setting}\n") == (
        2, f"error: {LINT}: {message}\n1 error\n")
