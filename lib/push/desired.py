"""What the Grafana of an environment should hold, from the build: folders, datasources and
dashboards, each dashboard marked as dashgen's and fingerprinted."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from dashgen.model import CompiledDashboard
from dashgen.canonical import canonical_json
from dashgen.environments import Environment
from dashgen.errors import InputError, Location

OWNERSHIP_TAG = "dashgen"  # dashgen changes and deletes only dashboards carrying it
# Datasources have no version message: push records the fingerprint of what it wrote in jsonData under
# this key, which Grafana stores and its settings page sends back untouched.
DATASOURCE_MARK = "dashgenFingerprint"
DATASOURCE_FIELDS = ("access", "basicAuth", "basicAuthUser", "isDefault", "jsonData", "name", "type", "url")
_DATASOURCE_DEFAULTS = {"jsonData": {}, "basicAuthUser": "", "basicAuth": False, "isDefault": False}


@dataclass(frozen=True)
class DesiredFolder:
    """A folder the build's dashboards go to; its uid comes from its title (provisioning.folder_uid)."""

    uid: str
    title: str


@dataclass(frozen=True)
class DesiredDashboard:
    """One compiled dashboard bound for a folder. Its model is parsed only when it is sent or
    compared: a push with nothing to do needs just the fingerprint."""

    compiled: CompiledDashboard
    folder_uid: str  # "" for Grafana's root folder

    @property
    def uid(self) -> str:
        return self.compiled.uid

    @property
    def file(self) -> str:
        return self.compiled.file

    @functools.cached_property
    def fingerprint(self) -> str:
        """Names the build output: equal fingerprints, equal dashboards (the JSON is canonical). What
        push adds to it (owned) is the same for every dashboard; a change there must change this."""
        return hashlib.sha256(self.compiled.json).hexdigest()[:16]

    @functools.cached_property
    def model(self) -> dict:
        return owned(self.compiled.model)

    @property
    def title(self) -> str:
        return self.compiled.title


@dataclass(frozen=True)
class DesiredDatasource:
    uid: str
    name: str
    body: dict  # the API body, secrets resolved, without the mark
    file: str

    @functools.cached_property
    def fingerprint(self) -> str:
        return datasource_fingerprint(self.body)

    def marked_body(self) -> dict:
        """The body push sends: jsonData carries the fingerprint of the settings it sets."""
        return {**self.body, "jsonData": {**self.body.get("jsonData", {}), DATASOURCE_MARK: self.fingerprint}}


def datasource_settings(body: dict) -> dict:
    """What a datasource is compared on: the settings push sets (absent ones at Grafana's defaults),
    without the mark; secrets cannot be read back, so they are not among them."""
    settings = {key: body.get(key, _DATASOURCE_DEFAULTS.get(key)) for key in DATASOURCE_FIELDS}
    settings["jsonData"] = {k: v for k, v in (settings["jsonData"] or {}).items() if k != DATASOURCE_MARK}
    return settings


def datasource_fingerprint(body: dict) -> str:
    return hashlib.sha256(canonical_json(datasource_settings(body))).hexdigest()[:16]


@dataclass
class Desired:
    folders: dict[str, DesiredFolder] = field(default_factory=dict)  # by uid
    datasources: list[DesiredDatasource] = field(default_factory=list)
    dashboards: list[DesiredDashboard] = field(default_factory=list)


def owned(model: dict) -> dict:
    """The model as pushed: tagged as dashgen's."""
    tags = list(model.get("tags") or [])
    return {**model, "tags": tags if OWNERSHIP_TAG in tags else [*tags, OWNERSHIP_TAG]}


def desired_state(project, env: Environment, environ=os.environ, debug: bool = False) -> Desired:
    """What the build says `env`'s Grafana should hold; InputErrors when the project does not build."""
    from dashgen.build import build
    from dashgen.provisioning import ROOT_FOLDER, folder_uid

    result = build(project, debug=debug)  # everything validated, or InputErrors
    desired = Desired()
    for dash in result.dashboards:
        title = env.folder if env.folder and dash.folder == project.default_folder else dash.folder
        uid = "" if title == ROOT_FOLDER else folder_uid(title)
        if uid:
            desired.folders[uid] = DesiredFolder(uid, title)
        desired.dashboards.append(DesiredDashboard(dash, uid))
    clash = next((d for d in desired.dashboards if d.uid in desired.folders), None)
    if clash is not None:  # the build checked the definitions' folders; this is the environment's
        raise InputError(Location(file=f"pyproject.toml [tool.dashgen.environments.{env.name}]"),
                         f"folder {desired.folders[clash.uid].title!r} would have the uid {clash.uid!r} of the dashboard in "
                         f"{clash.file}, and Grafana gives one uid to one dashboard or folder; choose another folder")
    for source in result.datasources:
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
