"""The Grafanas dashgen talks to, from [tool.dashgen.environments.<name>] in pyproject.toml.

Each environment names its Grafana (for push and diff), where its token or basic-auth credentials
are found (the names of environment variables, never the secrets themselves), and the URLs its
Grafana uses for each datasource (for the provisioning files).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse
from dataclasses import dataclass, field

from dashgen.errors import InputError, Location
from dashgen.project import Project

KEYS = {"url", "token_env", "basic_auth_env", "folder", "timeout_s", "allow_http", "datasources"}
ENV_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


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


def _environment(name: str, spec) -> Environment:
    where = Location(file=f"pyproject.toml [tool.dashgen.environments.{name}]")
    if not ENV_NAME.match(name):
        raise InputError(where, "an environment name is letters, digits, '-' and '_', at most 40")
    if not isinstance(spec, dict):
        raise InputError(where, "expected a table")
    unknown = sorted(set(spec) - KEYS)
    if unknown:
        raise InputError(where, f"unknown key {unknown[0]!r}; known: {', '.join(sorted(KEYS))}")
    url = spec.get("url")
    if not isinstance(url, str) or not URL.match(url):
        raise InputError(where, f"url must be an http(s) URL of the Grafana, not {url!r}")
    parsed = urlparse(url)
    if parsed.username or parsed.password or parsed.query or parsed.fragment:
        raise InputError(where, "url must be the Grafana's address alone: credentials come from token_env or "
                                "basic_auth_env, and no ?query or #fragment (grafana-client reads ?verify=false)")
    for key in ("token_env", "basic_auth_env"):
        if key in spec and not (isinstance(spec[key], str) and VARIABLE.match(spec[key])):
            raise InputError(where, f"{key} names an environment variable (e.g. GRAFANA_TOKEN), not {spec[key]!r}")
    timeout = spec.get("timeout_s", 10.0)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise InputError(where, f"timeout_s must be a positive number of seconds, not {timeout!r}")
    if not isinstance(spec.get("allow_http", False), bool):
        raise InputError(where, "allow_http must be true or false")
    return Environment(
        name=name, url=url.rstrip("/"), token_env=spec.get("token_env", "GRAFANA_TOKEN"),
        basic_auth_env=spec.get("basic_auth_env", ""), folder=str(spec.get("folder", "")),
        timeout_s=float(timeout), allow_http=spec.get("allow_http", False),
        datasource_urls=_datasource_urls(spec.get("datasources", {}), where),
    )


def _datasource_urls(table, where: Location) -> dict[str, str]:
    if not isinstance(table, dict):
        raise InputError(where, "datasources must be a table of <uid> = { url = \"...\" }")
    urls = {}
    for uid, spec in sorted(table.items()):
        url = spec.get("url") if isinstance(spec, dict) else None
        if not isinstance(url, str) or not URL.match(url) or set(spec) != {"url"}:
            raise InputError(where, f"datasources.{uid} must be {{ url = \"http(s)://...\" }}, not {spec!r}")
        urls[uid] = url
    return urls
