"""Where the dashboards to lint come from: this project's definitions, or JSON files and folders."""

from __future__ import annotations

import json
from pathlib import Path

from dashgen.lint.extract import dashboard_of
from dashgen.lint.model import Dashboard


def dashboards_from_paths(paths: list[Path]) -> tuple[list[Dashboard], list[str], int]:
    """The dashboards in the given files and folders (*.json, recursively), one line per file
    that cannot be read, and how many files were read."""
    files: list[Path] = []
    bad: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            bad.append(f"{path}: no such file or folder")
    dashboards = []
    for file in files:
        shown = file.as_posix()
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            bad.append(f"{shown}: cannot read: {exc}")
            continue
        except json.JSONDecodeError as exc:
            bad.append(f"{shown}:{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not _looks_like_dashboard(data):
            bad.append(f"{shown}: not a Grafana dashboard (no panels, rows or templating)")
            continue
        dashboards.append(dashboard_of(data, shown))
    return dashboards, bad, len(files)


def _looks_like_dashboard(data) -> bool:
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    return isinstance(data, dict) and any(k in data for k in ("panels", "rows", "templating"))


def dashboards_from_project(project, debug: bool = False) -> list[Dashboard]:
    """This project's dashboards as compiled, located at their definition files."""
    from dashgen.build import compile_project

    return [dashboard_of(d.model, d.file) for d in compile_project(project, debug=debug)]
