"""A profile's digest as Atom (RFC 4287), read back with feedparser."""

from __future__ import annotations

from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import feedparser

from queries.atom import ATOM, digest_atom
from queries.digest import Digest, DigestEntry

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def entry(number: int, paper_id: str, title: str, abstract: str, authors: list[str], day: str | None) -> DigestEntry:
    return DigestEntry(paper_id=paper_id, title=title, authors=authors, field="Computer Science", categories=["cs.CL"],
                       source="arxiv", published=day, url=f"https://arxiv.org/abs/{paper_id[6:]}", doi=None,
                       number=number, abstract=abstract, score=0.5, similarity=0.45, matched_categories=["cs.CL"],
                       related_fields=[])


def digest() -> Digest:
    d = Digest(profile="llm-reasoning", description="Reasoning & <interpretability>", day=date(2024, 11, 28), total=2)
    d.entries = [
        entry(1, "arxiv:2411.18478", "Beyond Examples: <b>MCTS</b> & reasoning", 'We show <script>alert(1)</script> "x"',
              ["Ada Lovelace", "Alan Turing"], "2024-11-28"),
        entry(2, "arxiv:2411.17000", "No authors \x1b[31m here", "Plain abstract with $x^2$.", [], "2024-11-27"),
    ]
    return d


def test_the_feed_is_valid_atom_with_ids_dates_authors_and_links() -> None:
    text = digest_atom(digest(), base_url="http://127.0.0.1:8000/", now=NOW)
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    feed = parsed.feed
    assert feed.id == "http://127.0.0.1:8000/profiles/llm-reasoning/feed.atom"
    assert feed.title == "Radar: llm-reasoning" and feed.subtitle == "Reasoning & <interpretability>"
    assert feed.updated == "2024-11-28T00:00:00Z" and feed.author == "Radar"
    links = {link.rel: link.href for link in feed.links}
    assert links == {"self": feed.id, "alternate": "http://127.0.0.1:8000/?profile=llm-reasoning"}
    first, second = parsed.entries
    assert first.id == "http://127.0.0.1:8000/paper/arxiv:2411.18478"
    assert first.title == "Beyond Examples: <b>MCTS</b> & reasoning"  # text, escaped in the XML, never markup
    assert first.summary == 'We show <script>alert(1)</script> "x"' and first.summary_detail.type == "text/plain"
    assert [a.name for a in first.authors] == ["Ada Lovelace", "Alan Turing"]
    assert first.updated == "2024-11-28T00:00:00Z" and first.published == "2024-11-28T00:00:00Z"
    assert {link.rel: link.href for link in first.links} == {
        "alternate": first.id, "related": "https://arxiv.org/abs/2411.18478"}
    assert [t.term for t in first.tags] == ["cs.CL"]
    assert second.title == "No authors [31m here" and "authors" not in second
    assert "<script>" not in text  # escaped in the XML itself


def test_every_element_rfc_4287_requires_is_there() -> None:
    root = ET.fromstring(digest_atom(digest(), base_url="http://h", now=NOW).split("\n", 1)[1])
    ns = {"a": ATOM}
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name", "a:link[@rel='self']"):
        assert root.find(required, ns) is not None, required
    for item in root.findall("a:entry", ns):
        for required in ("a:id", "a:title", "a:updated", "a:link[@rel='alternate']", "a:summary"):
            assert item.find(required, ns) is not None, required


def test_an_empty_digest_is_a_valid_feed_updated_now() -> None:
    empty = Digest(profile="qc", description="Quantum", day=None)
    parsed = feedparser.parse(digest_atom(empty, base_url="http://h", now=NOW))
    assert not parsed.bozo and parsed.entries == [] and parsed.feed.updated == "2026-12-02T01:00:00Z"
