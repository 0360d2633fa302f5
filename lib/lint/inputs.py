"""Where the dashboards to lint come from: this project's definitions, or JSON files and folders."""

from __future__ import annotations

import json
import re
from pathlib import Path

from dashgen.lint.extract import dashboard_of, unread_parts
from dashgen.lint.model import Dashboard

# A \uD800-\uDFFF escape: the only way for JSON text that decoded as UTF-8 to hold a lone surrogate.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def dashboards_from_paths(paths: list[Path]) -> tuple[list[Dashboard], list[str], int]:
    """The dashboards in the given files and folders (*.json, recursively), one line per file
    that cannot be read or part of one that cannot be linted, and how many files were read."""
    files: list[Path] = []
    bad: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))  # not a folder or a pipe so named
        elif path.is_file():
            files.append(path)
        elif path.exists():
            bad.append(f"{path}: not a file or folder")  # a pipe or a device: reading it may never end
        else:
            bad.append(f"{path}: no such file or folder")
    dashboards = []
    for file in files:
        shown = file.as_posix()
        data, problem = _read_json(file)
        if problem:
            bad.append(f"{shown}{problem}")
            continue
        if not _looks_like_dashboard(data):
            bad.append(f"{shown}: not a Grafana dashboard (no panels, rows or templating)")
            continue
        dashboard = dashboard_of(data, shown)
        bad.extend(unread_parts(dashboard))
        dashboards.append(dashboard)
    return dashboards, bad, len(files)


def _read_json(file: Path):
    """(the parsed JSON, None), or (None, what is wrong, to follow the file's name)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, f": cannot read: {exc}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f":{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})"
    except RecursionError:
        return None, ": invalid JSON: nested too deeply to read (Python's parser stops near 1,000 levels)"
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        return None, f": invalid JSON: {str(exc).split(':')[0]}"
    if _SURROGATE.search(text):
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            return None, f": invalid JSON: a string holds an unpaired surrogate ({exc.object[exc.start]!r}), not text"
        except RecursionError:
            return None, ": invalid JSON: nested too deeply to read (Python's parser stops near 1,000 levels)"
    return data, None


def _looks_like_dashboard(data) -> bool:
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    return isinstance(data, dict) and any(k in data for k in ("panels", "rows", "templating"))
