"""The emulated Grafana's memory (org 1): dashboards, folders, datasources, ids, uids and time."""

from __future__ import annotations

import copy
import hashlib
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

START = datetime(2025, 11, 20, 12, 0, 0, tzinfo=timezone.utc)
UID_PATTERN = re.compile(r"^[a-zA-Z0-9\-_]*$")  # contract §1.3
UID_MAX = 40


class TickingClock:
    """The default clock: a fixed start, one second later at every reading. Deterministic."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=1)):
        self._next = start
        self._step = step

    def __call__(self) -> datetime:
        now, self._next = self._next, self._next + self._step
        return now


def timestamp(moment: datetime) -> str:
    """Go's RFC 3339 form of a UTC time, as Grafana writes created/updated."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def slugify(title: str) -> str:
    """Grafana's URL slug of a title [MEM: the ASCII case; Grafana hashes titles it cannot slug]."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@dataclass
class DashboardVersion:
    id: int
    version: int
    parent_version: int
    created: str
    created_by: str
    message: str
    model: dict
    restored_from: int = 0


@dataclass
class Dashboard:
    id: int
    uid: str
    title: str
    model: dict
    version: int
    folder_uid: str
    created: str
    updated: str
    created_by: str
    updated_by: str
    versions: list[DashboardVersion] = field(default_factory=list)
    provisioned: bool = False
    allow_ui_updates: bool = False  # the provider's allowUiUpdates
    external_id: str = ""  # the provisioned file path relative to the provider's options.path
    plugin_id: str = ""  # set: the dashboard belongs to a plugin (row 15 of §3.1)

    @property
    def slug(self) -> str:
        return slugify(self.title)

    @property
    def tags(self) -> list[str]:
        tags = self.model.get("tags")
        return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


@dataclass
class Folder:
    id: int
    uid: str
    title: str
    version: int
    parent_uid: str
    created: str
    updated: str
    created_by: str
    updated_by: str
    description: str = ""

    @property
    def url(self) -> str:
        return f"/dashboards/f/{self.uid}/{slugify(self.title)}"


@dataclass
class Datasource:
    id: int
    uid: str
    name: str
    type: str
    access: str
    url: str = ""
    user: str = ""
    database: str = ""
    basic_auth: bool = False
    basic_auth_user: str = ""
    with_credentials: bool = False
    is_default: bool = False
    json_data: dict = field(default_factory=dict)
    secure: dict[str, str] = field(default_factory=dict)  # secureJsonData, never served
    version: int = 1
    read_only: bool = False  # provisioned with editable: false
    api_version: str = ""

    def list_item(self) -> dict:
        """A GET /api/datasources element [MEM for the exact keys, contract §5]."""
        return {
            "id": self.id, "uid": self.uid, "orgId": 1, "name": self.name, "type": self.type,
            "typeName": _TYPE_NAMES.get(self.type, self.type), "typeLogoUrl": self._logo(),
            "access": self.access, "url": self.url, "user": self.user, "database": self.database,
            "basicAuth": self.basic_auth, "isDefault": self.is_default,
            "jsonData": copy.deepcopy(self.json_data), "readOnly": self.read_only,
        }

    def dto(self) -> dict:
        """GET /api/datasources/uid/:uid. Secrets only as secureJsonFields {key: true}."""
        return {
            "id": self.id, "uid": self.uid, "orgId": 1, "name": self.name, "type": self.type,
            "typeLogoUrl": self._logo(), "access": self.access, "url": self.url, "user": self.user,
            "database": self.database, "basicAuth": self.basic_auth, "basicAuthUser": self.basic_auth_user,
            "withCredentials": self.with_credentials, "isDefault": self.is_default,
            "jsonData": copy.deepcopy(self.json_data), "secureJsonFields": {key: True for key in sorted(self.secure)},
            "version": self.version, "readOnly": self.read_only, "apiVersion": self.api_version,
        }

    def _logo(self) -> str:
        return f"public/app/plugins/datasource/{self.type}/img/{self.type}_logo.svg"  # [MEM]


_TYPE_NAMES = {"prometheus": "Prometheus", "loki": "Loki", "tempo": "Tempo"}


class State:
    """All objects of org 1. Callers hold the emulator's lock."""

    def __init__(self, clock: Callable[[], datetime] | None = None):
        self.clock = clock or TickingClock()
        self.dashboards: dict[str, Dashboard] = {}
        self.folders: dict[str, Folder] = {}
        self.datasources: dict[str, Datasource] = {}
        self._counters: dict[str, int] = {}

    def next_id(self, kind: str) -> int:
        """Ids per kind ("dashboard", "folder", "datasource", "version", "uid:..."), from 1, never reused."""
        self._counters[kind] = self._counters.get(kind, 0) + 1
        return self._counters[kind]

    def new_uid(self, kind: str) -> str:
        """A generated uid like recent Grafanas make: 14 lowercase letters and digits, a letter first."""
        digest = int(hashlib.sha256(f"{kind}:{self.next_id('uid:' + kind)}".encode()).hexdigest(), 16)
        letters, alphabet = string.ascii_lowercase, string.ascii_lowercase + string.digits
        chars = [letters[digest % 26]]
        digest //= 26
        for _ in range(13):
            chars.append(alphabet[digest % 36])
            digest //= 36
        return "".join(chars)

    def now(self) -> str:
        return timestamp(self.clock())

    def dashboard_by_id(self, dashboard_id: int) -> Dashboard | None:
        return next((d for d in self.dashboards.values() if d.id == dashboard_id), None)

    def folder_by_id(self, folder_id: int) -> Folder | None:
        return next((f for f in self.folders.values() if f.id == folder_id), None)

    def folder_chain(self, uid: str) -> list[Folder]:
        """The folder and its ancestors, root first."""
        chain: list[Folder] = []
        while uid and uid in self.folders and len(chain) <= len(self.folders):
            chain.insert(0, self.folders[uid])
            uid = self.folders[uid].parent_uid
        return chain

    def record_version(self, dashboard: Dashboard, parent_version: int, user: str, message: str, when: str,
                       restored_from: int = 0, keep: int | None = None) -> None:
        """Adds the dashboard's current model to its history. `keep` is [dashboards] versions_to_keep:
        Grafana's cleanup keeps the newest max(keep, 1) versions (pkg/services/dashboardversion/
        dashverimpl `DeleteExpired`); it runs in the background there, here at once."""
        dashboard.versions.append(DashboardVersion(
            id=self.next_id("version"), version=dashboard.version, parent_version=parent_version,
            created=when, created_by=user, message=message, model=copy.deepcopy(dashboard.model),
            restored_from=restored_from,
        ))
        if keep is not None:
            del dashboard.versions[:-max(keep, 1)]
