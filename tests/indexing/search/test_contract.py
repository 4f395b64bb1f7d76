"""One contract, every backend: the same documents, queries and expectations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from indexing.embeddings import Embedder, document_text
from indexing.search.base import Filters, SearchDoc
from indexing.search.local import LocalBackend
from radar.errors import IndexMismatchError

CORPUS = [
    ("p1", "Diffusion models for MRI segmentation", "We segment brain MRI scans with denoising diffusion models.",
     "Computer Science", ("cs.CV", "eess.IV"), "arxiv", date(2024, 11, 28)),
    ("p2", "Graph neural networks for molecules", "Message passing networks predict molecular properties.",
     "Computer Science", ("cs.LG",), "arxiv", date(2024, 11, 27)),
    ("p3", "Quantum error correction with surface codes", "Logical qubits survive noise with surface codes.",
     "Physics", ("quant-ph",), "arxiv", date(2024, 10, 1)),
    ("p4", "Protein structure prediction", "Deep learning predicts how proteins fold.",
     "Biology", ("bioinformatics",), "biorxiv", date(2026, 7, 15)),
    ("p5", "Bayesian designs for clinical trials", "Adaptive randomisation in trials of new drugs.",
     "Medicine", ("epidemiology",), "medrxiv", date(2026, 7, 16)),
    ("p6", "Cramér–Rao bounds à la Käser", "Following Hübner and Łukasz Søndergaard, we bound the estimator's error.",
     "Mathematics", ("math.ST",), "arxiv", date(2025, 1, 15)),
]
ANNOUNCE = {"p2": "cross-list", "p3": "revised"}


@pytest.fixture(scope="session")
def docs(embedder: Embedder) -> list[SearchDoc]:
    vectors = embedder.embed([document_text(t, a) for _, t, a, *_ in CORPUS])
    return [SearchDoc(pid, title, abstract, ("A. Author",), cats, field, source,
                      datetime(d.year, d.month, d.day, tzinfo=UTC), [float(x) for x in v], f"hash-{pid}",
                      ANNOUNCE.get(pid, "new"))
            for (pid, title, abstract, field, cats, source, d), v in zip(CORPUS, vectors, strict=True)]


SCORE_TOLERANCE = 0.01
"""How far a k-NN score may be from the exact cosine (Elasticsearch scores int8-quantised vectors;
measured: at most 0.0024 over 35 hits of the corpus below)."""


def load(instance, docs, embedder):
    instance.prepare(dims=embedder.dims, model=embedder.name)
    instance.index(docs)
    instance.refresh()
    return instance


@pytest.fixture(params=["local", "elasticsearch"])
def backend(request, store, docs, embedder):
    instance = load(LocalBackend(store) if request.param == "local" else request.getfixturevalue("es_backend"),
                    docs, embedder)
    yield instance
    instance.close()


def ids(hits) -> list[str]:
    return [h.paper_id for h in hits]


def test_bm25_ranks_the_matching_paper_first(backend) -> None:
    assert ids(backend.bm25("MRI segmentation", Filters(), 3))[0] == "p1"
    assert ids(backend.bm25("surface codes", Filters(), 3))[0] == "p3"


def test_knn_finds_meaning_without_shared_words(backend, embedder) -> None:
    vector = embedder.embed(["how do amino acid chains fold"])[0]
    assert ids(backend.knn(vector, Filters(), 2))[0] == "p4"


def cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


QUERIES = ["how do amino acid chains fold", "medical image segmentation", "random unrelated words about cooking"]


@pytest.mark.parametrize("filters", [Filters(), Filters(field="Computer Science")])
def test_a_knn_score_is_the_cosine(backend, docs, embedder, filters: Filters) -> None:
    by_id = {d.paper_id: d.vector for d in docs}
    for query in QUERIES:
        vector = embedder.embed([query])[0]
        hits = backend.knn(vector, filters, len(docs))
        assert hits
        for hit in hits:
            assert hit.score == pytest.approx(cosine(vector, by_id[hit.paper_id]), abs=SCORE_TOLERANCE)


def test_both_backends_give_the_same_knn_scores(store, docs, embedder, es_backend) -> None:
    local, elastic = load(LocalBackend(store), docs, embedder), load(es_backend, docs, embedder)
    for query in QUERIES:
        vector = embedder.embed([query])[0]
        for filters in (Filters(), Filters(field="Computer Science"), Filters(since=date(2026, 1, 1))):
            mine = {h.paper_id: h.score for h in local.knn(vector, filters, len(docs))}
            theirs = {h.paper_id: h.score for h in elastic.knn(vector, filters, len(docs))}
            assert mine.keys() == theirs.keys() and mine
            for paper_id, score in mine.items():
                assert theirs[paper_id] == pytest.approx(score, abs=SCORE_TOLERANCE), (query, filters, paper_id)


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(field="Physics"), {"p3"}),
    (Filters(category="cs.LG"), {"p2"}),
    (Filters(source="medrxiv"), {"p5"}),
    (Filters(since=date(2026, 7, 15)), {"p4", "p5"}),
    (Filters(until=date(2024, 11, 27)), {"p2", "p3"}),
    (Filters(since=date(2024, 11, 27), until=date(2024, 11, 28), field="Computer Science"), {"p1", "p2"}),
    (Filters(announce=("cross-list", "revised")), {"p2", "p3"}),
    (Filters(announce=("new",), source="arxiv", until=date(2024, 12, 31)), {"p1"}),
])
def test_filters_apply_to_both_query_kinds(backend, embedder, filters: Filters, expected: set[str]) -> None:
    vector = embedder.embed(["research"])[0]
    assert set(ids(backend.knn(vector, filters, 10))) == expected
    words = "diffusion molecules qubits proteins trials models networks codes prediction designs"
    assert set(ids(backend.bm25(words, filters, 10))) == expected


@pytest.mark.parametrize("query", ["Kaser", "Hubner", "Lukasz Sondergaard", "Cramer-Rao", "KÄSER", "Hübner",
                                   "Cramér–Rao", "Łukasz"])
def test_search_folds_accents_both_ways(backend, query: str) -> None:
    assert ids(backend.bm25(query, Filters(), 3)) == ["p6"]


@pytest.mark.parametrize(("query", "expected"), [("segmenting", "p1"), ("segments", "p1"), ("qubit", "p3"),
                                               ("protein folding", "p4"), ("randomised trial", "p5")])
def test_both_backends_stem(backend, query: str, expected: str) -> None:
    """Inflections meet on both backends (the local one stems with DuckDB's porter, Elasticsearch with
    its english analyzer or, where the node lacks it, with Radar's own analysis, the same porter)."""
    assert ids(backend.bm25(query, Filters(), 3))[0] == expected


def test_loading_the_same_documents_again_adds_nothing(backend, docs) -> None:
    report = backend.index(docs)
    backend.refresh()
    assert sorted(report.indexed) == sorted(d.paper_id for d in docs)
    assert backend.count() == len(docs)


def test_a_document_with_wrong_dimensions_fails_alone(backend, docs) -> None:
    bad = SearchDoc("bad", "t", "a", (), (), "Physics", "arxiv", None, [0.1, 0.2], "h")
    report = backend.index([bad, docs[0]])
    assert "bad" in report.failed and report.indexed == ["p1"]


def test_delete_and_rebuild(backend, docs, embedder) -> None:
    molecules = embedder.embed(["graph networks for molecular properties"])[0]
    assert ids(backend.knn(molecules, Filters(), 1)) == ["p2"]
    backend.delete(["p2"])
    backend.refresh()
    assert backend.count() == len(docs) - 1
    assert "p2" not in ids(backend.knn(molecules, Filters(), 5))
    report = backend.rebuild(iter(docs), dims=embedder.dims, model=embedder.name)
    assert len(report.indexed) == len(docs) and backend.count() == len(docs)
    assert ids(backend.bm25("MRI segmentation", Filters(), 1)) == ["p1"]


def test_the_index_names_the_model_its_vectors_came_from(backend, embedder) -> None:
    assert backend.model() == embedder.name


def test_another_model_is_refused_with_the_fix(backend) -> None:
    with pytest.raises(IndexMismatchError, match="radar reindex"):
        backend.prepare(dims=768, model="some-other-model")


@pytest.mark.parametrize("query", ["", "   ", "?!?", "title:(foo AND", '"unbalanced', "*?~^", "\\", "a" * 10_000,
                                   " ".join(["segmentation"] * 3_000)])
def test_absurd_queries_give_a_clean_answer(backend, query: str) -> None:
    hits = backend.bm25(query, Filters(), 5)
    assert isinstance(hits, list)
