"""Grafana's datasource provisioning file for one environment.

Every string is written with each "$" doubled, so that Grafana's interpolation of provisioning
files gives back the template exactly (${__value.raw}, $__tags); only secrets (and a basic-auth
user given as a reference) are written as the references Grafana is meant to expand.
"""

from __future__ import annotations

from dashgen.canonical import canonical_yaml
from dashgen.datasources.checks import listed
from dashgen.datasources.interpolation import REFERENCE, escape
from dashgen.datasources.model import Datasource
from dashgen.errors import InputError, Location


def datasources_file(sources, environment, all_datasources: bool = True) -> tuple[bytes | None, list[InputError]]:
    """The file of one environment (None when the project defines no datasource), each datasource
    with the environment's URL for it or else its definition's, and the problems of those URLs.
    `environment` is None in a project that names no environment; `all_datasources` is false when
    some datasource file failed to load, and then unknown uids in the environment are not reported."""
    urls = environment.datasource_urls if environment else {}
    errors = _environment_problems(environment, sources, all_datasources) if environment else []
    entries = []
    for source in sources:
        url = urls.get(source.datasource.uid) or source.datasource.url
        if not url:
            errors.append(_no_url(source, environment))
        entries.append(datasource_entry(source.datasource, url))
    if not sources:
        return None, errors
    file = {"apiVersion": 1, "prune": True, "datasources": sorted(entries, key=lambda e: e["uid"])}
    return canonical_yaml(file), errors


def _environment_problems(environment, sources, all_datasources: bool) -> list[InputError]:
    where = _table(environment)
    known = {s.datasource.uid for s in sources}
    urls = environment.datasource_urls
    return [  # the URLs themselves were checked when the environment was loaded
        InputError(where, f"{uid!r} is not a datasource (known: {listed(known)})")
        for uid in sorted(set(urls) - known) if all_datasources
    ]


def _no_url(source, environment) -> InputError:
    uid = source.datasource.uid
    if environment:
        return InputError(
            _table(environment), f"no url for datasource {uid!r}, and its definition in {source.file} gives none"
        )
    return InputError(
        Location(file=source.file),
        f"datasource {uid!r}: no url; give url=... in its definition, or name environments with their URLs in"
        " pyproject.toml ([tool.dashgen.environments.<name>.datasources])",
    )


def _table(environment) -> Location:
    return Location(file=f"pyproject.toml [tool.dashgen.environments.{environment.name}.datasources]")


def datasource_entry(ds: Datasource, url: str) -> dict:
    """One datasource of the file; `editable: false` makes it read-only in Grafana's UI and API."""
    entry = {
        "access": ds.access,
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
        # A user name has no "$" (checked), or is one reference Grafana expands, like a secret.
        user = ds.basic_auth_user if REFERENCE.match(ds.basic_auth_user) else escape(ds.basic_auth_user)
        entry.update(basicAuth=True, basicAuthUser=user)
    if ds.secrets:
        entry["secureJsonData"] = dict(ds.secrets)  # references: Grafana expands them from its environment or files
    return entry
