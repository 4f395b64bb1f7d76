"""The ``index`` flow (incremental) and ``ingest-and-index`` (the daily job)."""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.ingest import ingest
from flows.runtime import current_index_progress
from indexing.embeddings import embedder_for
from indexing.index import IndexResult, index_papers, reindex_papers
from indexing.search import build_backend
from indexing.store import open_store
from radar.settings import load_settings


@task(name="index-papers", cache_policy=NO_CACHE)
def index_task(rebuild: bool = False) -> IndexResult:
    settings = load_settings()
    embedder = embedder_for(settings)
    with open_store(settings.store_path, waits=settings.store) as store:
        backend = build_backend(settings, store)
        try:
            run = reindex_papers if rebuild else index_papers
            return run(store, backend, embedder, progress=current_index_progress(), batch_size=settings.index_batch_size)
        finally:
            backend.close()


@flow(name="index")
def index(rebuild: bool = False) -> IndexResult:
    """Embed new and changed papers and send them to the search backend (``rebuild``: a fresh index)."""
    return index_task(rebuild)


@flow(name="ingest-and-index")
def ingest_and_index(config: str | None = None) -> IndexResult:
    """The daily job: ingest every feed, then index what changed."""
    ingest(config=config)
    return index_task()
