"""The provisioning/ tree: one folder per environment, each holding the dashboard provider file and
the datasource file, complete, so that one environment's folders are mounted into Grafana as they are.

The dashboard provider file is rendered here: one provider per folder, loading that folder's JSON
files. Each provider fixes its folder's uid, so provisioning and `dashgen push` put dashboards in the
same folder; the folder "General" is Grafana's root and gets no folder of its own. The datasource
file is rendered by dashgen.datasources.provisioning.
"""

from __future__ import annotations

import re

from dashgen.canonical import canonical_yaml
from dashgen.errors import InputError
from dashgen.project import Project

PROVISIONING_DIR = "provisioning"
DEFAULT_ENVIRONMENT = "default"  # the one folder of a project that names no environment
ROOT_FOLDER = "General"


def provisioning_files(
    project: Project, folders: list[str], sources, environments, all_datasources: bool = True,
) -> tuple[dict[str, bytes], list[InputError]]:
    """provisioning/<environment>/{dashboards,datasources}/dashgen.yaml for every environment, as
    relative path -> bytes, and the problems of each environment's datasource URLs. Without
    `all_datasources` (a datasource file failed to load) an environment's uids are not checked
    against the datasources, which would then look undefined."""
    from dashgen.datasources.provisioning import datasources_file

    providers = dashboard_providers(folders, project.provisioning_path)
    files, errors = {}, []
    for name in environments or [DEFAULT_ENVIRONMENT]:
        files[f"{PROVISIONING_DIR}/{name}/dashboards/dashgen.yaml"] = providers
        content, problems = datasources_file(sources, environments.get(name), all_datasources)
        errors += problems
        if content is not None:
            files[f"{PROVISIONING_DIR}/{name}/datasources/dashgen.yaml"] = content
    return files, errors


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
