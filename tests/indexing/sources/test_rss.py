"""Journal feeds read with feedparser: the recorded Nature and bioRxiv RDF feeds, broken and hostile bodies."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from indexing.normalise import normalise
from indexing.records import ParsedFeed
from indexing.sources import rss
from tests.recorded import ARXIV_ATOM

NATURE = "nature.rss"
BIORXIV_RDF = "biorxiv_biochemistry_2018-03-23.rdf.xml"


@pytest.fixture(scope="module")
def nature_bytes(feed_bytes) -> bytes:
    return feed_bytes(NATURE)


@pytest.fixture(scope="module")
def nature(nature_bytes) -> ParsedFeed:
    return rss.parse(nature_bytes, source="Nature", field="Multidisciplinary")


@pytest.fixture(scope="module")
def biorxiv_rdf(feed_bytes) -> ParsedFeed:
    return rss.parse(feed_bytes(BIORXIV_RDF))


# --- Nature ------------------------------------------------------------------------------------

def test_nature_reads_every_item(nature: ParsedFeed, nature_bytes: bytes) -> None:
    assert nature.error is None and nature.title == "Nature"
    assert len(nature.entries) == 75 == nature_bytes.count(b"<item rdf:about=")


def test_nature_doi_comes_from_prism_doi(nature: ParsedFeed, nature_bytes: bytes) -> None:
    in_file = [d.decode() for d in re.findall(rb"<prism:doi>([^<]+)</prism:doi>", nature_bytes)]
    assert [e.doi for e in nature.entries] == in_file
    papers = [normalise(e) for e in nature.entries]
    assert [p.paper_id for p in papers] == [f"doi:{d.lower()}" for d in in_file]
    assert papers[0].paper_id == "doi:10.1038/s41586-024-07811-4"
    assert len({p.paper_id for p in papers}) == 75


def test_nature_authors_come_from_dc_creator(nature: ParsedFeed, nature_bytes: bytes) -> None:
    assert nature.entries[0].authors == ["Gabriel J. Lovinger", "Marcus H. Sak", "Eric N. Jacobsen"]
    items = nature_bytes.split(b"<item rdf:about=")[1:]
    creators = [re.findall(rb"<dc:creator>([^<]+)</dc:creator>", i) for i in items]
    assert [e.authors for e in nature.entries] == [[c.decode() for c in cs] for cs in creators]
    without = [e for e in nature.entries if not e.authors]
    assert len(without) == 4  # news items with no byline
    assert {normalise(e).authors for e in without} == {()}


def test_nature_dates_venue_and_field(nature: ParsedFeed) -> None:
    assert nature.entries[0].published == "2024-07-18"
    papers = [normalise(e) for e in nature.entries]
    assert papers[0].published == datetime(2024, 7, 18, tzinfo=UTC)
    assert {p.published.date().isoformat() for p in papers} <= {f"2024-07-{d}" for d in range(11, 19)}
    assert {p.venue for p in papers} == {"Nature"}
    assert {(p.source, p.field) for p in papers} == {("Nature", "Multidisciplinary")}
    assert papers[0].url == "https://www.nature.com/articles/s41586-024-07811-4"


def test_nature_teaser_boilerplate_is_removed(nature: ParsedFeed, nature_bytes: bytes) -> None:
    assert nature_bytes.count(b"Published online:") >= 75
    assert not [e.title for e in nature.entries if "Published online" in (e.abstract or "")]
    assert nature.entries[1].abstract == ("Inhibiting a protein associated with chronic inflammation improves lung "
                                          "health in mice with COVID-19.")
    assert not [p.paper_id for p in map(normalise, nature.entries) if "doi:" in p.abstract or not p.abstract]


def test_nature_titles_lose_inline_markup_without_gaps(nature: ParsedFeed) -> None:
    titles = {normalise(e).title for e in nature.entries}
    assert "Catalysis of an SN2 pathway by geometric preorganization" in titles
    assert "Superconductivity in pressurized trilayer La4Ni3O10−δ single crystals" in titles
    assert "Symbolic recording of signalling and cis-regulatory element activity to DNA" in titles
    assert "Split intein-mediated protein trans-splicing to express large dystrophins" in titles
    assert not [t for t in titles if "<" in t]


def test_without_a_source_the_feed_title_names_it(nature_bytes: bytes) -> None:
    parsed = rss.parse(nature_bytes)
    assert {e.source for e in parsed.entries} == {"Nature"}
    assert {e.field for e in parsed.entries} == {None}
    assert normalise(parsed.entries[0]).field == "Multidisciplinary"


def test_a_wrong_http_charset_does_not_garble_the_text(nature: ParsedFeed, nature_bytes: bytes) -> None:
    again = rss.parse(nature_bytes, "iso-8859-1", source="Nature")
    assert [e.title for e in again.entries] == [e.title for e in nature.entries]
    assert any("—" in e.title for e in again.entries)


# --- bioRxiv subject RDF -----------------------------------------------------------------------

def test_biorxiv_rdf(biorxiv_rdf: ParsedFeed, feed_bytes) -> None:
    assert biorxiv_rdf.error is None
    assert biorxiv_rdf.title == "bioRxiv Subject Collection: Biochemistry"
    assert len(biorxiv_rdf.entries) == 30
    first = biorxiv_rdf.entries[0]
    assert first.title == ("Influence of SNF1 complex on growth, glucose metabolism and mitochondrial respiration "
                           "of Saccharomyces cerevisiae")
    assert first.doi == "doi:10.1101/287961"
    assert first.authors[:2] == ["Martinez-Ortiz, C.", "Carrillo-Garmendia, A."] and len(first.authors) == 8
    assert sum(len(e.authors) for e in biorxiv_rdf.entries) == feed_bytes(BIORXIV_RDF).count(b"<dc:creator>")
    assert first.published == "2018-03-23"


def test_biorxiv_rdf_dois_become_ids(biorxiv_rdf: ParsedFeed) -> None:
    papers = [normalise(e) for e in biorxiv_rdf.entries]
    assert all(re.fullmatch(r"doi:10\.1101/\d{6}", p.paper_id) for p in papers)
    assert len({p.paper_id for p in papers}) == 30
    assert papers[0].paper_id == "doi:10.1101/287961" and papers[0].doi == "10.1101/287961"
    assert papers[0].published == datetime(2018, 3, 23, tzinfo=UTC)
    assert not [p.paper_id for p in papers if p.abstract != p.abstract.strip() or "\r" in p.abstract]


# --- broken and hostile bodies -----------------------------------------------------------------

@pytest.mark.parametrize("name", [NATURE, BIORXIV_RDF])
@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.77])
def test_a_cut_off_feed_keeps_its_complete_items_and_reports_an_error(feed_bytes, name: str, fraction: float) -> None:
    data = feed_bytes(name)
    whole = rss.parse(data)
    body = data[: int(len(data) * fraction)]
    parsed = rss.parse(body)
    complete = body.count(b"</item>")
    assert parsed.error is not None and parsed.error.startswith("malformed feed")
    assert 0 < complete < len(whole.entries)
    assert len(parsed.entries) == complete  # the item the cut went through is partial: it is not kept
    assert [(e.identifier, e.abstract) for e in parsed.entries] == [
        (e.identifier, e.abstract) for e in whole.entries[:complete]]


def test_a_feed_broken_in_the_middle_keeps_what_parses(nature_bytes: bytes) -> None:
    broken = nature_bytes.replace(b"<prism:doi>10.1038/d41586-024-02352-2</prism:doi>",
                                  b"<prism:doi>10.1038/d41586-024-02352-2</prism:doi></wrong>", 1)
    parsed = rss.parse(broken)
    assert parsed.error is not None and parsed.error.startswith("malformed feed")
    assert len(parsed.entries) == 75


@pytest.mark.parametrize("body", [
    b"",
    b"<!DOCTYPE html>\n<html><head><title>Nature</title></head><body><h1>Sign in</h1></body></html>",
    b"<html><body><p>Service unavailable<br></body></html>",
    b'{"items": []}',
    b"plain text",
], ids=["empty", "html", "sloppy-html", "json", "text"])
def test_a_body_that_is_not_a_feed_is_an_error(body: bytes) -> None:
    parsed = rss.parse(body)
    assert parsed.entries == []
    assert parsed.error is not None and parsed.error.startswith("not a feed")


def test_an_empty_channel_is_not_an_error(feed_bytes) -> None:
    parsed = rss.parse(feed_bytes("empty_rss_mock_feed.xml"))
    assert (parsed.entries, parsed.error) == ([], None)


def test_an_atom_feed_is_read_too(feed_bytes) -> None:
    parsed = rss.parse(feed_bytes(ARXIV_ATOM))
    assert parsed.error is None and len(parsed.entries) == 7
    assert parsed.entries[0].identifier == "oai:arXiv.org:2411.18575v1"


def test_an_external_entity_is_not_expanded(tmp_path, nature_bytes: bytes) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4242", encoding="utf-8")
    doctype = f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'.encode()
    body = doctype + nature_bytes.replace(b"<dc:creator>Helena Kudiabor</dc:creator>",
                                          b"<dc:creator>Helena &xxe; Kudiabor</dc:creator>", 1)
    assert b"Helena &xxe; Kudiabor" in body
    parsed = rss.parse(body)
    assert len(parsed.entries) == 75
    assert parsed.entries[1].authors and parsed.entries[1].authors[0].startswith("Helena")
    assert "TOP-SECRET" not in repr(parsed)
