"""Indexing from the store: embeddings cached by text, marks advance only for acknowledged documents."""

from __future__ import annotations

import pytest

from indexing.index import index_papers, reindex_papers
from indexing.ingest import ingest_all
from indexing.search.local import LocalBackend
from indexing.sources.http import HttpFetcher
from indexing.store import Store
from radar.config import FeedSpec
from tests.feedmaker import feed, item


def ingest(store: Store, fetcher: HttpFetcher, tmp_path, *items: str) -> None:
    path = tmp_path / f"feed-{len(list(tmp_path.iterdir()))}.xml"
    path.write_bytes(feed(*items))
    ingest_all(store, [FeedSpec(name="f", kind="arxiv-rss", url=path.as_uri())], fetcher)


def test_incremental_runs_embed_only_what_changed(store, fetcher, tmp_path, embedder) -> None:
    ingest(store, fetcher, tmp_path, item("2411.00001", title="Diffusion for MRI"), item("2411.00002", title="Graphs"))
    backend = LocalBackend(store)
    first = index_papers(store, backend, embedder)
    assert (first.pending, first.indexed, first.embedded, first.total) == (2, 2, 2, 2)
    assert index_papers(store, backend, embedder).pending == 0

    ingest(store, fetcher, tmp_path, item("2411.00002", version=2, title="Graphs, revised", announce="replace"),
           item("2411.00003", title="Qubits"))
    second = index_papers(store, backend, embedder)
    assert (second.pending, second.embedded, second.reused, second.total) == (2, 2, 0, 3)


def test_metadata_change_reindexes_without_embedding_again(store, fetcher, tmp_path, embedder) -> None:
    ingest(store, fetcher, tmp_path, item("2411.00004", categories=("cs.LG",)))
    backend = LocalBackend(store)
    index_papers(store, backend, embedder)
    ingest(store, fetcher, tmp_path, item("2411.00004", announce="cross", categories=("cs.LG", "stat.ML")))
    again = index_papers(store, backend, embedder)
    assert (again.pending, again.embedded, again.reused) == (1, 0, 1)


def test_reindex_rebuilds_from_the_cache(store, fetcher, tmp_path, embedder) -> None:
    ingest(store, fetcher, tmp_path, item("2411.00005"), item("2411.00006", title="Other"))
    backend = LocalBackend(store)
    index_papers(store, backend, embedder)
    rebuilt = reindex_papers(store, backend, embedder)
    assert (rebuilt.indexed, rebuilt.embedded, rebuilt.reused, rebuilt.total) == (2, 0, 2, 2)


class HalfAcknowledging(LocalBackend):
    """A real local backend whose engine refuses every other document (as a failing bulk load would)."""

    def index(self, docs):  # noqa: ANN001, ANN201
        docs = list(docs)
        report = super().index(docs[::2])
        report.failed.update({d.paper_id: "rejected by the engine" for d in docs[1::2]})
        return report


def test_only_acknowledged_documents_are_marked(store, fetcher, tmp_path, embedder) -> None:
    ingest(store, fetcher, tmp_path, *(item(f"2411.0001{i}", title=f"Paper {i}") for i in range(4)))
    result = index_papers(store, HalfAcknowledging(store), embedder)
    assert (result.indexed, len(result.failed)) == (2, 2)
    retry = index_papers(store, LocalBackend(store), embedder)
    assert (retry.pending, retry.indexed, retry.embedded) == (2, 2, 0)
