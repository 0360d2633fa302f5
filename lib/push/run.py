"""The steps push and diff share: from an environment's name to its plan."""

from __future__ import annotations

import threading

from dashgen.environments import Environment, environment
from dashgen.errors import InputError
from dashgen.grafana import Grafana, GrafanaError
from dashgen.push.desired import desired_state
from dashgen.push.plan import Force, Live, Plan, make_plan, read_live
from dashgen.push.target import connect, explained


def plan_for(project, env_name: str, prune: bool = False, force: Force = False,
             debug: bool = False) -> tuple[Environment, Grafana, Plan]:
    """Builds, connects and plans; a refused credential comes back with what to do about it, and a
    uid given to --force that names nothing dashgen pushes is bad input (a typo forces nothing).

    What Grafana holds is read while the project builds: the two take about as long on a large
    project, and a push with nothing to do is little else.
    """
    env = environment(project, env_name)
    try:
        grafana = connect(env)
    except InputError as exc:  # a missing token waits until the definitions are known to be sound
        desired_state(project, env, debug=debug)
        raise exc from None
    reading = _ReadAhead(grafana)
    try:
        desired = desired_state(project, env, debug=debug, alongside=reading)
    except BaseException:
        reading.stop.set()  # the build failed: what Grafana holds no longer matters
        raise
    try:
        plan = make_plan(grafana, desired, prune=prune, force=force, live=reading.result())
    except GrafanaError as exc:
        raise explained(exc, env) from None
    unknown = sorted(set() if isinstance(force, bool) else force - {c.uid for c in plan.changes})
    if unknown:
        raise InputError(None, f"--force {', '.join(unknown)}: no dashboard, folder or datasource of the build or of "
                               f"{grafana.url} has {'that uid' if len(unknown) == 1 else 'those uids'}")
    return env, grafana, plan


class _ReadAhead:
    """read_live, run by the build in a thread; its error waits until the build has succeeded (a
    broken definition is reported before an unreachable Grafana)."""

    def __init__(self, grafana: Grafana):
        self.grafana = grafana
        self.live: Live | None = None
        self.error: BaseException | None = None
        self.stop = threading.Event()  # set when the caller gives up: no new read starts

    def __call__(self) -> None:
        try:
            self.live = read_live(self.grafana, self.stop)
        except BaseException as exc:  # noqa: BLE001 - kept for result(): a bug here is reported as one there
            self.error = exc

    def result(self) -> Live | None:
        if self.error is not None:
            raise self.error
        return self.live
