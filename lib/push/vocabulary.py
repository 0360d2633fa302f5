"""The words of a plan, of its outcome and of a diff between commits, and how each is shown: one
place for push, `diff --env` and `diff --against`. String enums, so that JSON output and the
messages read as before ("create", "not applied")."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    FOLDER = "folder"
    DATASOURCE = "datasource"
    DASHBOARD = "dashboard"
    FILE = "file"  # a provisioning file, between two commits (`dashgen diff --against`)
    RULE_FILE = "rule file"  # a Prometheus rule file, between two commits, diffed rule by rule


class Action(enum.StrEnum):
    """What the plan does with one folder, datasource or dashboard."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    ORPHANED = "orphaned"


WRITES = (Action.CREATE, Action.UPDATE, Action.DELETE)


class Result(enum.StrEnum):
    """What became of one change when the plan was carried out."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    ORPHANED = "orphaned"
    FAILED = "failed"
    NOT_APPLIED = "not applied"


# The result of a change carried out as planned.
DONE = {Action.CREATE: Result.CREATED, Action.UPDATE: Result.UPDATED, Action.DELETE: Result.DELETED,
        Action.UNCHANGED: Result.UNCHANGED, Action.REFUSED: Result.REFUSED, Action.ORPHANED: Result.ORPHANED}


class Between(enum.StrEnum):
    """What happened to a dashboard or file between two commits (`dashgen diff --against`)."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


# Keyed by word: a word an action and its result share ("unchanged", "refused", "orphaned") is one key.
SYMBOLS = {
    Action.CREATE: "+", Result.CREATED: "+", Action.UPDATE: "~", Result.UPDATED: "~", Action.DELETE: "-",
    Result.DELETED: "-", Action.UNCHANGED: "=", Action.REFUSED: "!", Action.ORPHANED: "?", Result.FAILED: "x",
    Result.NOT_APPLIED: ".", Between.ADDED: "+", Between.CHANGED: "~", Between.REMOVED: "-",
}

# The order of a summary line's counts ("1 created, 3 unchanged, 1 refused").
COUNTED = [Result.CREATED, Action.CREATE, Result.UPDATED, Action.UPDATE, Result.DELETED, Action.DELETE,
           Action.UNCHANGED, Action.REFUSED, Action.ORPHANED, Result.FAILED, Result.NOT_APPLIED]
