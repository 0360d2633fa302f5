"""Grafana's interpolation of provisioning YAML values, and the escaping that survives it.

Grafana splits every string of a provisioning file on "$$", which stands for a literal "$"; in each
piece it runs its own expanders ($__env{NAME}, $__file{/path}, $__vault{...}), then expands $NAME and
${NAME} from its environment, an unset variable becoming "" (grafana-contract.md section 7.1). Link
templates such as ${__value.raw} must therefore be written as $${__value.raw}; secrets are written
as references on purpose.
"""

from __future__ import annotations

import re

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = r"[^}$\x00-\x1f\x7f]+"  # what $__file{...} and $__vault{...} hold: no "}", "$" or control character
_VARIABLE = re.compile(rf"\$__env\{{({_NAME})\}}|\$__(?:file|vault)\{{[^}}]*\}}|\$\{{([^}}]*)\}}|\$({_NAME})")
# One whole reference: what a secret (or a basic-auth user given by reference) may be.
REFERENCE = re.compile(rf"^\$(?:\{{{_NAME}\}}|{_NAME}|__env\{{{_NAME}\}}|__file\{{{_PATH}\}}|__vault\{{{_PATH}\}})\Z")


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
    """What Grafana makes of a value read from a provisioning file, given its environment.
    $__file{...} and $__vault{...} are left as written: reading files and Vault is not emulated."""
    if isinstance(value, str):
        return "$".join(_VARIABLE.sub(lambda m: _expanded(m, environ), piece) for piece in value.split("$$"))
    if isinstance(value, dict):
        return {k: expand(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, environ) for v in value]
    return value


def _expanded(match: re.Match, environ: dict[str, str]) -> str:
    name = match.group(1) or match.group(2) or match.group(3)
    return environ.get(name, "") if name is not None else match.group(0)
