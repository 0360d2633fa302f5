"""The emulator's behaviour switches. Every field can be passed to GrafanaEmulator(...) or changed
later through `grafana.options.<field> = value`, also while it is serving."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ROLES = ("Viewer", "Editor", "Admin")

ADMIN_TOKEN = "glsa_emulator_admin_token"
EDITOR_TOKEN = "glsa_emulator_editor_token"
VIEWER_TOKEN = "glsa_emulator_viewer_token"

# Actions each basic role holds on a default OSS Grafana 12 with no folder or datasource restrictions.
# [SRC pkg/api/accesscontrol.go fixed roles]: datasources:writer (create, write, delete) is granted to
# Admin only, so an Editor token cannot push datasources; datasources:reader goes to Viewer when
# datasource permissions are not enforced (OSS), to Admin only when they are (Enterprise, Cloud).
_READ = {"dashboards:read", "folders:read", "datasources:read"}
_EDIT = _READ | {
    "dashboards:create", "dashboards:write", "dashboards:delete",
    "folders:create", "folders:write", "folders:delete",
}
_ADMIN = _EDIT | {"datasources:create", "datasources:write", "datasources:delete"}
DEFAULT_PERMISSIONS: dict[str, frozenset[str]] = {
    "Viewer": frozenset(_READ), "Editor": frozenset(_EDIT), "Admin": frozenset(_ADMIN),
}

FaultSpec = int | Iterable[int] | None


def hits(spec: FaultSpec, n: int) -> bool:
    """True when request number `n` is named by a fault option (one number, or several)."""
    if spec is None:
        return False
    if isinstance(spec, int):
        return spec == n
    return n in set(spec)


@dataclass
class Options:
    """Behaviour of the emulated Grafana.

    Versions and status codes
      conflict_status      412 (Grafana 12.3: B `version-mismatch`) or 409 (main after 12.3:
                           A `Dashboard already exists. Use overwrite flag to update.`), contract §3.1.
      grafana_version      reported by /api/health and /api/frontend/settings.
      health_database      "ok", or "failing" for a 503 from /api/health.
      hide_version         /api/health leaves out version and commit.
    Auth
      tokens               bearer token -> role, or -> (role, login).
      users                basic-auth login -> (password, role).
      forbidden_style      "contract": the 403 texts of the contract where it gives one (dashboards
                           save/delete, folders), the middleware body elsewhere; "rbac": the
                           access-control middleware body everywhere, which is what a 12.3 route
                           answers first [SRC pkg/api/api.go `authorize(...)` on every route].
      datasource_permissions_enforced  Viewer and Editor lose datasources:read (Enterprise, Cloud).
      permissions          role -> actions; replaces DEFAULT_PERMISSIONS.
      unauthorized_body    the 401 body (contract §1.1; §10.12 marks it unconfirmed).
    Dashboards and folders
      dashboard_quota      dashboards allowed in the org (None: no quota), row 4 of §3.1.
      min_refresh_interval a lower `refresh` is raised to it silently (§3.1 point 9).
      dashboard_restore    the feature flag: deletes answer "moved to Recently deleted" (§3.3).
      unique_folder_titles a second folder with the same title under one parent gets 409 [MEM].
      max_folder_depth     nesting limit, 4 [MEM].
    Versions (README, "What the emulator does to versions and UI saves")
      rewrite_version_messages  the version list rewrites `message` (contract §3.5); False for a
                           build whose list shows every message as saved (§3.5 leaves open
                           whether 12.3's unified-storage path rewrites).
      versions_to_keep     [dashboards] versions_to_keep: keep the newest N versions of a
                           dashboard (fewer than 1 counts as 1). Grafana prunes in the background;
                           the emulator prunes on save. None keeps every version.
    Timing and faults (request numbers count from 1 since start or reset_journal())
      delay_s              added before every response (0.02 for the benchmark).
      fail_write_n         the N-th write (POST/PUT/DELETE; an int or several) answers 500 with the
                           endpoint's A message and changes nothing.
      drop_connection_n    the N-th request of any kind: the socket is closed without an answer.
      slow_n, slow_s       the N-th request sleeps slow_s seconds first, then is handled as usual
                           (a write still lands, as on a slow real server).
    """

    conflict_status: int = 412
    grafana_version: str = "12.3.0"
    grafana_commit: str = "emulator"
    health_database: str = "ok"
    hide_version: bool = False

    tokens: dict[str, str | tuple[str, str]] = field(default_factory=lambda: {
        ADMIN_TOKEN: "Admin", EDITOR_TOKEN: "Editor", VIEWER_TOKEN: "Viewer",
    })
    users: dict[str, tuple[str, str]] = field(default_factory=lambda: {"admin": ("admin", "Admin")})
    forbidden_style: str = "contract"
    datasource_permissions_enforced: bool = False
    permissions: dict[str, frozenset[str]] | None = None
    unauthorized_body: dict = field(default_factory=lambda: {
        "extra": None, "message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": "",
    })

    dashboard_quota: int | None = None
    min_refresh_interval: str = "5s"
    dashboard_restore: bool = False
    unique_folder_titles: bool = False
    max_folder_depth: int = 4

    rewrite_version_messages: bool = True
    versions_to_keep: int | None = None

    delay_s: float = 0.0
    fail_write_n: FaultSpec = None
    drop_connection_n: FaultSpec = None
    slow_n: FaultSpec = None
    slow_s: float = 1.0

    def __post_init__(self) -> None:
        if self.conflict_status not in (409, 412):
            raise ValueError("conflict_status must be 412 (Grafana 12.3) or 409 (main after 12.3)")
        if self.forbidden_style not in ("contract", "rbac"):
            raise ValueError('forbidden_style must be "contract" or "rbac"')

    def allows(self, role: str, actions: Iterable[str]) -> bool:
        table = self.permissions if self.permissions is not None else DEFAULT_PERMISSIONS
        held = set(table.get(role, ()))
        if self.datasource_permissions_enforced and role != "Admin":
            held.discard("datasources:read")
        return any(action in held for action in actions)
