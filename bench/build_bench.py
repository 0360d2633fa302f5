"""How fast `dashgen` starts and builds, against `import grafanalib.core` and grafanalib's own generator.

Every figure is a fresh subprocess, the way a developer or CI runs the tools. Each child runs under a
small wrapper that times it and reports its peak memory, so neither includes the wrapper's start-up.
Children share a bytecode cache in the temporary folder (PYTHONPYCACHEPREFIX), warmed by one untimed
run of each command: dashgen then starts as from a wheel (an editable install under PYTHONDONTWRITEBYTECODE
would recompile its sources on every start), both tools read the same compiled definitions, and nothing
is written into the repository. Each figure is wall time and CPU time (user + system of the child and
anything it starts): on a machine of few, shared cores, parallel work would hide its cost in wall time.
The memory column is the largest single process.

    python bench/build_bench.py [--dashboards 1000] [--panels 24] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv whose dashgen and generate-dashboards are measured
ARGV_BUDGET = 100_000  # characters of file names per generate-dashboards call, well under ARG_MAX

# Runs the commands read from stdin one after another; prints their wall time and the peak RSS (KiB).
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
for cmd in json.load(sys.stdin):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(done.returncode)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]))
"""

PANEL = '''        {kind}(
            title="{title}",
            description="{title} of svc-{n:04d}, per instance.",
            dataSource=PROMETHEUS,
            targets=[
                Target(expr='{expr}', legendFormat="{{{{instance}}}}", refId="A"),
            ],
{extra}            gridPos=GridPos(h={h}, w={w}, x={x}, y={y}),
        ),
'''
# (title, PromQL, unit, red from) of the panels, cycled; `{s}` is the dashboard's label selector.
QUERIES = [
    ("Request rate", "sum by (instance) (rate(http_requests_total{{{s}}}[$__rate_interval]))", "reqps", 1000),
    ("Error ratio", 'sum by (instance) (rate(http_requests_total{{{s}, code=~"5.."}}[$__rate_interval]))'
                    " / sum by (instance) (rate(http_requests_total{{{s}}}[$__rate_interval]))", "percentunit", 0.01),
    ("p99 latency", "histogram_quantile(0.99, sum by (instance, le) "
                    "(rate(http_request_duration_seconds_bucket{{{s}}}[$__rate_interval])))", "s", 0.5),
    ("CPU", "sum by (instance) (rate(process_cpu_seconds_total{{{s}}}[$__rate_interval]))", "percentunit", 0.9),
    ("Memory", "max by (instance) (process_resident_memory_bytes{{{s}}})", "bytes", 2_000_000_000),
]
# One screen band: a row, two stats side by side, two time series, one full-width time series.
BAND = [("RowPanel", 24, 1), ("Stat", 12, 4), ("Stat", 12, 4), ("TimeSeries", 12, 8), ("TimeSeries", 12, 8),
        ("TimeSeries", 24, 8)]


def synthetic_dashboard(n: int, panels: int) -> str:
    """A plain-grafanalib definition that both tools can load: variables, rows, stats and time series."""
    selector = f'job=~"$job", service="svc-{n:04d}"'
    body, x, y, line = [], 0, 0, 0  # `line`: height of the panels on the current screen line
    for i in range(panels):
        kind, w, h = BAND[i % len(BAND)]
        if x + w > 24 or kind == "RowPanel":
            x, y, line = 0, y + line, 0
        if kind == "RowPanel":
            body.append(f'        RowPanel(title="Band {i // len(BAND) + 1}", gridPos=GridPos(h=1, w=24, x=0, y={y})),\n')
        else:
            title, expr, unit, red = QUERIES[i % len(QUERIES)]
            extra = (f'            unit="{unit}",\n' if kind == "TimeSeries" else f'            format="{unit}",\n'
                     f'            thresholds=[{{"color": "green", "value": None}}, {{"color": "red", "value": {red}}}],\n')
            body.append(PANEL.format(kind=kind, title=f"{title} {i}", n=n, expr=expr.format(s=selector),
                                     extra=extra, h=h, w=w, x=x, y=y))
        x, line = x + w, max(line, h)
    return f'''"""Synthetic service dashboard {n:04d}, written by bench/build_bench.py."""

from grafanalib.core import Dashboard, GridPos, RowPanel, Stat, Target, Template, Templating, Time, TimeSeries

PROMETHEUS = {{"type": "prometheus", "uid": "${{datasource}}"}}

dashboard = Dashboard(
    title="Bench service {n:04d}",
    uid="bench-{n:04d}",
    tags=["bench", "service"],
    timezone="browser",
    time=Time("now-6h", "now"),
    templating=Templating(list=[
        Template(name="datasource", label="Data source", type="datasource", query="prometheus"),
        Template(name="job", label="Job", query="label_values(up, job)", dataSource=PROMETHEUS,
                 multi=True, includeAll=True),
    ]),
    panels=[
{"".join(body)}    ],
)
'''


def write_project(root: Path, count: int, panels: int) -> list[str]:
    """A dashgen project of `count` synthetic dashboards; returns their file names."""
    (root / "dashboards").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.dashgen]\ndefault_folder = "Bench"\n')
    names = [f"bench-{n:04d}.dashboard.py" for n in range(1, count + 1)]
    for n, name in enumerate(names, 1):
        (root / "dashboards" / name).write_text(synthetic_dashboard(n, panels))
    return names


def chunks(names: list[str]) -> list[list[str]]:
    """The file names split so that no command line outgrows ARGV_BUDGET."""
    out, size = [[]], 0
    for name in names:
        if size + len(name) > ARGV_BUDGET:
            out, size = [*out, []], 0
        out[-1].append(name)
        size += len(name) + 1
    return out


class Bench:
    def __init__(self, tmp: Path, repeat: int):
        self.tmp, self.repeat, self.runs = tmp, repeat, 0
        self.env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                    "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def once(self, commands: list[list[str]], cwd: Path = REPO) -> tuple[float, float, int]:
        try:
            done = subprocess.run([sys.executable, "-c", WRAPPER], input=json.dumps(commands), cwd=cwd,
                                  env=self.env, capture_output=True, text=True, check=True)
        except subprocess.CalledProcessError as exc:
            sys.exit(f"failed: {' '.join(commands[0])[:200]}\n{exc.stderr}")
        seconds, cpu, kib = json.loads(done.stdout.splitlines()[-1])
        return seconds, cpu, kib

    def measure(self, make, cwd: Path = REPO) -> dict:
        """Median wall and CPU seconds and peak MiB of `make(run)`'s commands, after one untimed run."""
        self.once(make(self.out()), cwd)
        results = [self.once(make(self.out()), cwd) for _ in range(self.repeat)]
        return {"seconds": statistics.median(r[0] for r in results), "cpu": statistics.median(r[1] for r in results),
                "peak_mib": max(r[2] for r in results) / 1024}

    def out(self) -> str:
        """A fresh output folder, so that every build writes all of its files."""
        self.runs += 1
        return str(self.tmp / f"out-{self.runs}")


def built(size: int) -> str:
    return f"dashgen build ({size} dashboard{'s' if size != 1 else ''})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=1000, help="synthetic dashboards (default 1000)")
    parser.add_argument("--panels", type=int, default=24, help="panels per synthetic dashboard (default 24)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure; the median is shown")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    n, half = args.dashboards, args.dashboards // 2
    if n < 6:
        parser.error("--dashboards must be at least 6, so that N, N/2 and 1 are distinct sizes")

    with tempfile.TemporaryDirectory(prefix="dashgen-bench-") as tmp:
        tmp = Path(tmp)
        names = write_project(tmp / "full", n, args.panels)
        write_project(tmp / "half", half, args.panels)
        write_project(tmp / "one", 1, args.panels)
        bench = Bench(tmp, args.repeat)
        rows = {
            "import grafanalib.core (baseline)": bench.measure(lambda o: [[sys.executable, "-c", "import grafanalib.core"]]),
            "dashgen --help": bench.measure(lambda o: [["dashgen", "--help"]]),
            "dashgen build (this repository)": bench.measure(
                lambda o: [["dashgen", "-C", str(REPO), "build", "--out", o]]),
            f"generate-dashboards ({n} dashboards)": bench.measure(
                lambda o: [["generate-dashboards", *c] for c in chunks(names)], cwd=tmp / "full" / "dashboards"),
        }
        for size, project in [(n, "full"), (half, "half"), (1, "one")]:
            rows[built(size)] = bench.measure(
                lambda o, p=tmp / project: [["dashgen", "-C", str(p), "build", "--out", o]])

    t = {label: row["seconds"] for label, row in rows.items()}
    cpu = {label: row["cpu"] for label, row in rows.items()}
    base, fixed = t["import grafanalib.core (baseline)"], t[built(1)]
    per_full = (t[built(n)] - fixed) / (n - 1) * 1000
    per_half = (t[built(half)] - fixed) / (half - 1) * 1000
    ratios = {  # name -> (value, target); `None` has no pass mark
        "cold build / import": (t["dashgen build (this repository)"] / base, 3),
        "help / import": (t["dashgen --help"] / base, 1.5),
        "dashgen / generate-dashboards, CPU": (cpu[built(n)] / cpu[f"generate-dashboards ({n} dashboards)"], 0.5),
        "dashgen / generate-dashboards, wall": (t[built(n)] / t[f"generate-dashboards ({n} dashboards)"], None),
        f"per-dashboard ms at {n} / at {half}": (per_full / per_half, None),
    }

    print(f"{args.panels} panels per synthetic dashboard, median of {args.repeat} runs, Python {sys.version.split()[0]}")
    print(f"{'':44}{'seconds':>9}{'CPU s':>9}{'max MiB':>10}")
    for label, row in rows.items():
        print(f"{label:44}{row['seconds']:9.3f}{row['cpu']:9.3f}{row['peak_mib']:10.1f}")
    print(f"per dashboard beyond the first: {per_full:.2f} ms at {n}, {per_half:.2f} ms at {half}")
    print(f"\n{'ratio':44}{'value':>9}  target")
    for label, (value, target) in ratios.items():
        mark = "" if target is None else f"<= {target:g}x  {'ok' if value <= target else 'MISSED'}"
        print(f"{label:44}{value:8.2f}x  {mark}")
    if args.json:
        print(json.dumps({"rows": rows, "ratios": {k: v for k, (v, _) in ratios.items()},
                          "per_dashboard_ms": {str(n): per_full, str(half): per_half}}, indent=2))


if __name__ == "__main__":
    main()
