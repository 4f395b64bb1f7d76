"""Stars and dismissals in a profile's digest, on the real indexed corpus across fields."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from indexing.embeddings import Embedder
from indexing.search.local import LocalBackend
from indexing.store import Store
from queries.feedback import DISMISS_FLOOR, DISMISS_WEIGHT, dismissal_penalty, profile_digest, with_stars
from queries.profiles import Profile
from radar.config import ProfileSpec

DAY = date(2024, 11, 28)
ML = ProfileSpec(name="ml", description="Deep learning and neural networks", include_revised=True)


def profile(**feedback: tuple[str, ...]) -> Profile:
    return Profile(spec=ML, source="store", in_config=False, edited=False, **feedback)


def test_the_penalty_counts_only_closeness_above_the_floor() -> None:
    papers = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    penalty = dismissal_penalty(papers, np.array([[1.0, 0.0]], dtype=np.float32))
    assert penalty == pytest.approx([DISMISS_WEIGHT * (1 - DISMISS_FLOOR), 0.0, DISMISS_WEIGHT * (0.6 - DISMISS_FLOOR)])
    assert dismissal_penalty(papers, None) == pytest.approx([0.0, 0.0, 0.0])


def test_stars_join_the_seeds_once() -> None:
    spec = with_stars(Profile(spec=ML.model_copy(update={"seeds": ["arxiv:1"]}), source="config", in_config=True,
                              edited=False, starred=("arxiv:1", "arxiv:2")))
    assert spec.seeds == ["arxiv:1", "arxiv:2"]


@pytest.fixture(scope="module")
def plain(fields_corpus: Store, fields_backend: LocalBackend, embedder: Embedder):  # noqa: ANN201
    return profile_digest(fields_corpus, fields_backend, embedder, profile(), day=DAY, k=400)


def test_a_dismissed_paper_leaves_the_digest_and_pushes_its_neighbours_down(
        fields_corpus: Store, fields_backend: LocalBackend, embedder: Embedder, plain) -> None:  # noqa: ANN001
    top = plain.entries[0].paper_id
    after = profile_digest(fields_corpus, fields_backend, embedder, profile(dismissed=(top,)), day=DAY, k=400)
    assert top not in [e.paper_id for e in after.entries] and after.left_out.get("dismissed") == 1
    before = {e.paper_id: e.score for e in plain.entries}
    now = {e.paper_id: e.score for e in after.entries}
    assert any(now[p] < before[p] - 1e-6 for p in now), "no paper close to the dismissed one lost score"
    from indexing.store.search_state import vectors_of

    cached = vectors_of(fields_corpus.cursor(), embedder.name, [*before])
    unit = {p: v / np.linalg.norm(v) for p, v in cached.items()}
    nearest = max(now, key=lambda p: float(unit[p] @ unit[top]))
    rank = (lambda d, p: [e.paper_id for e in d.entries].index(p))
    assert rank(after, nearest) > rank(plain, nearest)  # pushed down, though the paper above it left


def test_a_starred_paper_becomes_a_seed_is_not_news_and_lifts_papers_like_it(
        fields_corpus: Store, fields_backend: LocalBackend, embedder: Embedder, plain) -> None:  # noqa: ANN001
    starred = plain.entries[len(plain.entries) // 2].paper_id  # a middling paper of the day
    after = profile_digest(fields_corpus, fields_backend, embedder, profile(starred=(starred,)), day=DAY, k=400)
    assert after.seeds_used == [starred] and after.left_out.get("starred") == 1
    assert starred not in [e.paper_id for e in after.entries]
    before = [e.paper_id for e in plain.entries if e.paper_id != starred]
    ranked = [e.paper_id for e in after.entries]
    assert ranked != before  # the ranking changed
    from indexing.store.search_state import vectors_of

    cached = vectors_of(fields_corpus.cursor(), embedder.name, [e.paper_id for e in plain.entries])
    target = cached[starred] / np.linalg.norm(cached[starred])
    nearest = max(before, key=lambda p: float(cached[p] @ target / np.linalg.norm(cached[p])))
    assert ranked.index(nearest) < before.index(nearest)
