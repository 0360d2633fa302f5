"""Shared test fixtures: throwaway projects, the in-process CLI, golden files."""

from __future__ import annotations

import os
import textwrap
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
CORPUS = Path(os.environ.get("DASHGEN_CORPUS", REPO.parent / "shared" / "corpus"))

SOURCES = ("dashboards", "datasources", "catalogue", "slos")  # what a project's definitions are made of


def copy_project(root: Path) -> Path:
    """The repository's definitions and settings in `root`, without generated/, to change and build."""
    import shutil

    for folder in SOURCES:
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


PYPROJECT = '[project]\nname = "example"\nversion = "0"\n\n[tool.dashgen]\ndefault_folder = "Team"\n'


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="Rewrite golden files from the current output.")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def check_golden(name: str, actual: bytes, update: bool) -> None:
    """Compares `actual` with tests/golden/<name>, or rewrites it with --update-golden."""
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    assert path.exists(), f"no golden file {name}; run pytest --update-golden"
    assert actual.decode() == path.read_text(encoding="utf-8"), f"{name} differs; run pytest --update-golden if intended"


class Project:
    """A dashgen project in a temporary folder."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True)
        (root / "pyproject.toml").write_text(PYPROJECT)
        (root / "dashboards").mkdir()

    def write(self, rel: str, source: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
        return path

    def tree(self, folder: str = "generated") -> dict[str, bytes]:
        base = self.root / folder
        return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def backoff_waits(monkeypatch) -> list[float]:
    """The back-off waits a push or diff would sleep between retries, recorded instead of slept: no
    test waits on real time for them, and a test can assert them."""
    import functools

    from dashgen.grafana import Grafana
    from dashgen.push import target

    waits: list[float] = []
    monkeypatch.setattr(target, "Grafana", functools.partial(Grafana, sleep=waits.append))
    return waits


@pytest.fixture(autouse=True)
def no_reads_left_running():
    """Reads of Grafana a push abandons (Ctrl-C, a failure) run out in daemon threads; they must end
    with the test, so that none is alive when a later test forks or reuses a port."""
    yield
    for thread in threading.enumerate():
        if thread.name == "dashgen-read":
            thread.join(timeout=30)
            assert not thread.is_alive(), f"{thread.name} still running 30 s after its test"


@pytest.fixture(scope="session")
def live_prometheus(tmp_path_factory):
    """A real Prometheus (Debian's, 2.42 in CI) with 6 h of MPAC data ending at `.now` and the
    generated rules backfilled and evaluating; `.url`, `.query(expr)`. See tests/prometheus_fixture.py.
    Skipped where Prometheus is not installed, except in CI, where that is a failure."""
    import prometheus_fixture

    missing = prometheus_fixture.missing_binaries()
    if missing:
        message = f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed; .ci/run installs Debian's prometheus package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with prometheus_fixture.running(tmp_path_factory.mktemp("prometheus"), REPO) as server:
        yield server


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path / "proj")


@pytest.fixture
def cli(capsys):
    """Runs dashgen in-process; returns (exit code, stdout, stderr)."""
    from dashgen.cli.main import cli as group
    from dashgen.cli.report import run_reporting_errors

    def run(*args: str):
        code = run_reporting_errors(group, list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


SIMPLE = '''
from grafanalib.core import Dashboard, Templating
from dashgen.panels import PromQuery, datasource_variable, timeseries

DS = {"type": "prometheus", "uid": "${datasource}"}
dashboard = Dashboard(
    title="Simple", uid="simple",
    templating=Templating(list=[datasource_variable("prometheus")]),
    panels=[timeseries("Up", "Targets up.", [PromQuery('up{job="$job"}')], datasource=DS, unit="short")],
)
'''


