"""Identity across feeds, as a property: any subset of the recorded feeds, in any order, ingested
twice into a real DuckDB file, is all ``unchanged`` the second time and leaves the store as it was."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexing.ingest import to_papers
from indexing.records import Paper
from indexing.sources import arxiv_api, arxiv_rss, biorxiv, rss
from indexing.store import open_store
from indexing.store.papers import Sighting, UpsertCounts, upsert
from tests.recorded import ARXIV_ATOM

RECORDED = {
    "rss_mock_feed.xml": arxiv_rss.parse,
    "test.rdf": arxiv_rss.parse,
    ARXIV_ATOM: arxiv_rss.parse,
    "arxiv_response.xml": arxiv_api.parse,
    "biorxiv_details.json": biorxiv.parse,
    "nature.rss": rss.parse,
    "biorxiv_biochemistry_2018-03-23.rdf.xml": rss.parse,
}
NOW = datetime(2026, 1, 1)


def _links_to(papers: list[Paper]) -> bytes:
    """A journal feed naming recorded arXiv papers by abs link, PDF link and arXiv DOI, and
    sharing one DOI between two of them (built here: the recordings have no such items)."""
    ids = [p.paper_id.removeprefix("arxiv:") for p in papers if p.paper_id.startswith("arxiv:")][:30]
    forms = ("https://arxiv.org/abs/{}", "http://arxiv.org/pdf/{}v1", "https://doi.org/10.48550/arXiv.{}")
    items = "".join(f"<item><title>Journal version {n}</title><link>{forms[n % 3].format(i)}</link>"
                    f"<dc:identifier>doi:10.5555/linked.{n // 2}</dc:identifier></item>" for n, i in enumerate(ids))
    return (f'<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>Linking Journal</title>{items}</channel></rss>").encode()


def _shared_doi(papers: list[Paper]) -> list[Paper]:
    """Arxiv papers of a recording, every three of them carrying one journal DOI."""
    from dataclasses import replace
    arxiv = [p for p in papers if p.paper_id.startswith("arxiv:")][:60]
    return [replace(p, doi=f"10.5555/shared.{n // 3}") for n, p in enumerate(arxiv)]


@pytest.fixture(scope="module")
def feeds(feed_bytes) -> dict[str, list[Paper]]:
    parsed = {name: to_papers(parse(feed_bytes(name)).entries, 2000)[0] for name, parse in RECORDED.items()}
    parsed["linking-journal"] = to_papers(rss.parse(_links_to(parsed["rss_mock_feed.xml"])).entries, 2000)[0]
    parsed["shared-doi"] = _shared_doi(parsed["test.rdf"])
    assert all(parsed.values())
    return parsed


def _ingest(path: Path, feeds: dict[str, list[Paper]], order: list[str]) -> list[UpsertCounts]:
    counts = []
    with open_store(path) as store:
        for name in order:
            with store.transaction() as con:
                counts.append(upsert(con, [Sighting(p, name, "run") for p in feeds[name]], NOW))
    return counts


def _snapshot(path: Path) -> dict[str, list]:
    with open_store(path, read_only=True) as store:
        return {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("papers", "versions", "sightings", "paper_aliases")}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.lists(st.sampled_from([*RECORDED, "linking-journal", "shared-doi"]), min_size=1, max_size=5))
def test_any_feeds_in_any_order_ingested_twice_are_unchanged_the_second_time(feeds, order: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "radar.duckdb"
        _ingest(path, feeds, order)
        before = _snapshot(path)
        again = _ingest(path, feeds, order)
        assert [(c.new, c.updated) for c in again] == [(0, 0)] * len(order), order
        assert _snapshot(path) == before
    # Every arXiv id is a paper of its own, and an item that names an arXiv paper adds none.
    stored = {row[0] for row in before["papers"]}
    ingested = {p.paper_id for name in order for p in feeds[name]}
    assert {i for i in ingested if i.startswith("arxiv:")} <= stored
    assert not [i for i in stored if i.startswith("doi:10.5555/linked")]


def test_a_journal_feed_naming_arxiv_papers_adds_no_paper_of_its_own(feeds, tmp_path: Path) -> None:
    linking = feeds["linking-journal"]
    assert {p.paper_id.split(":")[0] for p in linking} == {"arxiv"}
    path = tmp_path / "radar.duckdb"
    _ingest(path, feeds, ["rss_mock_feed.xml", "linking-journal", "shared-doi"])
    with open_store(path, read_only=True) as store:
        papers = store.con.execute("SELECT count(*) FROM papers").fetchone()[0]
        # Every three arXiv papers that share a DOI stay three papers; the lowest id owns the DOI.
        owners = store.con.execute("SELECT alias, paper_id FROM paper_aliases WHERE alias LIKE 'doi:10.5555/shared.%'"
                                   " ORDER BY alias").fetchall()
    assert papers == len(feeds["rss_mock_feed.xml"]) + len(feeds["shared-doi"])
    shared = feeds["shared-doi"]
    for n, (alias, owner) in enumerate(owners[:5]):
        group = sorted(p.paper_id for p in shared if p.doi == alias.removeprefix("doi:"))
        assert owner == group[0], (alias, group)
