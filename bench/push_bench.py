"""What `dashgen push` costs against a Grafana that answers in 20 ms (the test suite's emulator, in
a process of its own): the first push of 500 dashboards and this repository's three datasources, then
a push with nothing to do, each as a user runs it (a fresh process), with wall time, the CPU time of
the client and of Grafana, and the requests by kind.

Target: the no-op push sends no write and fetches no dashboard whole (neither the dashboard nor one
of its versions): it reads version metadata only, one small request per dashboard.

    python bench/push_bench.py [--dashboards 500] [--delay 0.02] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
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
import json, re, sys, time
sys.path.insert(0, sys.argv[1])
from emulator import GrafanaEmulator
KINDS = [("search", r"/api/search"), ("version list", r"/api/dashboards/uid/[^/]+/versions"),
         ("one version, whole", r"/api/dashboards/uid/[^/]+/versions/[^/]+"),
         ("dashboard, whole", r"/api/dashboards/uid/[^/]+"), ("dashboard save", r"/api/dashboards/db"),
         ("folder", r"/api/folders(/[^/]+)?"), ("datasource", r"/api/datasources(/uid/[^/]+)?")]
def kind(entry):
    name = next((k for k, pattern in KINDS if re.fullmatch(pattern, entry.path)), entry.path)
    return f"{entry.method} {name}" + (" (404: not there yet)" if entry.status == 404 else "")
with GrafanaEmulator(delay_s=float(sys.argv[2])) as grafana:
    print(grafana.url, flush=True)
    for line in sys.stdin:
        if line.strip() == "reset":
            grafana.reset_journal()
        kinds = {}
        for entry in grafana.journal:
            kinds[kind(entry)] = kinds.get(kind(entry), 0) + 1
        print(json.dumps({"requests": len(grafana.journal), "writes": len(grafana.writes()), "kinds": kinds,
                          "cpu": time.process_time()}), flush=True)
"""
WHOLE = ("GET dashboard, whole", "GET one version, whole")  # a 404 is counted apart: nothing came back


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
    parser.add_argument("--repeat", type=int, default=3, help="no-op pushes of each kind; the median is reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

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
        command = [str(Path(sys.executable).parent / "dashgen"), "-C", str(project), "push", "--env", "bench",
                   "--format", "json"]

        def measured() -> dict:
            """Wall time, the CPU time of the client (a child process) and of Grafana, the requests."""
            emulator_cpu = grafana.ask("reset")["cpu"]
            client_cpu = _cpu_seconds()
            start = time.perf_counter()
            code = subprocess.run(command, env=env, stdout=subprocess.DEVNULL).returncode
            seconds = time.perf_counter() - start
            stats = grafana.ask("stats")
            return {"seconds": seconds, "client_cpu": _cpu_seconds() - client_cpu,
                    "grafana_cpu": stats.pop("cpu") - emulator_cpu, **stats, "exit": code}

        first = measured()
        noop = _median([measured() for _ in range(args.repeat)])
    grafana.close()

    whole = sum(noop["kinds"].get(k, 0) for k in WHOLE)
    ok = first["exit"] == noop["exit"] == 0 and noop["writes"] == 0 and whole == 0
    print(f"dashgen push of {args.dashboards} dashboards ({args.panels} panels) and 3 datasources, "
          f"Grafana answering in {args.delay * 1000:g} ms, on {len(os.sched_getaffinity(0))} cores, as fresh processes")
    _report("first push", first)
    _report(f"no-op push (median of {args.repeat})", noop)
    print(f"  target: the no-op push writes nothing and fetches no dashboard whole: {'ok' if ok else 'MISSED'}")
    if args.json:
        print(json.dumps({"first": first, "noop": noop}, indent=2))


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def _report(label: str, run: dict) -> None:
    print(f"  {label}: {run['seconds']:.2f} s wall; CPU: client {run['client_cpu']:.2f} s, Grafana "
          f"{run['grafana_cpu']:.2f} s; {run['requests']} requests, {run['writes']} writes (exit {run['exit']})")
    for kind, count in sorted(run["kinds"].items(), key=lambda item: -item[1]):
        print(f"    {count:6}  {kind}")


def _cpu_seconds() -> float:
    """User and system time of this process and of the children it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
