"""Writing through the web app, over real HTTP: CSRF on loopback, the token anywhere else, the
sign-in form, and `radar serve` refusing a public address without a token.

The WRITE dependency is exercised on a probe route (a page and an API path) added to the real app
(the routes that write, briefs and profiles, have tests of their own); the app runs under uvicorn on a
free 127.0.0.1 port.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI

from flows.web.app import create_app
from flows.web.security import AUTH_COOKIE, CSRF_COOKIE, WRITE
from radar.errors import ConfigError
from radar.settings import Settings
from tests.flows.web.conftest import free_port, server_environment

TOKEN = "a-test-token-0123456789"


def probe_app(home: Path, *, public: bool) -> FastAPI:
    settings = Settings(home=home, web={"token": TOKEN} if public else {})
    app = create_app(settings, warm=False, public=public)
    probe = APIRouter()

    @probe.post("/api/v1/probe", dependencies=[WRITE])
    @probe.post("/probe", dependencies=[WRITE])
    def wrote() -> dict:
        return {"wrote": True}

    app.include_router(probe)
    return app


@pytest.fixture(scope="module")
def served(web_home: Path) -> Iterator[dict[str, str]]:
    """Two apps over the test store: one as on loopback, one as if bound to 0.0.0.0 with a token."""
    servers, threads, urls = [], [], {}
    for name, public in (("loopback", False), ("public", True)):
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(probe_app(web_home, public=public), host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append(server), threads.append(thread)
        urls[name] = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not all(s.started for s in servers) and time.monotonic() < deadline:
        time.sleep(0.05)  # waiting for the sockets; nothing is timed
    assert all(s.started for s in servers)
    yield urls
    for server in servers:
        server.should_exit = True
    for thread in threads:
        thread.join(timeout=10)


def csrf_of(client: httpx.Client, path: str = "/login") -> str:
    """Open a page like a browser: it sets the CSRF cookie and carries the form's token."""
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', page.text).group(1)


def test_loopback_form_needs_the_csrf_token_of_its_own_cookie(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["loopback"]) as browser, httpx.Client(base_url=served["loopback"]) as other:
        token = csrf_of(browser)
        assert browser.cookies.get(CSRF_COOKIE)
        assert browser.post("/api/v1/probe", data={"csrf": token}).json() == {"wrote": True}
        assert browser.post("/api/v1/probe", headers={"X-CSRF-Token": token}).status_code == 200
        missing = browser.post("/api/v1/probe", data={"q": "x"})
        assert missing.status_code == 403 and "Reload the page" in missing.json()["error"]
        csrf_of(other)
        assert other.post("/api/v1/probe", data={"csrf": token}).status_code == 403  # another browser's token
        assert browser.post("/api/v1/probe", content=b"x", headers={"content-type": "text/plain"}).status_code == 403


def test_loopback_json_needs_no_csrf_but_another_origin_or_host_is_refused(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["loopback"]) as client:
        assert client.post("/api/v1/probe", json={}).json() == {"wrote": True}
        token = csrf_of(client)
        cross = client.post("/api/v1/probe", data={"csrf": token}, headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403 and "another site" in cross.json()["error"]
        rebound = client.post("/api/v1/probe", json={}, headers={"Host": "evil.example"})  # DNS rebinding
        assert rebound.status_code == 403 and "localhost" in rebound.json()["error"]
        assert client.post("/api/v1/probe", json={}, headers={"Origin": served["loopback"]}).status_code == 200


def test_public_api_needs_the_bearer_token(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["public"]) as client:
        assert client.post("/api/v1/probe", json={}).status_code == 401
        wrong = client.post("/api/v1/probe", json={}, headers={"Authorization": "Bearer not-the-token-at-all"})
        assert wrong.status_code == 401 and "RADAR_WEB__TOKEN" in wrong.json()["error"]
        assert client.post("/api/v1/probe", json={}, headers={"Authorization": f"Bearer {TOKEN}"}).json() == {"wrote": True}
        assert client.get("/api/v1/today").status_code == 200  # reading stays open


def test_public_forms_need_a_sign_in_and_csrf(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["public"], headers={"Accept-Language": "en"}) as browser:
        token = csrf_of(browser)
        unsigned = browser.post("/api/v1/probe", data={"csrf": token})
        assert unsigned.status_code == 401
        assert browser.post("/login", data={"csrf": token, "token": "wrong-token-wrong-token"}).status_code == 401
        assert browser.post("/login", data={"token": TOKEN}).status_code == 403  # sign-in is a form too
        signed = browser.post("/login", data={"csrf": token, "token": TOKEN, "next": "//evil.example/"})
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        assert browser.cookies.get(AUTH_COOKIE)
        assert browser.post("/api/v1/probe", data={"csrf": token}).json() == {"wrote": True}
        assert browser.post("/api/v1/probe", data={}).status_code == 403  # signed in, still no CSRF token
        assert "Sign out" in browser.get("/login").text
        browser.cookies.set(AUTH_COOKIE, "9999999999." + "0" * 64)
        assert browser.post("/api/v1/probe", data={"csrf": token}).status_code == 401  # a forged sign-in


def test_public_refusals_are_pages_in_the_readers_language(served: dict[str, str]) -> None:
    with httpx.Client(base_url=served["public"], headers={"Accept-Language": "zh-CN"}) as browser:
        token = csrf_of(browser)
        assert "令牌" in browser.get("/login").text
        page = browser.post("/probe", data={"csrf": token})
        assert page.status_code == 401 and "请先登录" in page.text and 'href="/login"' in page.text


def test_public_app_without_a_token_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RADAR_WEB__TOKEN"):
        create_app(Settings(home=tmp_path), warm=False, public=True)


def test_serve_on_all_interfaces_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "flows.cli", "serve", "--host", "0.0.0.0", "--port",
                           str(free_port())], env=server_environment(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "RADAR_WEB__TOKEN" in done.stderr and "Traceback" not in done.stderr
