"""The judged set of bench/judgments is well formed: every judgment belongs to a query, grades are 0-2,
no pair is judged twice, and every kind of ranker has queries with something relevant."""

from __future__ import annotations

from collections import Counter

from bench.rank_eval import load_judgments, load_queries, precision_at


def test_the_judged_set_is_well_formed() -> None:
    queries = load_queries()
    ids = [q.query_id for q in queries]
    assert len(ids) == len(set(ids)) >= 25
    assert Counter(q.kind for q in queries).keys() == {"profile", "search", "related"}
    grades = load_judgments()
    assert set(grades) <= set(ids)
    assert all(g in (0, 1, 2) for judged in grades.values() for g in judged.values())
    for kind in ("profile", "search", "related"):
        assert all(any(g > 0 for g in grades[q.query_id].values()) for q in queries
                   if q.kind == kind and q.query_id != "s04"), f"a {kind} query has nothing relevant judged"
    assert grades["s04"] and not any(grades["s04"].values())  # the query the index holds nothing on


def test_pairs_are_judged_once() -> None:
    from bench.rank_eval import JUDGMENTS

    pairs = [tuple(line.split("\t")[:2]) for line in (JUDGMENTS / "judgments.tsv").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(pairs) == len(set(pairs))


def test_precision_counts_the_first_k_places_even_when_fewer_are_listed() -> None:
    grades = {"a": 2, "b": 1, "c": 0}
    assert precision_at(["a", "b", "c", "d"], grades, k=4) == 0.5
    assert precision_at(["a"], grades, k=10) == 0.1
