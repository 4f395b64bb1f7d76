"""The app factory: settings, the warm embedder, security headers, the language of each request,
static files, and the error pages. Routes live in pages.py (HTML) and api.py (JSON)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from flows.runtime import Searching
from flows.web import i18n, jobs, security
from flows.web.render import render
from indexing.embeddings import embedder_for
from indexing.search import build_backend
from indexing.search.base import SearchBackend
from indexing.store import Store, open_store
from radar.errors import AccessDenied, ConfigError, QueryError, RadarError, StoreBusyError, StoreError, TooBusy
from radar.settings import Settings, load_settings

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer makes Chrome send "Origin: null" with forms, which WRITE refuses
    "X-Frame-Options": "DENY",
}
log = logging.getLogger("radar.web")
NO_TOKEN = ("Radar would listen on an address other machines can reach, and nothing guards writing and briefs "
            "there: set RADAR_WEB__TOKEN to a long random secret (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'), then sign in at /login or send Authorization: Bearer <token>; "
            "or listen on 127.0.0.1 (the default).")


def create_app(settings: Settings | None = None, *, warm: bool = True, public: bool = False) -> FastAPI:
    """The Radar web app over the store of ``settings``; ``warm`` loads the embedding model at
    start-up so the first search does not pay for it. ``public``: the server listens on an address
    other than loopback, so writing needs the token (see flows/web/security.py)."""
    settings = settings or load_settings()
    if public and settings.web.token is None:
        raise ConfigError(NO_TOKEN)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        await run_in_threadpool(lambda: jobs.mark_dead(settings))  # before any page reads: see jobs.py
        if warm:
            await run_in_threadpool(lambda: embedder_for(settings).model)
        try:
            yield
        finally:
            app.state.briefs.close()
            app.state.served.close()

    app = FastAPI(title="Radar", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.settings = settings
    app.state.guard = security.Guard.of(settings.web, public=public)
    app.state.briefs = jobs.BriefRunner(settings.web.brief_workers, settings.web.brief_queue)
    app.state.served = ServedStore(settings)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def language_and_headers(request: Request, call_next):  # noqa: ANN202 - Starlette middleware
        request.state.lang = i18n.negotiate(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
        fresh_csrf = security.prepare(request)
        response: Response = await call_next(request)
        security.finish(request, response, fresh_csrf)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Vary", "Accept-Language, Cookie")
        return response

    @app.exception_handler(RadarError)
    async def radar_error(request: Request, exc: RadarError) -> Response:
        status = status_of(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "kind": type(exc).__name__}, status_code=status)
        page = render(request.state.lang, "error.html", status=status, message=str(exc),
                      busy=isinstance(exc, StoreBusyError), request=request)
        return HTMLResponse(page, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """A parameter out of its bounds (k, page size, a date...): 400 with what is wrong, as a page or JSON."""
        message = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}"
                            + (f" (got {str(e['input'])[:40]!r})" if e.get("input") is not None and e["loc"][0] != "body" else "")
                            for e in exc.errors())
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message, "kind": "InvalidRequest"}, status_code=400)
        page = render(request.state.lang, "error.html", status=400, message=message, busy=False, request=request)
        return HTMLResponse(page, status_code=400)

    from flows.web import api, briefs, exports, pages, profiles

    app.include_router(pages.router)
    app.include_router(security.router)
    app.include_router(briefs.router)
    app.include_router(api.router)
    app.include_router(profiles.router)
    app.include_router(exports.router)
    return app


def status_of(exc: RadarError) -> int:
    if isinstance(exc, AccessDenied):
        return exc.status
    if isinstance(exc, TooBusy):
        return 429
    if isinstance(exc, QueryError):
        return 404 if str(exc).startswith(("No paper", "No brief")) else 400
    if isinstance(exc, ConfigError):  # an unknown profile, or a profile's keys that do not validate
        return 404 if str(exc).startswith("No profile") else 400
    if isinstance(exc, StoreError):  # busy, or no store yet: come back later
        return 503
    return 500


def store_session(request: Request) -> Iterator[Searching]:
    """A FastAPI dependency: the store, backend and embedder for one request (see ``ServedStore``)."""
    with request.app.state.served.session() as session:
        yield session


class ServedStore:
    """The store and search backend every request of the server uses, opened on first use.

    What the backend keeps between queries (the local backend's vectors in memory, loaded once
    per index generation; an Elasticsearch client's connections) outlives a request, and one
    request opens the store file once: its reads, and the backend's, share one read-only
    connection. That connection is closed as soon as no request is in flight, so writers (other
    processes) get the file between requests and the next request reads their last commit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._backend: SearchBackend | None = None
        self._in_flight = 0

    @contextmanager
    def session(self) -> Iterator[Searching]:
        settings = self.settings
        embedder = embedder_for(settings)
        with self._lock:
            if self._in_flight == 0:  # the schema check (cached per version of the file); StoreError: 503
                open_store(settings.store_path, read_only=True, waits=settings.store)
            if self._store is None:
                self._store = open_store(settings.store_path, read_only=True, waits=settings.store)
                self._backend = build_backend(settings, self._store)
            self._in_flight += 1
            store, backend = self._store, self._backend
        try:
            yield Searching(settings, store, backend, embedder)
        finally:
            with self._lock:
                self._in_flight -= 1
                if self._in_flight == 0:
                    store.close()

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
            if self._store is not None:
                self._store.close()
            self._store = self._backend = None
