"""`dashgen catalogue sync`: the catalogue's label counts and metric types made true to a real
Prometheus, for the metrics the dashboards and rules read.

A label's count is its number of distinct values, `count(count by (label) (m))` over the series
present now, the largest over the used metrics that carry it. The catalogue counts 1 for a label
that follows from another of the same metric (`instance` from `task`); such a 1 is kept while the
label still multiplies no metric's series (`count(m) / count(count without (label) (m))` is 1).
All counts are taken at one instant. Types come from Prometheus' metadata (what the scraped
targets declare). The files are edited line by line:
only the numbers and type words change; every other line, comment and alignment stays."""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from dashgen.catalogue import Catalogue
from dashgen.output import write_files
from dashgen.prometheus import Prometheus, QueryFailed

TOLERANCE = 2.0  # --check: a count off by more than this factor either way fails
_LABEL_LINE = re.compile(r"^(?P<lead>\s+(?P<name>[a-zA-Z_]\w*):\s*)(?P<count>\d+)(?P<gap>\s*)(?P<rest>#.*)?$")
_METRIC_LINE = re.compile(r"^(?P<indent>\s+)(?P<name>[a-zA-Z_:][\w:]*):\s*$")
_TYPE_LINE = re.compile(r"^(?P<lead>\s+type:\s*)(?P<type>\w+)(?P<rest>.*)$")
_HISTOGRAMS = ("histogram", "gaugehistogram")


@dataclass(frozen=True)
class Change:
    file: str  # as shown, catalogue/common.yaml
    what: str  # "label task" or "metric x type"
    old: str
    new: str
    why: str  # measured on which metric, or Prometheus' metadata

    @property
    def line(self) -> str:
        return f"{self.file}: {self.what}: {self.old} → {self.new} ({self.why})"


@dataclass
class Synced:
    """What a sync found: every change, the labels it could not measure, the queries Prometheus
    did not answer (nothing is written from those), and (with --check) the counts off by more than
    the tolerance; `written` the files it rewrote."""

    changes: list[Change] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    off: list[Change] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    check: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.check and self.off else 0


def sync(folder: Path, shown: str, catalogue: Catalogue, used: set[str], prometheus: Prometheus,
         check: bool = False, tolerance: float = TOLERANCE) -> Synced:
    """Measures the used metrics (catalogue names) on `prometheus`; with `check` writes nothing."""
    result = Synced(check=check)
    at = time.time()  # one instant for every count, so that they describe the same series
    prometheus.probe(at)  # down or silent: one line, exit 3, before any query
    measured = _label_counts(catalogue, used, Counting(prometheus, at, result.failed))
    types = _types(catalogue, used, prometheus)
    for path in sorted(folder.glob("*.yaml")):
        rel = f"{shown}/{path.name}"
        text = path.read_text(encoding="utf-8")
        lines, changed = _rewritten(text.splitlines(keepends=True), rel, measured, types, result)
        if changed and not check:
            write_files(folder, {path.name: "".join(lines)})  # whole or not at all
            result.written.append(rel)
    labels = {label for name in used if name in catalogue.metrics for label in catalogue.metrics[name].labels}
    result.unmeasured = sorted(labels - set(measured.distinct))
    result.off = [c for c in result.changes if c.what.startswith("label ") and _off(int(c.old), int(c.new), tolerance)]
    return result


@dataclass(frozen=True)
class LabelCounts:
    distinct: dict[str, int]  # label -> its most distinct values on one used metric
    multiplies: set[str]  # labels that multiply some metric's series (do not follow from another label)
    on: dict[str, str]  # label -> the series it was counted on

    def written(self, label: str, old: int) -> int:
        """The count to write for `label` where the catalogue says `old`."""
        return 1 if old == 1 and label not in self.multiplies else self.distinct[label]


def _label_counts(catalogue: Catalogue, used: set[str], count: "Counting") -> LabelCounts:
    """What each label of the used metrics measures (see the module's docstring). A label whose
    query Prometheus did not answer on some metric is not counted at all (`failed` says which)."""
    distinct, multiplies, on, unsure = {}, set(), {}, set()
    for name in sorted(used):
        metric = catalogue.metrics.get(name)
        if metric is None:
            continue
        stored = f"{name}_bucket" if metric.type in _HISTOGRAMS else name
        series = f'{{__name__="{stored}"}}'
        total = count(f"count({series})")
        if total is None:
            unsure.update(metric.labels)
            continue
        if not total:
            continue
        for label in metric.labels:
            values = count(f"count(count by ({label}) ({series}))")
            kept = count(f"count(count without ({label}) ({series}))")
            if values is None or kept is None:
                unsure.add(label)
                continue
            if values > distinct.get(label, 0):
                distinct[label], on[label] = values, stored
            if kept < total:
                multiplies.add(label)
    for label in unsure:
        distinct.pop(label, None)
    return LabelCounts(distinct, multiplies, on)


def _types(catalogue: Catalogue, used: set[str], prometheus: Prometheus) -> dict[str, str]:
    """metric -> its type as the scraped targets declare it, where that differs from the catalogue's."""
    metadata = prometheus.metadata()
    found = {}
    for name in used:
        metric = catalogue.metrics.get(name)
        entries = metadata.get(name) or metadata.get(name.removesuffix("_total")) or []
        kinds = {e.get("type") for e in entries} - {None, "unknown"}
        if metric is not None and len(kinds) == 1 and kinds != {metric.type}:
            found[name] = kinds.pop()
    return found


@dataclass(frozen=True)
class Counting:
    """Runs count queries at one instant; a query Prometheus does not answer gives None and is
    noted in `failed`."""

    prometheus: Prometheus
    at: float
    failed: list[str]

    def __call__(self, expr: str) -> int | None:
        try:
            result = self.prometheus.query(expr, self.at)
        except QueryFailed as exc:
            self.failed.append(f"{expr}: {exc}")
            return None
        value = result.series[0][1][0] if result.series else 0.0
        return 0 if math.isnan(value) else int(value)


def _rewritten(lines: list[str], rel: str, counts: LabelCounts, types: dict[str, str],
               result: Synced) -> tuple[list[str], bool]:
    """The file's lines with the measured counts and types in place; every other character kept."""
    section, metric, out, changed = None, None, [], False
    for line in lines:
        body = line.rstrip("\n")
        if body and not body[0].isspace() and not body.startswith("#"):
            section, metric = body.split(":", 1)[0], None
        elif section == "labels" and (found := _LABEL_LINE.match(body)) and found["name"] in counts.distinct:
            old = int(found["count"])
            new = counts.written(found["name"], old)
            if old != new:
                gap = found["gap"]
                if found["rest"]:  # keep the comment's column where the numbers' widths allow
                    gap = " " * max(1, len(gap) - (len(str(new)) - len(str(old))))
                line = f"{found['lead']}{new}{gap}{found['rest'] or ''}{_end(line)}"
                result.changes.append(Change(rel, f"label {found['name']}", str(old), str(new),
                                             f"measured on {counts.on[found['name']]}"))
                changed = True
        elif section == "metrics" and (found := _METRIC_LINE.match(body)) and len(found["indent"]) == 2:
            metric = found["name"]
        elif section == "metrics" and metric in types and (found := _TYPE_LINE.match(body)):
            if found["type"] != types[metric]:
                result.changes.append(Change(rel, f"metric {metric} type", found["type"], types[metric],
                                             "as its targets declare it in Prometheus' metadata"))
                line, changed = f"{found['lead']}{types[metric]}{found['rest']}{_end(line)}", True
        out.append(line)
    return out, changed


def _end(line: str) -> str:
    return "\n" if line.endswith("\n") else ""


def used_metrics(built, generated: str) -> set[str]:
    """The catalogue metrics that the build's dashboards and rules read (by their PromQL selectors)."""
    from dashgen.lint import promql
    from dashgen.lint.extract import dashboard_of
    from dashgen.lint.rule_files import rule_files_of
    from dashgen.lint.variables import expand, is_placeholder

    catalogue = built.catalogue
    dashboards = [dashboard_of(d.model, d.file) for d in built.dashboards]
    dashboards += rule_files_of(built.files, catalogue, generated).files
    used = set()
    for dashboard in dashboards:
        for query in dashboard.queries:
            if query.language != "promql":
                continue
            try:
                tree = promql.parse(expand(query.text, dashboard.variables, "promql").text)
            except promql.PromQLSyntaxError:
                continue
            for selector in promql.selectors(tree):
                found = catalogue.lookup(selector.name) if selector.name and not is_placeholder(selector.name) else None
                if found:
                    used.add(found[0].name)
    return used


def _off(catalogued: int, measured: int, tolerance: float) -> bool:
    return measured > catalogued * tolerance or catalogued > measured * tolerance
