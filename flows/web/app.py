"""The app factory: settings, the warm embedder, security headers, the language of each request,
static files, and the error pages. Routes live in pages.py (HTML) and api.py (JSON)."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from flows.runtime import Searching, searching
from flows.web import i18n, jobs, security
from flows.web.render import render
from indexing.search import build_backend
from indexing.search.base import SearchBackend
from indexing.store import open_store
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
            from indexing.embeddings import embedder_for

            await run_in_threadpool(lambda: embedder_for(settings).model)
        try:
            yield
        finally:
            app.state.briefs.close()
            app.state.backend.close()

    app = FastAPI(title="Radar", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.settings = settings
    app.state.guard = security.Guard.of(settings.web, public=public)
    app.state.briefs = jobs.BriefRunner(settings.web.brief_workers, settings.web.brief_queue)
    app.state.backend = SharedBackend(settings)
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
    """A FastAPI dependency: the store and embedder for one request, the store closed after it; the
    server's one search backend (see ``SharedBackend``)."""
    with searching(request.app.state.settings, backend=request.app.state.backend.get()) as session:
        yield session


class SharedBackend:
    """The search backend of the whole server, built on first use and closed at shutdown: what a
    backend keeps between queries (the local backend's vectors in memory, loaded once per index
    generation; an Elasticsearch client's connections) then outlives one request. It reads the
    store through a read-only handle of its own that holds no connection between reads (each
    read joins the DuckDB instance the request's own connection keeps open), so writers still get
    the file between requests and every read sees the last commit."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._backend: SearchBackend | None = None
        self._lock = threading.Lock()

    def get(self) -> SearchBackend:
        with self._lock:
            if self._backend is None:  # no store yet: StoreError (503) now, a backend on a later request
                store = open_store(self.settings.store_path, read_only=True, waits=self.settings.store)
                self._backend = build_backend(self.settings, store)
            return self._backend

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None
