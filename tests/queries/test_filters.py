"""Filters are checked against the store: any case matches, an unknown value or an empty date range
is a usage error that says what is known."""

from __future__ import annotations

from datetime import date

import pytest

from indexing.search.base import Filters
from queries.filters import announce_kinds, check_filters
from queries.search import search
from radar.errors import QueryError


@pytest.mark.parametrize(("given", "stored"), [
    (Filters(field="biology"), Filters(field="Biology")),
    (Filters(field="COMPUTER science"), Filters(field="Computer Science")),
    (Filters(category="cs.cv"), Filters(category="cs.CV")),
    (Filters(category="Q-BIO.bm"), Filters(category="q-bio.BM")),
    (Filters(source="nature"), Filters(source="Nature")),
    (Filters(source="ARXIV", announce=("Cross", "new")), Filters(source="arxiv", announce=("new", "cross-list"))),
])
def test_filters_match_whatever_the_case(fields_corpus, given: Filters, stored: Filters) -> None:
    assert check_filters(fields_corpus.cursor(), given) == stored


@pytest.mark.parametrize(("filters", "known"), [
    (Filters(field="Astrology"), ["Computer Science", "Physics", "Mathematics", "Multidisciplinary"]),
    (Filters(source="pubmed"), ["arxiv", "Nature", "biorxiv"]),
    (Filters(category="cs.XX"), ["cs.LG", "cs.CV"]),
])
def test_an_unknown_value_is_an_error_listing_the_known_ones(fields_corpus, filters: Filters, known: list[str]) -> None:
    with pytest.raises(QueryError) as caught:
        check_filters(fields_corpus.cursor(), filters)
    message = str(caught.value)
    assert "Known" in message and all(k in message for k in known)


def test_a_near_miss_is_suggested(fields_corpus) -> None:
    with pytest.raises(QueryError, match="Did you mean Physics"):
        check_filters(fields_corpus.cursor(), Filters(field="Phisics"))


def test_an_empty_date_range_is_an_error(fields_corpus) -> None:
    with pytest.raises(QueryError, match="--since 2024-12-01 is after --until 2024-11-01"):
        check_filters(fields_corpus.cursor(), Filters(since=date(2024, 12, 1), until=date(2024, 11, 1)))
    one_day = Filters(since=date(2024, 11, 28), until=date(2024, 11, 28))
    assert check_filters(fields_corpus.cursor(), one_day) == one_day


def test_unknown_announce_kinds_are_an_error() -> None:
    assert announce_kinds(["new,cross", "revised"]) == ("new", "cross-list", "revised")
    with pytest.raises(QueryError, match="new, cross .* or revised"):
        announce_kinds(["new,old"])


def test_search_checks_its_filters_and_honours_the_announce_kind(fields_corpus, fields_backend, embedder) -> None:
    lower = search(fields_corpus, fields_backend, embedder, "neural networks", filters=Filters(field="computer science"), k=5,
                   include_below_floor=True)  # the filters are what is tested here, not the relevance floor
    assert lower.filters.field == "Computer Science" and len(lower.hits) == 5
    assert {h.field for h in lower.hits} == {"Computer Science"}
    for kind in ("new", "cross-list", "revised"):
        found = search(fields_corpus, fields_backend, embedder, "neural networks", k=8,
                       filters=Filters(source="arxiv", announce=(kind,)), include_below_floor=True)
        assert found.hits and {h.announce for h in found.hits} == {kind}
    with pytest.raises(QueryError, match="Known fields"):
        search(fields_corpus, fields_backend, embedder, "neural networks", filters=Filters(field="Astrology"))
