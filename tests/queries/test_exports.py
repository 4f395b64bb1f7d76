"""Exports to reference managers, read back by well-kept readers: bibtexparser 2 (BibTeX, LaTeX
decoded by pylatexenc as bibtexparser's own decoding middleware does), rispy (RIS) and citeproc-py
(CSL-JSON). The demo day (demo/snapshot: the full arXiv day of 28 Nov 2024, Nature, bioRxiv) goes
through every format and its titles and authors come back; so do hostile titles."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from indexing.ingest import to_papers
from indexing.records import Paper
from indexing.sources import parse_body
from queries.exports import FORMATS, export
from queries.exports.keys import base_key, cite_keys
from queries.exports.names import split_name
from radar.config import FeedSpec

SNAPSHOT = Path(__file__).resolve().parents[2] / "demo" / "snapshot"
# pylatexenc as bibtexparser's decoding middleware uses it, told three standard LaTeX commands it
# does not know (or reads as U+02C6 where LaTeX prints a caret).
_CONTEXT = get_default_latex_context_db()
_CONTEXT.add_context_category("standard-text", prepend=True, macros=[
    MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}"), MacroTextSpec("textasciicircum", "^")])
DECODE = LatexNodes2Text(latex_context=_CONTEXT, math_mode="verbatim")
_SYNTAX = re.compile(r"[\\{}$~`'%&#^_-]")


@pytest.fixture(scope="module")
def demo_day() -> list[Paper]:
    """Every paper of the demo snapshot, normalised as ingest stores them (no store needed)."""
    feeds = [
        (FeedSpec(name="arxiv-all", kind="arxiv-rss", url="file:///arxiv"), "arxiv-all-2024-11-28.rss.xml"),
        (FeedSpec(name="nature", kind="rss", url="file:///nature", source="Nature", field="Multidisciplinary"),
         "nature-2024-07.rss"),
        (FeedSpec(name="biorxiv", kind="rss", url="file:///biorxiv", source="biorxiv", field="Biology"),
         "biorxiv-biochemistry-2018-03-23.rdf.xml"),
    ]
    papers: list[Paper] = []
    for spec, name in feeds:
        parsed = parse_body(spec, (SNAPSHOT / name).read_bytes())
        papers += to_papers(parsed.entries, 200)[0]
    assert len(papers) > 1500
    return papers


def paper(title: str, authors: tuple[str, ...] = ("Ada Lovelace",), **changes) -> Paper:
    base = Paper(paper_id="arxiv:2411.00001", source="arxiv", title=title, abstract="An abstract with $x^2$ & 5%.",
                 authors=authors, categories=("cs.LG", "stat.ML"), primary_category="cs.LG", field="Computer Science",
                 doi=None, journal_ref=None, url="https://arxiv.org/abs/2411.00001", pdf_url=None, license=None,
                 published=datetime(2024, 11, 28), updated=None, version=1, announce_type="new", section=None,
                 venue=None)
    return replace(base, **changes)


HOSTILE = [
    "Braces {inside} and } unbalanced { ones",
    "100% of 50% & more: R&D #1 costs $5",
    r"Back\slash \cite{x} and \\ double, C:\path\file",
    r"Scaling as $\mathcal{O}(N^{2})$ and $$\sum_i x_i$$ with \(a_b\) and \[c^d\]",
    r"Unbalanced math $\left\{ x \right.$ here",
    "量子纠缠的新方法：基于深度学习的研究",
    "Schrödinger, Erdős and Łukasiewicz meet α-stable ≤ β",
    'Quotes "double" and \'single\' ~tilde^caret_under <less> >more',
    "@misc{evil, title={injected}} and a closing }",
]


def _read(latex: str) -> str:
    """A BibTeX value as text (words with no LaTeX syntax read as themselves: no decoder needed)."""
    return DECODE.latex_to_text(latex) if _SYNTAX.search(latex) else latex


def _name(person: str) -> str:
    parts = parse_single_name_into_parts(person)
    return " ".join(_read(p) for p in [*parts.first, *parts.von, *parts.last, *parts.jr])


def _norm(text: str) -> str:
    return " ".join(text.split())


def _typeset(text: str) -> str:
    """``text`` as LaTeX reads it: the ligatures authors type for dashes and quotes ("--" is an en dash)."""
    for typed, char in (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"), ("\u2212", "-")):
        text = text.replace(typed, char)
    return _norm(text)


def read_bibtex(text: str) -> list:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks[:3]]
    return library.entries


def test_the_demo_day_round_trips_through_bibtexparser(demo_day: list[Paper]) -> None:
    entries = read_bibtex(export(demo_day, "bibtex"))
    assert len(entries) == len({p.paper_id for p in demo_day})
    keys = cite_keys(demo_day)
    by_key = {keys[p.paper_id]: p for p in demo_day}
    assert len(by_key) == len(entries)
    for entry in entries:
        original = by_key[entry.key]
        assert _norm(_read(entry["title"])) == _typeset(original.title), entry.key
        persons = split_multiple_persons_names(entry.fields_dict["author"].value) if original.authors else []
        assert [_name(p) for p in persons] == [_norm(a) for a in original.authors if a.strip()], entry.key
        if original.paper_id.startswith("arxiv:"):
            assert entry["eprint"] == original.paper_id.removeprefix("arxiv:")
            assert entry["archivePrefix"] == "arXiv"
            assert entry["primaryClass"] == original.primary_category
        if original.doi:
            assert entry["doi"] == original.doi
    journal = [e for e in entries if e.entry_type == "article"]
    assert journal and all(e["doi"] for e in journal if by_key[e.key].doi)


def test_the_demo_day_round_trips_through_rispy(demo_day: list[Paper]) -> None:
    records = rispy.loads(export(demo_day, "ris"))
    keys = cite_keys(demo_day)
    by_key = {keys[p.paper_id]: p for p in demo_day}
    assert len(records) == len(by_key)
    for record in records:
        original = by_key[record["id"]]
        assert record["title"] == _norm(original.title)
        names = [split_name(a) for a in original.authors if a.strip()]
        assert record.get("authors", []) == [n.literal or ", ".join(x for x in (n.full_family, n.given, n.suffix) if x)
                                             for n in names]
        assert record["type_of_reference"] == ("UNPB" if original.source in ("arxiv", "biorxiv") else "JOUR")
        if original.doi:
            assert record["doi"] == original.doi


def test_the_demo_day_renders_through_citeproc(demo_day: list[Paper]) -> None:
    items = json.loads(export(demo_day, "csljson"))
    keys = cite_keys(demo_day)
    by_key = {keys[p.paper_id]: p for p in demo_day}
    assert [i["id"] for i in items] == list(by_key)
    for item in items:
        original = by_key[item["id"]]
        assert item["title"] == original.title
        names = [n.get("literal") or " ".join(x for x in (n.get("given"), n.get("family"), n.get("suffix")) if x)
                 for n in item.get("author", [])]
        assert names == [_norm(a) for a in original.authors if a.strip()]
    sample = items[:: max(1, len(items) // 40)]
    rendered = citeproc_bibliography(sample)
    for item in sample:
        assert item["title"] in rendered[item["id"]]


def citeproc_bibliography(items: list[dict]) -> dict[str, str]:
    """Each item's bibliography entry as citeproc-py writes it (plain text, the Harvard style it bundles)."""
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    entries = [str(entry) for entry in bibliography.bibliography()]
    by_key = dict(zip((str(item.key) for item in bibliography.items), entries, strict=True))
    return {item["id"]: by_key[item["id"].lower()] for item in items}


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_round_trip_in_every_format(title: str) -> None:
    papers = [paper(title, authors=("Zhang Wei", "张伟", "Ludwig van Beethoven", "John Smith Jr.", "ATLAS Collaboration",
                                    "Anne-Marie O'Neil & Søn"))]
    (entry,) = read_bibtex(export(papers, "bibtex"))
    assert _norm(_read(entry["title"])) == _norm(title)
    assert [_name(p) for p in split_multiple_persons_names(entry["author"])] == list(papers[0].authors)
    assert _read(entry["abstract"]) == papers[0].abstract
    (record,) = rispy.loads(export(papers, "ris"))
    assert record["title"] == _norm(title)
    (item,) = json.loads(export(papers, "csljson"))
    assert item["title"] == title


def test_math_is_left_as_written_and_capitals_are_protected() -> None:
    (entry,) = read_bibtex(export([paper(r"BERT meets $\mathcal{O}(N^{2})$ attention in Gaussian processes")], "bibtex"))
    assert entry["title"] == r"{BERT} meets {$\mathcal{O}(N^{2})$} attention in {Gaussian} processes"
    (entry,) = read_bibtex(export([paper("Deep Learning With Transformers for MRI")], "bibtex"))
    assert entry["title"] == "Deep Learning With Transformers for {MRI}"  # title case: only the acronym


def test_arxiv_doi_and_journal_reference_are_exported() -> None:
    arxiv = paper("A paper", doi="10.1103/PhysRevLett.1.1", journal_ref="Phys. Rev. Lett. 1, 1 (2024)")
    journal = paper("A letter", paper_id="doi:10.1038/s41586-024-00001-1", source="Nature", venue="Nature",
                    doi="10.1038/s41586-024-00001-1", categories=(), primary_category=None)
    a, j = read_bibtex(export([arxiv, journal], "bibtex"))
    assert (a.entry_type, a["eprint"], a["archivePrefix"], a["primaryClass"]) == ("misc", "2411.00001", "arXiv", "cs.LG")
    assert (a["doi"], a["note"]) == ("10.1103/PhysRevLett.1.1", "Phys. Rev. Lett. 1, 1 (2024)")
    assert (j.entry_type, j["journal"], j["doi"]) == ("article", "Nature", "10.1038/s41586-024-00001-1")
    ra, rj = rispy.loads(export([arxiv, journal], "ris"))
    assert ra["doi"] == "10.1103/PhysRevLett.1.1" and "Journal reference: Phys. Rev. Lett. 1, 1 (2024)" in ra["notes"]
    assert "arXiv:2411.00001 [cs.LG]" in ra["notes"]
    assert (rj["type_of_reference"], rj["secondary_title"]) == ("JOUR", "Nature")
    ca, cj = json.loads(export([arxiv, journal], "csljson"))
    assert (ca["type"], ca["number"], ca["DOI"], ca["note"]) == ("article", "arXiv:2411.00001",
                                                                 "10.1103/PhysRevLett.1.1", "Phys. Rev. Lett. 1, 1 (2024)")
    assert (cj["type"], cj["container-title"]) == ("article-journal", "Nature")


def test_cite_keys_are_stable_and_unique() -> None:
    one = paper("Deep residual learning", authors=("Kaiming He",))
    two = paper("Deep residual learning", authors=("Kaiming He",), paper_id="arxiv:2411.00002")
    other = paper("Attention is all you need", authors=("Ashish Vaswani",), paper_id="arxiv:2411.00003")
    assert base_key(one) == "he2024deep" and base_key(other) == "vaswani2024attention"
    keys = cite_keys([one, two, other])
    assert len(set(keys.values())) == 3
    assert keys == cite_keys([other, two, one]) == cite_keys([one, two, other])  # order and runs do not matter
    assert keys[other.paper_id] == "vaswani2024attention"
    assert keys[one.paper_id].startswith("he2024deep") and keys[one.paper_id] != "he2024deep"
    assert cite_keys([one]) == {one.paper_id: "he2024deep"}
    assert base_key(paper("量子计算", authors=("张伟",))).startswith("anon")


def test_every_format_is_named_with_its_media_type() -> None:
    assert {f.extension for f in FORMATS.values()} == {"bib", "ris", "json"}
    with pytest.raises(ValueError, match="bibtex, ris, csljson"):
        export([], "endnote")
    assert export([], "csljson").strip() == "[]" and export([], "bibtex") == "" and export([], "ris") == ""
