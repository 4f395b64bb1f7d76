"""Pages and /api/v1/search keep answering over HTTP while another process ingests, indexes,
digests and writes a brief into the same store (readers have priority: indexing/store/connection.py).

Coordination is by the writer's output, never by timing: reading starts once the writer says it
committed its first ingest, and goes on until it has finished a whole round."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.flows.web.conftest import Server, serving

REPO = Path(__file__).resolve().parents[3]
KNOWN = "arxiv:2411.17766"
PATHS = ("/", "/search?q=protein+design", "/api/v1/search?q=graph+neural+networks&k=5", f"/paper/{KNOWN}")

WRITER = """
import pathlib, sys
from flows.briefing import BriefOrder, run_brief
from indexing.embeddings import embedder_for
from indexing.index import index_papers
from indexing.ingest import ingest_all
from indexing.search.local import LocalBackend
from indexing.sources.http import HttpFetcher
from indexing.store import open_store
from queries.digest import digest
from radar.config import FeedSpec, ProfileSpec
from radar.settings import load_settings
from tests.feedmaker import feed, item

settings, folder, stop = load_settings(), pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
embedder = embedder_for(settings)
profile = ProfileSpec(name="writer", description="protein design with deep generative models")
rounds = 0
with open_store(settings.store_path, waits=settings.store) as store, HttpFetcher(settings.http, "Radar-tests/0") as fetcher:
    while rounds == 0 or not stop.exists():
        path = folder / f"feed-{rounds}.xml"
        path.write_bytes(feed(*(item(f"2412.{rounds:02d}{i:03d}", title=f"Protein design round {rounds} paper {i}",
                                     abstract=f"Diffusion models design proteins, study {rounds}-{i}.")
                                for i in range(30))))
        ingest_all(store, [FeedSpec(name=f"writer-{rounds}", kind="arxiv-rss", url=path.as_uri())], fetcher)
        print("ingested", flush=True)
        index_papers(store, LocalBackend(store), embedder)
        print("indexed", flush=True)
        digest(store, LocalBackend(store), embedder, profile)
        store.close()  # a reader lets go before the brief opens the store to write, as a command would end
        print("digested", flush=True)
        run_brief(BriefOrder(topic="protein design with diffusion models"))
        rounds += 1
        print("round", rounds, flush=True)
"""


@pytest.fixture(scope="module")
def private_server(web_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server over a copy of the test store: the writer changes it, other tests must not see that."""
    home = tmp_path_factory.mktemp("written-home")
    shutil.copy2(web_home / "radar.duckdb", home / "radar.duckdb")
    with serving(home, home / "serve.log") as running:
        yield running


def test_pages_and_search_answer_while_ingest_index_digest_and_a_brief_write(private_server: Server,
                                                                              tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update(RADAR_HOME=str(private_server.home), PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(stop)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env)
    said: list[str] = []
    first_write, round_done = threading.Event(), threading.Event()

    def listen() -> None:
        for line in writer.stdout:  # type: ignore[union-attr]
            said.append(line.rstrip())
            if line.startswith("ingested"):
                first_write.set()
            if line.startswith("round"):
                round_done.set()
        first_write.set(), round_done.set()  # the writer ended (its exit status is checked below)

    threading.Thread(target=listen, daemon=True).start()
    answers: list[tuple[str, int]] = []
    try:
        assert first_write.wait(timeout=600), "the writer never committed"
        with private_server.client() as client:
            while not round_done.is_set():
                for path in PATHS:
                    answers.append((path, client.get(path).status_code))
            for path in PATHS:  # and once more, after the brief was written
                answers.append((path, client.get(path).status_code))
    finally:
        stop.touch()
        writer.wait(timeout=600)
    assert writer.returncode == 0, "\n".join(said[-30:])
    assert {"ingested", "indexed", "digested", "round 1"} <= set(said), said
    assert all(status == 200 for _, status in answers), [a for a in answers if a[1] != 200]
    assert len(answers) >= 2 * len(PATHS)
    with private_server.client() as client:
        found = client.get("/api/v1/search", params={"q": "Protein design round 0 paper 7", "mode": "bm25"}).json()
        assert any("round 0 paper 7" in hit["title"] for hit in found["hits"])  # the writer's papers are served
