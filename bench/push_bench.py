"""How fast `dashgen push` is against a Grafana that answers in 20 ms (the test suite's emulator):
the first push of 500 dashboards and this repository's three datasources, then a push with nothing
to do, beside the time it takes just to fetch every dashboard one after the other.

Target: the no-op push sends no write and takes at most a fifth of the one-by-one fetch.

Two pairs are compared, each like for like:
- as a user runs them: `dashgen push` as a fresh process, against a fresh process that fetches every
  dashboard (both pay the interpreter's start-up and their imports);
- in one warm process: push run through the CLI entry point after an earlier push, against a loop of
  GETs on a client that is already connected.
The no-op push is timed as it usually runs, after a build of the same sources (the compile cache
serves the definitions), and compiling them all (`--no-cache`, as on a machine that never built).
Each run also shows the CPU time of the client and of the emulator. The no-op push needs one request
per dashboard it owns (to see hand edits), as the one-by-one fetch does, and its client CPU time is
that, plus start-up, imports, the cache and the plan. The "ceiling" line divides the one-by-one time
by the no-op's client CPU time: however well it overlaps waiting, one process cannot do better on
this machine without spending less CPU.

    python bench/push_bench.py [--dashboards 500] [--delay 0.02] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
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
# lock with the client would make both look slower. It answers "reset" and "stats" on stdin, the
# stats with the CPU time it has used (all its threads), so a run shows what Grafana's side cost.
SERVER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from emulator import GrafanaEmulator
with GrafanaEmulator(delay_s=float(sys.argv[2])) as grafana:
    print(grafana.url, flush=True)
    for line in sys.stdin:
        if line.strip() == "reset":
            grafana.reset_journal()
        print(json.dumps({"requests": len(grafana.journal), "writes": len(grafana.writes()),
                          "cpu": time.process_time()}), flush=True)
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


# Fetches every dashboard one after the other, as a fresh process: argv is the URL and the count.
SERIAL_FETCH = """
import sys, time
from dashgen.grafana import Credential, Grafana
import os
client = Grafana(sys.argv[1], Credential(token=os.environ["BENCH_GRAFANA_TOKEN"]))
for n in range(1, int(sys.argv[2]) + 1):
    client.get_dashboard(f"bench-{n:04d}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=500)
    parser.add_argument("--panels", type=int, default=24)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds the emulator waits before each answer")
    parser.add_argument("--repeat", type=int, default=3, help="no-op pushes of each kind; the median is reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from dashgen.build import usable_cores
    from dashgen.cli.main import cli
    from dashgen.cli.report import run_reporting_errors
    from dashgen.grafana import Credential, Grafana

    grafana = Emulator(args.delay)
    with tempfile.TemporaryDirectory(prefix="dashgen-push-bench-") as tmp:
        project = Path(tmp) / "project"
        write_project(project, args.dashboards, args.panels)
        shutil.copytree(REPO / "datasources", project / "datasources", ignore=shutil.ignore_patterns("__pycache__"))
        with (project / "pyproject.toml").open("a") as f:
            f.write(f'\n[tool.dashgen.environments.bench]\nurl = "{grafana.url}"\ntoken_env = "BENCH_GRAFANA_TOKEN"\n'
                    "[tool.dashgen.environments.bench.datasources]\n"
                    'prometheus = { url = "http://prometheus:9090" }\nloki = { url = "http://loki:3100" }\n'
                    'tempo = { url = "http://tempo:3200" }\n')
        env = {**os.environ, "BENCH_GRAFANA_TOKEN": ADMIN_TOKEN}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run it: definitions' bytecode is cached
        os.environ["BENCH_GRAFANA_TOKEN"] = ADMIN_TOKEN
        command = [str(Path(sys.executable).parent / "dashgen"), "-C", str(project), "push", "--env", "bench",
                   "--format", "json"]

        def measured(run) -> dict:
            """Wall time, and the CPU time of the client (its child process, or this one) and of Grafana."""
            emulator_cpu = grafana.ask("reset")["cpu"]
            client_cpu = _cpu_seconds()
            start = time.perf_counter()
            code = run()
            seconds = time.perf_counter() - start
            stats = grafana.ask("stats")
            return {"seconds": seconds, "client_cpu": _cpu_seconds() - client_cpu,
                    "grafana_cpu": stats.pop("cpu") - emulator_cpu, **stats, "exit": code}

        def cli_push(*options: str) -> int:
            return subprocess.run([command[0], *options, *command[1:]], env=env, stdout=subprocess.DEVNULL).returncode

        def warm_push() -> int:
            with contextlib.redirect_stdout(io.StringIO()):
                return run_reporting_errors(cli, command[1:])

        first = measured(cli_push)
        noop = _median([measured(cli_push) for _ in range(args.repeat)])
        compiling = _median([measured(lambda: cli_push("--no-cache")) for _ in range(args.repeat)])
        warm_push()  # imports and connections warm
        warm = _median([measured(warm_push) for _ in range(args.repeat)])
        plan_seconds = _plan_only(project)
        serial_cli = measured(lambda: subprocess.run([sys.executable, "-c", SERIAL_FETCH, grafana.url,
                                                      str(args.dashboards)], env=env).returncode)
        client = Grafana(grafana.url, Credential(token=ADMIN_TOKEN))
        client.get_dashboard("bench-0001")
        serial = measured(lambda: [client.get_dashboard(f"bench-{n:04d}") for n in range(1, args.dashboards + 1)] and 0)
    grafana.close()

    ratio, warm_ratio = serial_cli["seconds"] / noop["seconds"], serial["seconds"] / warm["seconds"]
    compiling_ratio = serial_cli["seconds"] / compiling["seconds"]
    ok = all(r["exit"] == 0 for r in (first, noop, compiling, warm)) and noop["writes"] == compiling["writes"] == 0 \
        and warm["writes"] == 0
    print(f"dashgen push of {args.dashboards} dashboards ({args.panels} panels) and 3 datasources, "
          f"Grafana answering in {args.delay * 1000:g} ms, on {usable_cores()} cores")
    print("  as a user runs it (fresh processes)")
    _line("first push", first)
    _line(f"no-op push (median of {args.repeat})", noop)
    _line("no-op push, compiling all", compiling)
    _line("one-by-one GET", serial_cli)
    print(f"    one-by-one / no-op = {ratio:.1f}x; compiling all: {compiling_ratio:.1f}x")
    # A no-op push served by the cache is one process whose Python holds one core at a time (the GIL):
    # its CPU time roughly bounds its wall time, however well it overlaps waiting.
    print(f"    ceiling on this machine: one-by-one / no-op client CPU = {serial_cli['seconds'] / noop['client_cpu']:.1f}x")
    print("  in one warm process")
    _line(f"no-op push (median of {args.repeat})", warm)
    print(f"    {'no-op plan only':30} {plan_seconds:6.2f} s  (the Grafana part, the definitions already compiled)")
    _line("one-by-one GET", serial)
    print(f"    one-by-one / no-op = {warm_ratio:.1f}x")
    verdict = "ok" if ok and min(ratio, warm_ratio) >= 5 else "MISSED"
    print(f"  target: no writes and >= 5x in both: {verdict}")
    if args.json:
        print(json.dumps({"first": first, "noop": noop, "noop_compiling": compiling, "serial": serial_cli,
                          "ratio": ratio, "compiling_ratio": compiling_ratio, "warm_noop": warm,
                          "warm_serial": serial, "warm_ratio": warm_ratio, "noop_plan_seconds": plan_seconds,
                          "ceiling": serial_cli["seconds"] / noop["client_cpu"]},
                         indent=2))


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _line(label: str, run: dict) -> None:
    print(f"    {label:30} {run['seconds']:6.2f} s  {run['requests']:5} requests, {run['writes']:3} writes;"
          f" CPU: client {run['client_cpu']:5.2f} s, Grafana {run['grafana_cpu']:5.2f} s")


def _cpu_seconds() -> float:
    """User and system time of this process and of the children it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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
