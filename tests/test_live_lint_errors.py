"""Live lint's bad input and unreachable servers: one line each, the documented exit code, and the
static findings still printed when the Prometheus cannot be used."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import threading

import pytest

from conftest import REPO


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def answering(content_type: str, body: bytes):
    """A web server that answers every GET with `body`; its URL."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def not_prometheus():
    """A page, as a wrong URL (Grafana, a proxy) answers."""
    with answering("text/html", b"<html>Grafana</html>") as url:
        yield url


def test_prometheus_down_is_one_line_exit_3_and_the_static_lint_still_printed(cli):
    port = closed_port()
    static = cli("-C", str(REPO), "lint")[1]
    code, out, err = cli("-C", str(REPO), "lint", "--prometheus", f"http://127.0.0.1:{port}")
    assert (code, out) == (3, static)
    assert err.splitlines() == [f"error: http://127.0.0.1:{port}/api/v1/query: cannot connect ([Errno 111] Connection"
                                " refused); no query ran there (the static lint above is complete)"]


def test_a_server_that_is_not_prometheus_is_named(cli, not_prometheus):
    code, out, err = cli("-C", str(REPO), "lint", "--prometheus", not_prometheus, "--format", "json")
    assert code == 3 and '"errors": 0' in out
    assert json.loads(out)["prometheus_error"] == (f"{not_prometheus}/api/v1/query: answered something that is not"
                                                   " Prometheus' HTTP API (is the URL right?)")
    assert err == (f"error: {not_prometheus}/api/v1/query: answered something that is not Prometheus' HTTP API (is the"
                   " URL right?); no query ran there (the static lint above is complete)\n")


@pytest.mark.parametrize("args, message", [
    (["--var", "env=prod"], "Error: --var binds variables for --prometheus or --env; give one of them"),
    (["--prometheus", "http://x:9090", "--var", "env"], "Error: --var takes NAME=VALUE, not 'env'"),
    (["--prometheus", "http://x:9090", "--env", "staging"], "Error: give --prometheus or --env, not both"),
    (["--prometheus", "prometheus:9090"],
     "Error: --prometheus 'prometheus:9090' is not an http(s) URL such as http://localhost:9090"),
    (["--prometheus", "http://admin:hunter2@x:9090"],
     "Error: --prometheus must be the Prometheus' address alone, with no user:password, ?query or #fragment"),
    (["--prometheus", "http://x:9090/?token=hunter2"],
     "Error: --prometheus must be the Prometheus' address alone, with no user:password, ?query or #fragment"),
    (["--prometheus", ""], "Error: --prometheus '' is not an http(s) URL such as http://localhost:9090"),
], ids=["var alone", "var without value", "both", "not a URL", "credentials", "query", "empty"])
def test_usage_errors(cli, args, message):
    code, out, err = cli("-C", str(REPO), "lint", *args)
    assert (code, out) == (2, "") and err.splitlines()[-1] == message and "hunter2" not in err


def test_an_environment_without_prometheus_url_says_where_to_add_it(cli):
    code, out, err = cli("-C", str(REPO), "lint", "--env", "staging")
    assert (code, out) == (2, "")
    assert err == ("error: environment 'staging' has no prometheus_url; add prometheus_url = \"http://...\" to"
                   " [tool.dashgen.environments.staging], or give --prometheus URL\n")


def test_a_variable_no_dashboard_has_is_named_with_the_nearest(cli):
    code, out, err = cli("-C", str(REPO), "lint", "--prometheus", f"http://127.0.0.1:{closed_port()}", "--var", "devic=x")
    assert (code, out) == (2, "")
    assert err == "error: --var devic: no dashboard linted has a variable devic; did you mean 'device'?\n"


@pytest.fixture
def silent():
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


@pytest.mark.parametrize("command", [["lint"], ["catalogue", "sync"]])
def test_a_silent_prometheus_is_one_line_exit_3_at_once(cli, silent, command):
    code, out, err = cli("-C", str(REPO), *command, "--prometheus", silent, "--query-timeout", "0.5")
    assert code == 3 and err.splitlines()[-1].startswith(f"error: {silent}/api/v1/query: no answer within 0.5 s")


@pytest.fixture
def odd_prometheus():
    """Answers as Prometheus, except that its vector has no labels field."""
    body = b'{"status": "success", "data": {"resultType": "vector", "result": [{"value": [1, "1"]}]}}'
    with answering("application/json", body) as url:
        yield url


def test_an_answer_of_the_wrong_shape_is_one_line_naming_the_endpoint(cli, odd_prometheus):
    code, out, err = cli("-C", str(REPO), "lint", "--prometheus", odd_prometheus)
    assert code == 3
    assert err == (f"error: {odd_prometheus}/api/v1/rules: answered something that is not Prometheus' HTTP API"
                   " (a NoneType where a list belongs); no query ran there (the static lint above is complete)\n")
