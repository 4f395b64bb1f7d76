"""A relevance people can read: the calibrated chance (0 to 1) that a paper is relevant to a query,
and the floor under which Radar says "nothing relevant" instead of showing it.

Two signals, the same on every backend: the cosine between the query's vector and the paper's
(from the embeddings cache, so exact whichever engine found the paper), and the paper's BM25
score divided by the number of query words and by log(1 + documents in the index) (a short
query and a long one, a small index and a large one, score on one scale: a word's IDF grows with
the log of the index's size). A logistic regression turns them into a probability. Fusion sums and ranks (RRF) mean nothing to a
reader; this does: 0.8 is "very likely on topic", 0.1 "probably not".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from indexing.search.base import BackendHit

# Fitted by bench/relevance_fit.py on BEIR SciFact *train* (809 queries, 5,183 abstracts;
# candidates: the local backend's BM25 top 100 and dense top 100 per query, labelled by SciFact's
# qrels; logistic regression by Newton's method), all-MiniLM-L6-v2, refitted on the local backend's
# own postings BM25 (Snowball porter terms of indexing/analysis.py). SciFact judges strictly (does
# the abstract support or refute the claim?), so these probabilities are cautious for topical
# searches. On SciFact test: AUC 0.944, and predicted 0.28 / 0.49 / 0.85 came true 25% / 47% / 71%.
INTERCEPT = -11.006
COSINE_WEIGHT = 9.647
BM25_WEIGHT = 18.828
BM25_ONLY_INTERCEPT = -8.127
BM25_ONLY_WEIGHT = 30.98
"""The same fit on the BM25 signal alone (test AUC 0.927), for `--mode bm25`, which answers
without loading the embedding model."""
FLOOR = 0.01
"""Lowest relevance shown by default (search, brief evidence). Chosen on SciFact train
(bench/relevance_fit.py) to keep most relevant abstracts while rejecting what has nothing to do
with the query: on test it keeps 82% of the relevant ones (9 hits a query) and leaves 6% of the
queries with nothing, where 0.2 would keep 42% and answer barely half. On the demo day, "coral
reef bleaching ocean acidification" scores under 0.001 on every paper, "Shapley value" 0.09 on
the Shapley paper."""


def relevance(cosine: float | None, bm25: float) -> float:
    """The calibrated probability of relevance from a cosine (-1..1; None: not computed, BM25
    alone) and a normalised BM25."""
    if cosine is None:
        z = BM25_ONLY_INTERCEPT + BM25_ONLY_WEIGHT * bm25
    else:
        z = INTERCEPT + COSINE_WEIGHT * cosine + BM25_WEIGHT * bm25
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def normalised_bm25(score: float, query_words: int, documents: int) -> float:
    """BM25 per query word and per unit of the largest IDF the index can give: sums over more
    words are larger, and so are the IDFs of a larger index, without being more relevant."""
    return score / max(1, query_words) / math.log(1 + max(1, documents))


def signals(paper_ids: Sequence[str], query_vector: np.ndarray | None, vectors: Mapping[str, np.ndarray],
            bm25: Sequence[BackendHit], depth: int, query_words: int,
            documents: int) -> dict[str, tuple[float | None, float]]:
    """(cosine, normalised BM25) for each paper; the cosine is None without a query vector. A
    paper the BM25 ranking did not return scores 0 when that ranking was not full (it matched no
    query word), else at most the last score returned, which it is given."""
    query = None if query_vector is None else _unit(query_vector)
    scores = {h.paper_id: h.score for h in bm25}
    missing = 0.0 if len(bm25) < depth or not bm25 else min(scores.values())
    found = {}
    for paper_id in paper_ids:
        vector = vectors.get(paper_id)
        cosine = None if query is None else float(_unit(vector) @ query) if vector is not None else 0.0
        found[paper_id] = (cosine, normalised_bm25(scores.get(paper_id, missing), query_words, documents))
    return found


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
