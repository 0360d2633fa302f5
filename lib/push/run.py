"""The steps push and diff share: from an environment's name to its plan."""

from __future__ import annotations

from dashgen.environments import Environment, environment
from dashgen.errors import InputError
from dashgen.grafana import Grafana, GrafanaError
from dashgen.push.desired import desired_state
from dashgen.push.plan import Force, Plan, make_plan
from dashgen.push.target import connect, explained


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
