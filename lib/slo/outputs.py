"""What slos/ and the catalogue's recorded series add to a build: the rule files and their tests."""

from __future__ import annotations

from dashgen.errors import InputError, Location
from dashgen.project import Project
from dashgen.slo.load import Objectives, load_objectives
from dashgen.slo.rules import rule_files
from dashgen.slo.unit_tests import SeriesError, unit_test_files


def slo_outputs(project: Project, metrics: dict, debug: bool = False) -> tuple[Objectives, dict[str, bytes], list[InputError]]:
    """The objectives, generated/rules/ (relative path -> bytes), and every problem found on the way;
    `metrics` is the catalogue's, whose recording_rule entries become rules too."""
    objectives, errors = load_objectives(project, debug=debug)
    recorded = {name: m.recording_rule for name, m in metrics.items() if m.recording_rule}
    produced = {slo.ratio(w): file for file, slo in objectives.slos for w in slo.windows}
    errors += [InputError(Location(file=metrics[name].file), (
        f"metric {name}: {produced[name]} records it from an SLO; remove its recording_rule here, or the two"
        " would be kept in step by hand")) for name in sorted(recorded) if name in produced]
    slos = [slo for _, slo in objectives.slos]
    try:
        files = rule_files(slos, [alert for _, alert in objectives.alerts], recorded) | unit_test_files(slos)
    except SeriesError as exc:
        file = next(f for f, slo in objectives.slos if f"SLO {slo.name!r}" in str(exc))
        errors.append(InputError(Location(file=file), str(exc)))
        files = {}
    return objectives, files, errors
