"""Prefect runs against a temporary test server, started once for the flow and CLI tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")  # as the CLI runs it

from prefect.testing.utilities import prefect_test_harness  # noqa: E402 - after the environment above

from tests.corpus import build_corpus, copy_corpus  # noqa: E402
from tests.feedserver import FeedServer, Response  # noqa: E402
from tests.recorded import ARXIV_ATOM  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def prefect_server() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def config_file(tmp_path: Path, feed_server: FeedServer, feed_bytes) -> Path:
    """A config with two recorded feeds served over HTTP and one that always fails."""
    arxiv = feed_server.route("/rss/cs.AI", Response(feed_bytes(ARXIV_ATOM)))
    nature = feed_server.route("/nature.rss", Response(feed_bytes("nature.rss")))
    path = tmp_path / "radar.toml"
    path.write_text(f"""
[[feeds]]
name = "arxiv-cs-ai"
kind = "arxiv-rss"
url = "{arxiv}"

[[feeds]]
name = "nature"
kind = "rss"
url = "{nature}"
source = "Nature"
field = "Multidisciplinary"

[[feeds]]
name = "gone"
kind = "rss"
url = "{feed_server.url('/gone.rss')}"
""")
    return path


@pytest.fixture(scope="session")
def corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real indexed corpus of tests/corpus.py, built once per session."""
    return build_corpus(tmp_path_factory.getbasetemp() / "corpus")


@pytest.fixture
def corpus_home(radar_env: Path, corpus_path: Path) -> Path:
    """RADAR_HOME holding a private copy of the corpus store."""
    copy_corpus(corpus_path, radar_env)
    return radar_env


@pytest.fixture
def flaky_config(tmp_path: Path, feed_server: FeedServer, feed_bytes, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two feeds, no HTTP retries and two task retries: "flaky" answers 503 twice then the feed,
    "gone" answers 404 (a permanent failure, never retried)."""
    monkeypatch.setenv("RADAR_HTTP__RETRIES", "0")
    monkeypatch.setenv("RADAR_INGEST__TASK_RETRIES", "2")
    monkeypatch.setenv("RADAR_INGEST__TASK_RETRY_DELAY", "0")
    flaky = feed_server.route("/flaky", Response(b"", status=503), Response(b"", status=503),
                              Response(feed_bytes(ARXIV_ATOM)))
    gone = feed_server.route("/gone", Response(b"", status=404))
    config = tmp_path / "c.toml"
    config.write_text(f'[[feeds]]\nname="flaky"\nkind="arxiv-rss"\nurl="{flaky}"\n'
                      f'[[feeds]]\nname="gone"\nkind="arxiv-rss"\nurl="{gone}"\n')
    return config
