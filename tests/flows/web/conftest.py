"""The web app under test: `radar serve` in its own process, on a free 127.0.0.1 port, over a real
indexed store (the demo-snapshot corpus of tests/corpus.py plus two hostile papers), reached over
real HTTP with httpx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from indexing.embeddings import get_embedder
from indexing.index import index_papers
from indexing.records import Paper
from indexing.search.local import LocalBackend
from indexing.store import open_store, utc_now
from indexing.store.papers import Sighting, upsert
from tests.corpus import MODEL, build_corpus, copy_corpus

HOSTILE_ID = "arxiv:2411.99901"
HOSTILE_ABSTRACT = ('We show <script>window.__pwned = 1; alert("pwned")</script> that '
                    '<img src=x onerror="window.__pwned = 2; alert(2)"> and <a href="javascript:alert(3)">this link</a> '
                    r'and \href{javascript:alert(4)}{math} are inert, with $x^2 + y^2 = z^2$ kept as math.')
HUGE_ID = "arxiv:2411.99902"
STARTUP_SECONDS = 240


@pytest.fixture(scope="session", autouse=True)
def prefect_server() -> Iterator[None]:
    """The web app runs no flow: no Prefect test server for these tests (overrides tests/flows')."""
    yield


def hostile_papers() -> list[Paper]:
    day = datetime(2024, 11, 28, 5, tzinfo=UTC)
    common = dict(source="arxiv", categories=("cs.CR",), primary_category="cs.CR", field="Computer Science",
                  doi=None, journal_ref=None, license=None, published=day, updated=day, version=1,
                  announce_type="new", section=None, venue=None)
    return [
        Paper(paper_id=HOSTILE_ID, title='<img src=x onerror="alert(5)">A hostile title', abstract=HOSTILE_ABSTRACT,
              authors=("Mallory <script>alert(6)</script>",), url="javascript:alert(7)",
              pdf_url="javascript:alert(8)", **common),
        Paper(paper_id=HUGE_ID, title="A one-megabyte abstract", abstract="<b>big</b> " * 100_000,
              authors=("Eve",), url="https://arxiv.org/abs/2411.99902", pdf_url=None, **common),
    ]


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RADAR_HOME of the served store: the shared corpus, plus hostile papers written and indexed
    through the store's own write path (feeds' HTML is stripped at ingest; a store may still hold it)."""
    built = build_corpus(tmp_path_factory.getbasetemp() / "corpus")
    home = tmp_path_factory.mktemp("web-home")
    copy_corpus(built, home)
    with open_store(home / "radar.duckdb") as store:
        with store.transaction() as con:
            upsert(con, [Sighting(p, "hostile", "run-hostile") for p in hostile_papers()], utc_now())
        index_papers(store, LocalBackend(store), get_embedder(MODEL))
    return home


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    home: Path
    process: subprocess.Popen

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)


def server_environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update(RADAR_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture(scope="session")
def server(web_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`radar serve` (the CLI command itself) on a free port, until the session ends."""
    with serving(web_home, tmp_path_factory.mktemp("web-log") / "serve.log") as running:
        yield running


@contextmanager
def serving(home: Path, log: Path, **settings: str) -> Iterator[Server]:
    """`radar serve` over ``home`` with extra environment (``RADAR_*`` settings), stopped after the block."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)],
                                   env=server_environment(home) | settings, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield Server(url, home, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"radar serve exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url + "/static/radar.css", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)  # polling for readiness; nothing is timed or asserted on it
    pytest.fail(f"radar serve did not answer within {STARTUP_SECONDS} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client(headers={"Accept-Language": "en"}) as c:
        yield c
