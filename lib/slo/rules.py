"""Prometheus rule files from the SLOs and alerts under slos/ and the catalogue's recorded series:
one file per concern under generated/rules/, each loadable by `rule_files`.

- slo-recording.yml: each SLO's error ratio per service over every window its alerts and panels read;
- slo-alerts.yml: multi-window, multi-burn-rate alerts (page and ticket) and "error budget exhausted";
- alerts.yml: the platform's own alerts (slos/ modules' `alerts`);
- recorded.yml: the other recorded series dashboards read, from the catalogue's `recording_rule`.

Annotations use only `{{ $labels.<name> }}` templates, so the unit tests (slo.unit_tests) can say
exactly what Prometheus will write.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashgen.canonical import canonical_yaml
from dashgen.slo.model import SLO, BurnRate

RULES_DIR = "rules"
EXHAUSTED_FOR = "15m"  # the 30-day ratio moves slowly: a quarter hour above the budget is not a blip


@dataclass(frozen=True)
class Alert:
    """An alerting rule of the platform's own, beside the SLOs' (high error rate, high latency)."""

    name: str
    expr: str
    severity: str
    summary: str
    description: str
    for_: str = "5m"
    runbook_url: str = ""
    dashboard_url: str = ""

    def rule(self) -> dict:
        return _alert(self.name, self.expr, self.for_, {"severity": self.severity}, self.summary, self.description,
                      self.runbook_url, self.dashboard_url)


def rule_files(slos: list[SLO], alerts: list[Alert], recorded: dict[str, str]) -> dict[str, bytes]:
    """Relative path under generated/ -> bytes of each rule file; a file with no rules is not written."""
    files = {}
    if slos:
        files[f"{RULES_DIR}/slo-recording.yml"] = _file([recording_group(s) for s in slos])
        files[f"{RULES_DIR}/slo-alerts.yml"] = _file([alert_group(s) for s in slos])
    if alerts:
        files[f"{RULES_DIR}/alerts.yml"] = _file([{"name": "platform", "rules": [a.rule() for a in alerts]}])
    if recorded:
        rules = [{"record": name, "expr": expr.strip()} for name, expr in sorted(recorded.items())]
        files[f"{RULES_DIR}/recorded.yml"] = _file([{"name": "catalogue", "rules": rules}])
    return files


def _file(groups: list[dict]) -> bytes:
    return canonical_yaml({"groups": groups})


def recording_group(slo: SLO) -> dict:
    # The slo label tells apart the series of SLOs that share an indicator (one latency SLO per service).
    return {"name": f"slo:{slo.name}:recording",
            "rules": [{"record": slo.ratio(w), "expr": slo.ratio_expr(w), "labels": {"slo": slo.name}}
                      for w in slo.windows]}


def alert_group(slo: SLO) -> dict:
    rules = [_burn_alert(slo, severity) for severity in dict.fromkeys(r.severity for r in slo.burn_rates)]
    rules.append(_alert(
        "ErrorBudgetExhausted", f"{_ratio(slo, slo.window)} > {_number(slo.error_budget)}", EXHAUSTED_FOR,
        {"severity": "ticket", "slo": slo.name},
        f"{slo.name} SLO of {{{{ $labels.service }}}} ({{{{ $labels.env }}}}): the {slo.window} error budget is spent",
        f"{slo.description}: more than {_percent(slo.error_budget)} failed over {slo.window}, so the "
        f"{_percent(slo.objective)} objective is missed. Slow down risky changes until the budget recovers.",
        slo.runbook_url, slo.dashboard_url,
    ))
    return {"name": f"slo:{slo.name}:alerts", "rules": rules}


def burn_alert_name(severity: str) -> str:
    return {"page": "ErrorBudgetBurnFast", "ticket": "ErrorBudgetBurnSlow"}.get(severity, f"ErrorBudgetBurn{severity.title()}")


def _burn_alert(slo: SLO, severity: str) -> dict:
    rates = [r for r in slo.burn_rates if r.severity == severity]
    expr = "\nor\n".join(_both_windows(slo, r) for r in rates)
    spent = ", or ".join(f"{_percent(r.factor * _hours(r.long) / _hours(slo.window))} of the budget in {r.long}"
                         for r in rates)
    return _alert(
        burn_alert_name(severity), expr, "", {"severity": severity, "slo": slo.name},
        f"{slo.name} SLO of {{{{ $labels.service }}}} ({{{{ $labels.env }}}}) is burning its error budget"
        f" {'fast' if severity == 'page' else 'steadily'}",
        f"{slo.description}: the error ratio is above {' / '.join(f'{r.factor:g}x' for r in rates)} the budget of "
        f"{_percent(slo.error_budget)} over both windows of a pair ({', '.join(f'{r.long} and {r.short}' for r in rates)}),"
        f" spending {spent}.",
        slo.runbook_url, slo.dashboard_url,
    )


def _both_windows(slo: SLO, rate: BurnRate) -> str:
    threshold = f"({rate.factor:g} * {_number(slo.error_budget)})"
    return f"(\n  {_ratio(slo, rate.long)} > {threshold}\nand\n  {_ratio(slo, rate.short)} > {threshold}\n)"


def _ratio(slo: SLO, window: str) -> str:
    from dashgen.slo.model import service_matcher

    return f"{slo.ratio(window)}{{{service_matcher(slo.services)}}}"


def _alert(name: str, expr: str, for_: str, labels: dict, summary: str, description: str, runbook_url: str,
           dashboard_url: str) -> dict:
    annotations = {"summary": summary, "description": description}
    annotations.update({k: v for k, v in (("runbook_url", runbook_url), ("dashboard_url", dashboard_url)) if v})
    rule = {"alert": name, "expr": expr, "labels": labels, "annotations": annotations}
    return rule | ({"for": for_} if for_ else {})


def _number(value: float) -> str:
    return f"{value:.9g}"


def _percent(value: float) -> str:
    return f"{value * 100:.9g}%"


_UNITS = {"m": 1 / 60, "h": 1, "d": 24, "w": 168}


def _hours(window: str) -> float:
    return float(window[:-1]) * _UNITS[window[-1]]
