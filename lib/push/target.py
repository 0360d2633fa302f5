"""From an environment's settings to a Grafana client: credentials from environment variables,
and no plain HTTP to a remote host unless the environment allows it."""

from __future__ import annotations

import ipaddress
import os
import re
from urllib.parse import urlparse

from dashgen.environments import Environment, grafana_url_problem
from dashgen.errors import InputError, Location
from dashgen.grafana import Credential, Grafana


def connect(env: Environment, environ=os.environ) -> Grafana:
    where = Location(file=f"pyproject.toml [tool.dashgen.environments.{env.name}]")
    problem = grafana_url_problem(env.url)  # checked at load; again for an Environment made in code
    if problem:
        raise InputError(where, problem)
    url = urlparse(env.url)
    if url.scheme == "http" and not _loopback(url.hostname or "") and not env.allow_http:
        raise InputError(where, f"{env.url} is plain http to another host: credentials would cross the network "
                                "in clear; use https, or set allow_http = true if the network is trusted")
    return Grafana(env.url, credential(env, environ), timeout_s=env.timeout_s)


def _named(variable: str, key: str) -> str:
    """The variable as a message names it: a conventional UPPER_SNAKE name is shown; anything else may
    be a secret pasted in its place, and is not."""
    return variable if re.fullmatch(r"[A-Z][A-Z0-9_]*", variable) else f"the variable {key} names"


def credential(env: Environment, environ=os.environ) -> Credential:
    """The token (or user:password) the environment names; never read from a file or printed."""
    if env.basic_auth_env:
        value = environ.get(env.basic_auth_env, "")
        if ":" not in value:
            raise InputError(None, f"set {_named(env.basic_auth_env, 'basic_auth_env')} to user:password for {env.url} (environment {env.name})")
        user, password = value.split(":", 1)
        return Credential(basic=(user, password))
    token = environ.get(env.token_env, "").strip()  # a trailing newline from `echo` or a file
    if any(c.isspace() for c in token):
        raise InputError(None, f"{_named(env.token_env, 'token_env')} holds whitespace inside the token; set it to the token alone")
    if not token:
        raise InputError(None, f"set {_named(env.token_env, 'token_env')} to a service-account token for {env.url} (environment {env.name})")
    return Credential(token=token)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def explained(error, env: Environment):
    """The error, with what to do about a refused credential (naming the variable, never its value)."""
    from dashgen.grafana import GrafanaError

    source = _named(env.basic_auth_env, "basic_auth_env") if env.basic_auth_env else _named(env.token_env, "token_env")
    hints = {
        401: f"Grafana did not accept the credentials in {source}",
        403: f"the credentials in {source} may not do this (a Viewer token? push needs Editor, datasources Admin)",
    }
    if error.status in hints:
        return GrafanaError(error.endpoint, error.status, f"{error.message}: {hints[error.status]}")
    return error
