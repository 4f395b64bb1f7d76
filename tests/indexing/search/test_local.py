"""The local backend's own postings (indexing/search/lexical.py): kept current by every write,
clustered without changing an answer, and built once from an index of DuckDB's fts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from indexing.search import lexical
from indexing.search.base import Filters
from indexing.search.local import LocalBackend
from radar.errors import SearchError
from tests.indexing.search.test_contract import docs, ids, load  # noqa: F401 - the contract's documents


def test_an_updated_paper_is_found_by_its_new_words_only(store, docs, embedder) -> None:  # noqa: F811
    backend = load(LocalBackend(store), docs, embedder)
    assert ids(backend.bm25("qubits surface codes", Filters(), 3))[0] == "p3"
    backend.index([dataclasses.replace(docs[2], title="Lattice surgery for photonic chips", abstract="Waveguides.")])
    assert "p3" not in ids(backend.bm25("qubits", Filters(), 5))
    assert ids(backend.bm25("photonic waveguides", Filters(), 5)) == ["p3"]
    backend.delete(["p3"])
    assert backend.bm25("photonic waveguides", Filters(), 5) == []


def test_scores_follow_the_documents_not_a_rebuild(store, docs, embedder) -> None:  # noqa: F811
    """Adding papers changes every idf at once, as a rebuilt index would."""
    backend = load(LocalBackend(store), docs[:3], embedder)
    before = backend.bm25("diffusion models", Filters(), 1)[0].score
    backend.index(docs[3:])
    after = backend.bm25("diffusion models", Filters(), 1)[0].score
    assert after != before


def test_clustering_changes_no_answer(store, docs, embedder, monkeypatch) -> None:  # noqa: F811
    backend = load(LocalBackend(store), docs, embedder)
    queries = ["diffusion molecules qubits", "proteins trials", "Kaser estimator", "networks codes prediction"]
    answers = [backend.bm25(q, Filters(), 10) for q in queries]
    monkeypatch.setattr(lexical, "UNSORTED_MIN_ROWS", 0)
    monkeypatch.setattr(lexical, "UNSORTED_SHARE", 0.0)
    backend.index([dataclasses.replace(d, paper_id=f"{d.paper_id}-copy") for d in docs])
    backend.delete([f"{d.paper_id}-copy" for d in docs])
    backend.refresh()
    assert [backend.bm25(q, Filters(), 10) for q in queries] == answers
    with store.reading() as con:
        assert con.execute("SELECT value FROM search_meta WHERE key = 'terms_sorted'").fetchone()[0] != "0"


def test_an_index_built_on_duckdb_fts_gets_its_postings_once(store, docs, embedder) -> None:  # noqa: F811
    backend = load(LocalBackend(store), docs, embedder)
    expected = backend.bm25("MRI segmentation", Filters(), 3)
    store.close()
    with duckdb.connect(str(Path(store.path))) as con:  # as an earlier Radar left it: no postings
        lexical.drop(con, "search_docs")
    fresh = LocalBackend(store)
    with pytest.raises(SearchError, match="radar index"):
        fresh.bm25("MRI segmentation", Filters(), 3)
    fresh.prepare(dims=embedder.dims, model=embedder.name)
    assert fresh.bm25("MRI segmentation", Filters(), 3) == expected
