"""The one HTTP client of Radar's feed sources (httpx), and local-file reads.

Every call has a timeout; 429, 5xx, timeouts and cut-off bodies are retried with
exponential backoff and jitter, honouring ``Retry-After``; other 4xx fail at once.
Conditional GET (ETag / Last-Modified) turns an unchanged feed into a 304. Calls to
one host are spaced by a polite interval, and made one at a time.

Bodies are streamed and held to two limits, so a hostile or broken server (or a feed
path of /dev/zero) can neither exhaust memory nor keep a run waiting: a largest body
(``max_body_bytes``, after decompression) and a deadline for the whole fetch, retries
included, on top of the per-read timeout. Breaking either fails the feed, without a retry.
User-info in a URL is sent as Basic auth and never shown.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from radar.errors import FetchError, TransientFetchError
from radar.settings import HttpSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK = 1024 * 1024


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
            return _read_file(url, self._settings.max_body_bytes)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        retries, deadline = self._settings.retries, _Deadline(self._settings.deadline)
        for attempt in range(retries + 1):
            try:
                return self._get_once(url, headers, deadline)
            except TransientFetchError as error:
                wait = self._backoff(attempt, error.retry_after)
                if attempt == retries or wait is None or wait >= deadline.left():
                    raise
                self._sleep(wait)
        raise AssertionError("unreachable")

    def _get_once(self, url: str, headers: dict[str, str], deadline: _Deadline) -> Fetched:
        target, auth = _without_userinfo(url)
        host = urlsplit(target).netloc.lower()
        with self._host_lock(host):
            self._pace(host)
            deadline.start()  # waiting for other feeds of the same host is not this fetch's time
            timeout = min(self._settings.timeout, max(deadline.left(), 0.001))
            try:
                with self._client.stream("GET", target, headers=headers, auth=auth, timeout=timeout) as response:
                    fetched = _check(response, url)
                    if fetched is not None:
                        return fetched
                    return _body(response, url, self._settings.max_body_bytes, deadline)
            except httpx.TimeoutException:
                if deadline.left() <= 0:
                    raise deadline.error(url) from None
                raise TransientFetchError(f"timed out after {self._settings.timeout:g} s", url=url) from None
            except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                raise TransientFetchError(f"connection dropped before the body was complete ({exc})", url=url) from None
            except httpx.TransportError as exc:
                raise TransientFetchError(f"cannot reach {host}: {exc}", url=url) from None
            except httpx.HTTPError as exc:
                raise FetchError(f"request failed: {exc}", url=url) from None
            finally:
                self._host_last[host] = time.monotonic()

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


class _Deadline:
    """The time one fetch may take in all, counted from its first request."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end: float | None = None

    def start(self) -> None:
        if self._end is None:
            self._end = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.seconds if self._end is None else self._end - time.monotonic()

    def error(self, url: str, received: int | None = None) -> FetchError:
        got = f" after {_size(received)}" if received is not None else ""
        return FetchError(f"gave up{got}: the fetch took longer than RADAR_HTTP__DEADLINE ({self.seconds:g} s); "
                          "the server is too slow (raise the setting if the feed is just big)", url=url)


def _without_userinfo(url: str) -> tuple[str, httpx.BasicAuth | None]:
    """The URL to request and log (no user-info), and the user-info as Basic auth."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, netloc = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), \
        httpx.BasicAuth(unquote(user), unquote(password))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _too_large(limit: int, url: str) -> FetchError:
    return FetchError(f"the body is larger than RADAR_HTTP__MAX_BODY_BYTES ({_size(limit)}): refused "
                      "(raise the setting if this feed really is that big)", url=url)


def _collect(chunks: Iterable[bytes], limit: int, url: str, deadline: _Deadline | None = None) -> bytes:
    """The chunks joined, refused as soon as they pass ``limit`` bytes or the deadline."""
    body, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, url)
        if deadline is not None and deadline.left() <= 0:
            raise deadline.error(url, size)
        body.append(chunk)
    return b"".join(body)


def _body(response: httpx.Response, url: str, limit: int, deadline: _Deadline) -> Fetched:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, url)
    return Fetched(
        url=url,
        status=response.status_code,
        content=_collect(response.iter_bytes(), limit, url, deadline),
        charset=response.charset_encoding,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _check(response: httpx.Response, url: str) -> Fetched | None:
    """A 304, or an error for a failing status; None when the body is worth reading."""
    status = response.status_code
    if status == 304:
        return Fetched(url=url, status=304)
    if status in RETRY_STATUSES:
        raise TransientFetchError(f"HTTP {status} from server", url=url, status=status,
                                  retry_after=_retry_after(response.headers.get("Retry-After")))
    if status >= 400:
        hint = " (check the feed URL)" if status in (404, 410) else ""
        raise FetchError(f"HTTP {status}{hint}", url=url, status=status)
    return None


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


def _read_file(url: str, limit: int) -> Fetched:
    path = local_path(url)
    try:
        with path.open("rb") as file:
            return Fetched(url=url, status=200, content=_collect(iter(lambda: file.read(CHUNK), b""), limit, url))
    except FileNotFoundError:
        raise FetchError(f"no such file: {path}", url=url) from None
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}", url=url) from None
