"""How fast `dashgen push` is against a Grafana that answers in 20 ms (the test suite's emulator):
the first push of 500 dashboards, then a push with nothing to do, beside the time it takes just to
fetch every dashboard one after the other.

Target: the no-op push sends no write and takes at most a fifth of the one-by-one fetch.

    python bench/push_bench.py [--dashboards 500] [--delay 0.02] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests"), str(REPO / "bench")]

from build_bench import write_project  # noqa: E402  (the synthetic dashboards of the build bench)
from emulator import ADMIN_TOKEN  # noqa: E402

# The emulator runs in a process of its own, as Grafana would: sharing this process' interpreter
# lock with the client would make both look slower. It answers "reset" and "stats" on stdin.
SERVER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from emulator import GrafanaEmulator
with GrafanaEmulator(delay_s=float(sys.argv[2])) as grafana:
    print(grafana.url, flush=True)
    for line in sys.stdin:
        if line.strip() == "reset":
            grafana.reset_journal()
        print(json.dumps({"requests": len(grafana.journal), "writes": len(grafana.writes())}), flush=True)
"""


class Emulator:
    def __init__(self, delay: float):
        self.process = subprocess.Popen([sys.executable, "-c", SERVER, str(REPO / "tests"), str(delay)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=500)
    parser.add_argument("--panels", type=int, default=24)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the emulator waits before each answer")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from dashgen.cli.main import cli
    from dashgen.cli.report import run_reporting_errors
    from dashgen.grafana import Credential, Grafana

    grafana = Emulator(args.delay)
    with tempfile.TemporaryDirectory(prefix="dashgen-push-bench-") as tmp:
        project = Path(tmp) / "project"
        write_project(project, args.dashboards, args.panels)
        with (project / "pyproject.toml").open("a") as f:
            f.write(f'\n[tool.dashgen.environments.bench]\nurl = "{grafana.url}"\ntoken_env = "BENCH_GRAFANA_TOKEN"\n')
        os.environ["BENCH_GRAFANA_TOKEN"] = ADMIN_TOKEN

        def push() -> dict:
            grafana.ask("reset")
            start = time.perf_counter()
            code = run_reporting_errors(cli, ["-C", str(project), "push", "--env", "bench", "--format", "json"])
            seconds = time.perf_counter() - start
            return {"seconds": seconds, **grafana.ask("stats"), "exit": code}

        with contextlib.redirect_stdout(io.StringIO()):
            first, noop = push(), push()
        plan_seconds = _plan_only(project)
        client = Grafana(grafana.url, Credential(token=ADMIN_TOKEN))
        uids = [f"bench-{n:04d}" for n in range(1, args.dashboards + 1)]
        start = time.perf_counter()
        for uid in uids:
            client.get_dashboard(uid)
        serial = time.perf_counter() - start
    grafana.close()

    ratio = serial / noop["seconds"]
    plan_ratio = serial / plan_seconds
    print(f"dashgen push of {args.dashboards} dashboards ({args.panels} panels), Grafana answering in {args.delay * 1000:g} ms")
    print(f"  first push      {first['seconds']:6.2f} s  {first['requests']:5} requests, {first['writes']} writes")
    print(f"  no-op push      {noop['seconds']:6.2f} s  {noop['requests']:5} requests, {noop['writes']} writes")
    print(f"  no-op plan only {plan_seconds:6.2f} s  (the Grafana part of the no-op push, without compiling)")
    print(f"  one-by-one GET  {serial:6.2f} s  {len(uids):5} requests")
    print(f"  one-by-one / no-op plan = {plan_ratio:.1f}x")
    print(f"  one-by-one / no-op = {ratio:.1f}x (target >= 5x, no writes: {'ok' if ratio >= 5 and noop['writes'] == 0 else 'MISSED'})")
    if args.json:
        print(json.dumps({"first": first, "noop": noop, "noop_plan_seconds": plan_seconds, "serial_fetch_seconds": serial,
                          "ratio": ratio, "plan_ratio": plan_ratio}, indent=2))


def _plan_only(project: Path) -> float:
    """Seconds to plan a no-op push once the definitions are compiled: the Grafana round trips."""
    from dashgen.environments import environment
    from dashgen.project import find_project
    from dashgen.push.desired import desired_state
    from dashgen.push.plan import make_plan
    from dashgen.push.target import connect

    found = find_project(project)
    env = environment(found, "bench")
    desired = desired_state(found, env)
    start = time.perf_counter()
    plan = make_plan(connect(env), desired)
    seconds = time.perf_counter() - start
    assert not plan.writes
    return seconds


if __name__ == "__main__":
    main()
