"""GrafanaEmulator: Grafana 12.3's classic HTTP API on a loopback port, for dashgen's push and diff tests.

    with GrafanaEmulator(conflict_status=409) as grafana:
        api = GrafanaApi.from_url(grafana.url, credential=ADMIN_TOKEN)
        ...
        assert [(e.method, e.path, e.status) for e in grafana.writes()] == [...]

Behaviour follows shared/grafana-contract.md; switches are in options.py.
"""

from __future__ import annotations

import contextlib
import copy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import routes, seed
from .options import Options, hits
from .replies import INVALID_JSON, Call, Reply, encode, plain
from .state import Dashboard, Datasource, Folder, State

HOST = "127.0.0.1"  # never anything but loopback
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})
REDACTED = "[redacted]"


@dataclass
class JournalEntry:
    """One request as the emulator saw it. Never holds the Authorization header."""

    n: int  # 1-based, in arrival order; the number fault options refer to
    method: str
    path: str
    query: str
    status: int | None  # None: the connection was dropped (drop_connection_n)
    body: Any = None  # writes only: the parsed JSON (or text), secureJsonData values redacted
    login: str = ""  # who was authenticated

    def as_dict(self) -> dict:
        return asdict(self)


class GrafanaEmulator:
    """An in-memory Grafana (org 1) served over HTTP/1.1 on 127.0.0.1 and an ephemeral port.

    Keyword arguments are the fields of `Options` (see options.py), plus `clock`: a callable that
    returns an aware datetime, read once per created/updated stamp. The default starts at
    2025-11-20T12:00:00Z and moves one second per reading, so runs are deterministic.
    """

    def __init__(self, *, clock: Callable[[], datetime] | None = None, **options: Any):
        self.options = Options(**options)
        self.state = State(clock)
        self.journal: list[JournalEntry] = []
        self.errors: list[str] = []  # emulator bugs met while answering (each also answered 500)
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._requests = self._writes = self._error_ids = 0
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # Lifecycle

    def start(self) -> GrafanaEmulator:
        """Starts serving; after a stop(), on the same port again (the state is kept)."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server(self, self._port)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                        name=f"grafana-emulator-{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops listening, closes open connections, interrupts sleeps and joins every thread.
        Until start() again, the url refuses connections: Grafana is down."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()  # joins the handler threads
        self._thread.join()

    def __enter__(self) -> GrafanaEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._port}"

    @staticmethod
    @contextlib.contextmanager
    def nothing_listening() -> Iterator[str]:
        """A URL on which connections are refused: a loopback port that is bound but not listening."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((HOST, 0))
            yield f"http://{HOST}:{sock.getsockname()[1]}"
        finally:
            sock.close()

    # Journal

    def writes(self) -> list[JournalEntry]:
        with self._lock:
            return [e for e in self.journal if e.method in WRITE_METHODS]

    def reset_journal(self) -> None:
        """Empties the journal and restarts the request and write numbers used by fault options."""
        with self._lock:
            self.journal.clear()
            self._requests = self._writes = 0

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Waits until no request is being answered (e.g. a slow one whose client gave up)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    # Seeding and inspection (state changed as a person or provisioning would)

    def add_folder(self, uid: str, title: str, parent_uid: str = "", user: str = "admin") -> Folder:
        with self._lock:
            return seed.add_folder(self.state, uid, title, parent_uid, user)

    def add_dashboard(self, model: dict, folder_uid: str = "", **kwargs: Any) -> Dashboard:
        """kwargs: user, message, provisioned, allow_ui_updates, external_id, plugin_id."""
        with self._lock:
            return seed.add_dashboard(self.state, model, folder_uid, **kwargs)

    def ui_save(self, uid: str, mutate: Callable[[dict], dict | None] | None = None, user: str = "alice",
                message: str = "", folder_uid: str | None = None, as_ui: bool = True) -> Dashboard:
        """A save from the UI after `mutate`: the model goes through what 12.3's UI writes (ui.py)
        unless as_ui=False, which stores the mutated model exactly."""
        with self._lock:
            return seed.ui_save(self.state, uid, mutate, user, message, folder_uid, as_ui=as_ui,
                                grafana_version=self.options.grafana_version, keep=self.options.versions_to_keep)

    def ui_restore(self, uid: str, version: int, user: str = "alice") -> Dashboard:
        """Restore pressed in the UI: the restore endpoint run as `user` (ValueError if refused)."""
        with self._lock:
            return seed.ui_restore(self.state, self.options, uid, version, user)

    def add_datasource(self, fields: dict, read_only: bool = False) -> Datasource:
        with self._lock:
            return seed.add_datasource(self.state, fields, read_only)

    def ui_edit_datasource(self, uid: str, mutate: Callable[[Datasource], None]) -> Datasource:
        with self._lock:
            return seed.ui_edit_datasource(self.state, uid, mutate)

    def ui_rename_folder(self, uid: str, title: str, user: str = "alice") -> Folder:
        with self._lock:
            return seed.ui_rename_folder(self.state, uid, title, user)

    def mark_provisioned(self, uid: str, allow_ui_updates: bool = False, external_id: str = "") -> None:
        with self._lock:
            dash = self.state.dashboards[uid]
            dash.provisioned, dash.allow_ui_updates = True, allow_ui_updates
            dash.external_id = external_id or f"{uid}.json"

    def mark_read_only(self, uid: str, read_only: bool = True) -> None:
        with self._lock:
            self.state.datasources[uid].read_only = read_only

    def dashboard(self, uid: str) -> Dashboard | None:
        """A copy of the stored dashboard record (model, version, history...), or None."""
        with self._lock:
            return copy.deepcopy(self.state.dashboards.get(uid))

    def datasource_secrets(self, uid: str) -> dict[str, str]:
        """The stored secureJsonData values, which the API never returns."""
        with self._lock:
            return dict(self.state.datasources[uid].secure)

    # Serving

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        raw = _read_body(handler)
        split = urlsplit(handler.path)
        method, path = handler.command, split.path
        body = _parse(raw)
        with self._lock:
            opts = self.options
            self._requests += 1
            n = self._requests
            fail = False
            if method in WRITE_METHODS:
                self._writes += 1
                fail = hits(opts.fail_write_n, self._writes)
            logged = None
            if method in WRITE_METHODS:
                logged = raw.decode(errors="replace") if body is INVALID_JSON else _redacted(body)
            entry = JournalEntry(n, method, path, split.query, None, logged)
            self.journal.append(entry)
            self._in_flight += 1
            drop, slow = hits(opts.drop_connection_n, n), hits(opts.slow_n, n)
        try:
            if drop:
                handler.close_connection = True
                with contextlib.suppress(OSError):
                    handler.connection.shutdown(socket.SHUT_RDWR)
                return
            self._stopping.wait((opts.slow_s if slow else 0.0) + opts.delay_s)
            call = Call(method, path, parse_qs(split.query, keep_blank_values=True), body, None, self.state, opts)
            with self._lock:
                reply, principal = self._answer(call, handler.headers.get("Authorization"), fail)
                entry.status, entry.login = reply.status, principal.login if principal else ""
            _send(handler, reply, head=method == "HEAD")
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _answer(self, call: Call, authorization: str | None, fail: bool) -> tuple[Reply, Any]:
        try:
            return routes.dispatch(call, authorization, fail, self._next_error_id)
        except Exception as exc:  # an emulator bug: answer like Grafana would, and keep it for the test
            self.errors.append(f"{call.method} {call.path}: {exc!r}")
            return plain(500, ""), call.principal

    def _next_error_id(self) -> str:
        self._error_ids += 1
        return f"ACE{self._error_ids:010d}"


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while size := int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16):
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        return b"".join(chunks)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return INVALID_JSON


def _redacted(body: Any) -> Any:
    """secureJsonData values, and the deprecated top-level datasource passwords, never reach the journal."""
    body = copy.deepcopy(body)
    if isinstance(body, dict):
        if isinstance(body.get("secureJsonData"), dict):
            body["secureJsonData"] = {key: REDACTED for key in body["secureJsonData"]}
        for key in ("password", "basicAuthPassword"):
            if body.get(key):
                body[key] = REDACTED
    return body


def _send(handler: BaseHTTPRequestHandler, reply: Reply, head: bool) -> None:
    data = encode(reply)
    try:
        handler.send_response(reply.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if not head:
            handler.wfile.write(data)
    except OSError:  # the client gave up (timeout) or the emulator is stopping
        handler.close_connection = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Grafana
    server_version = "grafana-emulator"
    timeout = 30  # an idle keep-alive connection ends on its own
    disable_nagle_algorithm = True  # headers and body are two writes: without this, 40 ms per request
    server: _Server

    def _dispatch(self) -> None:
        self.server.emulator._serve(self)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    allow_reuse_address = True  # restart on the same port after stop()

    def __init__(self, emulator: GrafanaEmulator, port: int):
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((HOST, port), _Handler)

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wakes handler threads blocked on idle keep-alive connections so they can be joined."""
        with self._connections_lock:
            for sock in self._connections:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that vanish mid-request are part of the tests, not failures
