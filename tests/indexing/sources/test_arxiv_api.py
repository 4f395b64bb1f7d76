"""The arXiv API (export.arxiv.org/api/query): parsing recorded responses, building queries and page URLs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from indexing.normalise import normalise
from indexing.records import ParsedFeed
from indexing.sources import arxiv_api
from radar.config import FeedSpec

# The error response the arXiv API user manual documents for a malformed id.
API_ERROR = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?search_query%3D%26id_list%3D1234.12345%26start%3D0%26max_results%3D10"
        rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list=1234.12345&amp;start=0&amp;max_results=10</title>
  <id>http://arxiv.org/api/kvuntZ8c9a4Eq5CF7KY03nMug+Q</id>
  <updated>2007-10-12T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:itemsPerPage>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345</id>
    <title>Error</title>
    <summary>incorrect id format for 1234.12345</summary>
    <updated>2007-10-12T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
</feed>
"""


@pytest.fixture(scope="module")
def response(feed_bytes) -> ParsedFeed:
    return arxiv_api.parse(feed_bytes("arxiv_response.xml"))


def test_response_page_and_totals(response: ParsedFeed) -> None:
    assert response.error is None
    assert len(response.entries) == 2
    assert (response.total, response.page_count) == (5619, 2)
    assert response.title == "ArXiv Query: search_query=cat:cs.RO AND (neural)&id_list=&start=0&max_results=2"


def test_first_entry_as_written(response: ParsedFeed) -> None:
    entry = response.entries[0]
    assert entry.source == "arxiv"
    assert entry.identifier == "http://arxiv.org/abs/2510.14968v1"
    assert entry.primary_category == "cs.RO"
    assert entry.categories == ["cs.RO", "cs.AI", "cs.CV", "cs.LG", "cs.SY", "eess.SY"]
    assert entry.url == "http://arxiv.org/abs/2510.14968v1"
    assert entry.pdf_url == "http://arxiv.org/pdf/2510.14968v1"
    assert entry.authors == ["Mingxuan Yan", "Yuping Wang", "Zechun Liu", "Jiachen Li"]
    assert (entry.published, entry.updated) == ("2025-10-16T17:59:37Z", "2025-10-16T17:59:37Z")
    assert "\n" in entry.title  # the API wraps long titles; the parser keeps what was written


def test_second_entry(response: ParsedFeed) -> None:
    entry = response.entries[1]
    assert entry.identifier == "http://arxiv.org/abs/2510.14827v1"
    assert entry.title == "Neural Implicit Flow Fields for Spatio-Temporal Motion Mapping"
    assert (entry.primary_category, entry.categories) == ("cs.RO", ["cs.RO"])
    assert len(entry.authors) == 6 and entry.authors[-1] == "Martin Magnusson"
    assert entry.pdf_url == "http://arxiv.org/pdf/2510.14827v1"


def test_normalised_entry_collapses_the_wrapped_title_and_abstract(response: ParsedFeed) -> None:
    paper = normalise(response.entries[0])
    assert paper.title == "RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks"
    assert paper.abstract.startswith("To tackle long-horizon tasks, recent hierarchical vision-language-action (VLAs)")
    assert paper.abstract.endswith("available at rdd-neurips.github.io.")
    assert "\n" not in paper.abstract and "  " not in paper.abstract
    assert (paper.paper_id, paper.version) == ("arxiv:2510.14968", 1)
    assert paper.url == "https://arxiv.org/abs/2510.14968"
    assert paper.pdf_url == "http://arxiv.org/pdf/2510.14968v1"
    assert paper.published == datetime(2025, 10, 16, 17, 59, 37, tzinfo=UTC)
    assert (paper.primary_category, paper.field) == ("cs.RO", "Computer Science")


def test_empty_response(feed_bytes) -> None:
    parsed = arxiv_api.parse(feed_bytes("arxiv_empty.xml"))
    assert (parsed.entries, parsed.error, parsed.total, parsed.page_count) == ([], None, 0, 0)


def test_api_error_entry_is_an_error_not_a_paper() -> None:
    parsed = arxiv_api.parse(API_ERROR)
    assert parsed.entries == []
    assert parsed.error == "arXiv API error: incorrect id format for 1234.12345"


def test_an_html_page_is_an_error_not_an_empty_result() -> None:
    parsed = arxiv_api.parse(b"<!DOCTYPE html>\n<html><head><title>503</title></head>"
                             b"<body><h1>Service Unavailable</h1></body></html>")
    assert parsed.entries == []
    assert parsed.error is not None and "<html>" in parsed.error


def test_a_cut_off_response_keeps_the_complete_entry(feed_bytes) -> None:
    data = feed_bytes("arxiv_response.xml")
    body = data[: data.index(b"<entry>", data.index(b"</entry>")) + 300]  # inside the second entry
    parsed = arxiv_api.parse(body)
    assert parsed.error is not None and parsed.error.startswith("malformed XML")
    assert [e.identifier for e in parsed.entries] == ["http://arxiv.org/abs/2510.14968v1"]
    assert parsed.total == 5619


@pytest.mark.parametrize("body", [b"", b"not xml", b"\x00\x00", b"<?xml version='1.0' encoding='bogus'?>"])
def test_junk_is_an_error_not_an_exception(body: bytes) -> None:
    parsed = arxiv_api.parse(body)
    assert parsed.entries == [] and parsed.error is not None


# --- query and page URL ------------------------------------------------------------------------

def spec(**kwargs) -> FeedSpec:
    return FeedSpec(name="api", kind="arxiv-api", **{"query": "cat:cs.AI", **kwargs})


def test_search_query_looks_back_days_from_today() -> None:
    assert arxiv_api.search_query(spec(days=2), date(2025, 10, 17)) == (
        "(cat:cs.AI) AND submittedDate:[202510160000 TO 202510172359]")
    assert arxiv_api.search_query(spec(days=1), date(2025, 10, 17)) == (
        "(cat:cs.AI) AND submittedDate:[202510170000 TO 202510172359]")


def test_search_query_crosses_month_and_year() -> None:
    assert arxiv_api.search_query(spec(days=3), date(2025, 1, 1)) == (
        "(cat:cs.AI) AND submittedDate:[202412300000 TO 202501012359]")


def test_search_query_uses_since_and_until() -> None:
    window = spec(query="cat:cs.RO AND (neural)", since=date(2025, 1, 1), until=date(2025, 1, 31))
    assert arxiv_api.search_query(window, date(2030, 1, 1)) == (
        "(cat:cs.RO AND (neural)) AND submittedDate:[202501010000 TO 202501312359]")
    assert arxiv_api.search_query(spec(since=date(2025, 3, 1)), date(2025, 3, 4)).endswith(
        "[202503010000 TO 202503042359]")


def test_page_url_encodes_every_parameter() -> None:
    query = "(cat:cs.AI OR cat:cs.LG) AND submittedDate:[202510160000 TO 202510172359]"
    url = arxiv_api.page_url("https://export.arxiv.org/api/query", query, 2000, 1000)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "export.arxiv.org", "/api/query")
    assert " " not in url
    assert parse_qs(parts.query) == {
        "search_query": [query], "start": ["2000"], "max_results": ["1000"],
        "sortBy": ["submittedDate"], "sortOrder": ["ascending"],
    }
