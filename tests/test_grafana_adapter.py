"""The Grafana adapter's own rules: which calls are retried and how long it waits, typed errors
that keep Grafana's status and message, and credentials that never show."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dashgen.grafana import Conflict, Credential, Grafana, GrafanaError, NotFound


class Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next (status, headers, body) of the server's script."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, self.headers.get("Authorization")))
        status, headers, body = self.server.script.pop(0)
        data = json.dumps(body).encode()
        self.send_response(status)
        for key, value in {**headers, "Content-Type": "application/json", "Content-Length": str(len(data))}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def scripted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    server.script, server.seen = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def client(server, slept):
    url = f"http://127.0.0.1:{server.server_address[1]}"
    return Grafana(url, Credential(token="glsa_secret_value"), timeout_s=2, retries=3, backoff_s=0.25,
                   sleep=slept.append)


def test_a_429_is_retried_after_the_time_grafana_asks_for(scripted):
    scripted.script = [(429, {"Retry-After": "3"}, {"message": "Too many requests"}), (200, {}, {"uid": "f", "title": "F"})]
    slept = []
    assert client(scripted, slept).get_folder("f") == {"uid": "f", "title": "F"}
    assert slept == [3.0]


def test_5xx_on_reads_backs_off_then_gives_up_with_grafanas_message(scripted):
    scripted.script = [(503, {}, {"message": "database is locked"})] * 4
    slept = []
    with pytest.raises(GrafanaError) as failed:
        client(scripted, slept).get_folder("f")
    assert slept == [0.25, 0.5, 1.0]
    assert str(failed.value) == f"GET http://127.0.0.1:{scripted.server_address[1]}/api/folders/f: 503 database is locked"
    assert failed.value.exit_code == 3


def test_writes_that_create_are_not_retried(scripted):
    scripted.script = [(500, {}, {"message": "Failed to save dashboard"})]
    slept = []
    with pytest.raises(GrafanaError):
        client(scripted, slept).save_dashboard({"uid": "d", "title": "D"}, "", "dashgen push x", None)
    assert slept == [] and [s[0] for s in scripted.seen] == ["POST"]


def test_404_and_conflicts_are_typed(scripted):
    scripted.script = [
        (404, {}, {"message": "Dashboard not found"}),
        (412, {}, {"status": "version-mismatch", "message": "The dashboard has been changed by someone else"}),
    ]
    grafana = client(scripted, [])
    assert grafana.get_dashboard("d") is None
    with pytest.raises(Conflict) as conflict:
        grafana.save_dashboard({"uid": "d", "title": "D"}, "", "m", 3)
    assert conflict.value.status == 412 and conflict.value.message == "The dashboard has been changed by someone else"
    assert not isinstance(conflict.value, NotFound)


def test_the_token_is_sent_but_never_shown(scripted):
    scripted.script = [(401, {}, {"message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401})]
    grafana = client(scripted, [])
    with pytest.raises(GrafanaError) as failed:
        grafana.get_folder("f")
    assert scripted.seen[0][2] == "Bearer glsa_secret_value"
    assert "glsa_secret_value" not in str(failed.value) + repr(failed.value) + repr(grafana.credential)
    assert failed.value.status == 401


@pytest.mark.parametrize("call, answer, message", [
    ("search", {"hits": []}, '/api/search: the answer is not search hits as dashgen reads them: {"hits":[]} is not '
                             'of type "array"'),
    ("search", [{"title": "no uid"}], '/api/search: the answer is not search hits as dashgen reads them: at [0]: '
                                      '"uid" is a required property'),
    ("dashboard", [], '/api/dashboards/uid/d: the answer is not a dashboard as dashgen reads it: [] is not of type '
                      '"object"'),
    ("dashboard", {"dashboard": {"panels": [{"panels": 5}]}, "meta": {}},
     '/api/dashboards/uid/d: the answer is not a dashboard as dashgen reads it: at dashboard.panels[0].panels: 5 is '
     'not of type "array"'),
    ("versions", {"versions": [{"version": "2"}]}, '/api/dashboards/uid/d/versions: the answer is not versions as '
                                                   'dashgen reads them: at [0].version: "2" is not of type "integer"'),
    ("version", {"version": 2}, '/api/dashboards/uid/d/versions/2: the answer is not a version as dashgen reads it: '
                                '"data" is a required property'),
    ("folder", "<html>", '/api/folders/f: the answer is not a folder as dashgen reads it: "<html>" is not of type '
                         '"object"'),
])
def test_an_answer_of_the_wrong_shape_is_named_with_its_endpoint(scripted, call, answer, message):
    scripted.script = [(200, {}, answer)]
    grafana = client(scripted, [])
    calls = {"search": lambda: grafana.search_dashboards("dashgen"), "dashboard": lambda: grafana.get_dashboard("d"),
             "versions": lambda: grafana.versions("d", 1), "version": lambda: grafana.version("d", 2),
             "folder": lambda: grafana.get_folder("f")}
    with pytest.raises(GrafanaError) as failed:
        calls[call]()
    assert str(failed.value) == f"GET {grafana.url}{message}"
    assert failed.value.exit_code == 3


def test_a_retry_after_longer_than_the_cap_fails_at_once_saying_so(scripted):
    scripted.script = [(503, {"Retry-After": "100000"}, {"message": "maintenance"})]
    slept = []
    with pytest.raises(GrafanaError) as failed:
        client(scripted, slept).get_folder("f")
    assert slept == []
    assert str(failed.value) == (f"GET http://127.0.0.1:{scripted.server_address[1]}/api/folders/f: 503 maintenance "
                                 "(Grafana asks to retry after 100000 s; dashgen waits at most 30 s)")


def test_an_answer_that_is_not_json_is_not_retried(scripted):
    class NotJson(Scripted):
        def _answer(self):
            self.server.seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(b"NaN")

        do_GET = _answer

    scripted.RequestHandlerClass = NotJson
    slept = []
    with pytest.raises(GrafanaError) as failed:
        client(scripted, slept).get_folder("f")
    assert (slept, str(failed.value)) == ([], f"GET http://127.0.0.1:{scripted.server_address[1]}/api/folders/f: "
                                              "the answer is not JSON")
