"""bioRxiv/medRxiv ``details`` API: the recorded response, empty and broken pages, page URLs."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import UTC, date, datetime

import pytest

from indexing.normalise import normalise
from indexing.records import ParsedFeed, RawEntry
from indexing.sources import biorxiv
from radar.config import FeedSpec


@pytest.fixture(scope="module")
def details(feed_bytes) -> ParsedFeed:
    return biorxiv.parse(feed_bytes("biorxiv_details.json"))


@pytest.fixture(scope="module")
def body(feed_bytes) -> dict:
    return json.loads(feed_bytes("biorxiv_details.json"))


def test_page_counts(details: ParsedFeed) -> None:
    assert details.error is None
    assert len(details.entries) == 3
    assert (details.total, details.page_count) == (3, 3)


def test_first_record_as_written(details: ParsedFeed) -> None:
    entry = details.entries[0]
    assert entry.source == "biorxiv"
    assert entry.identifier == entry.doi == "10.64898/2026.07.13.738145"
    assert entry.title == "Laterality of subcortical structures predicts spontaneous brain dynamics"
    assert entry.authors == ["Ghafari, T.", "Quinn, A. J.", "Jensen, O."]
    assert (entry.categories, entry.primary_category) == (["neuroscience"], "neuroscience")
    assert (entry.license, entry.published, entry.version, entry.section) == ("cc_by", "2026-07-15", "1",
                                                                              "new results")
    assert entry.url == "https://www.biorxiv.org/content/10.64898/2026.07.13.738145v1"
    assert entry.abstract.startswith("Subcortical structures play a key role")


def test_na_values_are_missing_not_text(details: ParsedFeed) -> None:
    # The recorded records say funder "NA" and published "NA"; none of that may surface as a value.
    for entry in details.entries:
        for f in fields(RawEntry):
            value = getattr(entry, f.name)
            assert value != "NA" and "NA" not in (value if isinstance(value, list) else [])


def test_na_in_read_fields_becomes_none(body: dict) -> None:
    record = dict(body["collection"][0], license="NA", abstract="NA", category="NA", type=" NA ")
    parsed = biorxiv.parse(json.dumps({"messages": body["messages"], "collection": [record]}).encode())
    entry = parsed.entries[0]
    assert (entry.license, entry.abstract, entry.categories, entry.primary_category, entry.section) == (
        None, None, [], None, None)
    assert normalise(entry).abstract == ""


def test_the_version_is_kept(details: ParsedFeed) -> None:
    third = details.entries[2]
    assert third.version == "3"
    assert third.url == "https://www.biorxiv.org/content/10.64898/2025.12.19.695336v3"
    paper = normalise(third)
    assert (paper.paper_id, paper.version) == ("doi:10.64898/2025.12.19.695336", 3)


def test_new_style_doi_prefix_becomes_the_paper_id(details: ParsedFeed) -> None:
    papers = [normalise(e) for e in details.entries]
    assert [p.paper_id for p in papers] == ["doi:10.64898/2026.07.13.738145", "doi:10.64898/2026.07.13.738249",
                                            "doi:10.64898/2025.12.19.695336"]
    assert all(p.doi == p.paper_id.removeprefix("doi:") for p in papers)
    assert {p.field for p in papers} == {"Biology"}
    assert papers[0].published == datetime(2026, 7, 15, tzinfo=UTC)
    assert papers[2].authors[0] == "Q. Dubois" and len(papers[2].authors) == 10  # bioRxiv sends "Family, Given"


def test_the_server_comes_from_the_record_else_from_the_caller(body: dict) -> None:
    record = {k: v for k, v in body["collection"][0].items() if k != "server"}
    without = json.dumps({"messages": body["messages"], "collection": [record]}).encode()
    entry = biorxiv.parse(without, server="medrxiv").entries[0]
    assert entry.source == "medrxiv"
    assert entry.url == "https://www.medrxiv.org/content/10.64898/2026.07.13.738145v1"
    assert normalise(entry).field == "Medicine"
    with_server = json.dumps({"messages": body["messages"], "collection": [dict(record, server="medRxiv")]})
    assert biorxiv.parse(with_server.encode(), server="biorxiv").entries[0].source == "medrxiv"


@pytest.mark.parametrize("status", ["no posts found", "No posts found for interval 2026-07-15:2026-07-18"])
def test_no_posts_found_is_an_empty_page_not_an_error(status: str) -> None:
    parsed = biorxiv.parse(json.dumps({"messages": [{"status": status}], "collection": []}).encode())
    assert (parsed.entries, parsed.error, parsed.total, parsed.page_count) == ([], None, 0, 0)


def test_another_status_without_records_is_an_error() -> None:
    parsed = biorxiv.parse(b'{"messages": [{"status": "interval not valid"}], "collection": []}')
    assert parsed.entries == [] and parsed.error == "interval not valid"


@pytest.mark.parametrize("data", [b"", b"<html><body>502 Bad Gateway</body></html>", b'{"messages": [',
                                  b"\xff\xfe garbage"], ids=["empty", "html", "cut", "binary"])
def test_invalid_json_is_an_error(data: bytes) -> None:
    parsed = biorxiv.parse(data)
    assert parsed.entries == []
    assert parsed.error is not None and parsed.error.startswith("not a bioRxiv/medRxiv API response")


def test_a_cut_off_real_page_is_an_error(feed_bytes) -> None:
    data = feed_bytes("biorxiv_details.json")
    parsed = biorxiv.parse(data[: len(data) // 2])
    assert parsed.entries == [] and parsed.error is not None


def test_json_that_is_not_an_object_is_an_error() -> None:
    parsed = biorxiv.parse(b"[1, 2, 3]")
    assert parsed.entries == [] and "expected a JSON object" in parsed.error


def test_records_that_are_not_objects_are_reported(body: dict) -> None:
    data = json.dumps({"messages": body["messages"], "collection": [body["collection"][0], "junk"]}).encode()
    parsed = biorxiv.parse(data)
    assert len(parsed.entries) == 1 and parsed.error is not None


# --- page URLs and windows ---------------------------------------------------------------------

def test_page_url() -> None:
    base = "https://api.biorxiv.org/details/biorxiv"
    assert biorxiv.page_url(base, date(2026, 7, 15), date(2026, 7, 18), 0, None) == (
        "https://api.biorxiv.org/details/biorxiv/2026-07-15/2026-07-18/0/json")
    assert biorxiv.page_url(base + "/", date(2026, 7, 15), date(2026, 7, 18), 100, "cell biology") == (
        "https://api.biorxiv.org/details/biorxiv/2026-07-15/2026-07-18/100/json?category=cell+biology")


def test_interval_from_days_or_since_until() -> None:
    two_days = FeedSpec(name="b", kind="biorxiv", days=2)
    assert biorxiv.interval(two_days, date(2026, 7, 18)) == (date(2026, 7, 17), date(2026, 7, 18))
    fixed = FeedSpec(name="b", kind="medrxiv", since=date(2026, 7, 15), until=date(2026, 7, 18))
    assert biorxiv.interval(fixed, date(2030, 1, 1)) == (date(2026, 7, 15), date(2026, 7, 18))
