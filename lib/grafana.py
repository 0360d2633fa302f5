"""The one place dashgen speaks HTTP to Grafana, on grafana-client: only the calls push and diff
need, with timeouts, retries of idempotent calls, and typed errors that keep Grafana's status and
message and never the credentials."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from dashgen.errors import DashgenError
from dashgen.grafana_answers import problem

RETRIED_STATUSES = {429, 500, 502, 503, 504}
IDEMPOTENT = {"GET", "PUT", "DELETE"}
MAX_WAIT_S = 30.0  # the longest Retry-After dashgen honours; a longer one fails at once, saying so


class GrafanaError(DashgenError):
    """Grafana refused a call or could not be reached; exit code 3."""

    exit_code = 3

    def __init__(self, endpoint: str, status: int | None, message: str):
        self.endpoint, self.status, self.message = endpoint, status, message
        super().__init__(str(self))

    def __str__(self) -> str:
        status = f"{self.status} " if self.status else ""
        return f"{self.endpoint}: {status}{self.message}"


class NotFound(GrafanaError):
    """404: the thing is not there (which the plan turns into a create)."""


class Conflict(GrafanaError):
    """409 or 412: someone else changed it in the meantime."""


class Unusable(GrafanaError):
    """A 2xx answer dashgen cannot use (see dashgen.grafana_answers): checked here, where answers
    enter, not where they are used."""

    def __init__(self, endpoint: str, problem: str):
        super().__init__(endpoint, None, f"the answer is not {problem}")


@dataclass(frozen=True)
class Credential:
    """A service-account token, or user:password for local stacks; repr never shows the secret."""

    token: str = ""
    basic: tuple[str, str] | None = None

    def __repr__(self) -> str:
        return "Credential(<redacted>)"

    def for_client(self):
        return self.basic if self.basic else self.token


class Grafana:
    """A Grafana instance at `url`. Safe to use from several threads (one HTTP session each)."""

    def __init__(self, url: str, credential: Credential, timeout_s: float = 10.0, retries: int = 3,
                 backoff_s: float = 0.5, sleep=time.sleep):
        self.url, self.credential, self.timeout_s = url.rstrip("/"), credential, timeout_s
        self.retries, self.backoff_s, self.sleep = retries, backoff_s, sleep
        self._local = threading.local()

    # --- the calls push and diff need -------------------------------------------------------

    def search_dashboards(self, tag: str) -> list[dict]:
        """Every dashboard with `tag`, page by page (Grafana caps a page at 5000)."""
        hits, page = [], 1
        while True:
            batch = self._call("GET", f"/search?tag={tag}&page={page}", lambda api: api.client.GET(
                "/search", params={"tag": tag, "type": "dash-db", "limit": 5000, "page": page}))
            hits.extend(_checked(f"GET {self.url}/api/search", "search hits", batch))
            if len(batch) < 5000:
                return hits
            page += 1

    def get_dashboard(self, uid: str) -> dict | None:
        """{"dashboard": ..., "meta": ...}, or None when there is no such dashboard."""
        found = self._maybe("GET", f"/dashboards/uid/{uid}", lambda api: api.dashboard.get_dashboard(uid))
        return found if found is None else _checked(f"GET {self.url}/api/dashboards/uid/{uid}", "a dashboard", found)

    def versions(self, uid: str, limit: int) -> list[dict]:
        """The newest `limit` entries of the dashboard's version history, newest first: who saved
        each version, when, and its message as the list shows it (Grafana rewrites some, §3.5)."""
        def call(api):
            found = api.client.GET(f"/dashboards/uid/{uid}/versions", params={"limit": limit})
            return found.get("versions", found) if isinstance(found, dict) else found  # 12.x wraps it
        found = self._call("GET", f"/dashboards/uid/{uid}/versions", call)
        return _checked(f"GET {self.url}/api/dashboards/uid/{uid}/versions", "versions", found)

    def version(self, uid: str, number: int) -> dict:
        """One version: the same keys plus `data` (the dashboard as saved) and the message as sent."""
        path = f"/dashboards/uid/{uid}/versions/{number}"
        found = self._call("GET", path, lambda api: api.client.GET(path))
        return _checked(f"GET {self.url}/api{path}", "a version", found)

    def save_dashboard(self, model: dict, folder_uid: str, message: str, version: int | None) -> dict:
        """Creates (version None) or updates the dashboard; the update carries the live version, so a
        change made in the meantime is a Conflict, never silently overwritten."""
        body = {**model, "id": None}
        if version is not None:
            body["version"] = version
        else:
            body.pop("version", None)
        payload = {"dashboard": body, "folderUid": folder_uid, "message": message, "overwrite": False}
        saved = self._call("POST", "/dashboards/db", lambda api: api.dashboard.update_dashboard(payload))
        return _checked(f"POST {self.url}/api/dashboards/db", "a saved dashboard", saved)

    def delete_dashboard(self, uid: str) -> None:
        self._call("DELETE", f"/dashboards/uid/{uid}", lambda api: api.dashboard.delete_dashboard(uid))

    def get_folder(self, uid: str) -> dict | None:
        found = self._maybe("GET", f"/folders/{uid}", lambda api: api.folder.get_folder(uid))
        return found if found is None else _checked(f"GET {self.url}/api/folders/{uid}", "a folder", found)

    def create_folder(self, uid: str, title: str) -> dict:
        return self._call("POST", "/folders", lambda api: api.folder.create_folder(title, uid=uid))

    def update_folder(self, uid: str, title: str, version: int) -> dict:
        return self._call("PUT", f"/folders/{uid}", lambda api: api.folder.update_folder(uid, title=title, version=version))

    def get_datasource(self, uid: str) -> dict | None:
        found = self._maybe("GET", f"/datasources/uid/{uid}", lambda api: api.datasource.get_datasource_by_uid(uid))
        return found if found is None else _checked(f"GET {self.url}/api/datasources/uid/{uid}", "a datasource", found)

    def create_datasource(self, body: dict) -> dict:
        return self._call("POST", "/datasources", lambda api: api.datasource.create_datasource(body))

    def update_datasource(self, uid: str, body: dict) -> dict:
        return self._call("PUT", f"/datasources/uid/{uid}", lambda api: api.datasource.update_datasource_by_uid(uid, body))

    # --- plumbing ----------------------------------------------------------------------------

    def _api(self):
        api = getattr(self._local, "api", None)
        if api is None:
            from grafana_client import GrafanaApi

            # grafana-client appends "api" to the URL's path as it is: a sub-path needs its slash.
            url = self.url + "/" if urlparse(self.url).path else self.url
            api = GrafanaApi.from_url(url, credential=self.credential.for_client(), timeout=self.timeout_s)
            api.client.s.hooks["response"].append(self._remember_retry_after)
            self._local.api = api
        return api

    def _remember_retry_after(self, response, *args, **kwargs):
        self._local.retry_after = response.headers.get("Retry-After")
        return response

    def _maybe(self, method: str, path: str, call):
        try:
            return self._call(method, path, call)
        except NotFound:
            return None

    def _call(self, method: str, path: str, call):
        """Runs `call(api)`, retrying idempotent calls on connection errors, 429 and 5xx."""
        endpoint = f"{method} {self.url}/api{path.split('?')[0]}"
        attempt = 0
        while True:
            attempt += 1
            self._local.retry_after = None
            try:
                return call(self._api())
            except Exception as exc:  # noqa: BLE001 - grafana-client and niquests raise many kinds
                error = _typed(method, endpoint, exc)
                if method not in IDEMPOTENT or attempt > self.retries or not transient(error):
                    raise error from None
                wait = _delay(getattr(self._local, "retry_after", None), self.backoff_s * 2 ** (attempt - 1))
                if wait > MAX_WAIT_S:
                    raise type(error)(endpoint, error.status, f"{error.message} (Grafana asks to retry after {wait:g} s; "
                                                           f"dashgen waits at most {MAX_WAIT_S:g} s)") from None
                self.sleep(wait)


def _checked(endpoint: str, what: str, answer):
    """`answer` if it is `what` as dashgen reads it, else Unusable saying what is wrong and where."""
    found = problem(what, answer)
    if found is not None:
        raise Unusable(endpoint, found)
    return answer


def transient(error: GrafanaError) -> bool:
    """Whether trying again later can succeed: Grafana unreachable, overloaded or failing (not an
    answer it gave in full that dashgen cannot use)."""
    return not isinstance(error, Unusable) and (error.status is None or error.status in RETRIED_STATUSES)


def _delay(retry_after: str | None, fallback: float) -> float:
    try:
        wait = float(retry_after) if retry_after else fallback
    except ValueError:
        return fallback  # an HTTP date: rare from Grafana; back off as usual
    return wait if wait >= 0 else fallback  # NaN and negative values fall back too


def _typed(method: str, endpoint: str, exc: Exception) -> GrafanaError:
    """A typed error. Conflict is "changed by someone else": 412, or 409 on an update (Grafana after
    12.3 answers a dashboard version mismatch with 409); a 409 on a create means "already exists"."""
    from grafana_client.client import GrafanaException, GrafanaTimeoutError

    if isinstance(exc, GrafanaTimeoutError):
        return GrafanaError(endpoint, None, "timed out (timeout_s in the environment sets the limit)")
    if isinstance(exc, ValueError):  # a 2xx whose body is not JSON (niquests' JSONDecodeError)
        return Unusable(endpoint, "JSON")
    if isinstance(exc, GrafanaException) and exc.status_code:
        status = exc.status_code
        body = exc.response
        message = body.get("message") if isinstance(body, dict) else str(body or exc.message)
        updating = method == "PUT" or endpoint.endswith("/api/dashboards/db")
        kind = NotFound if status == 404 else Conflict if status == 412 or (status == 409 and updating) else GrafanaError
        return kind(endpoint, status, " ".join(str(message).split())[:300])
    host = urlparse(endpoint.split(" ", 1)[1]).netloc
    return GrafanaError(endpoint, None, f"cannot reach Grafana at {host} ({type(exc).__name__})")
