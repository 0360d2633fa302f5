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

from dashgen.errors import InputError, Location
from dashgen.project import FOLDER_NAME, Project

KEYS = {"url", "token_env", "basic_auth_env", "folder", "timeout_s", "allow_http", "datasources"}
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


def load_environments(project: Project) -> dict[str, Environment]:
    """Every configured environment, by name, validated."""
    table = project.settings.get("environments", {})
    return {name: _environment(name, spec) for name, spec in sorted(table.items())}


def environment(project: Project, name: str) -> Environment:
    """One environment; an unknown name is an error that lists the known ones."""
    known = load_environments(project)
    if name not in known:
        listed = ", ".join(known) or "none; add [tool.dashgen.environments.<name>] to pyproject.toml"
        raise InputError(None, f"unknown environment {name!r}; known: {listed}")
    return known[name]


def url_problem(url: str, example: str) -> str:
    """Why `url` is not a plain http(s) address, as words to follow "url" in a message ("'x' has port
    99999; ..."), or "". A URL with credentials is never shown: it is looked for first, the answer is
    then CREDENTIALS alone, and the caller says where the secret goes instead."""
    rest = url.split("://", 1)[-1]
    if "@" in re.split(r"[/?#\\]", rest, maxsplit=1)[0]:  # the authority, as a browser finds it
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
    parts = urlsplit(url)
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return ("url must be the Grafana's address alone, with no ?query or #fragment"
                " (grafana-client reads ?verify=false)")
    return ""


def _where(name: str, table: str = "") -> Location:
    key = name if isinstance(name, str) and TOML_KEY.match(name) else json.dumps(name)  # one line, as TOML quotes it
    return Location(file=f"pyproject.toml [tool.dashgen.environments.{key}{table}]")


def _environment(name: str, spec) -> Environment:
    where = _where(name)
    if not ENV_NAME.match(name):
        raise InputError(where, "an environment name is letters, digits, '-' and '_', at most 40")
    if not isinstance(spec, dict):
        raise InputError(where, "expected a table")
    unknown = sorted(set(spec) - KEYS)
    if unknown:
        raise InputError(where, f"unknown key {unknown[0]!r}; known: {', '.join(sorted(KEYS))}")
    url = spec.get("url")
    if not isinstance(url, str):
        raise InputError(where, f"url must be the http(s) URL of the Grafana, not {url!r}")
    problem = grafana_url_problem(url)
    if problem:
        raise InputError(where, problem)
    for key in ("token_env", "basic_auth_env"):
        if key in spec and not (isinstance(spec[key], str) and VARIABLE.match(spec[key])):
            raise InputError(where, f"{key} names an environment variable (e.g. GRAFANA_TOKEN), not {spec[key]!r}")
    folder = spec.get("folder")
    if folder is not None and not (isinstance(folder, str) and FOLDER_NAME.match(folder)):
        raise InputError(where, f"folder {folder!r} is not a valid folder name (letters, digits, space, '_', '.', '-';"
                                " at most 64)")
    timeout = spec.get("timeout_s", 10.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not _seconds(timeout):
        raise InputError(where, f"timeout_s must be a number of seconds above 0 and at most {MAX_TIMEOUT_S},"
                                f" not {timeout!r}")
    if not isinstance(spec.get("allow_http", False), bool):
        raise InputError(where, "allow_http must be true or false")
    return Environment(
        name=name, url=url.rstrip("/"), token_env=spec.get("token_env", "GRAFANA_TOKEN"),
        basic_auth_env=spec.get("basic_auth_env", ""), folder=folder or "",
        timeout_s=float(timeout), allow_http=spec.get("allow_http", False),
        datasource_urls=_datasource_urls(spec.get("datasources", {}), name),
    )


def _seconds(value: int | float) -> bool:
    return math.isfinite(value) and 0 < value <= MAX_TIMEOUT_S


def _datasource_urls(table, name: str) -> dict[str, str]:
    if not isinstance(table, dict):
        raise InputError(_where(name), "datasources must be a table of <uid> = { url = \"...\" }")
    where = _where(name, ".datasources")
    urls = {}
    for uid, spec in sorted(table.items()):
        if not DATASOURCE_UID.match(uid):
            raise InputError(where, f"{uid!r} is not a datasource uid (1 to 40 letters, digits, '-' and '_')")
        url = spec.get("url") if isinstance(spec, dict) else None
        if not isinstance(url, str) or set(spec) != {"url"}:
            raise InputError(_where(name), f"datasources.{uid} must be {{ url = \"http(s)://...\" }}, not {spec!r}")
        problem = _datasource_url_problem(uid, url)
        if problem:
            raise InputError(where, problem)
        urls[uid] = url
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
