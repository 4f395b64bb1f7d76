"""Relevance a person can read, and the floor: on the demo day's papers across fields, an
off-topic query finds nothing relevant instead of the least bad papers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from indexing.search.base import BackendHit
from queries.relevance import FLOOR, normalised_bm25, relevance, signals
from queries.search import search, search_json

OFF_TOPIC = "coral reef bleaching ocean acidification"
ON_TOPIC = "class-incremental learning with pre-trained models"  # arxiv:2411.17766 is in the corpus


def test_relevance_is_a_probability_that_grows_with_both_signals() -> None:
    assert 0.0 <= relevance(-1.0, 0.0) < relevance(0.3, 0.0) < relevance(0.6, 0.0) < relevance(0.9, 0.0) <= 1.0
    assert relevance(0.5, 0.0) < relevance(0.5, 3.0)
    assert relevance(0.1, 0.0) < FLOOR < relevance(0.8, 0.5)
    assert 0.0 < relevance(None, 0.1) < relevance(None, 0.3) < 1.0  # BM25 alone (bm25 mode, no model)


def test_bm25_is_taken_per_query_word_and_per_unit_of_the_largest_idf() -> None:
    assert normalised_bm25(12.0, 4, 99) == pytest.approx(3.0 / math.log(100))
    assert normalised_bm25(5.0, 0, 0) == pytest.approx(5.0 / math.log(2))


def test_signals_give_a_paper_bm25_missed_zero_only_when_the_ranking_was_not_full() -> None:
    vectors = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 2.0])}
    bm25 = [BackendHit("a", 6.0), BackendHit("c", 4.0)]
    e = math.e - 1  # log(1 + e) == 1: BM25 per query word only
    short = signals(["a", "b"], np.array([3.0, 0.0]), vectors, bm25, depth=10, query_words=2, documents=e)
    assert short["a"] == pytest.approx((1.0, 3.0)) and short["b"] == pytest.approx((0.0, 0.0))
    full = signals(["b"], np.array([0.0, 1.0]), vectors, bm25, depth=2, query_words=2, documents=e)
    assert full["b"] == pytest.approx((1.0, 2.0))  # at most the last score returned


def test_an_off_topic_query_finds_nothing_relevant(fields_corpus, fields_backend, embedder) -> None:
    result = search(fields_corpus, fields_backend, embedder, OFF_TOPIC, k=10)
    assert result.hits == [] and result.nothing_relevant and result.below_floor == 10
    data = search_json(result)
    assert data["nothing_relevant"] is True and data["relevance_floor"] == FLOOR and data["hits"] == []
    shown = search(fields_corpus, fields_backend, embedder, OFF_TOPIC, k=10, include_below_floor=True)
    assert len(shown.hits) == 10 and all(h.relevance < FLOOR for h in shown.hits) and not shown.nothing_relevant


@pytest.mark.parametrize("mode", ["hybrid", "bm25", "dense"])
def test_an_on_topic_query_shows_readable_relevance(fields_corpus, fields_backend, embedder, mode) -> None:
    result = search(fields_corpus, fields_backend, embedder, ON_TOPIC, mode=mode, k=10)
    assert result.hits[0].paper_id == "arxiv:2411.17766" and result.hits[0].relevance >= 0.5
    assert all(FLOOR <= h.relevance <= 1 for h in result.hits)
    assert len(result.hits) + result.below_floor == 10
