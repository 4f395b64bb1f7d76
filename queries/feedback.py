"""Star / dismiss feedback in a profile's digest.

- Starred papers become seed papers: the profile's vector blends them in like the seeds of the
  config (``with_stars``).
- Dismissed papers push similar papers down: a paper's score loses ``DISMISS_WEIGHT`` times the
  part of its highest cosine to a dismissed paper above ``DISMISS_FLOOR`` (unrelated abstracts score
  0.0-0.2 with all-MiniLM-L6-v2, so only papers close to a dismissed one pay).
- Seeds, starred and dismissed papers are never listed as news: the digest leaves them out and
  counts them in ``left_out`` (``seed``, ``starred``, ``dismissed``).

The digest (queries/digest.py) takes a ``DigestFeedback`` through one hook; ``profile_digest``
builds it from an effective profile. Feedback is read on every call: the ranking changes on the
next load after a star or a dismissal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from indexing.embeddings import Embedder
from indexing.records import Paper
from indexing.search.base import SearchBackend
from indexing.store import Store
from indexing.store.papers import canonical_ids, read_papers
from queries.digest import DEFAULT_K, Digest, digest
from queries.profiles import Profile
from queries.related import id_forms, paper_vectors
from radar.config import ProfileSpec

DISMISS_WEIGHT = 0.6
DISMISS_FLOOR = 0.3


@dataclass(frozen=True, slots=True)
class DigestFeedback:
    """What a profile's feedback does to its digest: papers left out, and vectors that push papers down."""

    hidden: dict[str, str] = field(default_factory=dict)
    """Paper id -> why it is not listed: seed, starred or dismissed."""
    dismissed: np.ndarray | None = None
    """Unit vectors of the dismissed papers (one per row)."""
    weight: float = DISMISS_WEIGHT
    floor: float = DISMISS_FLOOR

    def left_out_because(self, paper: Paper) -> str | None:
        return self.hidden.get(paper.paper_id)

    def adjust(self, paper_vectors: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """``scores`` less the penalty of each (unit) paper vector's closeness to a dismissed paper."""
        return scores - dismissal_penalty(paper_vectors, self.dismissed, weight=self.weight, floor=self.floor)


def dismissal_penalty(paper_vectors: np.ndarray, dismissed: np.ndarray | None, *, weight: float = DISMISS_WEIGHT,
                      floor: float = DISMISS_FLOOR) -> np.ndarray:
    """``weight`` times how far each paper's highest cosine to a dismissed paper rises above ``floor``."""
    papers = np.asarray(paper_vectors, dtype=np.float32)
    if dismissed is None or not len(dismissed):
        return np.zeros(len(papers), dtype=np.float32)
    closest = (papers @ np.asarray(dismissed, dtype=np.float32).T).max(axis=1)
    return weight * np.clip(closest - floor, 0.0, None)


def with_stars(profile: Profile) -> ProfileSpec:
    """The profile's spec with its starred papers among the seeds."""
    seeds = list(dict.fromkeys([*profile.spec.seeds, *profile.starred]))
    return profile.spec.model_copy(update={"seeds": seeds})


def digest_feedback(store: Store, embedder: Embedder, profile: Profile) -> DigestFeedback:
    """The feedback of ``profile`` as its digest uses it (seed ids resolved to stored ids)."""
    con = store.cursor()
    forms = {seed: id_forms(seed) for seed in profile.spec.seeds}
    found = canonical_ids(con, [f for fs in forms.values() for f in fs])
    hidden = {found[f]: "seed" for fs in forms.values() for f in fs if f in found}
    hidden.update({paper_id: "starred" for paper_id in profile.starred})
    hidden.update({paper_id: "dismissed" for paper_id in profile.dismissed})
    vectors = None
    if profile.dismissed:
        papers = read_papers(con, list(profile.dismissed))
        known = [papers[i] for i in profile.dismissed if i in papers]
        if known:
            by_id, _ = paper_vectors(store, embedder, known)
            rows = np.vstack([by_id[p.paper_id] for p in known]).astype(np.float32)
            vectors = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    return DigestFeedback(hidden=hidden, dismissed=vectors)


def profile_digest(store: Store, backend: SearchBackend, embedder: Embedder, profile: Profile, *,
                   day: date | None = None, k: int = DEFAULT_K) -> Digest:
    """The digest of an effective profile, with its stars as seeds and its dismissals pushing papers down."""
    return digest(store, backend, embedder, with_stars(profile), day=day, k=k,
                  feedback=digest_feedback(store, embedder, profile))
