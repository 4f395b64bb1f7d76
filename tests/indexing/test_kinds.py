"""Announce kinds and article types: derived from what the feeds really carry."""

from __future__ import annotations

import itertools

import duckdb
import pytest

from indexing.kinds import announce_kind, announce_name, announce_sql, article_type
from indexing.normalise import normalise
from indexing.sources import rss


@pytest.mark.parametrize(("announce_type", "version", "expected"), [
    ("new", 1, "new"), ("cross", 1, "cross-list"), ("replace", 2, "revised"), ("replace-cross", 3, "revised"),
    ("REPLACE", None, "revised"), (None, None, "new"), (None, 1, "new"), (None, 2, "revised"), ("", 4, "revised"),
])
def test_announce_kind(announce_type: str | None, version: int | None, expected: str) -> None:
    assert announce_kind(announce_type, version) == expected


def test_the_sql_expression_agrees_with_the_function() -> None:
    types = ["new", "cross", "replace", "replace-cross", "Replace ", "other", "", None]
    versions = [None, 0, 1, 2, 7]
    con = duckdb.connect()
    for announce_type, version in itertools.product(types, versions):
        (found,) = con.execute(f"SELECT {announce_sql('a', 'v')} FROM (SELECT ?::VARCHAR AS a, ?::INTEGER AS v)",
                               [announce_type, version]).fetchone()
        assert found == announce_kind(announce_type, version), (announce_type, version)


@pytest.mark.parametrize(("word", "kind"), [("new", "new"), ("Cross", "cross-list"), ("cross-list", "cross-list"),
                                            ("REVISED", "revised"), ("replace", "revised"), ("old", None)])
def test_announce_names_a_reader_may_type(word: str, kind: str | None) -> None:
    assert announce_name(word) == kind


@pytest.mark.parametrize(("title", "url", "declared", "expected"), [
    ("Author Correction: Genetic continuity", "https://www.nature.com/articles/s41586-024-07645-0", None, "correction"),
    ("Publisher Correction: X", None, None, "correction"),
    ("Retraction Note: Y", None, None, "retraction"),
    ("Daily briefing: The poetry of PhD acknowledgements", "https://www.nature.com/articles/d41586-024-1", None, "news"),
    ("AI & robotics briefing: What is AI, really?", None, None, "news"),
    ("Long COVID lung damage linked to immune response", "https://www.nature.com/articles/d41586-024-02352-2", None, "news"),
    ("The enduring world forest carbon sink", "https://www.nature.com/articles/s41586-024-07602-x", None, "research"),
    ("Some title", "https://journal.example/a/1", ["Editorial"], "editorial"),
    ("Some title", "https://journal.example/a/1", ["Research Article"], "research"),
    ("Some title", "https://journal.example/a/1", ["Review Article"], "review"),
    ("Some title", "https://journal.example/a/1", None, None),
    ("Correcting errors in quantum memories", None, None, None),
])
def test_article_type(title: str, url: str | None, declared: list[str] | None, expected: str | None) -> None:
    assert article_type(title, url, declared) == expected


def test_the_nature_feed_tells_papers_from_news_and_corrections(feed_bytes) -> None:
    papers = [normalise(e) for e in rss.parse(feed_bytes("nature.rss"), source="Nature").entries]
    types = {p.paper_id: p.article_type for p in papers}
    assert types["doi:10.1038/s41586-024-07811-4"] == "research"  # Catalysis of an SN2 pathway ...
    assert types["doi:10.1038/d41586-024-02352-2"] == "news"  # Long COVID lung damage ...
    corrections = [p.title for p in papers if p.article_type == "correction"]
    assert corrections and all(t.startswith("Author Correction:") for t in corrections)
    assert None not in types.values()


def test_a_declared_dc_type_is_read() -> None:
    body = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>J</title>
<item><title>A study</title><link>https://journal.example/a/1</link><dc:type>Editorial</dc:type></item>
</channel></rss>"""
    (entry,) = rss.parse(body, source="J").entries
    assert entry.article_type == "editorial"
