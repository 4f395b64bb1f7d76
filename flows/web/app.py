"""The app factory: settings, the warm embedder, security headers, the language of each request,
static files, and the error pages. Routes live in pages.py (HTML) and api.py (JSON)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from flows.runtime import Searching, searching
from flows.web import i18n
from flows.web.render import render
from radar.errors import QueryError, RadarError, StoreBusyError, StoreError
from radar.settings import Settings, load_settings

STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
log = logging.getLogger("radar.web")


def create_app(settings: Settings | None = None, *, warm: bool = True) -> FastAPI:
    """The Radar web app over the store of ``settings``; ``warm`` loads the embedding model at
    start-up so the first search does not pay for it."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            from starlette.concurrency import run_in_threadpool

            from indexing.embeddings import embedder_for

            await run_in_threadpool(lambda: embedder_for(settings).model)
        yield

    app = FastAPI(title="Radar", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.settings = settings
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def language_and_headers(request: Request, call_next):  # noqa: ANN202 - Starlette middleware
        request.state.lang = i18n.negotiate(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"))
        response: Response = await call_next(request)
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

    from flows.web import api, exports, pages

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(exports.router)
    return app


def status_of(exc: RadarError) -> int:
    if isinstance(exc, QueryError):
        return 404 if str(exc).startswith("No paper") else 400
    if isinstance(exc, StoreError):  # busy, or no store yet: come back later
        return 503
    return 500


def store_session(request: Request) -> Iterator[Searching]:
    """A FastAPI dependency: the store, backend and embedder for one request, closed after it."""
    with searching(request.app.state.settings) as session:
        yield session
