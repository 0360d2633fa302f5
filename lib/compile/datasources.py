"""Datasource references: always {"type", "uid"} or a datasource variable, never a name or numeric id."""

from __future__ import annotations

import re
from typing import Any

MIXED = "-- Mixed --"
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))\Z")


class DatasourceRefError(ValueError):
    """A reference that Grafana would resolve by name, by id, or not at all; `ref` is the refId of
    the query it belongs to, when it belongs to one."""

    ref: str | None = None


class DatasourceRefs:
    """Resolves references against the dashboard's datasource variables."""

    def __init__(self, variables: list[dict]):
        self.variable_types = {
            v.get("name"): v.get("query") for v in variables if v.get("type") == "datasource"
        }

    def resolve(self, ref: Any) -> dict:
        if isinstance(ref, str):
            name = self._variable(ref)
            if name is None:
                raise DatasourceRefError(
                    f"datasource given by name {ref!r}; refer to it by uid, e.g. "
                    f"{{'type': 'prometheus', 'uid': 'prometheus'}}, or by a datasource variable '${{datasource}}'"
                )
            return self._variable_ref(name)
        if not isinstance(ref, dict):
            raise DatasourceRefError(f"datasource {ref!r} is neither a {{type, uid}} reference nor a variable")
        uid = ref.get("uid")
        if not isinstance(uid, str) or not uid:
            raise DatasourceRefError(f"datasource {ref!r} has no uid (numeric ids and names are not portable)")
        name = self._variable(uid)
        if name is not None:
            resolved = self._variable_ref(name)
            return {**ref, **resolved, "type": ref.get("type", resolved["type"])}
        if not isinstance(ref.get("type"), str) or not ref["type"]:
            raise DatasourceRefError(f"datasource {uid!r} has no type")
        return dict(ref)

    def _variable(self, text: str) -> str | None:
        match = _VARIABLE.match(text)
        return (match.group(1) or match.group(2)) if match else None

    def _variable_ref(self, name: str) -> dict:
        if name not in self.variable_types:
            known = ", ".join(sorted(n for n in self.variable_types if n)) or "none"
            raise DatasourceRefError(
                f"datasource '${{{name}}}' is not a datasource variable of this dashboard (known: {known})"
            )
        return {"type": self.variable_types[name] or "datasource", "uid": f"${{{name}}}"}


def resolve_panel(panel: dict, refs: DatasourceRefs) -> None:
    """Resolves the panel's reference and gives each target its own, as Grafana stores them."""
    panel_ref = refs.resolve(panel["datasource"]) if "datasource" in panel else None
    if panel_ref is not None:
        panel["datasource"] = panel_ref
    targets = panel.get("targets", [])
    if targets and panel_ref is None:
        raise DatasourceRefError("panel has queries but no datasource")
    for target in targets:
        try:
            if "datasource" in target:
                target["datasource"] = refs.resolve(target["datasource"])
            elif panel_ref["uid"] == MIXED:
                raise DatasourceRefError("a query of a mixed panel has no datasource")
            else:
                target["datasource"] = dict(panel_ref)
        except DatasourceRefError as exc:
            exc.ref = target.get("refId") or None
            raise
