"""Fixtures for the queries tests: the embedding model, an indexed store holding the brief corpus
(local backend), built once per test module, and a larger corpus across fields from the demo
snapshot (tests/corpus.py), built once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from indexing.embeddings import Embedder
from indexing.index import index_papers
from indexing.ingest import ingest_all
from indexing.search.local import LocalBackend
from indexing.sources.http import HttpFetcher
from indexing.store import Store, open_store
from radar.config import FeedSpec
from radar.settings import BriefSettings, HttpSettings
from tests.briefcorpus import corpus_feed
from tests.corpus import build_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[Store, LocalBackend]]:
    folder = tmp_path_factory.mktemp("brief-corpus")
    path = folder / "corpus.xml"
    path.write_bytes(corpus_feed())
    http = HttpSettings(timeout=1.0, retries=0, min_interval=0.0, host_intervals={})
    with open_store(folder / "radar.duckdb") as store, HttpFetcher(http, "Radar-tests/0") as fetcher:
        ingest_all(store, [FeedSpec(name="corpus", kind="arxiv-rss", url=path.as_uri())], fetcher)
        backend = LocalBackend(store)
        index_papers(store, backend, embedder)
        yield store, backend


@pytest.fixture
def brief_settings() -> BriefSettings:
    return BriefSettings(sources=6, candidates=20)



@pytest.fixture(scope="session")
def fields_corpus_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred demo papers across fields, indexed (tests.corpus); tests that write take a copy."""
    return build_corpus(tmp_path_factory.getbasetemp() / "corpus")


@pytest.fixture(scope="module")
def fields_corpus(fields_corpus_path: Path) -> Iterator[Store]:
    with open_store(fields_corpus_path, read_only=True) as store:
        yield store


@pytest.fixture(scope="module")
def fields_backend(fields_corpus: Store) -> LocalBackend:
    return LocalBackend(fields_corpus)
