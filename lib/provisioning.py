"""Grafana's dashboard provider file: one provider per folder, loading that folder's JSON files.

Each provider fixes its folder's uid, so provisioning and `dashgen push` put dashboards in the same
folder; the folder "General" is Grafana's root and gets no folder of its own.
"""

from __future__ import annotations

import re

from dashgen.canonical import canonical_yaml


ROOT_FOLDER = "General"


def folder_uid(folder: str) -> str:
    """A stable Grafana folder uid for a folder title, e.g. "MPAC Payments" -> "mpac-payments"."""
    return re.sub(r"[^a-z0-9]+", "-", folder.lower()).strip("-")[:40] or "general"


def dashboard_providers(folders: list[str], mount_path: str) -> bytes:
    """The provider YAML; `mount_path` is where generated/dashboards is mounted inside Grafana."""
    providers = [_provider(folder, mount_path) for folder in sorted(set(folders))]
    return canonical_yaml({"apiVersion": 1, "providers": providers})


def _provider(folder: str, mount_path: str) -> dict:
    provider = {
        "name": f"dashgen-{folder_uid(folder)}",
        "orgId": 1,
        "type": "file",
        "folder": "",
        "disableDeletion": False,
        "allowUiUpdates": False,
        "updateIntervalSeconds": 30,
        "options": {"path": f"{mount_path.rstrip('/')}/{folder}"},
    }
    if folder != ROOT_FOLDER:
        provider.update(folder=folder, folderUid=folder_uid(folder))
    return provider
