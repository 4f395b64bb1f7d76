"""Reading a library (Zotero-style BibTeX, RIS, CSL-JSON, a list of ids) and resolving it against a
real DuckDB store holding the demo day: by arXiv id, DOI (and the alias of an arXiv paper's journal
DOI) or a close title; what does not resolve says why. Malformed files: an unclosed brace, a wrong
encoding, 10,000 entries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from indexing.records import Paper
from indexing.store import Store, open_store, utc_now
from indexing.store.papers import Sighting, upsert
from queries.exports import export
from queries.library.parse import read_library
from queries.library.resolve import resolve_library
from tests.queries.test_exports import demo_day  # noqa: F401 - the demo day's papers, parsed once per module

ZOTERO_BIBTEX = r"""
@misc{vaswani_attention_2017,
	title = {Attention {Is} {All} {You} {Need}},
	url = {http://arxiv.org/abs/1706.03762},
	doi = {10.48550/arXiv.1706.03762},
	abstract = {The dominant sequence transduction models are based on complex recurrent networks.},
	publisher = {arXiv},
	author = {Vaswani, Ashish and Shazeer, Noam and Schr{\"o}dinger, Erwin},
	year = {2017},
	note = {arXiv:1706.03762 [cs]},
}

@article{jumper_highly_2021,
	title = {Highly accurate protein structure prediction with {AlphaFold}},
	doi = {10.1038/s41586-021-03819-2},
	journal = {Nature},
	author = {Jumper, John and van der Berg, Anna},
	year = {2021},
}
"""


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory, demo_day: list[Paper]) -> Iterator[Store]:  # noqa: F811
    """A real store holding the demo day, written through the store's own path (no embeddings needed)."""
    with open_store(tmp_path_factory.mktemp("library") / "radar.duckdb") as store:
        with store.transaction() as con:
            upsert(con, [Sighting(p, "demo", "run-demo") for p in demo_day], utc_now())
        yield store


def test_a_zotero_bibtex_export_reads_ids_titles_and_names() -> None:
    library = read_library(ZOTERO_BIBTEX.encode())
    assert library.format == "bibtex" and not library.problems
    attention, alphafold = library.entries
    assert (attention.arxiv_id, attention.doi, attention.year) == ("1706.03762", None, 2017)
    assert attention.title == "Attention Is All You Need"
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Erwin Schrödinger")
    assert (alphafold.doi, alphafold.arxiv_id) == ("10.1038/s41586-021-03819-2", None)
    assert alphafold.authors == ("John Jumper", "Anna van der Berg")


def test_radar_exports_read_back_in_every_format(demo_day: list[Paper]) -> None:  # noqa: F811
    papers = demo_day[:40] + [p for p in demo_day if p.source == "Nature"][:5]
    for fmt in ("bibtex", "ris", "csljson"):
        library = read_library(export(papers, fmt).encode())
        assert library.format == fmt and not library.problems and len(library.entries) == len(papers)
        for entry, paper in zip(library.entries, papers, strict=True):
            assert entry.arxiv_id == paper.paper_id.removeprefix("arxiv:") if paper.source == "arxiv" else \
                entry.doi == paper.doi, (fmt, entry)
            assert entry.title == " ".join(paper.title.split()), (fmt, entry)  # as ingest would store it


def test_a_list_of_ids_and_what_is_not_one() -> None:
    text = "2411.17766\narXiv:hep-th/9901001v2  # old style\nhttps://doi.org/10.1038/S41586-021-03819-2, 10.1101/x.1\nnonsense\n"
    library = read_library(text.encode())
    assert library.format == "ids"
    assert [(e.arxiv_id, e.doi) for e in library.entries] == [
        ("2411.17766", None), ("hep-th/9901001", None), (None, "10.1038/s41586-021-03819-2"), (None, "10.1101/x.1")]
    assert [p.where for p in library.problems] == ["line 4"] and "neither a DOI nor an arXiv id" in library.problems[0].reason


def test_csl_json_items_and_a_stray_value() -> None:
    items = [{"id": "a", "type": "article", "title": "Scaling $x^2$ laws", "DOI": "10.48550/arXiv.2411.17766",
              "author": [{"family": "Berg", "given": "Anna", "non-dropping-particle": "van der"},
                         {"literal": "ATLAS Collaboration"}], "issued": {"date-parts": [[2024, 11, 28]]}}, 5]
    library = read_library(json.dumps(items).encode())
    (entry,) = library.entries
    assert (entry.arxiv_id, entry.year, entry.authors) == ("2411.17766", 2024, ("Anna van der Berg", "ATLAS Collaboration"))
    assert [(p.where, p.reason) for p in library.problems] == [("item 2", "not a CSL-JSON item (an object)")]
    broken = read_library(b'[{"id": "a", "title": ')
    assert not broken.entries and "not valid JSON" in broken.problems[0].reason


def test_an_unclosed_brace_loses_only_its_own_entry() -> None:
    text = ZOTERO_BIBTEX.replace("@article{jumper", "@article{broken,\n\ttitle = {Unclosed {brace,\n}\n\n@article{jumper")
    library = read_library(text.encode())
    assert [e.label for e in library.entries] == ["vaswani_attention_2017", "jumper_highly_2021"]
    (problem,) = library.problems
    assert "(broken)" in problem.where and problem.reason.startswith("could not read this BibTeX entry")


def test_a_file_in_the_wrong_encoding_is_read_and_says_so() -> None:
    ris = "TY  - JOUR\nTI  - Café society of Müller’s\nAU  - Müller, Hans\nDO  - https://doi.org/10.1000/ABC\nER  - \n"
    library = read_library(ris.encode("cp1252"))
    (entry,) = library.entries
    assert library.encoding == "cp1252" and "not UTF-8" in library.notes[0]
    assert (entry.title, entry.authors, entry.doi) == ("Café society of Müller’s", ("Hans Müller",), "10.1000/abc")
    assert read_library(b"\xef\xbb\xbf" + ris.encode()).entries[0].title == entry.title  # a UTF-8 BOM is no problem


def test_entries_resolve_by_arxiv_id_doi_alias_and_close_title(demo_store: Store, demo_day: list[Paper]) -> None:  # noqa: F811
    arxiv = next(p for p in demo_day if p.source == "arxiv" and len(p.title) > 40)
    nature = next(p for p in demo_day if p.source == "Nature" and p.doi)
    titled = next(p for p in demo_day if p.source == "arxiv" and len(p.title) > 60 and p is not arxiv)
    misspelt = titled.title.upper().replace("THE", "A", 1)[:-1] + "!"
    ids = f"{arxiv.paper_id.removeprefix('arxiv:')}v3\nhttps://doi.org/{nature.doi.upper()}\n10.9999/not.here\n"
    resolution = resolve_library(demo_store, read_library(ids.encode()).entries)
    assert [(r.paper_id, r.by) for r in resolution.resolved] == [(arxiv.paper_id, "arxiv"), (nature.paper_id, "doi")]
    (missing,) = resolution.unresolved
    assert missing.reason == "DOI 10.9999/not.here not in the store, and no title to match"
    entries = read_library(export([replace(titled, paper_id="doi:10.9999/other", title=misspelt, doi=None,
                                           url=None)], "csljson").encode()).entries
    (found,) = resolve_library(demo_store, entries).resolved
    assert (found.paper_id, found.by) == (titled.paper_id, "title") and 92 <= found.score < 100


def test_unresolved_entries_say_why_and_text_seeds_are_kept(demo_store: Store) -> None:
    bib = ZOTERO_BIBTEX + "@misc{short, title = {Notes}}\n@misc{bare, author = {Nobody, A.}}\n"
    resolution = resolve_library(demo_store, read_library(bib.encode()).entries)
    assert not resolution.resolved
    reasons = {u.entry.label: u.reason for u in resolution.unresolved}
    assert reasons["vaswani_attention_2017"].startswith("arXiv 1706.03762 not in the store, and no stored title is close")
    assert reasons["short"] == "no arXiv id or DOI, and the title is too short to match safely"
    assert reasons["bare"] == "no arXiv id or DOI, and no title to match"
    assert [e.label for e in resolution.text_seeds] == ["vaswani_attention_2017"]  # title and abstract


def test_ten_thousand_entries(demo_store: Store, demo_day: list[Paper], tmp_path: Path) -> None:  # noqa: F811
    """A 10,000-entry BibTeX file (no abstracts, to keep it quick): every paper of the demo day, then
    made-up papers; all read, the stored ones resolved, the others not (bench/library_import.py times it)."""
    real = [replace(p, abstract="") for p in demo_day]
    fake = [replace(real[i % len(real)], paper_id=f"doi:10.5555/fake.{i}", doi=f"10.5555/fake.{i}",
                    title=f"Made-up study number {i} of nothing in particular", url=None)
            for i in range(10_000 - len(real))]
    library = read_library(export([*real, *fake], "bibtex").encode())
    assert len(library.entries) == 10_000 and not library.problems
    resolution = resolve_library(demo_store, library.entries)
    assert len(resolution.resolved) == len({p.paper_id for p in demo_day})
    assert len(resolution.unresolved) == len(fake)
