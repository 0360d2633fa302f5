"""Typed errors: every failure the CLI reports is one of these, printed as one located line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file (with a line when known), a dashboard uid, a panel title, a refId."""

    file: str | None = None
    line: int | None = None
    dashboard: str | None = None
    panel: str | None = None
    ref: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        where = []
        if self.dashboard:
            where.append(f"dashboard {self.dashboard!r}")
        if self.panel is not None:
            where.append(f"panel {self.panel!r}")
        if self.ref:
            where.append(f"ref {self.ref}")
        if where:
            parts.append(", ".join(where))
        return ": ".join(parts)


class DashgenError(Exception):
    """Base of every error dashgen reports; `exit_code` is what the CLI exits with (2: bad input
    or an output that cannot be written)."""

    exit_code = 2


class InputError(DashgenError):
    """Bad input at a known place: a definition, a setting, a file."""

    def __init__(self, location: Location | None, message: str):
        self.location = location
        self.message = message
        super().__init__(str(self))

    def __reduce__(self):
        return (type(self), (self.location, self.message))  # picklable for build workers

    def __str__(self) -> str:
        where = str(self.location) if self.location else ""
        return f"{where}: {self.message}" if where else self.message


class InputErrors(DashgenError):
    """Several input errors found in one run, reported together rather than one per run."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
