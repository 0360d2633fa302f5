"""The push tests' world: the emulator, this repository's definitions in a scratch project whose
`test` environment is that emulator, and what to compare after a push."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import REPO, copy_project
from dashgen.build import build
from dashgen.project import find_project
from dashgen.push.desired import DesiredDashboard, owned
from emulator import ADMIN_TOKEN, GrafanaEmulator

SERVER_OWNED = ("id", "version")


@pytest.fixture
def grafana():
    with GrafanaEmulator() as emulator:
        yield emulator
        assert emulator.errors == []  # the emulator itself never failed


@pytest.fixture
def stack(tmp_path, grafana, monkeypatch):
    """This repository's definitions in a scratch project whose `test` environment is the emulator."""
    root = tmp_path / "stack"
    copy_project(root)
    (root / "pyproject.toml").write_text(
        (REPO / "pyproject.toml").read_text()
        + f'\n[tool.dashgen.environments.test]\nurl = "{grafana.url}"\ntoken_env = "TEST_GRAFANA_TOKEN"\n'
        + "[tool.dashgen.environments.test.datasources]\n"
        + 'prometheus = { url = "http://prometheus:9090" }\nloki = { url = "http://loki:3100" }\n'
        + 'tempo = { url = "http://tempo:3200" }\n'
    )
    monkeypatch.setenv("TEST_GRAFANA_TOKEN", ADMIN_TOKEN)
    return root


def _counted():
    from dashgen.provisioning import ROOT_FOLDER, folder_uid

    built = build(find_project(REPO))
    folders = {d.uid: "" if d.folder == ROOT_FOLDER else folder_uid(d.folder) for d in built.dashboards}
    return [d.uid for d in built.dashboards], folders, len(set(folders.values()) - {""}), len(built.datasources)


# The repository's dashboards, however many, in the order push writes them (the build's) and in uid
# order; its folders and datasources (written first, in that order); all that a first push creates.
ORDER, FOLDER_OF, FOLDERS, DATASOURCES = _counted()
UIDS = sorted(ORDER)
ALL = FOLDERS + DATASOURCES + len(UIDS)
BEFORE_DASHBOARDS = FOLDERS + DATASOURCES  # writes of a first push before its first dashboard


def run(cli, stack, *args):
    return cli("-C", str(stack), *args)


def writes(grafana) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in grafana.writes()]


def content(model: dict) -> dict:
    return {k: v for k, v in model.items() if k not in SERVER_OWNED}


def built_state(stack) -> dict[str, dict]:
    return {d.uid: content(owned(d.model)) for d in build(find_project(stack)).dashboards}


def live_state(grafana) -> dict[str, dict]:
    return {uid: content(grafana.dashboard(uid).model) for uid in UIDS if grafana.dashboard(uid)}


def fingerprints(stack) -> dict[str, str]:
    return {d.uid: DesiredDashboard(d, "").fingerprint for d in build(find_project(stack)).dashboards}


def point_at(stack, url: str) -> None:
    """Points the stack's test environment at another Grafana URL."""
    pyproject = stack / "pyproject.toml"
    text = pyproject.read_text()
    start = text.index('url = "http://127.0.0.1:')
    pyproject.write_text(text[:start] + f'url = "{url}"' + text[text.index("\n", start):])




@contextlib.contextmanager
def answering(body) -> Iterator[str]:
    """A URL on loopback where every request gets 200 and `body` as JSON: a Grafana, or something
    standing in its place, answering nonsense."""
    with answering_paths({}, default=body) as url:
        yield url


_MISSING = object()


@contextlib.contextmanager
def answering_paths(answers: dict[str, object], default=_MISSING) -> Iterator[str]:
    """A URL on loopback answering each GET with 200 and the JSON of `answers[path]` (the query
    string aside), or `default`; 404 for other paths when there is no default."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            body = answers.get(self.path.split("?")[0], default)
            status = 404 if body is _MISSING else 200
            data = json.dumps({"message": "Not found"} if body is _MISSING else body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
