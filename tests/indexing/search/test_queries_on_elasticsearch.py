"""The queries layer on the Elasticsearch backend: related papers and briefs keep their promises
there too (they use only the backend contract, and recompute similarities from stored vectors)."""

from __future__ import annotations

from datetime import UTC, datetime

from indexing.embeddings import get_embedder
from indexing.index import index_papers
from indexing.ingest import ingest_all
from queries.brief import BriefRequest, write_brief
from queries.related import related
from radar.config import FeedSpec
from radar.settings import BriefSettings
from tests.briefcorpus import corpus_feed


def test_related_and_briefs_on_elasticsearch(store, fetcher, tmp_path, es_backend) -> None:
    feed = tmp_path / "corpus.xml"
    feed.write_bytes(corpus_feed())
    ingest_all(store, [FeedSpec(name="corpus", kind="arxiv-rss", url=feed.as_uri())], fetcher)
    embedder = get_embedder("all-MiniLM-L6-v2")
    index_papers(store, es_backend, embedder)

    result = related(store, es_backend, embedder, "2411.10001v1", k=4)
    ids = [h.paper_id for h in result.hits]
    assert "arxiv:2411.10001" not in ids and len({h.field for h in result.hits}) >= 2
    assert all(h.reason.startswith("similarity") for h in result.hits)

    brief = write_brief(store, es_backend, embedder, None, BriefRequest(topic="protein design with diffusion models"),
                        BriefSettings(sources=6, candidates=20), now=datetime.now(UTC))
    given = {s.number for s in brief.sources}
    assert brief.kind == "extractive" and len(brief.fields_cited) >= 2
    assert all(s.citations and set(s.citations) <= given for s in brief.sentences())
    nothing = write_brief(store, es_backend, embedder, None, BriefRequest(topic="sourdough bread baking recipes"),
                          BriefSettings(), now=datetime.now(UTC))
    assert nothing.kind == "empty"
