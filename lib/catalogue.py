"""The metric catalogue: every metric the dashboards read, its type and unit, and how many distinct
values each of its labels has at production scale. The linter's cardinality estimate and its
"does this metric exist" checks stand on it.

A catalogue is a folder of YAML files (one per domain), merged; see catalogue/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dashgen.errors import InputError, InputErrors, Location

# A gaugehistogram (OpenMetrics) counts what is true now in each bucket (devices by heartbeat age),
# so it is summed, never rated; it is exposed with a classic histogram's series.
TYPES = ("counter", "gauge", "histogram", "gaugehistogram", "summary")
HISTOGRAM_SERIES = {"_bucket": ("le",), "_sum": (), "_count": ()}
SUMMARY_SERIES = {"": ("quantile",), "_sum": (), "_count": ()}
METRIC_KEYS = {"type", "unit", "help", "labels", "recording_rule", "exporter", "used_elsewhere"}


@dataclass(frozen=True)
class Metric:
    name: str
    type: str
    unit: str
    help: str
    labels: tuple[str, ...]
    file: str
    recording_rule: str = ""  # the expression, when a recording rule produces the metric
    exporter: str = ""  # a third-party exporter whose metric names dashgen keeps as they are
    used_elsewhere: str = ""  # why the metric stays although no dashboard reads it


@dataclass(frozen=True)
class Catalogue:
    labels: dict[str, int] = field(default_factory=dict)  # label -> expected distinct values
    metrics: dict[str, Metric] = field(default_factory=dict)

    def lookup(self, series: str) -> tuple[Metric, tuple[str, ...]] | None:
        """The metric behind a series name (histograms and summaries have several) and its labels."""
        if series in self.metrics and self.metrics[series].type != "summary":
            metric = self.metrics[series]
            return metric, metric.labels
        for kinds, suffixes in ((("histogram", "gaugehistogram"), HISTOGRAM_SERIES), (("summary",), SUMMARY_SERIES)):
            for suffix, extra in suffixes.items():
                metric = self.metrics.get(series.removesuffix(suffix)) if series.endswith(suffix) else None
                if metric and metric.type in kinds:
                    return metric, metric.labels + extra
        return None


def load_catalogue(folder: Path, shown: str = "catalogue") -> Catalogue:
    """All *.yaml files of `folder`, merged; InputErrors names each bad entry as file: key."""
    import yaml

    labels: dict[str, int] = {}
    metrics: dict[str, Metric] = {}
    errors: list[InputError] = []
    for path in sorted(folder.glob("*.yaml")):
        rel = f"{shown}/{path.name}"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            errors.append(InputError(Location(rel, line=mark.line + 1 if mark else None), f"invalid YAML: {exc}"))
            continue
        if not isinstance(data, dict) or set(data) - {"labels", "metrics"}:
            errors.append(InputError(Location(rel), "expected a mapping with 'labels' and 'metrics'"))
            continue
        for label, count in (data.get("labels") or {}).items():
            if not isinstance(count, int) or count < 1:
                errors.append(InputError(Location(rel), f"label {label}: expected a positive count, not {count!r}"))
            elif labels.setdefault(label, count) != count:
                errors.append(InputError(Location(rel), f"label {label}: {count} here, {labels[label]} elsewhere"))
        for name, spec in (data.get("metrics") or {}).items():
            try:
                metric = _metric(name, spec, rel)
            except ValueError as exc:
                errors.append(InputError(Location(rel), f"metric {name}: {exc}"))
                continue
            if name in metrics:
                errors.append(InputError(Location(rel), f"metric {name} is also defined in {metrics[name].file}"))
            else:
                metrics[name] = metric
    for metric in metrics.values():
        unknown = [label for label in metric.labels if label not in labels]
        if unknown:
            errors.append(InputError(
                Location(metric.file), f"metric {metric.name}: label {unknown[0]} has no count under 'labels'"
            ))
    if errors:
        raise InputErrors(errors)
    return Catalogue(labels=labels, metrics=metrics)


def _metric(name: str, spec, file: str) -> Metric:
    if not isinstance(spec, dict):
        raise ValueError("expected a mapping")
    unknown = sorted(set(spec) - METRIC_KEYS)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}; known: {', '.join(sorted(METRIC_KEYS))}")
    if spec.get("type") not in TYPES:
        raise ValueError(f"type must be one of {', '.join(TYPES)}, not {spec.get('type')!r}")
    for key in ("unit", "help"):
        if not isinstance(spec.get(key), str) or not spec[key].strip():
            raise ValueError(f"{key} is required")
    labels = spec.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValueError("labels must be a list of label names")
    return Metric(
        name=name, type=spec["type"], unit=spec["unit"], help=spec["help"].strip(), labels=tuple(labels), file=file,
        recording_rule=str(spec.get("recording_rule", "")).strip(), exporter=str(spec.get("exporter", "")),
        used_elsewhere=str(spec.get("used_elsewhere", "")),
    )
