"""The one place dashgen speaks HTTP to Prometheus: the read-only calls that live lint and
`catalogue sync` need (queries with their statistics, label values, metadata, TSDB status, loaded
rules), with a timeout on every call and typed errors that name the endpoint.

A server that cannot be reached or answers something that is not Prometheus' API is a
PrometheusError (exit 3); a query Prometheus refuses or cannot finish is a QueryFailed, which the
caller reports as a finding on that query and goes on."""

from __future__ import annotations

import contextlib
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from dashgen.errors import DashgenError
from dashgen.settings import holds_credentials


class PrometheusError(DashgenError):
    """Prometheus could not be reached, or answered what dashgen cannot read; exit code 3."""

    exit_code = 3

    def __init__(self, endpoint: str, message: str):
        self.endpoint, self.message = endpoint, message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.endpoint}: {self.message}"


class QueryFailed(Exception):
    """Prometheus refused one query (`refused`: bad_data, an execution error) or did not answer it in time."""

    def __init__(self, message: str, refused: bool = False):
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class Result:
    """What a query returned: its series (labels and values, values as floats) and the samples it
    touched, when the server says (`stats=all`)."""

    series: list[tuple[dict[str, str], list[float]]]
    samples: int | None


class Prometheus:
    def __init__(self, url: str, timeout_s: float = 10.0):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    @property
    def shown(self) -> str:
        """The URL as messages show it: never a user:password in it."""
        if holds_credentials(self.url):
            parts = urllib.parse.urlsplit(self.url)
            return urllib.parse.urlunsplit(parts._replace(netloc=parts.hostname or ""))
        return self.url

    def probe(self, at: float) -> None:
        """Raises PrometheusError unless the server answers a query as Prometheus does: called
        before any work, so that a server that is down or silent is one line, not a finding per query."""
        self._get("/api/v1/query", {"query": "1", "time": f"{at:.3f}"})

    def query(self, expr: str, at: float, window: tuple[float, float, float] | None = None) -> Result:
        """`expr` at `at` (an instant query), or with `window` = (start, end, step) over a range."""
        params = {"query": expr, "timeout": f"{self.timeout_s:g}s", "stats": "all"}
        if window is None:
            path, params["time"] = "/api/v1/query", f"{at:.3f}"
        else:
            path = "/api/v1/query_range"
            params.update(start=f"{window[0]:.3f}", end=f"{window[1]:.3f}", step=f"{window[2]:g}")
        data = self._get(path, params, query=True)
        with self._read(path):
            result = data.get("result")
            kind = data.get("resultType")
            if kind == "scalar" or kind == "string":
                series = [({}, [_number(result[1])])]
            elif kind == "vector":
                series = [(dict(item["metric"]), [_number(item["value"][1])]) for item in result]
            elif kind == "matrix":
                series = [(dict(item["metric"]), [_number(v) for _, v in item["values"]]) for item in result]
            else:
                raise ValueError(f"a result of type {kind!r}")
            samples = ((data.get("stats") or {}).get("samples") or {}).get("totalQueryableSamples")
        return Result(series, samples if isinstance(samples, int) else None)

    def label_values(self, label: str, match: str, start: float, end: float) -> list[str]:
        """A label's values on the series `match` selects; a selector Prometheus refuses is QueryFailed."""
        path = f"/api/v1/label/{urllib.parse.quote(label)}/values"
        data = self._get(path, {"match[]": match, "start": f"{start:.3f}", "end": f"{end:.3f}"}, query=True)
        with self._read(path):
            return [str(v) for v in _listed(data)]

    def metadata(self) -> dict[str, list[dict]]:
        """metric name -> [{"type", "help", "unit"}] as the scraped targets declare them."""
        data = self._get("/api/v1/metadata", {})
        with self._read("/api/v1/metadata"):
            return {str(name): [e for e in _listed(entries) if isinstance(e, dict)] for name, entries in data.items()}

    def recorded(self) -> set[str]:
        """The names the rules loaded in Prometheus record."""
        data = self._get("/api/v1/rules", {"type": "record"})
        with self._read("/api/v1/rules"):
            return {r.get("name") for g in _listed(data.get("groups")) for r in _listed(g.get("rules"))
                    if r.get("type") == "recording"}

    @contextlib.contextmanager
    def _read(self, path: str):
        """An answer that is JSON but not shaped as Prometheus' API says is a PrometheusError."""
        try:
            yield
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise PrometheusError(self.shown + path, f"answered something that is not Prometheus' HTTP API ({exc})"
                                  ) from None

    def _get(self, path: str, params: dict, query: bool = False):
        endpoint = self.shown + path
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s + 1) as answer:
                body = answer.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            document = _json(body)
            if query and exc.code in (400, 422, 503) and isinstance(document, dict) and document.get("error"):
                kind = document.get("errorType", "error")
                raise QueryFailed(f"{kind}: {document['error']}", refused=kind in ("bad_data", "execution")) from None
            message = document.get("error") if isinstance(document, dict) and document.get("error") else exc.reason
            raise PrometheusError(endpoint, f"{exc.code} {message}") from None
        except (TimeoutError, socket.timeout):
            if query:
                raise QueryFailed(f"no answer within {self.timeout_s:g} s") from None
            raise PrometheusError(endpoint, f"no answer within {self.timeout_s:g} s") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PrometheusError(endpoint, f"cannot connect ({reason})") from None
        document = _json(body)
        if not isinstance(document, dict) or document.get("status") != "success" or "data" not in document:
            raise PrometheusError(endpoint, "answered something that is not Prometheus' HTTP API (is the URL right?)")
        return document["data"]


def _listed(value) -> list:
    if not isinstance(value, list):
        raise TypeError(f"a {type(value).__name__} where a list belongs")
    return value


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


def _number(text) -> float:
    """Prometheus writes sample values as strings ("NaN", "+Inf" included)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")
