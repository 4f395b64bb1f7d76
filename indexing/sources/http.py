"""The one HTTP client of Radar's feed sources (httpx), and local-file reads.

Every call has a timeout; 429, 5xx, timeouts and cut-off bodies are retried with
exponential backoff and jitter, honouring ``Retry-After``; other 4xx fail at once.
Conditional GET (ETag / Last-Modified) turns an unchanged feed into a 304. Calls to
one host are spaced by a polite interval, and made one at a time.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from radar.errors import FetchError, TransientFetchError
from radar.settings import HttpSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Fetched:
    """A feed body (or the news that it did not change)."""

    url: str
    status: int
    content: bytes = b""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_local(url: str) -> bool:
    return urlsplit(url).scheme in ("", "file")


def local_path(url: str) -> Path:
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else Path(url)


def build_client(settings: HttpSettings, user_agent: str) -> httpx.Client:
    """The httpx client factory: timeouts, User-Agent, redirects, a small pool."""
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout),
        headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=True,
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=4),
    )


class HttpFetcher:
    """Fetches feed bodies over HTTP(S) or from local files. Thread-safe."""

    def __init__(
        self,
        settings: HttpSettings,
        user_agent: str,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._client = client or build_client(settings, user_agent)
        self._sleep = sleep
        self._host_locks: dict[str, threading.Lock] = {}
        self._host_last: dict[str, float] = {}
        self._guard = threading.Lock()

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """The body at ``url``; a 304 ``Fetched`` when the validators still match."""
        if is_local(url):
            return _read_file(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        retries = self._settings.retries
        for attempt in range(retries + 1):
            try:
                return self._get_once(url, headers)
            except TransientFetchError as error:
                wait = self._backoff(attempt, error.retry_after)
                if attempt == retries or wait is None:
                    raise
                self._sleep(wait)
        raise AssertionError("unreachable")

    def _get_once(self, url: str, headers: dict[str, str]) -> Fetched:
        host = urlsplit(url).netloc.lower()
        with self._host_lock(host):
            self._pace(host)
            try:
                response = self._client.get(url, headers=headers)
            except httpx.TimeoutException:
                raise TransientFetchError(f"timed out after {self._settings.timeout:g} s", url=url) from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise TransientFetchError(f"connection dropped before the body was complete ({exc})", url=url) from None
            except httpx.TransportError as exc:
                raise TransientFetchError(f"cannot reach {host}: {exc}", url=url) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"request failed: {exc}", url=url) from None
            finally:
                self._host_last[host] = time.monotonic()
        return _check(response, url)

    def _host_lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._host_locks.setdefault(host, threading.Lock())

    def _pace(self, host: str) -> None:
        interval = self._settings.host_intervals.get(host.split(":")[0], self._settings.min_interval)
        last = self._host_last.get(host)
        if last is not None:
            wait = last + interval - time.monotonic()
            if wait > 0:
                self._sleep(wait)

    def _backoff(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the next try; None when the server asks for longer than we wait."""
        base = self._settings.backoff * 2**attempt
        wait = base / 2 + random.uniform(0, base / 2)
        if retry_after is not None:
            if retry_after > self._settings.max_backoff:
                return None
            wait = max(wait, retry_after)
        return min(wait, self._settings.max_backoff)


def _check(response: httpx.Response, url: str) -> Fetched:
    status = response.status_code
    if status == 304:
        return Fetched(url=url, status=304)
    if status in RETRY_STATUSES:
        raise TransientFetchError(f"HTTP {status} from server", url=url, status=status,
                                  retry_after=_retry_after(response.headers.get("Retry-After")))
    if status >= 400:
        hint = " (check the feed URL)" if status in (404, 410) else ""
        raise FetchError(f"HTTP {status}{hint}", url=url, status=status)
    return Fetched(
        url=url,
        status=status,
        content=response.content,
        charset=response.charset_encoding,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (it may be a number or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _read_file(url: str) -> Fetched:
    path = local_path(url)
    try:
        return Fetched(url=url, status=200, content=path.read_bytes())
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}", url=url) from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}", url=url) from None
