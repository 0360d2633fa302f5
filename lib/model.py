"""The compiled project every command works from: one model, whichever command
reads it (build, lint, diff, push)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashgen.catalogue import Catalogue
    from dashgen.loader import DatasourceSource
    from dashgen.slo.load import Objectives

DASHBOARDS_DIR = "dashboards"


@dataclass(frozen=True, eq=False)
class CompiledDashboard:
    """A dashboard as Grafana 12.3 stores it, with where it came from and where it goes.

    It carries the canonical JSON, the form every consumer needs and the cheapest to pass between
    processes; `model` parses it on demand.
    """

    file: str
    folder: str
    uid: str
    title: str
    json: bytes
    references: tuple  # (panel, uid, type) of each datasource it uses, for checks that need no parse

    @functools.cached_property
    def model(self) -> dict:
        import orjson

        return orjson.loads(self.json)

    @property
    def path(self) -> str:
        return f"{DASHBOARDS_DIR}/{self.folder}/{self.uid}.json"


@dataclass(frozen=True)
class Build:
    dashboards: list[CompiledDashboard]
    files: dict[str, bytes]
    datasources: list[DatasourceSource]
    objectives: Objectives | None = None  # what slos/ defines
    catalogue: Catalogue | None = None  # the metric catalogue, when the project has one
