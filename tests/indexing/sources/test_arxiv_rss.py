"""arXiv announcement feeds (RSS 2.0, Atom, old RDF) read from the recorded real feeds."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.normalise import normalise
from indexing.records import ParsedFeed, RawEntry
from indexing.sources import arxiv_rss
from tests.recorded import ARXIV_ATOM

FULL = "rss_mock_feed.xml"


@pytest.fixture(scope="module")
def full_bytes(feed_bytes) -> bytes:
    return feed_bytes(FULL)


@pytest.fixture(scope="module")
def full(full_bytes) -> ParsedFeed:
    return arxiv_rss.parse(full_bytes)


@pytest.fixture(scope="module")
def rdf(feed_bytes) -> ParsedFeed:
    return arxiv_rss.parse(feed_bytes("test.rdf"))


@pytest.fixture(scope="module")
def atom(feed_bytes) -> ParsedFeed:
    return arxiv_rss.parse(feed_bytes(ARXIV_ATOM))


def by_id(feed: ParsedFeed, identifier: str) -> RawEntry:
    return next(e for e in feed.entries if e.identifier == identifier)


def one_item_feed(full_bytes: bytes, title: str, *, declaration: bool) -> str:
    """The real feed's header and first item, closed properly, with ``title`` as the item's title."""
    end = full_bytes.index(b"</item>") + len(b"</item>")
    text = full_bytes[:end].decode("ascii") + "\n  </channel>\n</rss>\n"
    text = re.sub(r"(<item>\s*<title>)[^<]*(</title>)", lambda m: m.group(1) + title + m.group(2), text, count=1)
    return text if declaration else re.sub(r"^<\?xml[^>]*\?>\s*", "", text)


# --- the complete real RSS 2.0 feed ------------------------------------------------------------

def test_full_feed_reads_every_item(full: ParsedFeed, full_bytes: bytes) -> None:
    assert full.error is None
    assert len(full.entries) == 1504 == full_bytes.count(b"<item>")
    assert full.title.startswith("astro-ph, cond-mat, physics")
    assert all(e.source == "arxiv" for e in full.entries)


def test_every_item_has_a_unique_arxiv_id(full: ParsedFeed) -> None:
    ids = [e.identifier for e in full.entries]
    assert len(set(ids)) == 1504
    assert all(re.fullmatch(r"oai:arXiv\.org:\d{4}\.\d{4,5}v\d+", i) for i in ids)
    papers = [normalise(e) for e in full.entries]
    assert len({p.paper_id for p in papers}) == 1504
    assert all(re.fullmatch(r"arxiv:\d{4}\.\d{4,5}", p.paper_id) for p in papers)


def test_announce_types_match_sources_md_and_the_file(full: ParsedFeed, full_bytes: bytes) -> None:
    counts = Counter(e.announce_type for e in full.entries)
    assert counts == {"new": 926, "replace": 569, "cross": 9}
    assert sum(counts.values()) == len(full.entries)
    in_file = Counter(m.decode() for m in re.findall(rb"<arxiv:announce_type>([\w-]+)</arxiv:announce_type>",
                                                     full_bytes))
    assert counts == in_file


def test_announce_type_falls_back_to_the_description(full_bytes: bytes) -> None:
    stripped = re.sub(rb"\s*<arxiv:announce_type>[^<]*</arxiv:announce_type>", b"", full_bytes)
    assert b"<arxiv:announce_type>" not in stripped
    parsed = arxiv_rss.parse(stripped)
    assert Counter(e.announce_type for e in parsed.entries) == {"new": 926, "replace": 569, "cross": 9}


def test_doi_and_journal_reference_are_read(full: ParsedFeed, full_bytes: bytes) -> None:
    assert sum(1 for e in full.entries if e.doi) == full_bytes.count(b"<arxiv:DOI>") == 111
    assert sum(1 for e in full.entries if e.journal_ref) == full_bytes.count(b"<arxiv:journal_reference>") == 97
    entry = by_id(full, "oai:arXiv.org:2411.17758v1")
    assert entry.doi == "10.1016/j.segan.2024.101477"
    assert entry.journal_ref == "Sustainable Energy, Grids and Networks, Volume 39, 2024, 101477, ISSN 2352-4677"
    paper = normalise(entry)
    assert (paper.paper_id, paper.doi) == ("arxiv:2411.17758", "10.1016/j.segan.2024.101477")
    assert by_id(full, "oai:arXiv.org:2411.17700v1").doi is None


def test_dc_creator_is_split_into_authors(full: ParsedFeed) -> None:
    assert by_id(full, "oai:arXiv.org:2411.17700v1").authors == ["Jun Cui"]
    assert by_id(full, "oai:arXiv.org:2411.17758v1").authors == ["Kamil Erdayandi", "Mustafa Asan Mustafa"]
    assert all(e.authors for e in full.entries)
    assert all(a == a.strip() and a and "," not in a for e in full.entries for a in e.authors)


def test_affiliations_in_dc_creator_do_not_become_authors(full: ParsedFeed) -> None:
    # "Shuo Yu (State Key Laboratory ..., Hefei, China), Mingyue Cheng (...)": eight authors, not forty.
    entry = next(e for e in full.entries if e.authors and e.authors[0] == "Shuo Yu")
    assert entry.authors == ["Shuo Yu", "Mingyue Cheng", "Jiqian Yang", "Jie Ouyang", "Yucong Luo", "Chenyi Lei",
                             "Qi Liu", "Enhong Chen"]
    everyone = {a for e in full.entries for a in e.authors}
    assert not {"Hefei", "China)", "Pasadena", "CA", "USA)"} & everyone
    assert not [a for a in everyone if "(" in a or ")" in a]


def test_categories_keep_the_primary_first(full: ParsedFeed, atom: ParsedFeed) -> None:
    assert by_id(full, "oai:arXiv.org:2411.17758v1").categories == ["cs.GT", "cs.CR"]
    assert all(e.categories and e.primary_category == e.categories[0] for e in full.entries)
    # The cs.AI Atom feed: a cross-listed paper's primary is its own archive, cs.AI comes after it.
    for entry in atom.entries:
        if entry.announce_type == "cross":
            assert entry.primary_category != "cs.AI" and "cs.AI" in entry.categories[1:]
        else:
            assert entry.primary_category == "cs.AI"
    paper = normalise(by_id(atom, "oai:arXiv.org:2411.17795v1"))
    assert (paper.categories, paper.primary_category, paper.field) == (("q-bio.QM", "cs.AI", "cs.LG"), "q-bio.QM",
                                                                       "Quantitative Biology")


def test_item_fields_as_written(full: ParsedFeed) -> None:
    entry = full.entries[0]
    assert entry.identifier == "oai:arXiv.org:2411.17700v1"
    assert entry.url == "https://arxiv.org/abs/2411.17700"
    assert entry.license == "http://creativecommons.org/licenses/by/4.0/"
    assert entry.published == "Thu, 28 Nov 2024 00:00:00 -0500"
    assert entry.abstract.startswith("arXiv:2411.17700v1 Announce Type: new \nAbstract: This study investigates")
    paper = normalise(entry)
    assert paper.abstract.startswith("This study investigates the influence of generative artificial intelligence")
    assert paper.published == datetime(2024, 11, 28, 5, 0, tzinfo=UTC)
    assert paper.version == 1 and paper.announce_type == "new"


def test_no_normalised_abstract_keeps_the_boilerplate(full: ParsedFeed) -> None:
    papers = [normalise(e) for e in full.entries]
    assert not [p.paper_id for p in papers if "Announce Type:" in p.abstract or p.abstract.startswith("arXiv:")]
    assert sum(1 for p in papers if p.version and p.version > 1) > 0


# --- the Atom variant and the old RDF feed -----------------------------------------------------

def test_atom_feed(atom: ParsedFeed) -> None:
    assert atom.error is None and atom.title == "cs.AI updates on arXiv.org"
    assert len(atom.entries) == 7
    assert Counter(e.announce_type for e in atom.entries) == {"cross": 5, "new": 2}
    first = atom.entries[0]
    assert first.identifier == "oai:arXiv.org:2411.18575v1"
    assert first.url == "https://arxiv.org/abs/2411.18575"
    assert len(first.authors) == 2 and first.authors[0] == "Pedro Delicado"
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    paper = normalise(first)
    assert (paper.paper_id, paper.version) == ("arxiv:2411.18575", 1)
    assert paper.published == datetime(2024, 11, 28, 5, 0, tzinfo=UTC)
    assert paper.updated == datetime(2024, 11, 28, 5, 0, 21, 104203, tzinfo=UTC)
    assert paper.abstract.startswith("The presence of Artificial Intelligence (AI) in our society")


def test_rdf_feed_titles_ids_and_updates(rdf: ParsedFeed, feed_bytes) -> None:
    data = feed_bytes("test.rdf")
    assert rdf.error is None and rdf.title == "cs updates on arXiv.org"
    assert len(rdf.entries) == 185 == data.count(b"<item rdf:about=")
    replaced = data.count(b"UPDATED)</title>")
    assert Counter(e.announce_type for e in rdf.entries) == {"new": 185 - replaced, "replace": replaced}
    assert not [e.title for e in rdf.entries if "(arXiv:" in e.title or e.title.endswith(".")]
    first = rdf.entries[0]
    assert first.title == "QuasarNET: Human-level spectral classification and redshifting with Deep Neural Networks"
    assert (first.identifier, first.categories, first.primary_category) == ("1808.09955v1", ["astro-ph.IM"],
                                                                           "astro-ph.IM")
    assert first.authors == ["Nicolas Busca", "Christophe Balland"]
    assert first.published == "2018-08-30T20:30:00-05:00"  # the channel's date: RDF items carry none
    updated = next(e for e in rdf.entries if e.title == "Spectral Condition-Number Estimation of Large Sparse Matrices")
    assert (updated.identifier, updated.categories, updated.announce_type) == ("1301.1107v6", ["cs.NA"], "replace")
    paper = normalise(updated)
    assert (paper.paper_id, paper.version, paper.field) == ("arxiv:1301.1107", 6, "Computer Science")


def test_rdf_abstracts_and_authors_are_cleaned(rdf: ParsedFeed) -> None:
    papers = [normalise(e) for e in rdf.entries]
    assert len({p.paper_id for p in papers}) == 185
    quasar = papers[0]
    assert quasar.abstract.startswith("We introduce QuasarNET, a deep convolutional neural network")
    # Math as written; LaTeX text commands outside it in Unicode.
    assert r"$99.51\pm0.03$% pure" in quasar.abstract and " feature detection " in quasar.abstract
    assert not [p.paper_id for p in papers if "<p>" in p.abstract or "&lt;" in p.abstract or "  " in p.abstract]
    authors = {a for p in papers for a in p.authors}
    assert "Andrés F. López-Lopera" in authors
    assert not [a for a in authors if "&#" in a or "<" in a or "(" in a]


# --- error, empty and broken bodies ------------------------------------------------------------

def test_error_feed_is_an_error_with_arxivs_message(feed_bytes) -> None:
    parsed = arxiv_rss.parse(feed_bytes("error_rss_mock_feed.xml"))
    assert parsed.entries == []
    assert parsed.error is not None and "Bad archive 'astroph'" in parsed.error


def test_empty_feed_is_not_an_error(feed_bytes) -> None:
    parsed = arxiv_rss.parse(feed_bytes("empty_rss_mock_feed.xml"))
    assert (parsed.entries, parsed.error, parsed.title) == ([], None, "test updates on arXiv.org")


def _cut_points(data: bytes) -> dict[str, int]:
    def nth(needle: bytes, n: int) -> int:
        return [m.start() for m in re.finditer(re.escape(needle), data)][n - 1]
    return {
        "half": len(data) // 2,
        "right after an item": nth(b"</item>", 100) + len(b"</item>"),
        "inside an attribute value": nth(b'<guid isPermaLink="', 200) + len(b'<guid isPermaLink="') + 2,
        "inside a start tag": nth(b"<category>", 300) + len(b"<cat"),
        "inside an end tag": nth(b"</description>", 400) + len(b"</desc"),
        "inside the first item": data.index(b"<description>", data.index(b"<item>")) + 200,
    }


@pytest.mark.parametrize("where", ["half", "right after an item", "inside an attribute value", "inside a start tag",
                                   "inside an end tag", "inside the first item"])
def test_a_cut_off_feed_keeps_the_complete_items_and_reports_the_error(
        full: ParsedFeed, full_bytes: bytes, where: str) -> None:
    body = full_bytes[: _cut_points(full_bytes)[where]]
    parsed = arxiv_rss.parse(body)
    complete = body.count(b"</item>")
    assert parsed.error is not None and parsed.error.startswith("malformed XML")
    assert len(parsed.entries) == complete  # the item the cut went through is partial: it is not kept
    assert [(e.identifier, e.abstract, e.authors) for e in parsed.entries] == [
        (e.identifier, e.abstract, e.authors) for e in full.entries[:complete]]


@pytest.mark.parametrize(("name", "record"), [("test.rdf", b"</item>"), (ARXIV_ATOM, b"</entry>")])
def test_cut_off_rdf_and_atom_feeds_keep_their_complete_records(feed_bytes, name: str, record: bytes) -> None:
    data = feed_bytes(name)
    whole = arxiv_rss.parse(data)
    body = data[: int(len(data) * 0.6)]
    parsed = arxiv_rss.parse(body)
    complete = body.count(record)
    assert 0 < complete < len(whole.entries)
    assert parsed.error is not None
    assert [e.identifier for e in parsed.entries] == [e.identifier for e in whole.entries[:complete]]


@pytest.mark.parametrize("body", [
    b"this is not XML at all",
    b'{"status": "ok"}',
    b"\x00\x01\x02 binary junk",
    b"<?xml version='1.0' encoding='no-such-encoding'?>",
    b"",
    b"   \n",
], ids=["text", "json", "binary", "declaration-only", "empty", "blank"])
def test_a_body_that_is_not_xml_is_an_error_not_an_exception(body: bytes) -> None:
    parsed = arxiv_rss.parse(body)
    assert parsed.entries == []
    assert parsed.error is not None and ("not XML" in parsed.error or "empty body" in parsed.error)


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html>\n<html><head><title>arXiv is down</title></head><body><h1>503</h1></body></html>",
    b"<html><head><title>Login</title></head><body><p>Please log in<br></body></html>",
], ids=["well-formed", "sloppy"])
def test_an_html_page_is_not_a_feed(body: bytes) -> None:
    parsed = arxiv_rss.parse(body)
    assert parsed.entries == []
    assert parsed.error is not None and "<html>" in parsed.error


# --- encodings ---------------------------------------------------------------------------------

TITLE = "Schrödinger équations and Müller's naïve café"


@pytest.mark.parametrize("charset", [None, "iso-8859-1", "no-such-charset"])
def test_a_latin1_body_without_declaration_is_read(full_bytes: bytes, charset: str | None) -> None:
    body = one_item_feed(full_bytes, TITLE, declaration=False).encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")  # the test is about bytes that are not UTF-8
    parsed = arxiv_rss.parse(body, charset)
    assert [e.title for e in parsed.entries] == [TITLE]
    assert parsed.entries[0].identifier == "oai:arXiv.org:2411.17700v1"


def test_a_windows_1252_body_keeps_its_punctuation(full_bytes: bytes) -> None:
    title = "Schrödinger – a “quoted” title"
    parsed = arxiv_rss.parse(one_item_feed(full_bytes, title, declaration=False).encode("cp1252"))
    assert [e.title for e in parsed.entries] == [title]


@pytest.mark.parametrize("declaration", [True, False], ids=["declared", "undeclared"])
def test_the_documents_utf8_wins_over_a_wrong_http_charset(full_bytes: bytes, declaration: bool) -> None:
    body = one_item_feed(full_bytes, TITLE + " — δ", declaration=declaration).encode("utf-8")
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>") == declaration
    parsed = arxiv_rss.parse(body, "iso-8859-1")
    assert parsed.error is None
    assert [e.title for e in parsed.entries] == [TITLE + " — δ"]


# --- hostile input -----------------------------------------------------------------------------

def test_an_external_entity_is_not_expanded(tmp_path, full_bytes: bytes) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4242", encoding="utf-8")
    text = one_item_feed(full_bytes, "Leak &xxe; here", declaration=True)
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
    text = text.replace("?>", "?>\n" + doctype, 1).replace("Abstract: ", "Abstract: &xxe; ", 1)
    parsed = arxiv_rss.parse(text.encode("utf-8"))
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert "TOP-SECRET" not in repr(entry)
    assert entry.title is not None and entry.title.startswith("Leak")


def test_an_external_parameter_entity_is_not_loaded(tmp_path, full_bytes: bytes) -> None:
    evil = tmp_path / "evil.dtd"
    evil.write_text('<!ENTITY leak "TOP-SECRET-4242">', encoding="utf-8")
    text = one_item_feed(full_bytes, "Title &leak;", declaration=True)
    doctype = f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{evil.as_uri()}"> %remote;]>\n'
    parsed = arxiv_rss.parse(text.replace("?>", "?>\n" + doctype, 1).encode("utf-8"))
    assert "TOP-SECRET" not in repr(parsed)


def test_nested_entities_are_not_expanded(full_bytes: bytes) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    text = one_item_feed(full_bytes, "Laughs &lol9;", declaration=True)
    parsed = arxiv_rss.parse(text.replace("?>", f"?>\n<!DOCTYPE rss [{entities}]>\n", 1).encode("utf-8"))
    assert all(len(e.title or "") < 100 for e in parsed.entries)


FRAGMENTS = st.sampled_from([
    b"<", b">", b"</", b"<rss version='2.0'>", b"</rss>", b"<channel>", b"<item>", b"</item>", b"<title>",
    b"</title>", b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>", b"&", b"&amp;", b"&#0;", b"\x00",
    b"\xff", b"\xe9", b"<?xml version='1.0' encoding='utf-8'?>", b"<?xml version='1.0' encoding='bogus'?>",
    b"<!DOCTYPE x [", b"]>", b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<guid>oai:arXiv.org:2411.00001v1</guid>",
    b" ", b"\n", b"text",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=120), st.lists(FRAGMENTS, max_size=25).map(b"".join)),
       charset=st.sampled_from([None, "utf-8", "iso-8859-1", "no-such-charset"]))
def test_parse_never_raises(body: bytes, charset: str | None) -> None:
    parsed = arxiv_rss.parse(body, charset)
    assert isinstance(parsed, ParsedFeed)
    assert all(isinstance(e, RawEntry) for e in parsed.entries)


def test_a_stray_tag_between_items_costs_no_item(feed_bytes) -> None:
    body = feed_bytes("rss_mock_feed.xml").replace(b"</item>", b"</item></wrong>", 1)
    parsed = arxiv_rss.parse(body)
    assert len(parsed.entries) == 1504
    assert parsed.error and "malformed XML" in parsed.error


def test_one_malformed_item_is_reported_with_its_raw_text_and_the_others_are_kept(feed_bytes) -> None:
    body = feed_bytes("rss_mock_feed.xml")
    second = body.index(b"<item>", body.index(b"<item>") + 1)
    broken = body[:second] + body[second:].replace(b"<title>", b"<title><b>", 1)  # an unclosed tag in item 2
    parsed = arxiv_rss.parse(broken)
    assert len(parsed.entries) == 1504
    assert "malformed record" in parsed.error
    assert parsed.entries[1].excerpt.startswith("<item>") and "<title><b>" in parsed.entries[1].excerpt
    assert all(not e.excerpt for i, e in enumerate(parsed.entries) if i != 1)
