"""`dashgen catalogue sync`: the catalogue's label counts and metric types made true to a real
Prometheus, for the metrics the dashboards and rules read.

A label's count is how many values it multiplies a metric's series by (catalogue/common.yaml): it
is measured as such, `count(m) / count(count without (label) (m))` over the series present now,
so a label that follows from another (`instance` from `task`) measures 1 as the catalogue says,
and the count written is the largest over the used metrics that carry the label. Types come from
Prometheus' metadata (what the scraped targets declare). The files are edited line by line:
only the numbers and type words change; every other line, comment and alignment stays."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from dashgen.catalogue import Catalogue
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
    """What a sync found: every change, the labels it could not measure, and (with --check) the
    counts off by more than the tolerance; `written` the files it rewrote."""

    changes: list[Change] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)
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
    measured, on = _label_counts(catalogue, used, prometheus)
    types = _types(catalogue, used, prometheus)
    for path in sorted(folder.glob("*.yaml")):
        rel = f"{shown}/{path.name}"
        text = path.read_text(encoding="utf-8")
        lines, changed = _rewritten(text.splitlines(keepends=True), rel, measured, on, types, result)
        if changed and not check:
            path.write_text("".join(lines), encoding="utf-8")
            result.written.append(rel)
    labels = {label for name in used if name in catalogue.metrics for label in catalogue.metrics[name].labels}
    result.unmeasured = sorted(labels - set(measured))
    result.off = [c for c in result.changes if c.what.startswith("label ") and _off(int(c.old), int(c.new), tolerance)]
    return result


def _label_counts(catalogue: Catalogue, used: set[str], prometheus: Prometheus) -> tuple[dict[str, int], dict[str, str]]:
    """label -> the largest factor it multiplies a used metric's series by, and the metric it was measured on."""
    counts, on = {}, {}
    for name in sorted(used):
        metric = catalogue.metrics.get(name)
        if metric is None:
            continue
        series = f"{name}_bucket" if metric.type in _HISTOGRAMS else name
        total = _scalar(prometheus, f'count({{__name__="{series}"}})')
        if not total:
            continue
        for label in metric.labels:
            kept = _scalar(prometheus, f'count(count without ({label}) ({{__name__="{series}"}}))')
            factor = math.ceil(total / kept) if kept else 1
            if factor > counts.get(label, 0):
                counts[label], on[label] = factor, series
    return counts, on


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


def _scalar(prometheus: Prometheus, expr: str) -> int:
    try:
        result = prometheus.query(expr, _now())
    except QueryFailed:
        return 0
    return int(result.series[0][1][0]) if result.series and not math.isnan(result.series[0][1][0]) else 0


def _now() -> float:
    import time

    return time.time()


def _rewritten(lines: list[str], rel: str, counts: dict[str, int], on: dict[str, str], types: dict[str, str],
               result: Synced) -> tuple[list[str], bool]:
    """The file's lines with the measured counts and types in place; every other character kept."""
    section, metric, out, changed = None, None, [], False
    for line in lines:
        body = line.rstrip("\n")
        if body and not body[0].isspace() and not body.startswith("#"):
            section, metric = body.split(":", 1)[0], None
        elif section == "labels" and (found := _LABEL_LINE.match(body)) and found["name"] in counts:
            old, new = int(found["count"]), counts[found["name"]]
            if old != new:
                gap = found["gap"]
                if found["rest"]:  # keep the comment's column where the numbers' widths allow
                    gap = " " * max(1, len(gap) - (len(str(new)) - len(str(old))))
                line = f"{found['lead']}{new}{gap}{found['rest'] or ''}{_end(line)}"
                result.changes.append(Change(rel, f"label {found['name']}", str(old), str(new),
                                             f"measured on {on[found['name']]}"))
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
