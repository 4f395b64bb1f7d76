"""Normalisation: ids, text cleaning, dates, fields and rejects; with property tests."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from indexing.normalise import (
    arxiv_id,
    canonical_url,
    clean_text,
    normalise,
    normalise_doi,
    paper_identity,
    parse_datetime,
    url_id,
)
from indexing.text import author_name, strip_controls
from indexing.records import Paper, RawEntry
from indexing.sources import arxiv_api, arxiv_rss, biorxiv, rss
from radar.errors import InvalidItemError
from tests.recorded import ARXIV_ATOM


def raw_from(paper: Paper) -> RawEntry:
    """A raw entry carrying a normalised paper's own fields (as a store export would)."""
    return RawEntry(
        source=paper.source, title=paper.title, abstract=paper.abstract, authors=list(paper.authors),
        categories=list(paper.categories), primary_category=paper.primary_category, doi=paper.doi,
        journal_ref=paper.journal_ref, url=paper.url, pdf_url=paper.pdf_url, license=paper.license,
        published=paper.published.isoformat() if paper.published else None,
        updated=paper.updated.isoformat() if paper.updated else None,
        version=str(paper.version) if paper.version is not None else None,
        announce_type=paper.announce_type, section=paper.section, venue=paper.venue, field=paper.field,
        article_type=paper.article_type,
    )


def arxiv_entry(identifier: str | None = "oai:arXiv.org:2411.17702v1", **kwargs) -> RawEntry:
    return RawEntry(source="arxiv", identifier=identifier, title=kwargs.pop("title", "A title"), **kwargs)


# --- ids ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("oai:arXiv.org:2411.17702v1", ("2411.17702", 1)),
    ("https://arxiv.org/abs/2411.17702", ("2411.17702", None)),
    ("http://arxiv.org/abs/2510.14968v12", ("2510.14968", 12)),
    ("http://arxiv.org/pdf/2510.14968v2", ("2510.14968", 2)),
    ("1808.09955v1", ("1808.09955", 1)),
    ("0704.0001", ("0704.0001", None)),
    ("hep-th/9901001v2", ("hep-th/9901001", 2)),
    ("http://arxiv.org/abs/hep-th/9901001", ("hep-th/9901001", None)),
    ("math.GT/0309136v1", ("math/0309136", 1)),  # the subject class is not part of the id
    ("oai:arXiv.org:math/0309136v1", ("math/0309136", 1)),
    ("http://arxiv.org/abs/cond-mat/0102536v3", ("cond-mat/0102536", 3)),
])
def test_arxiv_id_and_version(text: str, expected: tuple[str, int | None]) -> None:
    assert arxiv_id(text) == expected


@pytest.mark.parametrize("text", [None, "", "https://www.nature.com/articles/s41586-024-07811-4", "2411.177",
                                  "24111.177021"])
def test_no_arxiv_id(text: str | None) -> None:
    assert arxiv_id(text) is None


@pytest.mark.parametrize(("identifier", "url", "version"), [
    ("oai:arXiv.org:2411.17702v3", None, 3),  # RSS guid
    (None, "https://arxiv.org/abs/2411.17702", None),  # RSS link only
    ("http://arxiv.org/abs/2411.17702v2", "http://arxiv.org/abs/2411.17702v2", 2),  # API id
    ("2411.17702v1", "http://arxiv.org/abs/2411.17702", 1),  # old RDF title id
])
def test_arxiv_paper_id_never_carries_the_version(identifier: str | None, url: str | None, version: int | None) -> None:
    paper = normalise(RawEntry(source="arxiv", identifier=identifier, url=url, title="T"))
    assert (paper.paper_id, paper.version) == ("arxiv:2411.17702", version)
    assert paper.url == "https://arxiv.org/abs/2411.17702"
    assert paper.pdf_url == "https://arxiv.org/pdf/2411.17702"


def test_old_style_arxiv_id() -> None:
    paper = normalise(arxiv_entry("oai:arXiv.org:hep-th/9901001v2", categories=["hep-th"]))
    assert (paper.paper_id, paper.version, paper.field) == ("arxiv:hep-th/9901001", 2, "Physics")
    assert paper.url == "https://arxiv.org/abs/hep-th/9901001"


def test_the_version_field_counts_when_the_id_has_none() -> None:
    paper = normalise(RawEntry(source="arxiv", url="https://arxiv.org/abs/2411.17702", version="v4", title="T"))
    assert paper.version == 4


def test_an_arxiv_paper_with_a_journal_doi_keeps_its_arxiv_id() -> None:
    paper = normalise(arxiv_entry(doi="10.1016/J.SEGAN.2024.101477"))
    assert (paper.paper_id, paper.doi) == ("arxiv:2411.17702", "10.1016/j.segan.2024.101477")


@pytest.mark.parametrize(("text", "expected"), [
    ("10.1101/2026.06.10.612345", "10.1101/2026.06.10.612345"),
    ("doi:10.1101/287961", "10.1101/287961"),
    ("https://doi.org/10.1038/S41586-024-07811-4", "10.1038/s41586-024-07811-4"),
    ("DOI: 10.1000/XYZ.", "10.1000/xyz"),
    ("  10.64898/2025.12.19.695336 ", "10.64898/2025.12.19.695336"),
    ("not a doi", None),
    ("", None),
    (None, None),
])
def test_normalise_doi(text: str | None, expected: str | None) -> None:
    assert normalise_doi(text) == expected


def test_doi_id_is_lower_cased() -> None:
    paper = normalise(RawEntry(source="Nature", identifier="https://www.nature.com/articles/s41586-024-07811-4",
                               doi="10.1038/S41586-024-07811-4", title="T"))
    assert (paper.paper_id, paper.doi) == ("doi:10.1038/s41586-024-07811-4", "10.1038/s41586-024-07811-4")


def test_a_doi_found_only_in_the_identifier_is_also_the_papers_doi() -> None:
    paper = normalise(RawEntry(source="Some Journal", identifier="https://doi.org/10.1234/ABC.5", title="T"))
    assert (paper.paper_id, paper.doi) == ("doi:10.1234/abc.5", "10.1234/abc.5")


URL = "https://www.example.org/articles/123"


@pytest.mark.parametrize("variant", [
    URL,
    URL + "/",
    URL + "#abstract",
    URL + "?utm_source=rss&utm_medium=feed&utm_campaign=x",
    URL + "?rss=1",
    "HTTPS://WWW.EXAMPLE.ORG/articles/123",
    "http://www.example.org/articles/123",
    " " + URL + " ",
])
def test_url_id_is_stable_under_tracking_parameters_and_fragments(variant: str) -> None:
    paper = normalise(RawEntry(source="Some Journal", url=variant, title="T"))
    assert paper.paper_id == "url:" + hashlib.sha256(URL.encode()).hexdigest()[:20]


def test_url_id_tells_real_parameters_and_paths_apart() -> None:
    assert url_id(URL + "?id=1") != url_id(URL + "?id=2")
    assert url_id(URL + "?a=1&b=2") == url_id(URL + "?b=2&a=1")
    assert url_id(URL) != url_id(URL + "4")
    assert re.fullmatch(r"url:[0-9a-f]{20}", url_id(URL))
    assert canonical_url("HTTP://Example.ORG/a/b/?utm_x=1&z=2&a=1#frag") == "https://example.org/a/b?a=1&z=2"


def test_the_link_is_the_fallback_for_a_guid_that_is_no_url() -> None:
    paper = normalise(RawEntry(source="J", identifier="tag:example.org,2024:123", url=URL, title="T"))
    assert paper.paper_id == url_id(URL)


@pytest.mark.parametrize("entry", [
    RawEntry(source="Nature", title="T"),
    RawEntry(source="Nature", identifier="tag:example.org,2024:1", title="T"),
    RawEntry(source="arxiv", identifier="no id here", url="ftp://example.org/x", title="T"),
], ids=["nothing", "non-url-guid", "non-http-link"])
def test_an_item_without_an_id_is_rejected(entry: RawEntry) -> None:
    with pytest.raises(InvalidItemError, match="no id"):
        normalise(entry)


@pytest.mark.parametrize("title", [None, "", "   ", "<p></p>", "<br/> &#32; "])
def test_an_item_without_a_title_is_rejected(title: str | None) -> None:
    with pytest.raises(InvalidItemError, match="no title"):
        normalise(arxiv_entry(title=title, html=True))


def test_paper_identity_alone() -> None:
    assert paper_identity(arxiv_entry("oai:arXiv.org:2411.17702v5")) == ("arxiv:2411.17702", 5)
    assert paper_identity(RawEntry(source="biorxiv", doi="10.1101/287961", version="2")) == ("doi:10.1101/287961", 2)


# --- text --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "clean"), [
    ("arXiv:2411.17700v1 Announce Type: new \nAbstract: This study investigates", "This study investigates"),
    ("arXiv:2508.13426v1 Announce Type: cross Abstract: As large models", "As large models"),
    ("arXiv:1401.3665v4 Announce Type: replace-cross \nAbstract: We prove", "We prove"),
    ("<p>We introduce <b>QuasarNET</b>, a network.</p>", "We introduce QuasarNET, a network."),
    ("<p>First.</p><p>Second.</p>", "First. Second."),
    ("line<br/>break", "line break"),
    ("A &amp; B &lt; C &gt; D", "A & B < C > D"),
    ("&lt;p&gt;double &amp;amp; escaped&lt;/p&gt;", "double & escaped"),
    ("Andr&#xe9;s L&#xf3;pez", "Andrés López"),
    ("Catalysis of an S<sub>N</sub>2 pathway", "Catalysis of an SN2 pathway"),
    ("<i>cis-</i>regulatory", "cis-regulatory"),
    ("a\n   b\t\tc  ", "a b c"),
    ("before<!-- a comment -->after", "before after"),
    (None, ""),
    ("", ""),
])
def test_clean_text_of_html(raw: str | None, clean: str) -> None:
    assert clean_text(raw, html_markup=True) == clean


@pytest.mark.parametrize("latex", [
    r"$99.51\pm0.03$ pure",
    r"$O(\log(n/\epsilon)\log(m)/\epsilon^2)$ rounds",
    r"$a<b$ and $c>d$",
    r"$0 < x < 1$ and $y > 2$",
    r"$\langle \psi | \phi \rangle$",
    r"We show $x<y \text{ and } z>w$ holds",
    r"$$\sum_i \hat{x}_i \text{ for } i<n$$ and \(\'e \emph{x}\) and \[a<b\]",
    r"an unknown \command{x} and \cite{ref} stay; so do 50% and ~10 -- 20 ``q''",
])
@pytest.mark.parametrize("html_markup", [False, True])
def test_math_and_unknown_commands_are_kept_as_written(latex: str, html_markup: bool) -> None:
    assert clean_text(latex, html_markup=html_markup) == latex
    assert clean_text(f"arXiv:2411.00001v1 Announce Type: new \nAbstract: {latex}") == latex


@pytest.mark.parametrize(("latex", "text"), [
    (r"Silvan K\"aser", "Silvan Käser"),
    (r"Pietro Li\`o", "Pietro Liò"),
    (r"Cram\'er-Rao", "Cramér-Rao"),
    (r"Informa\c{c}\~ao de Fisher e poss\'iveis Aplica\c{c}\~oes", "Informação de Fisher e possíveis Aplicações"),
    (r"Erd\H{o}s-Ko-Rado for $\mathbb{F}_q^n$", "Erdős-Ko-Rado for $\\mathbb{F}_q^n$"),
    (r"Jaros{\l}aw \.Zygierewicz, Kad{\i}o\u{g}lu", "Jarosław Żygierewicz, Kadıoğlu"),
    (r"{\Lambda}CDM and Nebul{\ae}", "ΛCDM and Nebulæ"),
    (r"P\'{o}lya-Szeg\"{o} and \"{\i}", "Pólya-Szegö and ï"),
    (r"$99.51\pm0.03$\% pure, AT\&T", r"$99.51\pm0.03$% pure, AT&T"),
    (r"a \emph{feature detection} problem, \textbf{bold} and $\mathcal{O}(n^{2})$",
     r"a feature detection problem, bold and $\mathcal{O}(n^{2})$"),
])
def test_latex_accents_and_text_commands_become_unicode(latex: str, text: str) -> None:
    assert clean_text(latex) == text


def test_control_characters_go_in_every_form() -> None:
    hostile = "A\x1b]8;;http://evil\x07link\x1b]8;;\x07 \x1b[31mred\x1b[0m \x9b2J\x00\x7f end\r\nnext"
    assert clean_text(hostile) == "A]8;;http://evillink]8;; [31mred[0m 2J end next"
    assert clean_text("&\x1bamp;lt;") == "<"
    for form in ("&#x1b;", "&#27;", "&#12;", "&#x8d;", "&#13;", "&#X1B;", "&amp;#x1b;", "&#x9b;", "\x1b", "\x85", "\x0b", "\x0c"):
        for markup in (False, True):
            cleaned = clean_text(f"a{form}[31mb", html_markup=markup)
            assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in cleaned), (form, markup, cleaned)
    assert strip_controls("tab\tand\nnewline\rstay\x1b") == "tab\tand\nnewline\nstay"


def test_html_is_stripped_only_from_html_sources() -> None:
    assert clean_text("<p>x<y and <b>z</b></p>") == "<p>x<y and <b>z</b></p>"
    assert clean_text("<p>x&lt;y and <b>z</b> $a<b$ and $c>d$</p>", html_markup=True) == "x<y and z $a<b$ and $c>d$"
    journal = RawEntry(source="Nature", doi="10.1038/x", title="S<sub>N</sub>2 for x&lt;y", html=True)
    assert normalise(journal).title == "SN2 for x<y"
    arxiv = arxiv_entry(title="When x<y and z>w", abstract=r"We show $x<y \text{ and } z>w$ holds")
    assert (normalise(arxiv).title, normalise(arxiv).abstract) == (
        "When x<y and z>w", r"We show $x<y \text{ and } z>w$ holds")


@pytest.mark.parametrize(("raw", "name"), [
    ("Quinn, A. J.", "A. J. Quinn"),
    ("Martinez-Ortiz, C.", "C. Martinez-Ortiz"),
    ("Smith, Jr.", "Smith, Jr."),
    ("  Jane   Doe , ", "Jane Doe"),
    (r"K\"aser, Silvan", "Silvan Käser"),
    ("Gabriel J. Lovinger", "Gabriel J. Lovinger"),
])
def test_author_names_come_as_given_family(raw: str, name: str) -> None:
    assert author_name(raw) == name
    assert author_name(name) == name


def test_affiliation_markup_leaves_journal_author_names() -> None:
    assert author_name("Ada Lovelace<sup>1,2</sup>", html_markup=True) == "Ada Lovelace"
    assert author_name("Ada Lovelace1,*", html_markup=True) == "Ada Lovelace"


def test_authors_missing_stay_missing() -> None:
    assert normalise(arxiv_entry(authors=[])).authors == ()
    assert normalise(arxiv_entry(authors=["", "  ", "<br/>"], html=True)).authors == ()
    assert normalise(arxiv_entry()).authors == ()  # no authors given: none invented ("Unknown")


def test_authors_are_cleaned() -> None:
    paper = normalise(arxiv_entry(authors=[" Andr&#xe9;s  L&#xf3;pez ", "<a href='x'>Nicolas Busca</a>"], html=True))
    assert paper.authors == ("Andrés López", "Nicolas Busca")


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Thu, 28 Nov 2024 00:00:00 -0500", datetime(2024, 11, 28, 5, 0, tzinfo=UTC)),
    ("Thu, 28 Nov 2024 14:47:20 GMT", datetime(2024, 11, 28, 14, 47, 20, tzinfo=UTC)),
    ("2025-08-20T00:00:00-04:00", datetime(2025, 8, 20, 4, 0, tzinfo=UTC)),
    ("2025-08-20T04:00:19.899254+00:00", datetime(2025, 8, 20, 4, 0, 19, 899254, tzinfo=UTC)),
    ("2025-10-16T17:59:37Z", datetime(2025, 10, 16, 17, 59, 37, tzinfo=UTC)),
    ("2018-08-30T20:30:00-05:00", datetime(2018, 8, 31, 1, 30, tzinfo=UTC)),
    ("2026-07-15", datetime(2026, 7, 15, tzinfo=UTC)),
    ("2024-01-01T12:00:00", datetime(2024, 1, 1, 12, tzinfo=UTC)),
    ("  2024-07-18 ", datetime(2024, 7, 18, tzinfo=UTC)),
])
def test_dates_become_utc(text: str, expected: datetime) -> None:
    value = parse_datetime(text)
    assert value == expected
    assert value.utcoffset() == timedelta(0) and value.tzinfo is UTC


@pytest.mark.parametrize("text", [None, "", "   ", "yesterday", "32/13/2024", "Thu, 99 Nov 2024"])
def test_unreadable_dates_are_none(text: str | None) -> None:
    assert parse_datetime(text) is None


def test_an_unreadable_date_does_not_reject_the_item() -> None:
    paper = normalise(arxiv_entry(published="not a date"))
    assert paper.published is None


# --- fields, categories and other fields ---------------------------------------------------------

@pytest.mark.parametrize(("categories", "primary", "field"), [
    (["cs.LG", "stat.ML"], None, "Computer Science"),
    (["cs.LG", "stat.ML"], "stat.ML", "Statistics"),
    (["quant-ph"], None, "Physics"),
    (["math.PR"], None, "Mathematics"),
    (["q-bio.NC", "cs.NE"], None, "Quantitative Biology"),
    (["eess.SP"], None, "Electrical Engineering"),
    ([], None, "Unknown"),
])
def test_field_from_categories(categories: list[str], primary: str | None, field: str) -> None:
    paper = normalise(arxiv_entry(categories=categories, primary_category=primary))
    assert paper.field == field


def test_a_primary_missing_from_the_categories_is_put_first() -> None:
    paper = normalise(arxiv_entry(categories=["cs.AI", " cs.AI ", "cs.LG"], primary_category="stat.ML"))
    assert (paper.categories, paper.primary_category) == (("stat.ML", "cs.AI", "cs.LG"), "stat.ML")


def test_a_field_the_feed_imposes_wins() -> None:
    entry = RawEntry(source="Nature", doi="10.1038/x", title="T", categories=["cs.LG"], field="Multidisciplinary")
    assert normalise(entry).field == "Multidisciplinary"


def test_empty_strings_become_none() -> None:
    paper = normalise(arxiv_entry(license="  ", journal_ref="", section=" ", venue="", announce_type=" NEW "))
    assert (paper.license, paper.journal_ref, paper.section, paper.venue) == (None, None, None, None)
    assert paper.announce_type == "new"


# --- properties --------------------------------------------------------------------------------

TEXT_PIECES = st.sampled_from([
    "<p>", "</p>", "<b>", "</b>", "<br/>", "<sub>", "</sub>", "<a href='x'>", "</a>", "<", ">", "</", "&", "&amp;",
    "&amp;amp;", "&lt;", "&gt;", "&lt;p&gt;", "&#xe9;", "&#32;", "&nbsp;", "&", "amp;", "lt;", ";", "#", "$",
    "\\emph{", "}", "$a<b$", "<!--", "-->", " ", "  ", "\n", "\t", "arXiv:2411.00001v1 Announce Type: new \nAbstract: ",
    "Announce Type:", "Abstract:", "arXiv:", "word", "é", "δ", "\\\"", "\\'e", "{\\l}", "\\textit{", "\\", "{",
    "\x1b", "\x9b", "\r", "&#x1b;", "&#27;", "\\(", "\\)", "$$",
])
MESSY_TEXT = st.one_of(st.text(max_size=60), st.lists(st.one_of(TEXT_PIECES, st.text(max_size=5)), max_size=30)
                       .map("".join))


@settings(max_examples=400, deadline=None)
@given(MESSY_TEXT, st.booleans())
def test_clean_text_is_idempotent(text: str, html_markup: bool) -> None:
    once = clean_text(text, html_markup=html_markup)
    assert clean_text(once) == once
    assert once == once.strip() and "  " not in once and "\n" not in once
    assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in once)


ARXIV_IDS = st.one_of(
    st.from_regex(r"\A(0[7-9]|1\d|2[0-6])(0[1-9]|1[0-2])\.\d{5}\Z"),
    st.from_regex(r"\A(0[7-9]|1[0-4])(0[1-9]|1[0-2])\.\d{4}\Z"),
    st.tuples(st.sampled_from(["hep-th", "astro-ph", "cond-mat", "math", "quant-ph", "gr-qc", "cs"]),
              st.from_regex(r"\A\d{7}\Z")).map("/".join),
)
GUIDS = st.sampled_from(["oai:arXiv.org:{}v{}", "http://arxiv.org/abs/{}v{}", "https://arxiv.org/abs/{}v{}",
                         "{}v{}", "https://arxiv.org/pdf/{}v{}"])


@settings(max_examples=200, deadline=None)
@given(ident=ARXIV_IDS, guid=GUIDS, versions=st.lists(st.integers(1, 9), min_size=2, max_size=5))
def test_every_version_of_an_arxiv_paper_has_one_id(ident: str, guid: str, versions: list[int]) -> None:
    papers = [normalise(RawEntry(source="arxiv", identifier=guid.format(ident, v), title="T")) for v in versions]
    assert {p.paper_id for p in papers} == {f"arxiv:{ident}"}
    assert [p.version for p in papers] == versions


FIELD_TEXT = st.one_of(st.none(), MESSY_TEXT)
DATES = st.one_of(st.none(), st.sampled_from(["Thu, 28 Nov 2024 00:00:00 -0500", "2025-08-20T00:00:00-04:00",
                                              "2026-07-15", "2024-01-01T12:00:00", "garbage"]))
IDENTITIES = st.sampled_from([
    {"source": "arxiv", "identifier": "oai:arXiv.org:2411.17702v3"},
    {"source": "arxiv", "url": "https://arxiv.org/abs/hep-th/9901001"},
    {"source": "arxiv", "identifier": "http://arxiv.org/abs/2510.14968v1", "doi": "10.1000/ABC"},
    {"source": "biorxiv", "identifier": "10.64898/2026.07.13.738145", "doi": "10.64898/2026.07.13.738145"},
    {"source": "Nature", "identifier": "https://www.nature.com/articles/x", "doi": "doi:10.1038/S41586-024-1"},
    {"source": "Some Journal", "identifier": "https://doi.org/10.1234/XYZ"},
    {"source": "Some Journal", "url": "https://Example.org/a/1/?utm_source=rss#top"},
])


@st.composite
def raw_entries(draw) -> RawEntry:
    return RawEntry(
        **draw(IDENTITIES),
        title=draw(MESSY_TEXT), abstract=draw(FIELD_TEXT),
        authors=draw(st.lists(MESSY_TEXT, max_size=4)),
        categories=draw(st.lists(st.sampled_from(["cs.LG", "stat.ML", " cs.AI", "hep-th", "neuroscience", ""]),
                                 max_size=4)),
        primary_category=draw(st.one_of(st.none(), st.sampled_from(["cs.LG", "math.PR ", "", "epidemiology"]))),
        journal_ref=draw(FIELD_TEXT), license=draw(st.one_of(st.none(), st.sampled_from(["cc_by", " ", "x "]))),
        published=draw(DATES), updated=draw(DATES),
        version=draw(st.one_of(st.none(), st.sampled_from(["1", "v2", "x"]))),
        announce_type=draw(st.one_of(st.none(), st.sampled_from(["new", " Replace", ""]))),
        section=draw(FIELD_TEXT), venue=draw(FIELD_TEXT),
        field=draw(st.one_of(st.none(), st.just("Multidisciplinary"))),
        html=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(raw_entries())
def test_normalising_a_papers_own_fields_gives_the_same_paper(entry: RawEntry) -> None:
    try:
        paper = normalise(entry)
    except InvalidItemError:
        assume(False)
        return
    again = normalise(raw_from(paper))
    assert again.paper_id == paper.paper_id
    assert (again.title, again.abstract, again.authors) == (paper.title, paper.abstract, paper.authors)
    assert again == paper


@pytest.mark.parametrize(("name", "parse"), [
    ("rss_mock_feed.xml", arxiv_rss.parse),
    ("test.rdf", arxiv_rss.parse),
    (ARXIV_ATOM, arxiv_rss.parse),
    ("arxiv_response.xml", arxiv_api.parse),
    ("biorxiv_details.json", biorxiv.parse),
    ("nature.rss", rss.parse),
    ("biorxiv_biochemistry_2018-03-23.rdf.xml", rss.parse),
])
def test_every_recorded_paper_survives_a_second_normalisation(feed_bytes, name: str, parse) -> None:
    papers = [normalise(e) for e in parse(feed_bytes(name)).entries]
    assert papers
    assert [normalise(raw_from(p)) for p in papers] == papers
    assert all(p.published is None or p.published.tzinfo is UTC for p in papers)
    assert not [p.paper_id for p in papers if "Unknown" in p.authors or p.field == "Unknown"]
