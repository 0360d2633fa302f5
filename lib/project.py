"""Finds the project (the folder whose pyproject.toml has a [tool.dashgen] table) and reads its settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashgen.errors import InputError, Location

PYPROJECT = "pyproject.toml"
FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}\Z")  # \Z: "$" would also take a final newline
DEFAULT_PROVISIONING_PATH = "/var/lib/grafana/dashboards/dashgen"

# [tool.dashgen] keys this version understands, with their defaults; anything else is a typo to report.
SETTINGS = {
    "catalogue": "catalogue",
    "default_folder": "General",
    "provisioning_path": DEFAULT_PROVISIONING_PATH,
    "environments": {},
    "lint": {},
}


@dataclass(frozen=True)
class Project:
    """A dashgen project on disk and its [tool.dashgen] settings."""

    root: Path
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def dashboards_dir(self) -> Path:
        return self.root / "dashboards"

    @property
    def datasources_dir(self) -> Path:
        return self.root / "datasources"

    @property
    def generated_dir(self) -> Path:
        return self.root / "generated"

    @property
    def catalogue_dir(self) -> Path:
        return self.root / self.settings["catalogue"]

    @property
    def default_folder(self) -> str:
        return self.settings["default_folder"]

    @property
    def provisioning_path(self) -> str:
        return self.settings["provisioning_path"]

    def relative(self, path: Path) -> str:
        """The path as users see it in messages: relative to the project root, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def find_project(start: Path | None = None) -> Project:
    """The nearest enclosing project of `start` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file():
            table = _dashgen_table(candidate)
            if table is not None:
                return Project(root=folder, settings=_settings(candidate, table))
    raise InputError(None, f"no {PYPROJECT} with a [tool.dashgen] table in {here} or any parent folder")


def _dashgen_table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Location(file=str(path)), f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(Location(file=str(path), line=line), f"invalid TOML: {exc}") from None
    tool = data.get("tool", {})
    table = tool.get("dashgen") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise InputError(Location(file=str(path)), f"tool.dashgen must be a table ([tool.dashgen]), not {table!r}")
    return table


def _settings(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    where = Location(file=f"{PYPROJECT} [tool.dashgen]")
    unknown = sorted(set(table) - set(SETTINGS))
    if unknown:
        raise InputError(where, f"unknown setting {unknown[0]!r}; known: {', '.join(sorted(SETTINGS))}")
    settings = {**SETTINGS, **table}
    for key, default in SETTINGS.items():
        if not isinstance(settings[key], type(default)):
            raise InputError(where, f"{key} must be a {type(default).__name__}, not {settings[key]!r}")
    if not FOLDER_NAME.match(settings["default_folder"]):
        raise InputError(where, f"default_folder {settings['default_folder']!r} is not a valid folder name")
    for key in ("catalogue", "provisioning_path"):
        if not settings[key].strip() or not settings[key].isprintable():
            raise InputError(where, f"{key} {settings[key]!r} is not a path (empty, or a control character in it)")
    return settings
