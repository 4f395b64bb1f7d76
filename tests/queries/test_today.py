"""A day's papers as a numbered list: the day, its filters and counts, the neighbouring days."""

from __future__ import annotations

from datetime import date

from indexing.store import open_store
from queries.paper import paper_json, paper_record
from queries.today import DayFilters, day_listing, lead_sentence, store_facets, today_json

DAY = date(2024, 11, 28)


def test_the_latest_day_is_listed_numbered_new_before_cross_lists_before_revisions(fields_corpus) -> None:
    listing = day_listing(fields_corpus, limit=1000)
    assert listing.day == DAY
    count = fields_corpus.cursor().execute(
        "SELECT count(*) FROM papers WHERE CAST(published AS DATE) = ?", [DAY]).fetchone()[0]
    assert listing.total == listing.matching == len(listing.entries) == count
    assert [e.number for e in listing.entries] == list(range(1, count + 1))
    assert sum(listing.by_source.values()) == count
    rank = {"new": 0, "cross": 1}
    arxiv = [rank.get(e.announce_type or "", 2) for e in listing.entries if e.source == "arxiv"]
    assert arxiv == sorted(arxiv) and arxiv[0] == 0 and arxiv[-1] == 2


def test_filters_count_and_page(fields_corpus) -> None:
    everything = day_listing(fields_corpus, DAY, limit=1000)
    category = day_listing(fields_corpus, DAY, DayFilters(category="CS.LG"), limit=1000)
    assert 0 < category.matching < everything.matching
    assert category.matching == everything.categories["cs.LG"]
    assert all("cs.LG" in e.categories for e in category.entries)
    assert category.total == everything.total  # the counts describe the whole day
    page = day_listing(fields_corpus, DAY, offset=10, limit=5)
    assert [e.number for e in page.entries] == [11, 12, 13, 14, 15]
    assert [e.paper_id for e in page.entries] == [e.paper_id for e in everything.entries[10:15]]
    assert day_listing(fields_corpus, DAY, DayFilters(source="no-such-source")).entries == []


def test_neighbouring_days_and_a_day_without_papers(fields_corpus) -> None:
    listing = day_listing(fields_corpus, DAY)
    days = [d for (d,) in fields_corpus.cursor().execute(
        "SELECT DISTINCT CAST(published AS DATE) d FROM papers WHERE published IS NOT NULL ORDER BY d").fetchall()]
    before = [d for d in days if d < DAY]
    assert listing.previous_day == (before[-1] if before else None)
    quiet = day_listing(fields_corpus, date(1999, 1, 1))
    assert quiet.total == 0 and quiet.entries == [] and quiet.next_day == days[0]


def test_an_empty_store_has_no_day(tmp_path) -> None:
    with open_store(tmp_path / "radar.duckdb") as store:
        listing = day_listing(store)
    assert listing.day is None and today_json(listing)["entries"] == []


def test_lead_sentence_is_the_first_sentence_cut_at_a_word() -> None:
    assert lead_sentence("We do X. Then Y.") == "We do X."
    long = "word " * 100 + "end."
    cut = lead_sentence(long, limit=50)
    assert len(cut) <= 52 and cut.endswith(" …") and cut.startswith("word word")
    assert lead_sentence("") == ""


def test_paper_record_and_facets(fields_corpus) -> None:
    record = paper_record(fields_corpus, "https://arxiv.org/abs/2411.17766v1")
    data = paper_json(record)
    assert data["schema"] == "radar.paper/1" and data["paper_id"] == "arxiv:2411.17766"
    assert data["versions"] and data["published"].endswith("Z")
    facets = store_facets(fields_corpus)
    assert "arxiv" in facets.sources and "Computer Science" in facets.fields
