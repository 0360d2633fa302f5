"""The plan: for every folder, datasource and dashboard, what push would do and why.

Reading the live state is the slow part against a distant Grafana. One search lists the dashboards
dashgen owns (by tag); for each of them the newest version (a small answer) says whether it is
still exactly what dashgen pushed for the current definition: its message carries the fingerprint
of what was pushed. Only the others, new, changed or saved in Grafana, are fetched whole, and of
those only the ones that no longer show what the build shows have their history read (`history`).
Requests run concurrently.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dashgen.grafana import Grafana
from dashgen.diff_lines import dashboard_lines, valued
from dashgen.panel_diff import diff_dashboards, differences
from dashgen.push.desired import (
    DATASOURCE_MARK, OWNERSHIP_TAG, Desired, DesiredDashboard, DesiredDatasource, DesiredFolder,
    datasource_fingerprint, datasource_settings,
)
from dashgen.push.history import Maker, Provenance, is_dashgens, newest_version, provenance, push_message
from dashgen.push.vocabulary import WRITES, Action, Kind
from dashgen.shown import same_thing, shown

CONCURRENCY = 16
# --force: True overwrites every hand edit, a set of uids only those (--force UID, repeatable).
Force = bool | frozenset[str]


def forcing(force: Force, uid: str) -> bool:
    return force is True or (not isinstance(force, bool) and uid in force)


@dataclass
class Change:
    kind: Kind
    uid: str
    title: str
    action: Action
    reason: str = ""
    desired: DesiredFolder | DesiredDatasource | DesiredDashboard | None = None  # as its kind says
    live: dict | None = None  # the live dashboard model, datasource or folder
    version: int | None = None  # the live version, sent back with an update
    forced: bool = False  # an update over a hand edit (--force): the live JSON is backed up first
    url: str = ""
    details: tuple[str, ...] = ()  # a heading, then what an edit changed, a line each under the change
    hint: str = ""  # what to do about a refusal (--force UID ...), on a line of its own


@dataclass
class Plan:
    grafana_url: str
    changes: list[Change] = field(default_factory=list)

    def of(self, *actions: Action) -> list[Change]:
        return [c for c in self.changes if c.action in actions]

    @property
    def writes(self) -> list[Change]:
        return self.of(*WRITES)


@dataclass(frozen=True)
class Live:
    """The dashboards dashgen owns in Grafana (search hits by uid) and the newest version of each
    (None where there is none, or the token may not read history). `latest` has an entry for every
    uid in `managed`: the plan relies on it to settle unchanged dashboards without reading."""

    managed: dict[str, dict]
    latest: dict[str, dict | None]


def read_live(grafana: Grafana) -> Live:
    """The dashboards dashgen owns and the newest version of each."""
    managed = {hit["uid"]: hit for hit in grafana.search_dashboards(OWNERSHIP_TAG)}
    return Live(managed, dict(zip(managed, _read_all(lambda uid: newest_version(grafana, uid), managed))))


def _read_all(read: Callable, items: Iterable) -> list:
    """[read(item) for item in items], CONCURRENCY at a time; the first failure (in item order) is
    raised once the reads under way have ended. No new read starts after a failure or when the
    caller is interrupted (Ctrl-C). The threads are daemons, unlike a ThreadPoolExecutor's: reads
    abandoned on Ctrl-C must not hold up the exit until each has timed out against a Grafana that
    does not answer."""
    items = list(items)
    results: list = [None] * len(items)
    failures: dict[int, BaseException] = {}
    pending = iter(range(len(items)))
    lock = threading.Lock()
    stop = threading.Event()

    def worker() -> None:
        while True:
            with lock:
                n = None if failures or stop.is_set() else next(pending, None)
            if n is None:
                return
            try:
                results[n] = read(items[n])
            except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread below
                with lock:
                    failures[n] = exc

    threads = [threading.Thread(target=worker, name="dashgen-read", daemon=True)
               for _ in range(min(CONCURRENCY, len(items)))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # Ctrl-C: what is under way is left to the exit
        stop.set()
        raise
    if failures:
        raise failures[min(failures)]
    return results


def make_plan(grafana: Grafana, desired: Desired, prune: bool = False, force: Force = False) -> Plan:
    plan = Plan(grafana.url)
    live = read_live(grafana)
    reads = [functools.partial(grafana.get_folder, uid) for uid in desired.folders] \
        + [functools.partial(grafana.get_datasource, ds.uid) for ds in desired.datasources]
    found = _read_all(lambda read: read(), reads)  # folders and datasources in one round of reads
    folders = dict(zip(desired.folders, found))
    for uid, folder in sorted(desired.folders.items()):
        plan.changes.append(_folder(folder, folders[uid], forcing(force, uid)))
    for ds, live_ds in zip(desired.datasources, found[len(folders):]):
        plan.changes.append(_datasource(ds, live_ds, forcing(force, ds.uid)))
    # Settled from the version metadata alone: every dashboard of a push with nothing to do.
    settled = [_as_pushed(grafana, d, live) for d in desired.dashboards]
    rest = iter(_read_all(lambda d: _dashboard(grafana, d, live, forcing(force, d.uid)),
                          [d for d, s in zip(desired.dashboards, settled) if s is None]))
    plan.changes.extend(s if s is not None else next(rest) for s in settled)
    defined = {d.uid for d in desired.dashboards}
    orphans = [hit for uid, hit in sorted(live.managed.items()) if uid not in defined]
    plan.changes.extend(_read_all(lambda hit: _orphan(grafana, hit, live, prune, forcing(force, hit["uid"])), orphans))
    return plan


def _orphan(grafana: Grafana, hit: dict, live: Live, prune: bool, force: bool) -> Change:
    """A dashboard tagged as dashgen's that no definition produces any more. --prune deletes it only
    when dashgen pushed it and it shows what dashgen pushed; a hand edit is kept unless --force. One
    whose history shows no push by dashgen is never deleted: nothing dashgen did not write is."""
    uid, title, url = hit["uid"], hit.get("title", hit["uid"]), grafana.url + hit.get("url", "")
    if not prune:
        return Change(Kind.DASHBOARD, uid, title, Action.ORPHANED, "no longer defined; --prune deletes it", url=url)
    found = grafana.get_dashboard(uid)
    if found is None:
        return Change(Kind.DASHBOARD, uid, title, Action.UNCHANGED, "already gone", url=url)
    model, meta = found["dashboard"], found.get("meta", {})
    base = dict(live=model, version=meta.get("version", model.get("version")), url=url)
    latest = live.latest.get(uid)
    pushed_last = latest and is_dashgens(latest.get("message")) and latest.get("version") == base["version"]
    made = Provenance(Maker.DASHGEN, latest) if pushed_last else \
        provenance(grafana, uid, model, (meta.get("folderUid", ""), meta.get("folderTitle", "")), meta.get("folderUid", ""))
    if made.maker is Maker.DASHGEN:
        return Change(Kind.DASHBOARD, uid, title, Action.DELETE, "no longer defined", **base)
    if made.maker is not Maker.EDITED:
        return Change(Kind.DASHBOARD, uid, title, Action.REFUSED, f"no longer defined, but {_not_known(made)}: it is not "
                      "deleted; delete it in Grafana, or remove its 'dashgen' tag", **base)
    edit = _edit(made)
    if force:
        return Change(Kind.DASHBOARD, uid, title, Action.DELETE, f"no longer defined; {edit}; --force deletes it", forced=True,
                      details=_edited(made), **base)
    return Change(Kind.DASHBOARD, uid, title, Action.REFUSED, f"no longer defined, but {edit}", details=_edited(made),
                  hint=f"--force {uid} deletes it (after a backup)", **base)


def _edit(made: Provenance) -> str:
    return f"changed in Grafana {made.editor()} after dashgen pushed it"


def _edited(made: Provenance) -> tuple[str, ...]:
    return ("what the edit changed (as dashgen pushed it → as it is now):", *made.changes)


def _updating(live: dict, desired: DesiredDashboard) -> tuple[str, ...]:
    """What an update changes on the screen, each setting from its value in Grafana to the build's."""
    return ("what the update changes (in Grafana → in the build):",
            *dashboard_lines(diff_dashboards(shown(live), shown(desired.model))))


def _not_known(made: Provenance) -> str:
    """Why dashgen cannot tell that it wrote what Grafana holds."""
    if made.maker is Maker.UNKNOWN:
        return "its history is not readable with this token, so a hand edit cannot be ruled out"
    if made.maker is Maker.OUT_OF_REACH:
        return (f"none of the {made.kept} versions Grafana still keeps was pushed by dashgen (it deletes older "
                "ones), so a hand edit cannot be ruled out")
    if made.maker is Maker.NOT_DASHGENS:
        return (f"dashgen never pushed it: it carried the {OWNERSHIP_TAG!r} tag when it was made in Grafana "
                "(an import or a copy of a dashgen dashboard?)")
    return f"dashgen never pushed it (tagged {OWNERSHIP_TAG!r} in Grafana {made.editor()})"


def _url(grafana: Grafana, found: dict) -> str:
    return grafana.url + found.get("meta", {}).get("url", "")


def _folder(folder: DesiredFolder, live: dict | None, force: bool) -> Change:
    """A folder's title is all dashgen sets, and its uid comes from the title: a live title that
    differs was changed in Grafana, or in code in a way the uid does not show (case, spaces,
    punctuation). Either way the title is only changed with --force."""
    uid, title = folder.uid, folder.title
    if live is None:
        return Change(Kind.FOLDER, uid, title, Action.CREATE, desired=folder)
    if live.get("title") == title:
        return Change(Kind.FOLDER, uid, title, Action.UNCHANGED, live=live)
    base = dict(desired=folder, live=live, version=live.get("version"))
    edit = (f"titled {live.get('title')!r} in Grafana, not {title!r} as in the code (renamed in Grafana, or in "
            f"the code; last changed by {live.get('updatedBy') or 'someone'} at {live.get('updated') or 'an unknown time'})")
    if force:
        return Change(Kind.FOLDER, uid, title, Action.UPDATE, f"{edit}; --force renames it", forced=True, **base)
    return Change(Kind.FOLDER, uid, title, Action.REFUSED, f"{edit}; --force {uid} renames it", **base)


def _datasource(ds: DesiredDatasource, live: dict | None, force: bool) -> Change:
    """Like a dashboard's version message, the mark in jsonData says what push last wrote: settings
    that no longer match it were changed in Grafana, and are kept unless --force."""
    if live is None:
        return Change(Kind.DATASOURCE, ds.uid, ds.name, Action.CREATE, desired=ds)
    live_settings, code_settings = datasource_settings(live), datasource_settings(ds.body)
    changes = [valued(path, a, b) for path, a, b in differences(live_settings, code_settings)]
    missing_secrets = sorted(set(ds.body.get("secureJsonData", {})) - set(live.get("secureJsonFields") or {}))
    changes += [f"secret {key}: not set in Grafana" for key in missing_secrets]
    mark = (live.get("jsonData") or {}).get(DATASOURCE_MARK)
    base = dict(desired=ds, live=live, version=live.get("version"))
    if not changes:
        if mark == ds.fingerprint or live.get("readOnly"):
            return Change(Kind.DATASOURCE, ds.uid, ds.name, Action.UNCHANGED, live=live)
        return Change(Kind.DATASOURCE, ds.uid, ds.name, Action.UPDATE, "already as defined; records that dashgen set it", **base)
    details = ("what an update changes (as it is in Grafana → as the code says):", *changes)
    if live.get("readOnly"):
        return Change(Kind.DATASOURCE, ds.uid, ds.name, Action.REFUSED, "differs from the code, but is provisioned read-only in "
                      "Grafana; change its provisioning file", desired=ds, live=live, details=details)
    if mark == datasource_fingerprint(live):
        why = "the definition changed" if len(changes) > len(missing_secrets) else "a secret is not set in Grafana"
        return Change(Kind.DATASOURCE, ds.uid, ds.name, Action.UPDATE, why, details=details, **base)
    edit = ("carries no record of a dashgen push (made in Grafana, or pushed by an older dashgen)" if mark is None
            else f"changed in Grafana (version {live.get('version')}) after dashgen pushed it")
    if force:
        return Change(Kind.DATASOURCE, ds.uid, ds.name, Action.UPDATE, f"{edit}; --force overwrites it", forced=True,
                      details=details, **base)
    return Change(Kind.DATASOURCE, ds.uid, ds.name, Action.REFUSED, edit, details=details,
                  hint=f"--force {ds.uid} overwrites it (after a backup)", **base)


def _as_pushed(grafana: Grafana, desired: DesiredDashboard, live: Live) -> Change | None:
    """An "unchanged" change when the version metadata shows the dashboard is still what dashgen pushed
    for this definition, in its folder; None when that takes reading it."""
    hit = live.managed.get(desired.uid)
    latest = live.latest.get(desired.uid) if hit is not None else None
    if latest and latest.get("message") == push_message(desired.fingerprint, desired.folder_uid) \
            and hit.get("folderUid", "") == desired.folder_uid:
        return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.UNCHANGED, url=grafana.url + hit.get("url", ""))
    return None


def _dashboard(grafana: Grafana, desired: DesiredDashboard, live: Live, force: bool) -> Change:
    """The change for a dashboard _as_pushed could not settle: new, changed, or edited by hand."""
    found = grafana.get_dashboard(desired.uid)
    if found is None:
        return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.CREATE, desired=desired)
    model, meta = found["dashboard"], found.get("meta", {})
    base = dict(desired=desired, live=model, version=meta.get("version", model.get("version")), url=_url(grafana, found))
    if OWNERSHIP_TAG not in (model.get("tags") or []):
        return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.REFUSED,
                      f"exists in Grafana without the {OWNERSHIP_TAG!r} tag, so dashgen does not own it; tag it "
                      f"{OWNERSHIP_TAG!r} in Grafana to hand it over, or delete it", **base)
    live_folder = (meta.get("folderUid", ""), meta.get("folderTitle", ""))
    if same_thing(model, desired.model) and live_folder[0] == desired.folder_uid:
        return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.UNCHANGED, **base)
    made = provenance(grafana, desired.uid, model, live_folder, desired.folder_uid)
    if made.maker is Maker.DASHGEN:
        since = f"; saved since in Grafana {made.editor()}, which changed nothing it shows" if made.saved_since else ""
        return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.UPDATE, f"the definition changed{since}",
                      details=_updating(model, desired), **base)
    if made.maker is Maker.HANDED_OVER:
        return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.UPDATE, f"made in Grafana and tagged {OWNERSHIP_TAG!r} "
                      f"{made.editor()}: taken over (the version it replaces is backed up)", forced=True, **base)
    edit = _edit(made) if made.maker is Maker.EDITED else _not_known(made)
    details = _edited(made) if made.maker is Maker.EDITED else ()
    if force:
        return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.UPDATE, f"{edit}; --force overwrites it", forced=True,
                      details=details, **base)
    return Change(Kind.DASHBOARD, desired.uid, desired.title, Action.REFUSED, edit, details=details,
                  hint=f"--force {desired.uid} overwrites it (after a backup)", **base)
