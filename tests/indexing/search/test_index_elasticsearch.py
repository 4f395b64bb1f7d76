"""Indexing into Elasticsearch from the store: a node that is down loses nothing, and the
next run sends the whole backlog."""

from __future__ import annotations

import pytest

from indexing.embeddings import get_embedder
from indexing.index import index_papers
from indexing.ingest import ingest_all
from indexing.search.elasticsearch import build_backend
from radar.config import FeedSpec
from radar.errors import SearchUnavailableError
from tests.recorded import ARXIV_ATOM


def test_node_down_then_up_indexes_the_backlog(store, fetcher, feeds_dir, settings_for, es_backend) -> None:
    spec = FeedSpec(name="cs-ai", kind="arxiv-rss", url=(feeds_dir / ARXIV_ATOM).as_uri())
    ingest_all(store, [spec], fetcher)
    papers_before = store.con.execute("SELECT * FROM papers ORDER BY paper_id").fetchall()
    embedder = get_embedder("all-MiniLM-L6-v2")

    down = build_backend(settings_for(elasticsearch_url="http://127.0.0.1:9", elasticsearch_timeout=1.0))
    with pytest.raises(SearchUnavailableError, match="not reachable"):
        index_papers(store, down, embedder)
    assert store.con.execute("SELECT count(*) FROM index_marks").fetchone()[0] == 0
    assert store.con.execute("SELECT * FROM papers ORDER BY paper_id").fetchall() == papers_before

    result = index_papers(store, es_backend, embedder)
    assert (result.pending, result.indexed, result.total) == (7, 7, 7)
    assert index_papers(store, es_backend, embedder).pending == 0
