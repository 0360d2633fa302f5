"""Who is calling: bearer tokens and basic-auth users (contract §1.1)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from .options import ROLES, Options


@dataclass(frozen=True)
class Principal:
    login: str
    role: str


def authenticate(header: str | None, options: Options) -> Principal | None:
    """The caller named by an Authorization header, or None (then Grafana answers 401)."""
    if not header:
        return None
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer":
        entry = options.tokens.get(credential)
        if entry is None:
            return None
        role, login = (entry, f"sa-1-{entry.lower()}") if isinstance(entry, str) else entry  # [MEM] SA login form
        return _checked(Principal(login, role))
    if scheme.lower() == "basic":
        try:
            login, _, password = base64.b64decode(credential, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user = options.users.get(login)
        if user is None or user[0] != password:
            return None
        return _checked(Principal(login, user[1]))
    return None


def _checked(principal: Principal) -> Principal:
    if principal.role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {principal.role!r}")
    return principal
