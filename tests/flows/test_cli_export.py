"""`radar export`: a paper, a search, a digest day and a stored brief's sources, read back by
bibtexparser 2, rispy and json, on a copy of the real indexed corpus; exit codes and messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import rispy

from indexing.store import open_store
from indexing.store.papers import read_papers
from queries.brief.records import Brief, BriefRequest, Source
from queries.brief.store import save
from radar.settings import load_settings
from tests.corpus import REPO
from tests.flows.cli_runner import invoke

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")
KNOWN = "arxiv:2411.17766"


def test_help_names_every_kind_and_option() -> None:
    result = invoke("export", "--help")
    assert result.exit_code == 0
    assert all(kind in result.output for kind in ("paper", "search", "digest", "brief"))
    result = invoke("export", "digest", "--help")
    assert all(o in result.output for o in ("--format", "--output", "--date", "--config", "--json"))


def test_a_paper_as_bibtex_on_stdout(corpus_home: Path) -> None:
    result = invoke("export", "paper", "2411.17766v2")
    assert result.exit_code == 0, result.output
    (entry,) = bibtexparser.parse_string(result.stdout).entries
    assert entry.entry_type == "misc" and entry["eprint"] == "2411.17766" and entry["archivePrefix"] == "arXiv"


def test_a_search_as_ris_to_a_file_reports_what_it_wrote(corpus_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "hits.ris"
    result = invoke("export", "search", "quantum error correction", "-k", "4", "--mode", "bm25", "--format", "ris",
                    "-o", str(target), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema"] == "radar.export/1" and report["format"] == "ris" and len(report["papers"]) == 4
    search = json.loads(invoke("search", "quantum error correction", "-k", "4", "--mode", "bm25", "--json").stdout)
    assert [p["paper_id"] for p in report["papers"]] == [h["paper_id"] for h in search["hits"]]
    records = rispy.loads(target.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [p["key"] for p in report["papers"]]
    assert [r["title"] for r in records] == [h["title"] for h in search["hits"]]


def test_a_digest_day_as_csljson_in_digest_order(corpus_home: Path) -> None:
    args = ("quantum-computing", "--date", "2024-11-28", "-k", "5", "--config", DEMO_CONFIG)
    result = invoke("export", "digest", *args, "--format", "csljson")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    digest = json.loads(invoke("digest", *args, "--json").stdout)
    assert [i["title"] for i in items] == [e["title"] for e in digest["entries"]]
    assert all(i["type"] == "article" and i["number"].startswith("arXiv:") for i in items)


def test_a_brief_exports_its_sources_in_order_even_one_no_longer_stored(corpus_home: Path) -> None:
    settings = load_settings()
    with open_store(settings.store_path) as store:
        ids = [pid for (pid,) in store.cursor().execute(
            "SELECT paper_id FROM papers WHERE source = 'arxiv' ORDER BY paper_id LIMIT 3").fetchall()]
        papers = read_papers(store.cursor(), ids)
        sources = [Source(number=n, paper_id=p.paper_id, title=p.title, authors=p.authors, field=p.field,
                          categories=p.categories, source=p.source, published=p.published.date(), url=p.url,
                          doi=p.doi, abstract=p.abstract, relevance=0.5)
                   for n, p in enumerate((papers[i] for i in ids), start=1)]
        gone = Source(number=4, paper_id="doi:10.5555/gone.1", title="A paper since removed", authors=("Ada Lovelace",),
                      field="Mathematics", categories=(), source="Journal of Gone Things", published=None, url=None,
                      doi="10.5555/gone.1", abstract="", relevance=0.4)
        save(store, Brief(brief_id="b-export-test", created_at=datetime(2024, 11, 29, tzinfo=UTC),
                          request=BriefRequest(topic="anything"), kind="extractive", model=None, prompt_hash=None,
                          title="A brief", sources=[*sources, gone]))
    result = invoke("export", "brief", "b-export-test", "--format", "bibtex")
    assert result.exit_code == 0, result.output
    entries = bibtexparser.parse_string(result.stdout).entries
    assert [e.get("eprint").value if e.get("eprint") else e["doi"] for e in entries] == [
        *(i.removeprefix("arxiv:") for i in ids), "10.5555/gone.1"]
    assert entries[-1].entry_type == "article" and entries[-1]["journal"] == "Journal of Gone Things"


def test_usage_errors_exit_2_and_say_what_to_do(corpus_home: Path) -> None:
    unknown = invoke("export", "paper", "arxiv:9999.99999")
    assert unknown.exit_code == 2 and "radar search" in unknown.stderr
    bad = invoke("export", "paper", KNOWN, "--format", "endnote")
    assert bad.exit_code == 2 and "bibtex, ris, csljson" in bad.stderr
    lonely = invoke("export", "paper", KNOWN, "--json")
    assert lonely.exit_code == 2 and "-o FILE" in lonely.stderr
    brief = invoke("export", "brief", "no-such-brief")
    assert brief.exit_code == 2 and "radar briefs" in brief.stderr


def test_an_empty_day_exports_nothing_and_says_so(corpus_home: Path) -> None:
    result = invoke("export", "digest", "llm-reasoning", "--date", "2020-01-01", "-c", DEMO_CONFIG)
    assert result.exit_code == 0 and result.stdout == "" and "holds no papers" in result.stderr
