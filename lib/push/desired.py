"""What the Grafana of an environment should hold, from the build: folders, datasources and
dashboards, each dashboard marked as dashgen's and fingerprinted."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from dashgen.canonical import canonical_json
from dashgen.environments import Environment
from dashgen.errors import InputError, Location

OWNERSHIP_TAG = "dashgen"  # dashgen changes and deletes only dashboards carrying it
SERVER_OWNED = ("id", "version")  # Grafana sets these; they say nothing about the content
MESSAGE_PREFIX = "dashgen push "  # + fingerprint: the version message is the record of what was pushed


@dataclass(frozen=True)
class DesiredDashboard:
    uid: str
    title: str
    folder_uid: str  # "" for Grafana's root folder
    model: dict
    fingerprint: str
    file: str


@dataclass(frozen=True)
class DesiredDatasource:
    uid: str
    name: str
    body: dict  # the API body, secrets resolved
    file: str


@dataclass
class Desired:
    folders: dict[str, str] = field(default_factory=dict)  # uid -> title
    datasources: list[DesiredDatasource] = field(default_factory=list)
    dashboards: list[DesiredDashboard] = field(default_factory=list)


def fingerprint(model: dict) -> str:
    """What a dashboard says, whoever stored it: its canonical JSON without server-owned fields."""
    content = {k: v for k, v in model.items() if k not in SERVER_OWNED}
    return hashlib.sha256(canonical_json(content)).hexdigest()[:16]


def owned(model: dict) -> dict:
    """The model as pushed: tagged as dashgen's."""
    tags = list(model.get("tags") or [])
    return {**model, "tags": tags if OWNERSHIP_TAG in tags else [*tags, OWNERSHIP_TAG]}


def desired_state(project, env: Environment, environ=os.environ, debug: bool = False) -> Desired:
    from dashgen.build import build
    from dashgen.loader import load_datasources
    from dashgen.provisioning import ROOT_FOLDER, folder_uid

    result = build(project, debug=debug)  # everything validated, or InputErrors
    desired = Desired()
    for dash in result.dashboards:
        title = env.folder if env.folder and dash.folder == project.default_folder else dash.folder
        uid = "" if title == ROOT_FOLDER else folder_uid(title)
        if uid:
            desired.folders[uid] = title
        model = owned(dash.model)
        desired.dashboards.append(DesiredDashboard(dash.uid, model["title"], uid, model, fingerprint(model), dash.file))
    sources, _ = load_datasources(project, debug=debug)
    for source in sources:
        ds = source.datasource
        desired.datasources.append(DesiredDatasource(ds.uid, ds.name, _datasource_body(ds, env, environ, source.file), source.file))
    return desired


def _datasource_body(ds, env: Environment, environ, file: str) -> dict:
    body = {
        "access": getattr(ds, "access", "proxy"), "isDefault": ds.is_default, "jsonData": ds.json_data(),
        "name": ds.name, "type": ds.type, "uid": ds.uid, "url": env.datasource_urls.get(ds.uid) or ds.url,
        "basicAuth": bool(ds.basic_auth_user),
    }
    if ds.basic_auth_user:
        body["basicAuthUser"] = _resolve(ds.basic_auth_user, environ, file, ds.uid) if ds.basic_auth_user.startswith("$") else ds.basic_auth_user
    if ds.secrets:
        body["secureJsonData"] = {key: _resolve(ref, environ, file, ds.uid) for key, ref in sorted(ds.secrets.items())}
    return body


def _resolve(reference: str, environ, file: str, uid: str) -> str:
    """The secret behind a $VAR, ${VAR}, $__env{VAR} or $__file{path} reference."""
    where = Location(file=file)
    inner = reference.removeprefix("$").strip("{}")
    if reference.startswith("$__file{"):
        path = Path(reference[len("$__file{"):-1])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(where, f"datasource {uid!r}: cannot read the secret file {path}: {exc.strerror}") from None
    if reference.startswith("$__vault{"):
        raise InputError(where, f"datasource {uid!r}: a $__vault reference is resolved by Grafana's provisioning only; "
                                "push needs $VAR or $__file{...}")
    name = inner.removeprefix("__env{").rstrip("}") if reference.startswith("$__env{") else inner
    if name not in environ:
        raise InputError(where, f"datasource {uid!r}: set the environment variable {name} (its secret)")
    return environ[name]
