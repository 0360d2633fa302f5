"""Grafana's interpolation of provisioning YAML values, and the escaping that survives it.

Grafana expands $NAME and ${NAME} from its environment in every string of a provisioning file (an
unset variable becomes ""), after splitting the value on "$$", which stands for a literal "$"
(grafana-contract.md section 7.1). Link templates such as ${__value.raw} must therefore be written
as $${__value.raw}; secrets are written as $VAR on purpose.
"""

from __future__ import annotations

import re

_VARIABLE = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
REFERENCE = re.compile(r"^\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$")


def escape(value):
    """The value with every "$" doubled, in every string at any depth (keys are not interpolated)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape(v) for v in value]
    return value


def expand(value, environ: dict[str, str]):
    """What Grafana makes of a value read from a provisioning file, given its environment."""
    if isinstance(value, str):
        pieces = value.split("$$")
        return "$".join(_VARIABLE.sub(lambda m: environ.get(m.group(1) or m.group(2), ""), p) for p in pieces)
    if isinstance(value, dict):
        return {k: expand(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, environ) for v in value]
    return value
