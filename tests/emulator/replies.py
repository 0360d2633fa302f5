"""What a handler gets (Call) and gives back (Reply), and Grafana's three error body shapes.

Shapes follow shared/grafana-contract.md §1.2:
  A plain        {"message": msg}
  B status-coded {"status": code, "message": reason}
  C errutil      {"extra", "message", "messageId", "statusCode", "traceID"}
plus the access-control middleware's 403 body (`rbac_denied`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .auth import Principal
    from .options import Options
    from .state import State

INVALID_JSON = object()  # Call.body when the request body is not JSON


@dataclass
class Reply:
    status: int
    body: Any
    pretty: bool = False  # /api/health is pretty-printed by Grafana
    newline: bool = False  # middleware bodies (401, route 403) come from Go's json.Encoder, which adds "\n"


@dataclass
class Call:
    """One request as a handler sees it."""

    method: str
    path: str
    params: dict[str, list[str]]
    body: Any
    principal: Principal | None
    state: State
    options: Options
    match: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[0] if values else default

    def args(self, *names: str) -> list[str]:
        return [v for name in names for v in self.params.get(name, []) if v != ""]

    def int_arg(self, name: str) -> int:
        """Like Go's QueryInt: 0 when missing or not a number."""
        try:
            return int(self.arg(name, "") or 0)
        except ValueError:
            return 0

    def may(self, *actions: str) -> bool:
        """True when the caller holds any of `actions`."""
        return self.principal is not None and self.options.allows(self.principal.role, actions)


def plain(status: int, message: str) -> Reply:
    """Shape A. An empty message becomes Grafana's default text for 404 and 500."""
    if not message:
        message = {404: "Not Found", 500: "Internal Server Error"}.get(status, message)
    return Reply(status, {"message": message})


def coded(status: int, code: str, message: str) -> Reply:
    """Shape B, from a DashboardErr with a Status."""
    return Reply(status, {"status": code, "message": message})


def errutil(status: int, message: str, message_id: str) -> Reply:
    """Shape C, from response.Err(errutil.Error)."""
    body = {"extra": None, "message": message, "messageId": message_id, "statusCode": status, "traceID": ""}
    return Reply(status, body)


def rbac_denied(actions: tuple[str, ...], error_id: str) -> Reply:
    """The 403 that Grafana's route middleware (pkg/services/accesscontrol/middleware.go `deny`) writes."""
    needed = actions[0] if len(actions) == 1 else "any of " + ", ".join(actions)
    message = f"You'll need additional permissions to perform this action. Permissions needed: {needed}"
    return Reply(403, {"title": "Access denied", "message": message, "accessErrorId": error_id}, newline=True)


def encode(reply: Reply) -> bytes:
    """JSON as Go's encoding/json writes it: compact, UTF-8, with <, > and & escaped."""
    if reply.pretty:
        text = json.dumps(reply.body, indent=2, sort_keys=True, ensure_ascii=False)
    else:
        text = json.dumps(reply.body, separators=(",", ":"), ensure_ascii=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return (text + "\n" if reply.newline else text).encode()
