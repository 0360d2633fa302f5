"""Finds the project (the folder whose pyproject.toml has a [tool.dashgen] table) and reads its settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashgen.errors import InputError, InputErrors, Location
from dashgen.settings import Key, Table

PYPROJECT = "pyproject.toml"
FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}\Z")  # \Z: "$" would also take a final newline
DEFAULT_PROVISIONING_PATH = "/var/lib/grafana/dashboards/dashgen"


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
    def slos_dir(self) -> Path:
        return self.root / "slos"

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
                return Project(root=folder, settings=_settings(table))
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


def _path_problem(key: str, path: str) -> str:
    if path.strip() and path.isprintable():
        return ""
    return f"{key} {path!r} is not a path (empty, or a control character in it)"


SETTINGS = Table({
    "catalogue": Key("catalogue", ok=lambda path: isinstance(path, str), must="catalogue must be a str, not {value}",
                     check=lambda path: _path_problem("catalogue", path)),
    "default_folder": Key("General", ok=lambda folder: isinstance(folder, str),
                          must="default_folder must be a str, not {value}",
                          check=lambda folder: "" if FOLDER_NAME.match(folder) else
                          f"default_folder {folder!r} is not a valid folder name"),
    "provisioning_path": Key(DEFAULT_PROVISIONING_PATH, ok=lambda path: isinstance(path, str),
                             must="provisioning_path must be a str, not {value}",
                             check=lambda path: _path_problem("provisioning_path", path)),
    "environments": Key({}, ok=lambda table: isinstance(table, dict), must="environments must be a dict, not {value}"),
    "lint": Key({}, ok=lambda table: isinstance(table, dict), must="lint must be a dict, not {value}"),
}, noun="setting")


def _settings(table: dict[str, Any]) -> dict[str, Any]:
    """[tool.dashgen] with its defaults; InputErrors lists every problem of its own keys (the tables
    under it are checked by those who read them: environments, lint)."""
    errors: list[InputError] = []
    settings = SETTINGS.read(table, Location(file=f"{PYPROJECT} [tool.dashgen]"), errors)
    if errors:
        raise InputErrors(errors)
    return settings
