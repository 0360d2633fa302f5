"""Carries out a plan in dependency order: folders, then datasources, then dashboards, then the
deletions of --prune. The first failure stops the run; what was done and what was not is reported,
and running push again finishes the job (the plan is recomputed from what Grafana then holds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashgen.canonical import canonical_json
from dashgen.grafana import Conflict, Grafana, GrafanaError
from dashgen.push.desired import MESSAGE_PREFIX
from dashgen.push.plan import Change, Plan

ORDER = {"folder": 0, "datasource": 1, "dashboard": 2}


@dataclass
class Outcome:
    change: Change
    result: str  # created, updated, deleted, unchanged, refused, orphaned, failed, not applied
    detail: str = ""
    url: str = ""
    backup: str = ""


def apply(grafana: Grafana, plan: Plan, backups: Path, progress=lambda outcome: None) -> tuple[list[Outcome], GrafanaError | None]:
    """The outcome of every change, and the error that stopped the run, if one did."""
    writes = sorted(plan.writes, key=lambda c: (c.action == "delete", ORDER[c.kind]))
    outcomes = [Outcome(c, c.action, c.reason, c.url) for c in plan.changes if c not in writes]
    stopped: GrafanaError | None = None
    for change in writes:
        if stopped is not None:
            outcomes.append(Outcome(change, "not applied", "stopped by the error above", change.url))
            continue
        try:
            outcome = _write(grafana, change, backups)
        except Conflict as exc:
            outcome = Outcome(change, "refused", f"changed in Grafana while pushing ({exc.message}); run push again",
                              change.url)
        except GrafanaError as exc:
            outcome, stopped = Outcome(change, "failed", str(exc), change.url), exc
        outcomes.append(outcome)
        progress(outcome)
    return outcomes, stopped


def _write(grafana: Grafana, change: Change, backups: Path) -> Outcome:
    if change.kind == "folder":
        if change.action == "create":
            grafana.create_folder(change.uid, change.desired)
        else:
            grafana.update_folder(change.uid, change.desired, change.version)
        return Outcome(change, f"{change.action}d", change.reason)
    if change.kind == "datasource":
        if change.action == "create":
            grafana.create_datasource(change.desired.body)
        else:
            grafana.update_datasource(change.uid, {**change.desired.body, "version": change.version})
        return Outcome(change, f"{change.action}d", change.reason)
    if change.action == "delete":
        grafana.delete_dashboard(change.uid)
        return Outcome(change, "deleted", change.reason)
    backup = _back_up(change, backups) if change.forced else ""
    desired = change.desired
    saved = grafana.save_dashboard(desired.model, desired.folder_uid, MESSAGE_PREFIX + desired.fingerprint,
                                   change.version if change.action == "update" else None)
    return Outcome(change, f"{change.action}d", change.reason, grafana.url + saved.get("url", ""), backup)


def _back_up(change: Change, backups: Path) -> str:
    """Saves the hand-edited live JSON before --force replaces it; the path is reported."""
    backups.mkdir(parents=True, exist_ok=True)
    path = backups / f"{change.uid}.v{change.version}.json"
    path.write_bytes(canonical_json(change.live))
    return str(path)
