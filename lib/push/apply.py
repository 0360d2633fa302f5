"""Carries out a plan in dependency order: folders, then datasources, then dashboards, then the
deletions of --prune. The first failure stops the run; what was done and what was not is reported,
and running push again finishes the job (the plan is recomputed from what Grafana then holds)."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from dashgen.canonical import canonical_json
from dashgen.errors import DashgenError
from dashgen.grafana import Conflict, Grafana, GrafanaError, NotFound
from dashgen.push.history import push_message
from dashgen.push.plan import Change, Plan
from dashgen.push.vocabulary import DONE, Action, Kind, Result

ORDER = {Kind.FOLDER: 0, Kind.DATASOURCE: 1, Kind.DASHBOARD: 2}
CONCURRENT_FROM = 20  # dashboards in one stage; below this, writing one by one keeps the report's order simple
CONCURRENCY = 8


@dataclass
class Outcome:
    change: Change
    result: Result
    detail: str = ""
    url: str = ""
    backup: str = ""
    error: GrafanaError | None = None  # what stopped the run after this change was (partly) made


class Interrupted(GrafanaError):
    """Ctrl-C during a push: what was applied is reported like after any other stop."""

    exit_code = 130

    def __init__(self):
        super().__init__("push", None, "interrupted")

    def __str__(self) -> str:
        return "interrupted"


def apply(grafana: Grafana, plan: Plan, backups: Path, progress=lambda outcome: None) -> tuple[list[Outcome], GrafanaError | None]:
    """The outcome of every change, and the error that stopped the run, if one did. Backups of what
    --force replaces or deletes are written before the first write, so a backup that cannot be
    written stops the push before it changes anything."""
    writes = sorted(plan.writes, key=_stage)
    saved = {id(c): _back_up(c, backups) for c in writes if c.forced}
    outcomes = [Outcome(c, DONE[c.action], c.reason, c.url) for c in plan.changes if c not in writes]
    run = _Run(grafana, saved, progress)
    for _, stage in itertools.groupby(writes, key=_stage):
        outcomes.extend(run.stage(list(stage)))
    return outcomes, run.stopped


def _stage(change: Change) -> tuple[bool, int]:
    """Folders, then datasources, then dashboards, then deletions: each stage needs the one before."""
    return change.action == Action.DELETE, ORDER[change.kind]


class _Run:
    """Writes stage by stage; a long stage of independent dashboards is written concurrently. After
    the first failure nothing new is started: what is in flight finishes, the rest is "not applied"."""

    def __init__(self, grafana: Grafana, saved: dict, progress):
        self.grafana, self.saved, self.progress = grafana, saved, progress
        self.stopped: GrafanaError | None = None
        self.lock = threading.Lock()

    def stage(self, changes: list[Change]) -> list[Outcome]:
        if len(changes) < CONCURRENT_FROM or changes[0].kind != Kind.DASHBOARD:
            return [self.one(c) for c in changes]
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            futures = [pool.submit(self.one, c) for c in changes]
            outcomes = []
            for future in futures:
                while True:
                    try:
                        outcomes.append(future.result())
                        break
                    except KeyboardInterrupt:  # let what is in flight finish; start nothing new
                        self.stopped = self.stopped or Interrupted()
            return outcomes

    def one(self, change: Change) -> Outcome:
        if self.stopped is not None:
            return Outcome(change, Result.NOT_APPLIED, "stopped by the error above", change.url)
        try:
            outcome = _write(self.grafana, change)
            outcome.backup = self.saved.get(id(change), "")
            if outcome.error is not None:
                with self.lock:
                    self.stopped = self.stopped or outcome.error
        except Conflict as exc:
            outcome = Outcome(change, Result.REFUSED, f"changed in Grafana while pushing ({exc.message}); run push again",
                              change.url)
        except GrafanaError as exc:
            with self.lock:
                self.stopped = self.stopped or exc
            outcome = Outcome(change, Result.FAILED, str(exc), change.url)
        except KeyboardInterrupt:
            with self.lock:
                self.stopped = self.stopped or Interrupted()
            outcome = Outcome(change, Result.NOT_APPLIED, "interrupted", change.url)
        self.progress(outcome)
        return outcome


def _write(grafana: Grafana, change: Change) -> Outcome:
    if change.kind == Kind.FOLDER:
        if change.action == Action.CREATE:
            grafana.create_folder(change.uid, change.desired.title)
        else:
            grafana.update_folder(change.uid, change.desired.title, change.version)
        return Outcome(change, DONE[change.action], change.reason)
    if change.kind == Kind.DATASOURCE:
        if change.action == Action.CREATE:
            grafana.create_datasource(change.desired.marked_body())
        else:
            grafana.update_datasource(change.uid, {**change.desired.marked_body(), "version": change.version})
        return Outcome(change, DONE[change.action], change.reason)
    if change.action == Action.DELETE:
        # Grafana's DELETE takes no version: what was planned is checked just before it.
        newest = grafana.versions(change.uid, 1)
        if newest and newest[0]["version"] != change.version:
            raise Conflict(f"DELETE {grafana.url}/api/dashboards/uid/{change.uid}", None,
                           f"version {newest[0]['version']} was saved after the plan read version {change.version}")
        try:
            grafana.delete_dashboard(change.uid)
        except NotFound:
            pass  # a retried DELETE whose first attempt landed; either way it is gone
        return Outcome(change, Result.DELETED, change.reason)
    desired = change.desired
    message = push_message(desired.fingerprint, desired.folder_uid)
    if change.action == Action.CREATE:
        created = grafana.save_dashboard(desired.model, desired.folder_uid, message, None)
        # Grafana's version list shows a dashboard's first version as "Initial save", whatever its
        # message (contract §3.5): a second save of the same JSON records what was pushed where the
        # next push reads it without fetching the dashboard.
        url = grafana.url + created.get("url", "")
        try:
            saved = grafana.save_dashboard(desired.model, desired.folder_uid, message, created.get("version"))
        except Conflict:
            return Outcome(change, Result.CREATED, "then changed in Grafana at once; the next push checks that edit", url)
        except GrafanaError as exc:  # created: the next push finds it unchanged (or reads it to see)
            return Outcome(change, Result.CREATED, f"but saving it with its message failed: {exc}", url, error=exc)
        except KeyboardInterrupt:
            return Outcome(change, Result.CREATED, "but interrupted before saving it with its message", url,
                           error=Interrupted())
    else:
        saved = grafana.save_dashboard(desired.model, desired.folder_uid, message, change.version)
    return Outcome(change, DONE[change.action], change.reason, grafana.url + saved.get("url", ""))


def _back_up(change: Change, backups: Path) -> str:
    """Saves the live JSON before --force replaces or deletes it; the path is reported. Dashboards
    go in `backups`, folders and datasources (whose secrets Grafana never returns) in sub-folders."""
    folder = backups if change.kind == Kind.DASHBOARD else backups / f"{change.kind}s"
    path = folder / f"{change.uid}.v{change.version}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(canonical_json(change.live))
    except OSError as exc:
        raise DashgenError(f"cannot back up {change.uid} to {path}: {exc.strerror or exc}; nothing was pushed") from None
    return str(path)
