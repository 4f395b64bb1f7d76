"""Shared fixtures: the recorded feeds, real local HTTP servers (feeds, an OpenAI-compatible model), a real DuckDB file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexing.embeddings import Embedder
from indexing.sources.http import HttpFetcher
from indexing.store import Store, open_store
from radar.settings import HttpSettings
from tests.feedserver import FeedServer
from tests.llmserver import LlmServer
from tests.smtpserver import SmtpServer
from tests.recorded import FEEDS



@pytest.fixture(scope="session")
def feeds_dir() -> Path:
    return FEEDS


@pytest.fixture(scope="session")
def feed_bytes(feeds_dir: Path):
    def read(name: str) -> bytes:
        return (feeds_dir / name).read_bytes()
    return read


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The one embedding model of the suite (all-MiniLM-L6-v2 from its package), loaded once."""
    return Embedder("all-MiniLM-L6-v2")


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def llm_server() -> Iterator[LlmServer]:
    """An OpenAI-compatible server on 127.0.0.1 to script (see tests/llmserver.py)."""
    server = LlmServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 with STARTTLS and AUTH (see tests/smtpserver.py)."""
    server = SmtpServer(tmp_path, security="starttls").start()
    yield server
    server.stop()


@pytest.fixture
def http_settings() -> HttpSettings:
    """Fast retries and short timeouts, so failure paths run in well under a second."""
    return HttpSettings(timeout=1.0, retries=2, backoff=0.01, max_backoff=2.0, min_interval=0.0, host_intervals={},
                        contact="tests@example.org")


@pytest.fixture
def fetcher(http_settings: HttpSettings) -> Iterator[HttpFetcher]:
    with HttpFetcher(http_settings, "Radar-tests/0 (mailto:tests@example.org)") as f:
        yield f


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "radar.duckdb") as s:
        yield s


@pytest.fixture
def radar_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean RADAR_* environment with RADAR_HOME in a temporary folder."""
    for name in list(os.environ):
        if name.startswith("RADAR_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("RADAR_HOME", str(home))
    monkeypatch.setenv("RADAR_HTTP__BACKOFF", "0.01")
    monkeypatch.setenv("RADAR_HTTP__TIMEOUT", "2")
    monkeypatch.setenv("RADAR_HTTP__MIN_INTERVAL", "0")
    # The corpus is embedded with torch; `auto` would export the model to ONNX in every test's home.
    monkeypatch.setenv("RADAR_EMBEDDING_BACKEND", "torch")
    return home


@pytest.fixture
def smtp_env(radar_env: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """RADAR_SMTP__* pointing at ``smtp_server``, with its user and password and its certificate trusted."""
    from tests.smtpserver import PASSWORD, USER

    for name, value in {"HOST": "127.0.0.1", "PORT": str(smtp_server.port), "SECURITY": "starttls", "USER": USER,
                        "PASSWORD": PASSWORD, "CA_FILE": str(smtp_server.cert_path), "TIMEOUT": "5",
                        "SENDER": "Radar <radar@example.org>"}.items():
        monkeypatch.setenv(f"RADAR_SMTP__{name}", value)
    return smtp_server
