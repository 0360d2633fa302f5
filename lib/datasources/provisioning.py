"""Grafana's datasource provisioning file for one environment.

Every string is written with each "$" doubled, so that Grafana's interpolation of provisioning
files gives back the template exactly (${__value.raw}, $__tags); only secrets are written as the
$VAR references Grafana is meant to expand.
"""

from __future__ import annotations

from dashgen.canonical import canonical_yaml
from dashgen.datasources.interpolation import escape
from dashgen.datasources.model import Datasource


def datasource_entry(ds: Datasource, url: str) -> dict:
    entry = {
        "access": "proxy",
        "editable": False,
        "isDefault": ds.is_default,
        "jsonData": escape(ds.json_data()),
        "name": escape(ds.name),
        "orgId": 1,
        "type": ds.type,
        "uid": ds.uid,
        "url": escape(url),
    }
    if ds.basic_auth_user:
        entry.update(basicAuth=True, basicAuthUser=escape(ds.basic_auth_user))
    if ds.secrets:
        entry["secureJsonData"] = dict(ds.secrets)  # $VAR references: Grafana expands them from its environment
    return entry


def datasources_file(entries: list[dict]) -> bytes:
    """The provisioning file; `prune` removes provisioned datasources that are no longer defined."""
    return canonical_yaml({"apiVersion": 1, "prune": True, "datasources": sorted(entries, key=lambda e: e["uid"])})
