"""The Grafanas dashgen talks to, from [tool.dashgen.environments.<name>] in pyproject.toml.

Each environment names its Grafana (for push and diff), where its token or basic-auth credentials
are found (the names of environment variables, never the secrets themselves), and the URLs its
Grafana uses for each datasource (for the provisioning files). Every value is checked here, when
the environment is loaded, so that a bad setting is a configuration error (exit 2) and never a
request that fails later (exit 3).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from dashgen.errors import InputError, InputErrors, Location
from dashgen.project import FOLDER_NAME, Project
from dashgen.settings import Key, Table, described, holds_credentials, unknown

ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}\Z")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
DATASOURCE_UID = re.compile(r"^[A-Za-z0-9_-]{1,40}\Z")
HOST = re.compile(r"^(?:[\w~-]+(?:\.[\w~-]+)*\.?|[0-9A-Fa-f:.]+(?:%[\w.-]+)?)\Z")  # a name (IDN too) or an IP
MAX_TIMEOUT_S = 600
CREDENTIALS = "has user:password in the URL"  # what url_problem says instead of showing such a URL
TOML_KEY = re.compile(r"^[A-Za-z0-9_-]+\Z")


@dataclass(frozen=True)
class Environment:
    name: str
    url: str
    token_env: str = "GRAFANA_TOKEN"
    basic_auth_env: str = ""
    folder: str = ""
    timeout_s: float = 10.0
    allow_http: bool = False
    datasource_urls: dict[str, str] = field(default_factory=dict)  # datasource uid -> URL
    prometheus_url: str = ""  # where dashgen (not Grafana) reaches the Prometheus, for live lint


def load_environments(project: Project) -> dict[str, Environment]:
    """Every configured environment, by name; InputErrors lists every problem of every environment."""
    found, errors = _environments(project.settings.get("environments", {}))
    if errors:
        raise InputErrors(errors)
    return found


def environment(project: Project, name: str) -> Environment:
    """One environment; an unknown name is an error that lists the known ones."""
    known = load_environments(project)
    if name not in known:
        if not known:
            raise InputError(None, f"unknown environment {name!r}; known: none; add [tool.dashgen.environments.<name>]"
                                   " to pyproject.toml")
        raise InputError(None, unknown(name, known, noun="environment"))
    return known[name]


def url_problem(url: str, example: str) -> str:
    """Why `url` is not a plain http(s) address, as words to follow "url" in a message ("'x' has port
    99999; ..."), or "". A URL with credentials is never shown: it is looked for first, the answer is
    then CREDENTIALS alone, and the caller says where the secret goes instead."""
    if holds_credentials(url):
        return CREDENTIALS
    if not url.startswith(("http://", "https://")):
        return f"{url!r} is not an http(s) URL such as {example}"
    if any(c.isspace() or not c.isprintable() for c in url):
        return f"{url!r} holds whitespace or a control character"
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed "[", or a host that Unicode normalisation changes
        if "IPv6" in str(exc):
            return f"{url!r} is not a valid URL: an IPv6 address is written in [], as in http://[::1]:3000"
        return f"{url!r} is not a valid URL: {exc}"
    try:
        port = parts.port
    except ValueError:
        port = parts.netloc.rpartition(":")[2]
        return f"{url!r} has port {port if port.isdigit() else repr(port)}; a port is a number from 1 to 65535"
    if not parts.hostname:
        return f"{url!r} names no host"
    if not HOST.match(parts.hostname):
        return f"{url!r} has host {parts.hostname!r}, which is not a host name or an IP address"
    if port is not None and not 1 <= port <= 65535:
        return f"{url!r} has port {port}; a port is a number from 1 to 65535"
    return ""


def grafana_url_problem(url: str) -> str:
    """The whole message for an environment's `url` that is not the Grafana's address alone, or ""."""
    problem = url_problem(url, "https://grafana.example.com")
    if problem == CREDENTIALS:
        return ("url must be the Grafana's address alone, with no user:password in the URL: name the variable that"
                " holds the credentials with token_env (a service-account token) or basic_auth_env (user:password)")
    if problem:
        return f"url {problem}"
    if _has_query(url):
        return ("url must be the Grafana's address alone, with no ?query or #fragment"
                " (grafana-client reads ?verify=false)")
    return ""


def prometheus_url_problem(url: str, name: str = "prometheus_url") -> str:
    """The whole message for a Prometheus URL (`name`: prometheus_url, --prometheus) that is not
    one, or "". Neither credentials nor a ?query (which would be sent, and shown, with every
    request path) are accepted."""
    problem = url_problem(url, "http://localhost:9090")
    if problem == CREDENTIALS or (not problem and _has_query(url)):
        return f"{name} must be the Prometheus' address alone, with no user:password, ?query or #fragment"
    return f"{name} {problem}" if problem else ""


def prometheus_url_of(project: Project, env_name: str) -> str:
    """The environment's prometheus_url; an environment without one is an error saying where it goes."""
    url = environment(project, env_name).prometheus_url
    if not url:
        raise InputError(None, f"environment {env_name!r} has no prometheus_url; add prometheus_url = "
                               f'"http://..." to [tool.dashgen.environments.{env_name}], or give --prometheus URL')
    return url


def _has_query(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.query or parts.fragment or url.endswith(("?", "#")))


def _where(name: str, table: str = "") -> Location:
    key = name if isinstance(name, str) and TOML_KEY.match(name) else json.dumps(name)  # one line, as TOML quotes it
    return Location(file=f"pyproject.toml [tool.dashgen.environments.{key}{table}]")


def _is_variable(value) -> bool:
    """A variable's name, and not a secret pasted in its place: Grafana's service-account tokens
    (glsa_...) and Cloud tokens (glc_...) are valid names too, so they are told apart by their look."""
    return isinstance(value, str) and bool(VARIABLE.match(value)) and not value.startswith(("glsa_", "glc_")) \
        and len(value) <= 64


def _seconds(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) \
        and 0 < value <= MAX_TIMEOUT_S


# The value is never shown: it may be the secret itself, pasted where its variable's name belongs.
VARIABLE_MUST = ("{key} must name an environment variable, such as GRAFANA_TOKEN (the value is not shown: if it is"
                 " the secret itself, take it out of pyproject.toml and revoke it)")
ENVIRONMENT = Table({
    "url": Key(required=True, ok=lambda url: isinstance(url, str), check=grafana_url_problem,
               must="url must be the http(s) URL of the Grafana, not {value}", convert=lambda url: url.rstrip("/")),
    "token_env": Key("GRAFANA_TOKEN", ok=_is_variable, must=VARIABLE_MUST),
    "basic_auth_env": Key("", ok=_is_variable, must=VARIABLE_MUST),
    "folder": Key("", ok=lambda folder: isinstance(folder, str) and FOLDER_NAME.match(folder),
                  must="folder {value} is not a valid folder name (letters, digits, space, '_', '.', '-'; at most 64)"),
    "timeout_s": Key(10.0, ok=_seconds, convert=float,
                     must=f"timeout_s must be a number of seconds above 0 and at most {MAX_TIMEOUT_S}, not {{value}}"),
    "allow_http": Key(False, ok=lambda allow: isinstance(allow, bool), must="allow_http must be true or false"),
    "prometheus_url": Key("", ok=lambda url: isinstance(url, str), check=lambda url: prometheus_url_problem(url),
                          must="prometheus_url must be the http(s) URL of the Prometheus, not {value}",
                          convert=lambda url: url.rstrip("/")),
    "datasources": Key({}, ok=lambda table: isinstance(table, dict),
                       must='datasources must be a table of <uid> = { url = "..." }'),
})
DATASOURCE = Table({"url": Key(required=True, ok=lambda url: isinstance(url, str),
                               must='url must be "http(s)://...", not {value}')})


def _environments(table) -> tuple[dict[str, Environment], list[InputError]]:
    """Every environment that has no problem, and every problem of every environment."""
    found, errors = {}, []
    for name, spec in sorted(table.items()):
        where, before = _where(name), len(errors)
        if not ENV_NAME.match(name):
            errors.append(InputError(where, "an environment name is letters, digits, '-' and '_', at most 40"))
        values = ENVIRONMENT.read(spec, where, errors)
        urls = _datasource_urls(values.pop("datasources"), name, errors) if values else None
        if len(errors) == before:
            found[name] = Environment(name=name, datasource_urls=urls, **values)
    return found, errors


def _datasource_urls(table: dict, name: str, errors: list[InputError]) -> dict[str, str]:
    where = _where(name, ".datasources")
    urls = {}
    for uid, spec in sorted(table.items()):
        key = uid if DATASOURCE_UID.match(uid) else json.dumps(uid)  # one line, as TOML quotes it
        if key != uid:
            errors.append(InputError(where, f"{uid!r} is not a datasource uid (1 to 40 letters, digits, '-' and '_')"))
        if not isinstance(spec, dict):
            errors.append(InputError(_where(name), f'datasources.{key} must be {{ url = "http(s)://..." }}, not'
                                                   f" {described(spec)}"))
            continue
        entry = DATASOURCE.read(spec, _where(name), errors, prefix=f"datasources.{key}: ")
        problem = _datasource_url_problem(uid, entry["url"]) if entry else ""
        if problem:
            errors.append(InputError(where, problem))
        elif entry:
            urls[uid] = entry["url"]
    return urls


def _datasource_url_problem(uid: str, url: str) -> str:
    problem = url_problem(url, "http://prometheus:9090")
    if problem == CREDENTIALS:
        return (f"the url of {uid!r} {CREDENTIALS}, which would be written into the provisioning file; give the user"
                " as basic_auth_user and the password as secrets={'basicAuthPassword': '$VAR'} in the datasource's"
                " definition, with VAR set where Grafana runs")
    if "$" in url:
        return (f"the url of {uid!r}, {url!r}, contains '$', which dashgen would write as a literal '$' (Grafana"
                " expands $NAME in provisioning files); write the URL itself")
    return f"the url of {uid!r}, {problem}" if problem else ""
