"""Who may write or spend through the web app: CSRF for browser forms, a token when the server is
reachable from other machines, and the one FastAPI dependency that checks both.

Every route that writes to the store or spends (a model call, a background job) takes ``WRITE``::

    from flows.web.security import WRITE

    @router.post("/profiles", dependencies=[WRITE])
    def create_profile(...): ...

and every form that posts to such a route carries the hidden CSRF field from the templates' macro::

    {% from "_macros.html" import csrf_field %}
    <form method="post" action="/profiles">{{ csrf_field(request) }} ... </form>

JavaScript that posts sends the same token in an ``X-CSRF-Token`` header (read it from the
``csrf`` hidden field or the page's ``<meta name="csrf-token">``). What ``WRITE`` checks:

- **Loopback** (``radar serve``'s default, 127.0.0.1): the request's Host must be a loopback name
  (a DNS-rebinding page cannot pass as this machine), an ``Origin`` header must be this server's,
  and a browser form must carry the CSRF token. JSON bodies (``Content-Type: application/json``)
  need no CSRF token: another site's page cannot send one without a CORS preflight, which this
  server never grants.
- **Any other address**: ``RADAR_WEB__TOKEN`` must be configured (``radar serve`` refuses to start
  otherwise) and the request must carry it: ``Authorization: Bearer <token>`` (API clients; no CSRF
  token needed, a browser never sends that header on its own), or the sign-in cookie set by
  ``/login``, in which case the CSRF rules above apply too.

The CSRF token is an HMAC, under a key drawn when the app starts, of a random value kept in the
``radar_csrf`` cookie (HttpOnly, SameSite=Strict): a page on another origin can neither read it
nor forge it by planting a cookie of its own. The sign-in cookie is an HMAC of its expiry under
the configured token, so changing the token signs everyone out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from flows.web import i18n
from flows.web.render import render
from radar.errors import AccessDenied
from radar.settings import WebSettings

CSRF_COOKIE = "radar_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
AUTH_COOKIE = "radar_auth"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
JSON_TYPES = ("application/json",)


@dataclass
class Guard:
    """The app's keys and whether it is reachable from other machines (``public``)."""

    public: bool
    token: bytes | None
    session_seconds: float
    secure_cookies: bool
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    @classmethod
    def of(cls, settings: WebSettings, *, public: bool) -> Guard:
        token = settings.token.get_secret_value().encode() if settings.token else None
        return cls(public=public, token=token, session_seconds=settings.session_hours * 3600,
                   secure_cookies=settings.secure_cookies)

    def csrf_token(self, cookie: str) -> str:
        return hmac.new(self.key, b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()

    def token_matches(self, offered: str) -> bool:
        return self.token is not None and hmac.compare_digest(offered.encode(), self.token)

    def session_cookie(self, now: float | None = None) -> str:
        expires = str(int((now or time.time()) + self.session_seconds))
        return f"{expires}.{self._session_mac(expires)}"

    def session_valid(self, cookie: str | None, now: float | None = None) -> bool:
        if not cookie or self.token is None:
            return False
        expires, _, mac = cookie.partition(".")
        if not expires.isdigit() or int(expires) < (now or time.time()):
            return False
        return hmac.compare_digest(mac, self._session_mac(expires))

    def _session_mac(self, expires: str) -> str:
        assert self.token is not None
        return hmac.new(self.token, b"session:" + expires.encode(), hashlib.sha256).hexdigest()


def guard_of(request: Request) -> Guard:
    return request.app.state.guard


def prepare(request: Request) -> str | None:
    """Before a request: its CSRF token for the templates (``request.state.csrf``) and whether the
    reader is signed in. Returns a new CSRF cookie value when the browser has none yet."""
    guard = guard_of(request)
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = None
    if not cookie or len(cookie) != 43:  # token_urlsafe(32)
        cookie = fresh = secrets.token_urlsafe(32)
    request.state.csrf_cookie = cookie
    request.state.csrf = guard.csrf_token(cookie)
    request.state.public = guard.public
    request.state.signed_in = guard.session_valid(request.cookies.get(AUTH_COOKIE))
    return fresh


def finish(request: Request, response: Response, fresh: str | None) -> None:
    """After a request: hand a browser that had no CSRF cookie the one its forms were signed for."""
    if fresh and not request.url.path.startswith("/static/"):
        response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict", path="/",
                            secure=guard_of(request).secure_cookies)


def sign_in(request: Request, response: Response) -> None:
    guard = guard_of(request)
    response.set_cookie(AUTH_COOKIE, guard.session_cookie(), max_age=int(guard.session_seconds), httponly=True,
                        samesite="strict", path="/", secure=guard.secure_cookies)


def sign_out(response: Response) -> None:
    response.delete_cookie(AUTH_COOKIE, path="/")


def _gettext(request: Request):  # noqa: ANN202 - gettext's callable
    return i18n.translations(getattr(request.state, "lang", i18n.DEFAULT)).gettext


def _hostname(netloc: str) -> str:
    try:
        return (urlsplit("//" + netloc).hostname or "").lower()
    except ValueError:
        return ""


def check_origin(request: Request) -> None:
    """Refuse a browser request from another site's page, or, on loopback, for another host name."""
    gettext = _gettext(request)
    host = request.headers.get("host", "")
    if not guard_of(request).public and _hostname(host) not in {n.strip("[]") for n in LOOPBACK_NAMES}:
        raise AccessDenied(gettext("This server listens on this machine only; it answers writes for "
                                   "localhost or 127.0.0.1, not for another host name."))
    origin = request.headers.get("origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != host.lower()):
        raise AccessDenied(gettext("This request came from another site's page, so it was refused."))


async def check_csrf(request: Request) -> None:
    """The CSRF token of the reader's cookie must come back in the form field or the header."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in JSON_TYPES:
        return
    offered = request.headers.get(CSRF_HEADER)
    if offered is None and content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.form()).get(CSRF_FIELD)
        offered = value if isinstance(value, str) else None
    cookie = request.cookies.get(CSRF_COOKIE)
    if not offered or not cookie or not hmac.compare_digest(offered, guard_of(request).csrf_token(cookie)):
        raise AccessDenied(_gettext(request)("The form had expired or did not come from this site. "
                                             "Reload the page and send it again."))


async def require_write(request: Request) -> None:
    """The ``WRITE`` dependency: see the module's docstring."""
    guard = guard_of(request)
    gettext = _gettext(request)
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, offered = authorization.partition(" ")
        if scheme.lower() != "bearer" or not guard.token_matches(offered.strip()):
            raise AccessDenied(gettext("The token is wrong: send Authorization: Bearer and the server's "
                                       "RADAR_WEB__TOKEN."), status=401)
        return  # a browser never sends this header by itself: no CSRF to fear
    check_origin(request)
    if guard.public and not guard.session_valid(request.cookies.get(AUTH_COOKIE)):
        raise AccessDenied(gettext("Sign in first: this server is reachable from other machines, so writing "
                                   "and briefs need its token."), status=401)
    await check_csrf(request)


WRITE = Depends(require_write)
"""Add to every route that writes or spends: ``@router.post(..., dependencies=[WRITE])``."""


# The sign-in page: only needed when the server is reachable from other machines.
router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)


def _local_target(target: str | None) -> str:
    target = target or "/"
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:  # noqa: A002 - the parameter's name
    return HTMLResponse(render(request.state.lang, "login.html", request=request, next=_local_target(next),
                               wrong=False))


@router.post("/login")
async def login(request: Request) -> Response:
    check_origin(request)
    await check_csrf(request)
    form = await request.form()
    target = _local_target(str(form.get("next") or "/"))
    if not guard_of(request).public:
        return RedirectResponse(target, status_code=303)
    if not guard_of(request).token_matches(str(form.get("token") or "")):
        page = render(request.state.lang, "login.html", request=request, next=target, wrong=True)
        return HTMLResponse(page, status_code=401)
    response = RedirectResponse(target, status_code=303)
    sign_in(request, response)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    check_origin(request)
    await check_csrf(request)
    response = RedirectResponse("/", status_code=303)
    sign_out(response)
    return response
