"""Typed errors: every failure the CLI reports is one of these, printed as one located line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file (with a line when known), a dashboard uid, a panel title (and its id
    when the title alone does not tell it apart), a refId. Every error and finding is located by one
    of these and printed the same way: `file:line · dashboard 'uid' · panel 'title' (id 7) · ref A`, or for a Prometheus rule
    `file · alert 'name'`."""

    file: str | None = None
    line: int | None = None
    dashboard: str | None = None
    panel: str | None = None
    ref: str | None = None
    panel_id: int | str | None = None
    rule: str | None = None  # a Prometheus rule: "alert <name>" or "record <name>"

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.dashboard:
            parts.append(f"dashboard {self.dashboard!r}")
        if self.panel is not None:
            parts.append(f"panel {self.panel!r}" + (f" (id {self.panel_id})" if self.panel_id is not None else ""))
        if self.ref:
            parts.append(f"ref {self.ref}")
        if self.rule:
            kind, _, name = self.rule.partition(" ")
            parts.append(f"{kind} {name!r}")
        return " · ".join(parts)


class DashgenError(Exception):
    """Base of every error dashgen reports; `exit_code` is what the CLI exits with (2: bad input
    or an output that cannot be written)."""

    exit_code = 2


class InputError(DashgenError):
    """Bad input at a known place: a definition, a setting, a file. `origin` is the definition whose
    loading met it when that is not the file it is in (a broken helper module that a definition imports)."""

    def __init__(self, location: Location | None, message: str, origin: str | None = None):
        self.location = location
        self.message = message
        self.origin = origin
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location) if self.location else ""
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} (while loading {self.origin})" if self.origin else text


class InputErrors(DashgenError):
    """Several input errors found in one run, reported together rather than one per run."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
