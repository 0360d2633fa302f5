"""Who made what a live dashboard shows: dashgen, someone in Grafana after dashgen pushed it, or
someone who never let dashgen push it. Read from the dashboard's version history.

Every save dashgen makes carries `dashgen push <fingerprint>` as its version message. Grafana's
version list shows most messages as sent, but rewrites the first version's to "Initial save" and a
restore's to "Restored from version N" (grafana-contract.md §3.5); one version read alone shows its
message as sent, with the JSON it saved. So the list is walked from the newest version to the
newest one dashgen saved, reading alone only a first version the list rewrote. Saves made since
then count as an edit only when they changed what the dashboard shows (`dashgen.shown`): opening a
dashboard and pressing Save changes its JSON, not its screen (§3.6).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from dashgen.grafana import Grafana, GrafanaError
from dashgen.panel_diff import described, diff_dashboards
from dashgen.push.desired import MESSAGE_PREFIX
from dashgen.shown import shown

HISTORY_LIMIT = 100  # versions read back; Grafana keeps 20 by default ([dashboards] versions_to_keep)


class Maker(enum.Enum):
    DASHGEN = "dashgen"  # the live dashboard shows what dashgen last pushed
    EDITED = "edited"  # someone changed what it shows after dashgen pushed it
    NEVER_PUSHED = "never pushed"  # its whole history holds no push by dashgen
    UNKNOWN = "unknown"  # the history cannot be read with this token


@dataclass(frozen=True)
class Provenance:
    maker: Maker
    newest: dict = field(default_factory=dict)  # the live version's history entry (createdBy, created, message)
    changes: tuple[str, ...] = ()  # EDITED: what the edit changed, old -> new
    saved_since: bool = False  # DASHGEN: saved in Grafana since, without a visible change
    note: str = ""  # EDITED without a comparison: why it counts as an edit

    def editor(self) -> str:
        """Who saved the live version, when, and with which message, for a refusal."""
        who = self.newest.get("createdBy") or "someone"
        when = self.newest.get("created") or "an unknown time"
        message = self.newest.get("message") or ""
        said = f", message {message!r}" if message else ", no message"
        return f"by {who} at {when} (version {self.newest.get('version', '?')}{said})"


def is_dashgens(message: object) -> bool:
    return isinstance(message, str) and message.startswith(MESSAGE_PREFIX)


def provenance(grafana: Grafana, uid: str, live: dict, moved_to: str = "") -> Provenance:
    """Who made `live` (the dashboard as Grafana serves it). `moved_to` names the folder it is in
    when that is not the folder dashgen puts it in: moved by a save in Grafana, it is an edit too."""
    try:
        versions = grafana.versions(uid, HISTORY_LIMIT)
    except GrafanaError as exc:
        if exc.status == 403:  # history needs Editor: a Viewer token running `dashgen diff`
            return Provenance(Maker.UNKNOWN)
        raise
    if not versions:
        return Provenance(Maker.EDITED, note="Grafana holds no version history for it")
    newest = versions[0]
    pushed, data = _last_push(grafana, uid, versions)
    if pushed is None:
        if versions[-1].get("parentVersion") == 0:  # the history reaches back to the dashboard's creation
            return Provenance(Maker.NEVER_PUSHED, newest)
        return Provenance(Maker.EDITED, newest, note=f"no push by dashgen among its last {len(versions)} versions")
    if pushed is newest:  # nothing saved since; a folder that differs was changed in the code
        return Provenance(Maker.DASHGEN, newest)
    if data is None:
        data = grafana.version(uid, pushed["version"]).get("data")
    changes = described(diff_dashboards(shown(data), shown(live)))
    if moved_to:
        changes.insert(0, f"moved to folder {moved_to!r}")
    if not changes:
        return Provenance(Maker.DASHGEN, newest, saved_since=True)
    return Provenance(Maker.EDITED, newest, tuple(changes))


def _last_push(grafana: Grafana, uid: str, versions: list[dict]) -> tuple[dict | None, dict | None]:
    """The newest version dashgen saved, and its JSON when it had to be read to find it."""
    for entry in versions:
        if is_dashgens(entry.get("message")):
            return entry, None
        if entry.get("parentVersion") == 0 and not entry.get("restoredFrom"):  # a first version: rewritten
            alone = grafana.version(uid, entry["version"])
            if is_dashgens(alone.get("message")):
                return entry, alone.get("data")
    return None, None
