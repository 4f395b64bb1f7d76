"""Search: fusion, query hygiene, snippets, and results that carry their citation data."""

from __future__ import annotations

import pytest

from indexing.index import index_papers
from indexing.ingest import ingest_all
from indexing.search.base import BackendHit, Filters
from indexing.search.local import LocalBackend
from indexing.store import Store
from queries.search import (
    MAX_TERMS, clean_query, convex_fusion, make_snippet, query_terms, reciprocal_rank_fusion, search,
)
from radar.config import FeedSpec
from radar.errors import QueryError
from tests.recorded import ARXIV_ATOM


def hits(*ids: str) -> list[BackendHit]:
    return [BackendHit(i, 1.0) for i in ids]


def test_rrf_rewards_agreement_and_is_stable() -> None:
    fused = reciprocal_rank_fusion({"bm25": hits("a", "b", "c"), "dense": hits("b", "d", "a")})
    assert [pid for pid, _, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    assert fused[0][2] == ["bm25", "dense"] and fused[2][2] == ["dense"]


def test_convex_fusion_weighs_normalised_cosine_and_bm25() -> None:
    rankings = {"bm25": [BackendHit("a", 9.0), BackendHit("b", 5.0)], "dense": [BackendHit("b", 0.8), BackendHit("c", 0.7)]}
    found = {"a": (0.2, 3.0), "b": (0.8, 2.0), "c": (0.7, 1.0)}  # (cosine, normalised BM25), as relevance.signals gives
    fused = convex_fusion(rankings, found, weight=0.6)
    assert [pid for pid, _, _ in fused] == ["b", "c", "a"]
    assert fused[0][1] == pytest.approx(0.6 * 1.0 + 0.4 * 0.5)  # cosine at the top, BM25 half way
    assert fused[2][1] == pytest.approx(0.4)  # the lowest cosine, the highest BM25
    assert fused[0][2] == ["bm25", "dense"] and fused[1][2] == ["dense"] and fused[2][2] == ["bm25"]
    assert convex_fusion({"bm25": [], "dense": []}, {}) == []
    flat = convex_fusion({"bm25": [], "dense": hits("x", "y")}, {"x": (0.5, 0.0), "y": (0.4, 0.0)})
    assert [pid for pid, _, _ in flat] == ["x", "y"]  # no BM25 evidence: the cosine alone orders


@pytest.mark.parametrize("query", ["", "   ", "?!", "*** ~~~"])
def test_queries_without_words_are_a_clear_error(query: str) -> None:
    with pytest.raises(QueryError, match="no words"):
        clean_query(query)


def test_very_long_queries_are_cut_and_say_so() -> None:
    text, truncated = clean_query("word " * 5_000)
    assert truncated and len(text.split()) == MAX_TERMS


def test_snippet_offsets_point_at_query_words() -> None:
    abstract = "Filler words here. " * 20 + "We segment MRI scans with diffusion models. " + "More filler. " * 20
    snippet, offsets = make_snippet(abstract, query_terms("diffusion models for MRI segmentation"))
    # "segment" stems as "segmentation" does: highlighted, as the backends matched it
    assert {snippet[a:b].lower() for a, b in offsets} == {"segment", "mri", "diffusion", "models"}
    assert snippet.startswith("… ") and snippet.endswith(" …")


@pytest.fixture
def indexed(store: Store, fetcher, feeds_dir, embedder) -> LocalBackend:
    specs = [FeedSpec(name="cs-ai", kind="arxiv-rss", url=(feeds_dir / ARXIV_ATOM).as_uri()),
             FeedSpec(name="bio", kind="biorxiv", url=(feeds_dir / "biorxiv_details.json").as_uri())]
    ingest_all(store, specs, fetcher)
    backend = LocalBackend(store)
    index_papers(store, backend, embedder)
    return backend


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_every_mode_finds_the_paper_and_carries_its_citation(store, indexed, embedder, mode) -> None:
    result = search(store, indexed, embedder, "interpretability of functional data models with the Shapley value", mode=mode, k=3)
    top = result.hits[0]
    assert top.paper_id == "arxiv:2411.18575" and top.rank == 1
    assert top.title.startswith("Functional relevance") and top.authors[0] == "Pedro Delicado"
    assert top.url == "https://arxiv.org/abs/2411.18575" and top.field == "Statistics"
    assert top.published == "2024-11-28" and top.categories[0] == "stat.ML"
    assert result.hits == sorted(result.hits, key=lambda h: h.rank)


def test_filters_reach_the_backend(store, indexed, embedder) -> None:
    result = search(store, indexed, embedder, "brain networks", filters=Filters(field="Biology"), k=10,
                    include_below_floor=True)
    assert result.hits and {h.field for h in result.hits} == {"Biology"}
