"""Diverse selection: maximal marginal relevance (MMR) with a per-field quota.

Pure functions over arrays, shared by related papers and the brief's choice of evidence.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

LAMBDA = 0.7
"""Weight of relevance against novelty: 1.0 is plain ranking by similarity."""


def own_field_quota(k: int) -> int:
    """How many of k picks one field may take: half, rounded up."""
    return max(1, math.ceil(k / 2))


def mmr(query_sims: np.ndarray, doc_vectors: np.ndarray, fields: list[str], k: int, *,
        lam: float = LAMBDA, max_per_field: int | None = None, fill: bool = False) -> list[int]:
    """Indices of up to ``k`` documents, in the order picked: each pick maximises
    ``lam * sim(query, d) - (1 - lam) * max sim(d, picked)``, and no field gets more than
    ``max_per_field`` picks (None: no quota). With ``fill``, once the quota leaves nothing to
    pick, the remaining places go to the best of the rest, quota or not: the quota makes room
    for other fields first, without leaving places empty. Ties go to the lower index, so
    callers that pre-sort their candidates get a stable answer."""
    n = len(query_sims)
    if n == 0 or k <= 0:
        return []
    vectors = _normalised(np.asarray(doc_vectors, dtype=np.float32))
    relevance = np.asarray(query_sims, dtype=np.float64)
    redundancy = np.full(n, -np.inf)
    available = np.ones(n, dtype=bool)
    per_field: Counter[str] = Counter()
    picked: list[int] = []
    while len(picked) < k:
        if max_per_field is not None:
            for i in np.flatnonzero(available):
                if per_field[fields[i]] >= max_per_field:
                    available[i] = False
        if not available.any():
            if not fill or max_per_field is None:
                break
            max_per_field = None
            available[:] = True
            available[picked] = False
            if not available.any():
                break
        penalty = np.where(np.isfinite(redundancy), redundancy, 0.0)
        scores = np.where(available, lam * relevance - (1 - lam) * penalty, -np.inf)
        best = int(np.argmax(scores))
        picked.append(best)
        available[best] = False
        per_field[fields[best]] += 1
        redundancy = np.maximum(redundancy, vectors @ vectors[best])
    return picked


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)
