"""The metric catalogue: every metric the dashboards read, its type and unit, and how many distinct
values each of its labels has at production scale. The linter's cardinality estimate and its
"does this metric exist" checks stand on it.

A catalogue is a folder of YAML files (one per domain), merged; see catalogue/README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dashgen.errors import InputError, InputErrors, Location
from dashgen.settings import Key, Table, described

# A gaugehistogram (OpenMetrics) counts what is true now in each bucket (devices by heartbeat age),
# so it is summed, never rated. Scraped as OpenMetrics text, Prometheus stores its series under the
# names exposed, _bucket, _gcount and _gsum (model/textparse/openmetricsparse.go; OTLP has no such
# type: the OpenTelemetry spec drops them), a classic histogram's as _bucket, _count and _sum.
TYPES = ("counter", "gauge", "histogram", "gaugehistogram", "summary")
HISTOGRAM_SERIES = {"_bucket": ("le",), "_sum": (), "_count": ()}
GAUGE_HISTOGRAM_SERIES = {"_bucket": ("le",), "_gsum": (), "_gcount": ()}
SUMMARY_SERIES = {"": ("quantile",), "_sum": (), "_count": ()}
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*\Z")
MAX_DEPTH = 32


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
        for kinds, suffixes in ((("histogram",), HISTOGRAM_SERIES), (("gaugehistogram",), GAUGE_HISTOGRAM_SERIES),
                                (("summary",), SUMMARY_SERIES)):
            for suffix, extra in suffixes.items():
                metric = self.metrics.get(series.removesuffix(suffix)) if series.endswith(suffix) else None
                if metric and metric.type in kinds:
                    return metric, metric.labels + extra
        return None


FILE = Table({"labels": Key(), "metrics": Key()}, must="expected a mapping with 'labels' and 'metrics'")
METRIC = Table({
    "type": Key(required=True, ok=lambda kind: isinstance(kind, str) and kind in TYPES,
                must=f"type must be one of {', '.join(TYPES)}, not {{value}}"),
    "unit": Key(required=True, ok=lambda unit: isinstance(unit, str) and unit.strip(),
                must="unit must be a word such as 'seconds' or 'requests', not {value}"),
    "help": Key(required=True, ok=lambda text: isinstance(text, str) and text.strip(),
                must="help must be a sentence saying what the metric counts, not {value}", convert=str.strip),
    "labels": Key((), ok=lambda labels: isinstance(labels, list) and all(isinstance(label, str) for label in labels),
                  must="labels must be a list of label names", convert=tuple),
    "recording_rule": Key("", ok=lambda text: isinstance(text, str), must="recording_rule must be text, not {value}",
                          convert=str.strip),
    "exporter": Key("", ok=lambda text: isinstance(text, str), must="exporter must be text, not {value}"),
    "used_elsewhere": Key("", ok=lambda text: isinstance(text, str), must="used_elsewhere must be text, not {value}"),
}, must="expected a mapping")


def load_catalogue(folder: Path, shown: str = "catalogue") -> Catalogue:
    """All *.yaml files of `folder`, merged; InputErrors names each bad entry as file: key."""
    labels: dict[str, int] = {}
    metrics: dict[str, Metric] = {}
    errors: list[InputError] = []
    for path in sorted(folder.glob("*.yaml")):
        rel = f"{shown}/{path.name}"
        try:
            data = _document(path, rel)
        except InputError as exc:
            errors.append(exc)
            continue
        FILE.read(data, Location(rel), errors)  # an unknown key is reported, and the rest still checked
        if not isinstance(data, dict):
            continue
        for problem in _label_problems(data.get("labels") or {}, labels):
            errors.append(InputError(Location(rel), problem))
        found = data.get("metrics") or {}
        if not isinstance(found, dict):
            errors.append(InputError(Location(rel), f"metrics must be a mapping of metric name to its entry, not"
                                                    f" {described(found)}"))
            continue
        for name, spec in found.items():
            if not isinstance(name, str) or not METRIC_NAME.match(name):
                errors.append(InputError(Location(rel), f"metric {described(name)} is not a metric name"
                                                        " ([a-zA-Z_:][a-zA-Z0-9_:]*)"))
                continue
            entry = METRIC.read(spec, Location(rel), errors, prefix=f"metric {name}: ")
            if entry is None:
                continue
            if name in metrics:
                errors.append(InputError(Location(rel), f"metric {name} is also defined in {metrics[name].file}"))
            else:
                metrics[name] = Metric(name=name, file=rel, **entry)
    for metric in metrics.values():
        unknown = [label for label in metric.labels if label not in labels]
        if unknown:
            errors.append(InputError(
                Location(metric.file), f"metric {metric.name}: label {unknown[0]} has no count under 'labels'"
            ))
    if errors:
        raise InputErrors(errors)
    return Catalogue(labels=labels, metrics=metrics)


def _document(path: Path, rel: str):
    """The YAML document of one file; a file that cannot be read, is not UTF-8, is not YAML or is
    nested deeper than a catalogue ever is (the YAML library recurses) is an InputError."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(Location(rel), f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset"
                                        f" {exc.start})") from None
    except OSError as exc:
        raise InputError(Location(rel), f"cannot read: {exc.strerror or exc}") from None
    try:
        depth = 0
        for event in yaml.parse(text, Loader=loader):  # events: no recursion, and stopped at once
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
            if depth > MAX_DEPTH:
                raise InputError(Location(rel, line=event.start_mark.line + 1),
                                 f"nested more than {MAX_DEPTH} levels deep; a catalogue needs 4")
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(Location(rel, line=mark.line + 1 if mark else None),
                         f"invalid YAML: {' '.join(str(exc).split())}") from None


def _label_problems(found, labels: dict[str, int]):
    """What is wrong with one file's `labels`; the good ones are added to `labels`."""
    if not isinstance(found, dict):
        yield f"labels must be a mapping of label name to count, not {described(found)}"
        return
    for label, count in found.items():
        if not isinstance(label, str) or not LABEL_NAME.match(label):
            yield f"label {described(label)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"
        elif isinstance(count, bool) or not isinstance(count, int) or count < 1:
            yield f"label {label}: expected a positive count, not {described(count)}"
        elif labels.setdefault(label, count) != count:
            yield f"label {label}: {count} here, {labels[label]} elsewhere"
