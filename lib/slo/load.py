"""Loads slos/: each module (not starting with "_") lists its objectives in `slos` and may list
platform alerts in `alerts`, through the same loader as dashboards and datasources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dashgen.errors import InputError, Location
from dashgen.project import Project
from dashgen.slo.model import SLO
from dashgen.slo.rules import Alert


@dataclass
class Objectives:
    """What slos/ defines, each with the file it is defined in."""

    slos: list[tuple[str, SLO]] = field(default_factory=list)
    alerts: list[tuple[str, Alert]] = field(default_factory=list)


def load_objectives(project: Project, debug: bool = False) -> tuple[Objectives, list[InputError]]:
    from dashgen.loader import definition_files, load_modules

    def read(module, path: Path, rel: str) -> Objectives:
        found = Objectives()
        slos, alerts = getattr(module, "slos", None), getattr(module, "alerts", [])
        if slos is None:
            raise InputError(Location(file=rel, line=1), "defines no 'slos' (a list of dashgen.slo.SLO)")
        for name, items, kind in (("slos", slos, SLO), ("alerts", alerts, Alert)):
            if not isinstance(items, (list, tuple)) or not all(isinstance(i, kind) for i in items):
                raise InputError(Location(file=rel), f"'{name}' must be a list of {kind.__name__} from dashgen.slo")
        found.slos = [(rel, s) for s in slos]
        found.alerts = [(rel, a) for a in alerts]
        return found

    objectives, errors = Objectives(), []
    files = definition_files(project.slos_dir) if project.slos_dir.is_dir() else []
    for result in load_modules(project, files, read, debug):
        if isinstance(result, InputError):
            errors.append(result)
        else:
            objectives.slos += result.slos
            objectives.alerts += result.alerts
    return objectives, errors + _clashes(objectives)


def _clashes(objectives: Objectives) -> list[InputError]:
    """Two SLOs of one name, or of one indicator over a shared service (their recorded series
    would be the same series), or two alerts of one name."""
    errors, names, alerts = [], {}, {}
    for file, slo in objectives.slos:
        first = names.setdefault(slo.name, (file, slo))
        if first[1] is not slo:
            errors.append(InputError(Location(file=file), f"SLO {slo.name!r} is already defined in {first[0]}"))
    for i, (file, slo) in enumerate(objectives.slos):
        for other_file, other in objectives.slos[:i]:
            shared = sorted(set(slo.services) & set(other.services))
            if other.sli == slo.sli and shared:
                errors.append(InputError(Location(file=file), (
                    f"SLO {slo.name!r} and SLO {other.name!r} ({other_file}) both record {slo.ratio('1h')} and the like"
                    f" for {', '.join(shared)}; give one of them another sli")))
    for file, alert in objectives.alerts:
        first = alerts.setdefault(alert.name, file)
        if first != file or sum(1 for _, a in objectives.alerts if a.name == alert.name) > 1:
            errors.append(InputError(Location(file=file), f"alert {alert.name!r} is defined more than once"))
            break
    return errors
