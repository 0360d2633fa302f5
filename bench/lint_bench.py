"""How fast `dashgen lint` checks the corpus of real dashboards (~3,200 PromQL, ~50 LogQL queries).

The wall time is a fresh `dashgen lint <corpus> --format json` process, start-up included, the way
CI runs it, beside its CPU time (user + system: on a shared machine the wall time also holds other
work's); the per-query cost is measured in-process without start-up. Target: at most 1.0 s wall on
the 2-core machines here.

    python bench/lint_bench.py [--corpus ../shared/corpus] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(os.environ.get("DASHGEN_CORPUS", REPO.parent / "shared" / "corpus")))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    dashboards = args.corpus / "dashboards"
    if not dashboards.is_dir():
        parser.error(f"no corpus at {args.corpus}")
    command = [str(BIN / "dashgen"), "lint", str(dashboards), "--format", "json"]
    # Warm the bytecode cache, even where PYTHONDONTWRITEBYTECODE is set (it only stops writing):
    # otherwise every run recompiles the modules changed since the cache was last written.
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(command, capture_output=True, env=warm)
    walls, cpus, summary = [], [], {}
    for _ in range(args.repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        summary = json.loads(done.stdout)["summary"]
    in_process = _in_process(dashboards)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    figures = {
        "wall_seconds": wall, "cpu_seconds": cpu, "queries": summary["queries"], "dashboards": summary["dashboards"],
        "per_query_ms": in_process["seconds"] / summary["queries"] * 1000, "in_process_seconds": in_process["seconds"],
        "problems": summary["errors"] + summary["warnings"] + summary["infos"],
    }
    print(f"dashgen lint on {summary['dashboards']} dashboards, {summary['queries']} queries "
          f"(median of {args.repeat}, Python {sys.version.split()[0]})")
    print(f"  wall, start-up included   {wall:6.2f} s   (target <= 1.0 s: {'ok' if wall <= 1.0 else 'MISSED'})")
    print(f"  CPU, start-up included    {cpu:6.2f} s")
    print(f"  in-process, all queries   {in_process['seconds']:6.2f} s")
    print(f"  per query                 {figures['per_query_ms']:6.3f} ms")
    if args.json:
        print(json.dumps(figures, indent=2))


def _in_process(dashboards: Path) -> dict:
    from dashgen.lint.config import LintConfig
    from dashgen.lint.engine import lint
    from dashgen.lint.inputs import dashboards_from_paths

    loaded, _, _ = dashboards_from_paths([dashboards])
    lint(loaded, LintConfig())  # warm imports
    loaded, _, _ = dashboards_from_paths([dashboards])
    start = time.perf_counter()
    lint(loaded, LintConfig())
    return {"seconds": time.perf_counter() - start}


if __name__ == "__main__":
    main()
