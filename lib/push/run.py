"""The steps push and diff share: from an environment's name to its plan."""

from __future__ import annotations

from dashgen.environments import Environment, environment
from dashgen.grafana import Grafana, GrafanaError
from dashgen.push.desired import desired_state
from dashgen.push.plan import Plan, make_plan
from dashgen.push.target import connect, explained


def plan_for(project, env_name: str, prune: bool = False, force: bool = False,
             debug: bool = False) -> tuple[Environment, Grafana, Plan]:
    """Builds, connects and plans; a refused credential comes back with what to do about it."""
    env = environment(project, env_name)
    desired = desired_state(project, env, debug=debug)
    grafana = connect(env)
    try:
        return env, grafana, make_plan(grafana, desired, prune=prune, force=force)
    except GrafanaError as exc:
        raise explained(exc, env) from None
