"""The route table and what happens before a handler runs: 404, 401, 403, injected 500."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import dashboards, datasources, folders, search, versions
from .auth import Principal, authenticate
from .replies import Call, Reply, plain, rbac_denied


def health(call: Call) -> Reply:
    """GET/HEAD /api/health, no auth, pretty-printed (contract §2)."""
    opts = call.options
    body = {"database": opts.health_database}
    if not opts.hide_version:
        body.update(version=opts.grafana_version, commit=opts.grafana_commit)
    return Reply(200 if opts.health_database == "ok" else 503, body, pretty=True)


def frontend_settings(call: Call) -> Reply:
    """GET /api/frontend/settings, only buildInfo: what grafana-client's health.check() reads."""
    opts = call.options
    return Reply(200, {"buildInfo": {
        "version": opts.grafana_version, "commit": opts.grafana_commit, "edition": "Open Source", "env": "production",
    }})


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    handler: Callable[[Call], Reply]
    actions: tuple[str, ...] = ()  # what Grafana's route middleware demands (any of them)
    denied: str | None = None  # the contract's 403 text, where it gives one
    handler_checks: bool = False  # the contract puts that 403 inside the handler's check order
    failure: str = ""  # the 500 text of an injected write failure
    public: bool = False


_UID = r"(?P<uid>[^/]+)"
ROUTES = (
    Route("GET", r"/api/health", health, public=True),
    Route("HEAD", r"/api/health", health, public=True),
    Route("GET", r"/api/frontend/settings", frontend_settings),
    Route("GET", r"/api/search", search.search),
    Route("POST", r"/api/dashboards/db", dashboards.save, ("dashboards:create", "dashboards:write"),
          denied="Access denied to save dashboard", handler_checks=True, failure=dashboards.SAVE_FAILED),
    Route("GET", rf"/api/dashboards/uid/{_UID}", dashboards.get, ("dashboards:read",),
          denied="Access denied to this dashboard"),
    Route("DELETE", rf"/api/dashboards/uid/{_UID}", dashboards.delete, ("dashboards:delete",),
          denied="Access denied to this dashboard", handler_checks=True, failure=dashboards.DELETE_FAILED),
    # The three version routes need dashboards:write (pkg/api/api.go); no contract 403 text.
    Route("GET", rf"/api/dashboards/uid/{_UID}/versions", versions.list_versions, ("dashboards:write",)),
    Route("GET", rf"/api/dashboards/uid/{_UID}/versions/(?P<version>[^/]+)", versions.get_version,
          ("dashboards:write",)),
    Route("POST", rf"/api/dashboards/uid/{_UID}/restore", versions.restore, ("dashboards:write",),
          failure=dashboards.SAVE_FAILED),
    Route("GET", r"/api/folders", folders.list_children, ("folders:read",)),
    Route("POST", r"/api/folders", folders.create, ("folders:create",), denied="Access denied",
          failure=folders.CREATE_FAILED),
    Route("GET", rf"/api/folders/{_UID}", folders.get, ("folders:read",)),
    Route("PUT", rf"/api/folders/{_UID}", folders.update, ("folders:write",), denied="Access denied",
          failure=folders.UPDATE_FAILED),
    Route("DELETE", rf"/api/folders/{_UID}", folders.delete, ("folders:delete",), denied="Access denied",
          failure=folders.DELETE_FAILED),
    Route("GET", r"/api/datasources", datasources.list_all, ("datasources:read",)),
    Route("POST", r"/api/datasources", datasources.create, ("datasources:create",), failure=datasources.ADD_FAILED),
    Route("GET", rf"/api/datasources/uid/{_UID}", datasources.get, ("datasources:read",)),
    Route("GET", r"/api/datasources/name/(?P<name>[^/]+)", datasources.get_by_name, ("datasources:read",)),
    Route("PUT", rf"/api/datasources/uid/{_UID}", datasources.update, ("datasources:write",),
          failure=datasources.UPDATE_FAILED),
    Route("DELETE", rf"/api/datasources/uid/{_UID}", datasources.delete, ("datasources:delete",),
          failure=datasources.DELETE_FAILED),
)
_COMPILED = tuple((route, re.compile(route.pattern + r"/?")) for route in ROUTES)


def find(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route, pattern in _COMPILED:
        found = pattern.fullmatch(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None


def dispatch(call: Call, authorization: str | None, fail_write: bool,
             next_error_id: Callable[[], str]) -> tuple[Reply, Principal | None]:
    """Answer one request: unknown path 404, then 401, route 403, an injected 500, the handler."""
    found = find(call.method, call.path)
    if found is None:
        return plain(404, "Not found"), None
    route, call.match = found
    if not route.public:
        call.principal = authenticate(authorization, call.options)
        if call.principal is None:
            return Reply(401, dict(call.options.unauthorized_body), newline=True), None  # 102 bytes, as in §1.1
    if route.actions and not call.may(*route.actions):
        if call.options.forbidden_style == "rbac" or route.denied is None:
            return rbac_denied(route.actions, next_error_id()), call.principal
        if not route.handler_checks:
            return plain(403, route.denied), call.principal
    if fail_write:
        return plain(500, route.failure), call.principal
    return route.handler(call), call.principal
