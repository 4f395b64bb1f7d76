"""Maximal marginal relevance with a per-field quota, on small hand-made vectors."""

from __future__ import annotations

import numpy as np

from queries.diversity import mmr, own_field_quota


def unit(*rows: list[float]) -> np.ndarray:
    matrix = np.asarray(rows, dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_with_lambda_one_and_no_quota_it_is_plain_ranking() -> None:
    sims = np.array([0.2, 0.9, 0.5, 0.7])
    vectors = unit([1, 0], [1, 0.1], [1, 0.2], [1, 0.3])
    assert mmr(sims, vectors, ["A"] * 4, 3, lam=1.0) == [1, 3, 2]


def test_a_near_duplicate_gives_way_to_a_different_paper() -> None:
    sims = np.array([0.9, 0.89, 0.8])
    vectors = unit([1, 0, 0], [1, 0.01, 0], [0, 1, 0])  # 1 repeats 0; 2 says something else
    assert mmr(sims, vectors, ["A", "A", "A"], 2, lam=0.7) == [0, 2]
    assert mmr(sims, vectors, ["A", "A", "A"], 2, lam=1.0) == [0, 1]


def test_the_quota_caps_a_dominant_field() -> None:
    sims = np.array([0.9, 0.88, 0.86, 0.84, 0.5, 0.45])
    vectors = unit(*np.eye(6).tolist())
    fields = ["CS", "CS", "CS", "CS", "Physics", "Biology"]
    picked = mmr(sims, vectors, fields, 4, lam=0.7, max_per_field=2)
    assert [fields[i] for i in picked].count("CS") == 2
    assert sorted(picked) == [0, 1, 4, 5]
    assert [fields[i] for i in mmr(sims, vectors, fields, 4, lam=0.7)].count("CS") == 4


def test_the_quota_alone_leaves_places_empty_fill_gives_them_back() -> None:
    sims = np.array([0.9, 0.88, 0.86, 0.5])
    vectors = unit(*np.eye(4).tolist())
    fields = ["CS", "CS", "CS", "Physics"]
    assert mmr(sims, vectors, fields, 4, max_per_field=2) == [0, 1, 3]
    assert mmr(sims, vectors, fields, 4, max_per_field=2, fill=True) == [0, 1, 3, 2]


def test_edge_cases() -> None:
    assert mmr(np.array([]), np.zeros((0, 3)), [], 5) == []
    assert mmr(np.array([0.5]), unit([1, 0]), ["A"], 0) == []
    assert mmr(np.array([0.5, 0.4]), unit([1, 0], [0, 1]), ["A", "B"], 10) == [0, 1]
    assert [own_field_quota(k) for k in (1, 2, 5, 10)] == [1, 1, 3, 5]
