"""A real Prometheus loaded with MPAC data, behind the `live_prometheus` fixture (tests/conftest.py).

Why: promtool only says a query parses; whether a panel shows anything takes a Prometheus with the
series MPAC exports. The data (tests/mpac_series.py) becomes TSDB blocks with `promtool tsdb
create-blocks-from openmetrics`; a first Prometheus serves it to `promtool tsdb create-blocks-from
rules`, which backfills the recording rules of generated/rules over the same hours (their 1h..30d
windows cannot be computed from raw data at query time); the Prometheus the tests get serves both
and keeps evaluating the generated rule files.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import mpac_series
from dashgen.catalogue import load_catalogue

BINARIES = ("prometheus", "promtool")
READY_WITHIN = 30  # seconds for a Prometheus to answer /-/ready
PROMTOOL_ENV = {**os.environ, "GOGC": "400"}  # promtool's backfill spends half its time collecting garbage


@dataclass
class LivePrometheus:
    """A running Prometheus: `url`, and `now`, the Unix time (seconds) the data ends at, at which
    instant queries see the latest samples. `timings` says where the setup's wall time went."""

    url: str
    now: int
    samples: int
    timings: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, **params) -> dict:
        """The `data` of a /api/v1 answer; an error keeps Prometheus's message."""
        url = f"{self.url}{path}?{urllib.parse.urlencode(params, doseq=True)}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return json.load(response)["data"]
        except urllib.error.HTTPError as error:
            raise AssertionError(f"GET {path} {params}: {error.code} {error.read().decode(errors='replace')}") from None

    def query(self, expr: str, at: float | None = None) -> list[dict]:
        """The result of an instant query at `at` (default `now`)."""
        return self.get("/api/v1/query", query=expr, time=self.now if at is None else at)["result"]

    def query_range(self, expr: str, start: float, end: float, step: str) -> list[dict]:
        return self.get("/api/v1/query_range", query=expr, start=start, end=end, step=step)["result"]

    def label_values(self, label: str, match: str, since: int = mpac_series.SPAN) -> list[str]:
        """Values of `label` on the series `match` selects in the last `since` seconds, as Grafana's
        `label_values(match, label)` asks for them."""
        return self.get(f"/api/v1/label/{label}/values", **{"match[]": match}, start=self.now - since, end=self.now)


def missing_binaries() -> list[str]:
    return [name for name in BINARIES if shutil.which(name) is None]


@contextlib.contextmanager
def running(root: Path, repo: Path) -> Iterator[LivePrometheus]:
    """Builds the TSDB in `root` and yields the Prometheus serving it; stops it on the way out."""
    timings: dict[str, str] = {}
    clock = (time.monotonic(), _cpu())

    def lap(name: str) -> None:  # wall and CPU time (this process and the ended subprocesses) of a step
        nonlocal clock
        wall, cpu = time.monotonic() - clock[0], _cpu() - clock[1]
        timings[name] = f"{wall:.2f} s wall, {cpu:.2f} s CPU"
        clock = (time.monotonic(), _cpu())

    now = int(time.time()) // mpac_series.SPARSE_STEP * mpac_series.SPARSE_STEP
    tsdb, rules = root / "tsdb", sorted((repo / "generated" / "rules").glob("*.yml"))
    catalogue = load_catalogue(repo / "catalogue")
    targets = mpac_series.dashboard_targets(repo / "generated" / "dashboards")
    samples = _create_blocks(root, tsdb, catalogue, now, mpac_series.offsets_read(expr for *_, expr in targets))
    lap("data and blocks")
    with serving(root, tsdb, rule_files=[]) as url:
        lap("first start")
        _backfill_rules(root, tsdb, url, rules, now - mpac_series.SPAN, now)
        lap("rules backfill")
    with serving(root, tsdb, rule_files=rules) as url:
        lap("final start")
        yield LivePrometheus(url=url, now=now, samples=samples, timings=timings)


def _create_blocks(root: Path, tsdb: Path, catalogue, now: int, offsets) -> int:
    """Writes the data and turns each file into a block as soon as it is written (promtool and the
    writer overlap); returns how many samples. The files are deleted: only the blocks stay."""
    (root / "openmetrics").mkdir()
    started: list[tuple[Path, subprocess.Popen]] = []
    samples, done = 0, 0

    def finish(upto: int) -> None:  # waits for the promtools started before the last `upto`
        nonlocal done
        for path, process in started[done:len(started) - upto]:
            _, err = process.communicate(timeout=120)
            if process.returncode:
                raise RuntimeError(f"promtool could not turn {path.name} into a block: {err.strip()}")
            path.unlink()
            done += 1

    try:
        for path, count in mpac_series.write_files(root / "openmetrics", catalogue, now, offsets):
            samples += count
            finish(upto=(os.cpu_count() or 2) - 1)  # a promtool per CPU at most
            started.append((path, _start_promtool("tsdb", "create-blocks-from", "openmetrics", "--quiet", str(path),
                                                  str(tsdb))))
        finish(upto=0)
    finally:
        _stop_all(process for _, process in started)
    return samples


@contextlib.contextmanager
def serving(root: Path, tsdb: Path, rule_files: list[Path], scrape_self: bool = False) -> Iterator[str]:
    """A Prometheus on `tsdb`, listening on a free local port, with `rule_files`; its URL once ready.
    `scrape_self`: it scrapes its own metrics every second, so that it has metadata to serve."""
    config = root / f"prometheus-{len(rule_files)}.yml"
    port, log = _free_port(), root / "prometheus.log"
    scrape = [{"job_name": "prometheus", "scrape_interval": "1s",
               "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}] if scrape_self else []
    config.write_text(yaml.safe_dump({"global": {"evaluation_interval": "1m"}, "scrape_configs": scrape,
                                      "rule_files": [str(path) for path in rule_files]}))
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as stderr:
        process = subprocess.Popen(
            [shutil.which("prometheus"), f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=30d"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )
    try:
        _wait_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited with {process.returncode} before it was ready:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or 503 while it loads the TSDB
            pass
        time.sleep(0.05)
    raise RuntimeError(f"prometheus was not ready within {READY_WITHIN} s:\n{_tail(log)}")


def _start_promtool(*args: str) -> subprocess.Popen:
    return subprocess.Popen([shutil.which("promtool"), *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=PROMTOOL_ENV)


def _backfill_rules(root: Path, tsdb: Path, url: str, rules: list[Path], start: int, end: int) -> None:
    """Backfills the recording rules of `rules` from `start` to `end` into `tsdb`, from the data the
    Prometheus at `url` serves. promtool writes a block per rule and 2-hour range, syncing each to
    disk, so one promtool per rule group runs at once: they mostly wait. Alerting rules are skipped."""
    started = []
    for path in rules:
        for index, group in enumerate((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("groups") or []):
            if not any("record" in rule for rule in group.get("rules") or []):
                continue
            single, out = root / "rules" / f"{path.stem}-{index}.yml", root / "recorded" / f"{path.stem}-{index}"
            single.parent.mkdir(exist_ok=True)
            single.write_text(yaml.safe_dump({"groups": [group]}))
            started.append((single, out, _start_promtool(
                "tsdb", "create-blocks-from", "rules", f"--url={url}", f"--output-dir={out}", f"--start={start}",
                f"--end={end}", str(single))))
    try:
        for single, out, process in started:
            _, err = process.communicate(timeout=120)
            if process.returncode:
                raise RuntimeError(f"promtool could not backfill {single.name}: {err.strip()[-2000:]}")
            for block in out.iterdir():
                if (block / "meta.json").exists():  # promtool also leaves its scratch chunks_head
                    block.rename(tsdb / block.name)
    finally:
        _stop_all(process for *_, process in started)


def _stop_all(processes) -> None:
    """Kills what is still running, on the way out of a failure."""
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def _cpu() -> float:
    spent = os.times()
    return spent.user + spent.system + spent.children_user + spent.children_system


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
