"""`dashgen push` as a library call: from an environment's name to its plan (shared with `diff --env`),
and from the plan to what was done, with the exit code that follows from it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dashgen.environments import Environment, environment
from dashgen.errors import InputError
from dashgen.grafana import Grafana, GrafanaError
from dashgen.push.apply import Outcome, apply
from dashgen.push.desired import desired_state
from dashgen.push.plan import Force, Plan, make_plan
from dashgen.push.target import connect, explained
from dashgen.push.vocabulary import Action, Result


@dataclass(frozen=True)
class Pushed:
    """What a push did: its plan, and the outcome of each write (None: nothing was sent, a dry run or
    a plan without writes); `error` is the Grafana failure that stopped it part-way."""

    env: Environment
    plan: Plan
    outcomes: list[Outcome] | None = None
    error: GrafanaError | None = None

    @property
    def exit_code(self) -> int:
        """0 all done; 1 something refused (a hand edit left alone); Grafana's failure's code (3)."""
        if self.error is not None:
            return self.error.exit_code
        if self.outcomes is None:
            return 1 if self.plan.of(Action.REFUSED) else 0
        return 1 if any(o.result == Result.REFUSED for o in self.outcomes) else 0


def _no_progress(total: int):
    return contextlib.nullcontext(lambda outcome: None)


def push(project, env_name: str, dry_run: bool = False, prune: bool = False, force: Force = False,
         backup_dir: Path | None = None, show_plan: Callable[[Plan], None] = lambda plan: None,
         progress: Callable = _no_progress, debug: bool = False) -> Pushed:
    """Plans, then (unless a dry run) applies. `show_plan` sees the plan before the first write;
    `progress(total)` is a context yielding a function called with each outcome. What --force
    replaces is saved under `backup_dir` (default .dashgen/backups/<env> in the project)."""
    env, grafana, plan = plan_for(project, env_name, prune=prune, force=force, debug=debug)
    if dry_run or not plan.writes:
        return Pushed(env, plan)
    show_plan(plan)
    with progress(len(plan.writes)) as tick:
        outcomes, error = apply(grafana, plan, backup_dir or project.root / ".dashgen" / "backups" / env.name,
                                progress=tick)
    return Pushed(env, plan, outcomes, explained(error, env) if error is not None else None)


def plan_for(project, env_name: str, prune: bool = False, force: Force = False,
             debug: bool = False) -> tuple[Environment, Grafana, Plan]:
    """Builds, connects and plans; a refused credential comes back with what to do about it, and a
    uid given to --force that names nothing dashgen pushes is bad input (a typo forces nothing).
    The build comes first: a broken definition is reported before anything is asked of Grafana."""
    env = environment(project, env_name)
    desired = desired_state(project, env, debug=debug)
    grafana = connect(env)
    try:
        plan = make_plan(grafana, desired, prune=prune, force=force)
    except GrafanaError as exc:
        raise explained(exc, env) from None
    unknown = sorted(set() if isinstance(force, bool) else force - {c.uid for c in plan.changes})
    if unknown:
        raise InputError(None, f"--force {', '.join(unknown)}: no dashboard, folder or datasource of the build or of "
                               f"{grafana.url} has {'that uid' if len(unknown) == 1 else 'those uids'}")
    return env, grafana, plan
