"""The generated Prometheus rule files as the linter sees them: each rule's expression a PromQL
query located by its file and rule (`generated/rules/slo-alerts.yml · alert 'SLOAvailabilityPage'`),
and the series the recording rules create added to the catalogue, with the labels their
expressions keep, so that the rules and dashboards reading them are checked and estimated too."""

from __future__ import annotations

from dataclasses import dataclass, replace

import yaml

from dashgen.catalogue import Catalogue, Metric
from dashgen.lint import promql
from dashgen.lint.estimate import Estimator
from dashgen.lint.model import Dashboard, Query
from dashgen.slo.rules import RULES_DIR


@dataclass(frozen=True)
class RuleFiles:
    files: list[Dashboard]  # one per rule file, its rules as queries
    catalogue: Catalogue | None  # the project's, with the recorded series added
    recorded: dict[str, str]  # recorded series -> the rule file that records it


def rule_files_of(files: dict[str, bytes], catalogue: Catalogue | None, out: str = "generated") -> RuleFiles:
    """The build's rule files (path under the output folder `out` -> bytes), in file order; their
    tests are not rules."""
    read, metrics, labels = [], dict(catalogue.metrics) if catalogue else {}, dict(catalogue.labels) if catalogue else {}
    recorded = {}
    for path in sorted(p for p in files if p.startswith(f"{RULES_DIR}/") and p.count("/") == 1):
        shown = f"{out}/{path}"
        rules = [r for g in yaml.safe_load(files[path]).get("groups", []) for r in g.get("rules", [])]
        read.append(Dashboard(file=shown, uid="", json={}, variables={}, panels=[], rule_file=True, queries=[
            Query(file=shown, dashboard=None, panel=None, ref=None, kind="rule", language="promql",
                  text=r["expr"], raw=r["expr"], rule=_name(r)) for r in rules]))
        for rule in rules:
            if "record" not in rule:
                continue
            recorded.setdefault(rule["record"], shown)
            static = sorted(rule.get("labels") or {})  # the rule puts them on every series it records
            labels.update((label, 1) for label in static if label not in labels)  # one value each
            known = metrics.get(rule["record"])
            if known is not None:  # catalogued by hand: its labels, and the rule's own
                metrics[rule["record"]] = replace(known, labels=tuple(dict.fromkeys([*known.labels, *static])))
                continue
            kept = _labels(rule["expr"], Catalogue(labels, metrics) if catalogue else None)
            metrics[rule["record"]] = Metric(rule["record"], "gauge", "", f"recorded by {shown}",
                                             tuple(dict.fromkeys([*kept, *static])), shown)
    if catalogue is None:
        return RuleFiles(read, None, recorded)
    return RuleFiles(read, replace(catalogue, labels=labels, metrics=metrics), recorded)


def _name(rule: dict) -> str:
    return f"alert {rule['alert']}" if "alert" in rule else f"record {rule.get('record')}"


def _labels(expr: str, catalogue: Catalogue | None) -> list[str]:
    """The labels a recording rule's result keeps (its grouping), by the linter's own estimate."""
    try:
        return list(Estimator(catalogue).estimate(promql.parse(expr)).labels)
    except promql.PromQLSyntaxError:
        return []  # promql/syntax reports it on the rule itself
