"""Who made what a live dashboard shows: dashgen, someone in Grafana after dashgen pushed it, or
someone who never let dashgen push it. Read from the dashboard's version history.

Every save dashgen makes carries `dashgen push <fingerprint> (folder <uid>)` as its version message:
what it pushed, and where. Grafana's version list shows most messages as sent, but rewrites the
first version's to "Initial save" and a restore's to "Restored from version N"
(grafana-contract.md §3.5); one version read alone shows its message as sent, with the JSON it
saved. So the list is walked from the newest version to the newest one dashgen saved, reading a
first version alone when its listed message is not dashgen's. Saves made since then count as an
edit only when they changed what the dashboard shows (`dashgen.shown`) or where it is: opening a
dashboard and pressing Save changes its JSON, not its screen (§3.6).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from dashgen.grafana import Grafana, GrafanaError
from dashgen.diff_lines import dashboard_lines, valued
from dashgen.panel_diff import diff_dashboards
from dashgen.push.desired import OWNERSHIP_TAG
from dashgen.shown import shown

HISTORY_LIMIT = 100  # versions read back; Grafana keeps 20 by default ([dashboards] versions_to_keep)
_MESSAGE = re.compile(r"dashgen push (?P<fingerprint>[0-9a-f]+)(?: \((?:folder (?P<folder>[\w-]+)|(?P<root>root folder))\))?")


def push_message(fingerprint: str, folder_uid: str) -> str:
    """The version message of a save by dashgen: what it pushed, and into which folder."""
    return f"dashgen push {fingerprint} ({f'folder {folder_uid}' if folder_uid else 'root folder'})"


def pushed_folder(message: object) -> str | None:
    """The folder a dashgen push message names ("" for the root); None where it names none (a
    message of an older dashgen) or is not dashgen's."""
    found = _MESSAGE.fullmatch(message) if isinstance(message, str) else None
    if found is None or not (found["folder"] or found["root"]):
        return None
    return found["folder"] or ""


def is_dashgens(message: object) -> bool:
    return isinstance(message, str) and _MESSAGE.fullmatch(message) is not None


class Maker(enum.Enum):
    DASHGEN = "dashgen"  # it shows what dashgen last pushed, where dashgen put it
    EDITED = "edited"  # someone changed what it shows, or moved it, after dashgen pushed it
    HANDED_OVER = "handed over"  # made in Grafana, tagged later: its owner gives it to dashgen
    NOT_DASHGENS = "not dashgen's"  # tagged since its creation (an import, a copy), never pushed by dashgen
    OUT_OF_REACH = "out of reach"  # no push by dashgen in the history Grafana still keeps
    UNKNOWN = "unknown"  # the history cannot be read with this token


@dataclass(frozen=True)
class Provenance:
    maker: Maker
    newest: dict  # the live version's history entry (createdBy, created, message); {} when unknown
    changes: tuple[str, ...] = ()  # EDITED: what the edit changed, as pushed -> as it is now
    saved_since: bool = False  # DASHGEN: saved in Grafana since, without a visible change
    kept: int = 0  # OUT_OF_REACH: how many versions Grafana still keeps

    def editor(self) -> str:
        """Who saved the live version, when, and with which message."""
        who = self.newest.get("createdBy") or "someone"
        when = self.newest.get("created") or "an unknown time"
        message = self.newest.get("message") or ""
        said = f", message {message!r}" if message else ", no message"
        return f"by {who} at {when} (version {self.newest.get('version', '?')}{said})"


def newest_version(grafana: Grafana, uid: str) -> dict | None:
    """The newest entry of the history, or None where the token may not read history (Grafana asks
    for dashboards:write: a read-only token running `dashgen diff`)."""
    try:
        versions = grafana.versions(uid, 1)
    except GrafanaError as exc:
        if exc.status == 403:
            return None
        raise
    return versions[0] if versions else None


def provenance(grafana: Grafana, uid: str, live: dict, live_folder: tuple[str, str], folder_uid: str) -> Provenance:
    """Who made `live` (the dashboard as Grafana serves it), which is in `live_folder` (uid, title),
    where the build puts it in `folder_uid`."""
    try:
        versions = grafana.versions(uid, HISTORY_LIMIT)
    except GrafanaError as exc:
        if exc.status == 403:
            return Provenance(Maker.UNKNOWN, {})
        raise
    if not versions:
        return Provenance(Maker.OUT_OF_REACH, {}, kept=0)
    newest = versions[0]
    pushed, data, first = _last_push(grafana, uid, versions)
    if pushed is None:
        if versions[-1].get("parentVersion") != 0:  # Grafana deleted the older versions
            return Provenance(Maker.OUT_OF_REACH, newest, kept=len(versions))
        tagged = OWNERSHIP_TAG in ((first or {}).get("tags") or [])
        return Provenance(Maker.NOT_DASHGENS if tagged else Maker.HANDED_OVER, newest)
    folder = pushed_folder((pushed if data is None else data).get("message"))
    # Where dashgen put it; an older dashgen's message does not say: then where the build puts it.
    moved = live_folder[0] != (folder_uid if folder is None else folder)
    if pushed is newest and (not moved or folder is None):  # an older dashgen's move: by the code, as far as it says
        return Provenance(Maker.DASHGEN, newest)
    before = shown(data["data"] if data is not None else grafana.version(uid, pushed["version"])["data"])
    now = shown(live)
    if before == now and not moved:
        return Provenance(Maker.DASHGEN, newest, saved_since=True)
    changes = dashboard_lines(diff_dashboards(before, now))
    if moved:
        was = folder if folder is not None else folder_uid or "root"
        changes.insert(0, valued("folder", was, live_folder[1]) + " (moved in Grafana)")
    return Provenance(Maker.EDITED, newest, tuple(changes or ["changed where dashgen cannot say (an order?)"]))


def _last_push(grafana: Grafana, uid: str, versions: list[dict]) -> tuple[dict | None, dict | None, dict | None]:
    """The newest version dashgen saved, that version read alone when it had to be read to find it,
    and the dashboard's first version's JSON when it was read (who tagged it)."""
    first = None
    for entry in versions:
        if is_dashgens(entry.get("message")):
            return entry, None, first
        if entry.get("parentVersion") == 0:  # a first version: its listed message is rewritten
            alone = grafana.version(uid, entry["version"])
            first = alone["data"]
            if is_dashgens(alone.get("message")):
                return entry, alone, first
    return None, None, first
