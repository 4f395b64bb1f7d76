"""Merging two records of one paper: versions, missing fields, cross-source links, idempotence."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexing.merge import lower_quality, merge, merge_all, merge_checked
from indexing.normalise import normalise
from indexing.records import Paper, RawEntry
from indexing.sources import arxiv_rss

FIELDS = [f.name for f in fields(Paper)]
EMPTY = (None, "", ())


@pytest.fixture(scope="module")
def feed(feed_bytes) -> dict[str, Paper]:
    return {p.paper_id: p for p in map(normalise, arxiv_rss.parse(feed_bytes("rss_mock_feed.xml")).entries)}


@pytest.fixture
def with_doi(feed: dict[str, Paper]) -> Paper:
    """2411.17758v1, a real item that carries a journal DOI and reference."""
    return feed["arxiv:2411.17758"]


@pytest.fixture
def replaced(feed: dict[str, Paper]) -> Paper:
    """1401.3665v4, a real 'replace' announcement."""
    return feed["arxiv:1401.3665"]


def test_the_newer_version_wins(replaced: Paper) -> None:
    assert (replaced.version, replaced.announce_type) == (4, "replace")
    older = replace(replaced, version=1, title="An early title", abstract="An early abstract.",
                    authors=("First Author",), announce_type="new", categories=("math.XX",),
                    published=datetime(2014, 1, 15, tzinfo=UTC), updated=datetime(2014, 1, 15, tzinfo=UTC))
    merged = merge(older, replaced)
    assert (merged.title, merged.abstract, merged.authors) == (replaced.title, replaced.abstract, replaced.authors)
    assert merged.version == 4
    assert merged.announce_type == "replace"
    assert merged.categories == replaced.categories + ("math.XX",)
    assert merged.published == datetime(2014, 1, 15, tzinfo=UTC)  # the earliest
    assert merged.updated == datetime(2014, 1, 15, tzinfo=UTC)  # the only one known


def test_an_older_version_only_adds_categories(replaced: Paper) -> None:
    older = replace(replaced, version=2, title="Old title", abstract="Old abstract.", authors=("Someone Else",),
                    license="http://arxiv.org/licenses/nonexclusive-distrib/1.0/", announce_type="new",
                    categories=(replaced.categories[0], "math.ZZ"), published=replaced.published)
    merged = merge(replaced, older)
    assert merged.categories == replaced.categories + ("math.ZZ",)
    assert merged == replace(replaced, categories=replaced.categories + ("math.ZZ",))


def test_an_older_version_with_nothing_new_changes_nothing(replaced: Paper) -> None:
    older = replace(replaced, version=1, title="Old title", categories=replaced.categories[:1], announce_type="new")
    assert merge(replaced, older) is replaced


def test_a_missing_field_never_erases_a_known_value(with_doi: Paper) -> None:
    assert with_doi.doi and with_doi.journal_ref and with_doi.license and with_doi.authors
    newer = replace(with_doi, version=2, title="Revised title", doi=None, journal_ref=None, license=None,
                    authors=(), abstract="", published=None, updated=None, announce_type="replace")
    merged = merge(with_doi, newer)
    assert (merged.title, merged.version, merged.announce_type) == ("Revised title", 2, "replace")
    assert (merged.doi, merged.journal_ref, merged.license) == (with_doi.doi, with_doi.journal_ref, with_doi.license)
    assert (merged.authors, merged.abstract) == (with_doi.authors, with_doi.abstract)
    assert merged.published == with_doi.published


def test_the_same_version_seen_again_refreshes_the_text(with_doi: Paper) -> None:
    corrected = replace(with_doi, title=with_doi.title + " (corrected)")
    assert merge(with_doi, corrected).title == corrected.title


def test_a_journal_record_fills_gaps_but_keeps_the_arxiv_text(with_doi: Paper) -> None:
    journal = normalise(RawEntry(
        source="Sustainable Energy, Grids and Networks", identifier="https://doi.org/10.1016/j.segan.2024.101477",
        title="The journal's own title", abstract="<p>The journal's own abstract.</p>", authors=["K. Erdayandi"],
        categories=["Energy"], published="2024-09-01", venue="Sustainable Energy, Grids and Networks",
        section="Research article", field="Multidisciplinary",
    ))
    assert journal.paper_id == "doi:10.1016/j.segan.2024.101477" == f"doi:{with_doi.doi}"
    merged = merge(with_doi, replace(journal, paper_id=with_doi.paper_id))
    assert merged.paper_id == "arxiv:2411.17758"
    assert (merged.source, merged.title, merged.abstract, merged.authors, merged.field) == (
        with_doi.source, with_doi.title, with_doi.abstract, with_doi.authors, with_doi.field)
    assert (merged.venue, merged.section) == ("Sustainable Energy, Grids and Networks", "Research article")
    assert merged.categories == with_doi.categories + ("Energy",)
    assert merged.published == min(with_doi.published, journal.published)
    assert merged.url == with_doi.url and merged.version == with_doi.version


def test_an_arxiv_record_arriving_after_its_journal_record_keeps_the_stored_text(with_doi: Paper) -> None:
    journal = replace(with_doi, source="Some Journal", title="Journal title", abstract="Journal abstract.",
                      version=None, venue="Some Journal", announce_type=None)
    merged = merge(journal, with_doi)
    assert (merged.source, merged.title, merged.abstract, merged.venue) == (
        "Some Journal", "Journal title", "Journal abstract.", "Some Journal")
    assert merged.version == with_doi.version


def test_merge_returns_the_same_object_when_nothing_changed(with_doi: Paper, feed: dict[str, Paper]) -> None:
    assert merge(with_doi, with_doi) is with_doi
    assert merge(with_doi, replace(with_doi)) is with_doi
    assert merge(with_doi, replace(with_doi, license=None, doi=None, authors=())) is with_doi
    assert merge(with_doi, replace(with_doi, categories=with_doi.categories[:1])) is with_doi
    changed = merge(with_doi, replace(with_doi, categories=("q-fin.GN",)))
    assert changed is not with_doi and changed.categories == ("q-fin.GN", *with_doi.categories)


def test_merge_all_in_any_order_ends_with_the_newest_version(replaced: Paper) -> None:
    v1 = replace(replaced, version=1, title="v1", announce_type="new", categories=("math.AA",))
    v2 = replace(replaced, version=2, title="v2", announce_type="replace", categories=("math.BB",))
    v4 = replaced
    for order in ([v1, v2, v4], [v4, v2, v1], [v2, v4, v1]):
        merged = merge_all(order)
        assert (merged.title, merged.version, merged.announce_type) == (v4.title, 4, "replace")
        assert set(merged.categories) == set(v4.categories) | {"math.AA", "math.BB"}


def test_merge_all_keeps_the_first_records_id(with_doi: Paper) -> None:
    journal = replace(with_doi, paper_id="doi:10.1016/j.segan.2024.101477", source="J", title="J")
    assert merge_all([with_doi, journal]).paper_id == "arxiv:2411.17758"
    assert merge_all([journal, with_doi]).paper_id == "doi:10.1016/j.segan.2024.101477"


# --- properties --------------------------------------------------------------------------------

OPTIONAL = st.one_of(st.none(), st.just(""), st.sampled_from(["a", "b", "c"]))
DATES = st.one_of(st.none(), st.sampled_from([datetime(2024, 1, d, tzinfo=UTC) for d in (1, 2, 3)]))


@st.composite
def papers(draw) -> Paper:
    return Paper(
        paper_id="arxiv:2411.17758",
        source=draw(st.sampled_from(["arxiv", "Some Journal"])),
        title=draw(st.sampled_from(["T1", "T2", "T3"])),
        abstract=draw(st.sampled_from(["", "A1", "A2"])),
        authors=draw(st.sampled_from([(), ("X",), ("X", "Y"), ("Z",)])),
        categories=tuple(draw(st.lists(st.sampled_from(["cs.LG", "cs.AI", "stat.ML", "q-fin.GN"]), unique=True,
                                       max_size=3))),
        primary_category=draw(st.one_of(st.none(), st.sampled_from(["cs.LG", "stat.ML"]))),
        field=draw(st.sampled_from(["Computer Science", "Statistics"])),
        doi=draw(OPTIONAL), journal_ref=draw(OPTIONAL), url=draw(OPTIONAL), pdf_url=draw(OPTIONAL),
        license=draw(OPTIONAL), published=draw(DATES), updated=draw(DATES),
        version=draw(st.one_of(st.none(), st.integers(1, 3))),
        announce_type=draw(st.one_of(st.none(), st.sampled_from(["new", "replace", "cross"]))),
        section=draw(OPTIONAL), venue=draw(OPTIONAL),
    )


@settings(max_examples=200, deadline=None)
@given(papers(), papers())
def test_merging_the_same_record_twice_changes_nothing(a: Paper, b: Paper) -> None:
    once = merge(a, b)
    assert merge(once, b) == once
    assert merge(once, once) is once


@settings(max_examples=200, deadline=None)
@given(papers(), papers())
def test_merge_never_loses_a_known_value(a: Paper, b: Paper) -> None:
    merged = merge(a, b)
    assert merged.paper_id == a.paper_id
    for name in FIELDS:
        if getattr(a, name) not in EMPTY or getattr(b, name) not in EMPTY:
            assert getattr(merged, name) not in EMPTY, name
    assert set(merged.categories) == set(a.categories) | set(b.categories)
    assert merged.version == (max(a.version or 0, b.version or 0) or None)
    known = [d for d in (a.published, b.published) if d]
    assert merged.published == (min(known) if known else None)


@settings(max_examples=150, deadline=None)
@given(papers(), papers())
def test_one_sources_versions_merge_the_same_in_either_order(a: Paper, b: Paper) -> None:
    b = replace(b, source=a.source)
    if (a.version or 0) == (b.version or 0):
        b = replace(b, version=(a.version or 0) + 1)
    assert merge(a, b) == merge(b, a)


# --- stored text is never replaced by text of lower quality ----------------------------------------

def misdecoded(text: str, codec: str) -> str:
    return text.encode("utf-8").decode(codec, errors="replace")


@pytest.mark.parametrize("codec", ["cp1252", "cp1250", "latin-1", "mac_roman"])
def test_a_different_decoding_of_the_same_bytes_is_lower_quality(codec: str) -> None:
    good = "Norbert Hübner, Silvan Käser – naïve “TIC 241249530 b”"
    assert lower_quality(misdecoded(good, codec), good)


@pytest.mark.parametrize("new, old", [
    ("Norbert H\ufffdbner", "Norbert Hübner"),  # a replaced byte
    ("Norbert H\ufffd\ufffdbner", "Norbert H\ufffdbner"),
])
def test_more_replacement_characters_is_lower_quality(new: str, old: str) -> None:
    assert lower_quality(new, old)


@pytest.mark.parametrize("new, old", [
    ("Norbert Hübner", "Norbert HĂźbner"),  # a clean copy heals a misdecoded one
    ("Norbert Hübner", "Norbert H\ufffdbner"),
    ("Norbert Hübner", "Norbert Hubner"),  # a real correction
    ("Käser", "Kaser"),
    ("Kaser", "Käser"),
    ("A new title for v2 — with a dash", "The v1 title"),
    ("Schrödinger's cat", "Schrödinger’s cat"),
])
def test_better_or_different_text_is_not_lower_quality(new: str, old: str) -> None:
    assert not lower_quality(new, old)


def test_merge_keeps_the_stored_text_and_says_which_fields(replaced: Paper) -> None:
    stored = replace(replaced, title="Käser’s naïve title", authors=("Norbert Hübner", "A. Author"))
    incoming = replace(stored, title=misdecoded(stored.title, "cp1250"), authors=("Norbert H\ufffdbner", "A. Author"),
                       categories=stored.categories + ("q-bio.GN",))
    merged = merge_checked(stored, incoming)
    assert merged.kept == ("title", "authors")
    assert (merged.paper.title, merged.paper.authors) == (stored.title, stored.authors)
    assert "q-bio.GN" in merged.paper.categories  # everything else still merges
    assert merge(stored, replace(incoming, categories=stored.categories)) is stored
