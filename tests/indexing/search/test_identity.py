"""Index identity: marks are keyed by the index they were written to, so a new alias, a lost,
emptied or rebuilt index gets every paper again, and marks of another index never count.
Both backends, real ones (the Elasticsearch node of conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexing.embeddings import Embedder, get_embedder
from indexing.index import index_papers, reindex_papers
from indexing.ingest import ingest_all
from indexing.search.base import Filters, SearchBackend
from indexing.search.elasticsearch import build_backend
from indexing.search.local import LocalBackend
from indexing.sources.http import HttpFetcher
from indexing.store import Store, utc_now
from indexing.store.search_state import count_marks, mark_indexed
from radar.config import FeedSpec
from tests.feedmaker import feed, item

TITLES = ["Diffusion models for MRI segmentation", "Quantum error correction with surface codes",
          "Graph neural networks for molecules", "Protein structure prediction with transformers"]
IDS = [f"arxiv:2411.0000{i}" for i in range(len(TITLES))]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder("all-MiniLM-L6-v2")


@pytest.fixture
def papers(store: Store, fetcher: HttpFetcher, tmp_path: Path) -> Store:
    path = tmp_path / "feed.xml"
    path.write_bytes(feed(*(item(f"2411.0000{i}", title=t, abstract=f"About {t.lower()}.")
                            for i, t in enumerate(TITLES))))
    ingest_all(store, [FeedSpec(name="f", kind="arxiv-rss", url=path.as_uri())], fetcher)
    return store


@pytest.fixture(params=["local", "elasticsearch"])
def backend(request: pytest.FixtureRequest, store: Store) -> SearchBackend:
    return LocalBackend(store) if request.param == "local" else request.getfixturevalue("es_backend")


def live_table(con) -> str:  # noqa: ANN001 - a DuckDB connection
    """The table local searches read (search_meta names it once the index was rebuilt)."""
    row = con.execute("SELECT value FROM search_meta WHERE key = 'table'").fetchone()
    return row[0] if row else "search_docs"


def wipe(backend: SearchBackend, request: pytest.FixtureRequest) -> None:
    """Lose the index outside Radar: the table dropped, the Elasticsearch index deleted."""
    if isinstance(backend, LocalBackend):
        with backend.store.transaction() as con:
            con.execute(f"DROP TABLE {live_table(con)}")
    else:
        es_admin = request.getfixturevalue("es_admin")
        es_admin.indices.delete(index=",".join(es_admin.indices.get_alias(name=backend.alias).body))


def empty(backend: SearchBackend, request: pytest.FixtureRequest) -> None:
    """Delete every document outside Radar; the index itself (and its identity) stays."""
    if isinstance(backend, LocalBackend):
        with backend.store.transaction() as con:
            con.execute(f"DELETE FROM {live_table(con)}")
    else:
        es_admin = request.getfixturevalue("es_admin")  # (this distribution has no _delete_by_query)
        es_admin.bulk(operations=[{"delete": {"_index": backend.alias, "_id": pid}} for pid in IDS], refresh=True)
    assert backend.count() == 0


def finds_everything(backend: SearchBackend) -> bool:
    backend.refresh()
    return all(backend.bm25(title, Filters(), 1)[0].paper_id == pid for pid, title in zip(IDS, TITLES, strict=True))


def test_the_identity_lives_in_the_index_and_changes_with_it(backend, store, embedder, request) -> None:
    backend.prepare(dims=embedder.dims, model=embedder.name)
    first = backend.identity()
    backend.prepare(dims=embedder.dims, model=embedder.name)
    again = LocalBackend(store) if isinstance(backend, LocalBackend) else build_backend(request.getfixturevalue("es_settings"))
    assert backend.identity() == first == again.identity()  # kept in the index, not in the process
    assert first.startswith(f"{backend.name}:")

    backend.rebuild([], dims=embedder.dims, model=embedder.name)
    rebuilt = backend.identity()
    assert rebuilt != first

    wipe(backend, request)
    backend.prepare(dims=embedder.dims, model=embedder.name)
    assert backend.identity() not in (first, rebuilt)


def test_a_lost_index_gets_every_paper_again(backend, papers, embedder, request) -> None:
    first = index_papers(papers, backend, embedder)
    assert (first.new_index, first.pending, first.indexed) == (True, len(IDS), len(IDS))
    again = index_papers(papers, backend, embedder)
    assert (again.new_index, again.pending, again.index_id) == (False, 0, first.index_id)

    wipe(backend, request)
    rerun = index_papers(papers, backend, embedder)
    assert (rerun.new_index, rerun.pending, rerun.indexed, rerun.total) == (True, len(IDS), len(IDS), len(IDS))
    assert rerun.index_id != first.index_id and rerun.embedded == 0  # the vectors came from the cache
    assert finds_everything(backend)


def test_an_emptied_index_gets_every_paper_again(backend, papers, embedder, request) -> None:
    first = index_papers(papers, backend, embedder)
    empty(backend, request)
    rerun = index_papers(papers, backend, embedder)
    assert rerun.index_id == first.index_id  # the same index, but it holds nothing the marks say it does
    assert (rerun.new_index, rerun.pending, rerun.indexed, rerun.total) == (True, len(IDS), len(IDS), len(IDS))
    assert finds_everything(backend)


def test_marks_of_another_index_do_not_count(backend, papers, embedder) -> None:
    with papers.transaction() as con:  # marks a store made before identities, and marks of some other index
        for other in ("local", "elasticsearch", "elasticsearch:radar-papers-v1-elsewhere:0123"):
            mark_indexed(con, other, dict.fromkeys(IDS, "whatever"), utc_now())
    result = index_papers(papers, backend, embedder)
    assert (result.new_index, result.pending, result.indexed) == (True, len(IDS), len(IDS))
    assert finds_everything(backend)


def test_reindex_moves_the_marks_to_the_new_index(backend, papers, embedder) -> None:
    first = index_papers(papers, backend, embedder)
    rebuilt = reindex_papers(papers, backend, embedder)
    assert rebuilt.index_id != first.index_id and rebuilt.indexed == len(IDS)
    with papers.transaction() as con:
        assert (count_marks(con, first.index_id), count_marks(con, rebuilt.index_id)) == (0, len(IDS))
    after = index_papers(papers, backend, embedder)
    assert (after.new_index, after.pending, after.index_id) == (False, 0, rebuilt.index_id)


# ---------------------------------------------------------------------- Elasticsearch only


def test_a_new_alias_gets_every_paper_and_the_old_one_keeps_its_marks(papers, embedder, es_backend, settings_for,
                                                                     es_admin) -> None:
    index_papers(papers, es_backend, embedder)
    other_alias = f"{es_backend.alias}-second"
    other = build_backend(settings_for(elasticsearch_alias=other_alias))
    try:
        moved = index_papers(papers, other, embedder)
        assert (moved.new_index, moved.pending, moved.indexed, moved.total) == (True, len(IDS), len(IDS), len(IDS))
        assert finds_everything(other)
        assert index_papers(papers, es_backend, embedder).pending == 0  # each index has its own marks
        assert index_papers(papers, other, embedder).pending == 0
    finally:
        other.close()
        es_admin.options(ignore_status=404).indices.delete(index=f"{other_alias}-*")


def test_an_index_made_before_identities_is_given_one(es_backend, es_admin, embedder) -> None:
    es_backend.prepare(dims=embedder.dims, model=embedder.name)
    (name,) = es_admin.indices.get_alias(name=es_backend.alias).body
    meta = es_admin.indices.get_mapping(index=name)[name]["mappings"]["_meta"]
    es_admin.indices.put_mapping(index=name, meta={k: v for k, v in meta.items() if k != "identity"})
    assert "identity" not in es_admin.indices.get_mapping(index=name)[name]["mappings"]["_meta"]

    given = es_backend.identity()
    stored = es_admin.indices.get_mapping(index=name)[name]["mappings"]["_meta"]
    assert given == f"elasticsearch:{name}:{stored['identity']}" and es_backend.identity() == given
    es_backend.prepare(dims=embedder.dims, model=embedder.name)  # the rest of _meta is untouched
    assert {k: v for k, v in stored.items() if k != "identity"} == {k: v for k, v in meta.items() if k != "identity"}


def test_reindex_keeps_the_old_index_searchable_until_the_swap(papers, embedder, es_backend, es_settings) -> None:
    index_papers(papers, es_backend, embedder)
    watcher = build_backend(es_settings)  # another process searching while the rebuild runs
    seen: list[tuple[int, list[str]]] = []

    def search_meanwhile(done: int, total: int) -> None:  # called while documents still stream into the new index
        seen.append((watcher.count(), [h.paper_id for h in watcher.bm25(TITLES[1], Filters(), 1)]))

    try:
        rebuilt = reindex_papers(papers, es_backend, embedder, progress=search_meanwhile)
        assert seen and all(found == (len(IDS), [IDS[1]]) for found in seen)
        assert rebuilt.total == len(IDS) and finds_everything(watcher)
    finally:
        watcher.close()
