"""What people and scripts read about a plan and its outcome: text (a line per change, then a
summary with links) and JSON (stable, documented in the README)."""

from __future__ import annotations

import orjson

from dashgen.grafana import transient

from dashgen.push.apply import Outcome
from dashgen.push.plan import Plan
from dashgen.push.vocabulary import COUNTED, DONE, SYMBOLS, Action, Result


MAX_DETAILS = 12  # lines of what a hand edit changed, under its change; the JSON has them all


def plan_text(plan: Plan, dry_run: bool = False) -> str:
    lines = [f"plan for {plan.grafana_url}:"]
    for c in plan.changes:
        if c.action == Action.UNCHANGED:
            continue
        reason = f" ({c.reason})" if c.reason else ""
        lines.append(f"  {SYMBOLS[c.action]} {c.action:<9} {c.kind:<10} {c.uid}{reason}")
        lines.extend(_details(c.details) + ([f"      {c.hint}"] if c.hint else []))
    counts = _counts(c.action for c in plan.changes)
    writes = len(plan.writes)
    lines.append(f"{counts}; {writes} write{'' if writes == 1 else 's'}")
    if dry_run:
        lines.append("dry run: nothing was sent to Grafana")
    return "\n".join(lines) + "\n"


def _details(details: tuple[str, ...]) -> list[str]:
    """The heading and up to MAX_DETAILS lines under it, indented under their change."""
    lines = [f"      {details[0]}"] + [f"        {line}" for line in details[1:MAX_DETAILS + 1]] if details else []
    if len(details) > MAX_DETAILS + 1:
        lines.append(f"        ... {len(details) - MAX_DETAILS - 1} more (--format json lists them all)")
    return lines


def outcome_text(outcomes: list[Outcome], error) -> str:
    lines = []
    for o in outcomes:
        if o.result == Result.UNCHANGED:
            continue
        detail = f" ({o.detail})" if o.detail else ""
        link = f" {o.url}" if o.url else ""
        lines.append(f"  {SYMBOLS[o.result]} {o.result:<11} {o.change.kind:<10} {o.change.uid}{link}{detail}")
        if o.backup:
            lines.append(f"      backup of the version it replaced: {o.backup}")
    if error is not None:
        hint = "run push again to finish once Grafana answers" if transient(error) else "fix this, then run push again"
        lines.append(f"stopped: {error}; {hint}")
    lines.append(_counts(o.result for o in outcomes))
    return "\n".join(lines) + "\n"


def _counts(results) -> str:
    tally: dict[str, int] = {}
    for result in results:
        tally[result] = tally.get(result, 0) + 1
    return ", ".join(f"{tally[k]} {k}" for k in COUNTED if k in tally) or "nothing to do"


def as_json(plan: Plan, outcomes: list[Outcome] | None, error) -> str:
    rows = outcomes or [Outcome(c, DONE[c.action], c.reason, c.url) for c in plan.changes]
    document = {
        "grafana": plan.grafana_url,
        "changes": [
            {"kind": o.change.kind, "uid": o.change.uid, "title": o.change.title, "planned": o.change.action,
             "result": o.result if outcomes is not None else None, "reason": o.detail, "url": o.url or None,
             "backup": o.backup or None, "details": list(o.change.details), "hint": o.change.hint or None}
            for o in rows
        ],
        "error": str(error) if error else None,
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
