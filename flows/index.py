"""The ``index`` flow (incremental) and ``ingest-and-index`` (the daily job).

The body is :func:`flows.jobs.index_run`.
"""

from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.ingest import ingest
from flows.jobs import index_run
from indexing.index import IndexResult

index_task = task(index_run, name="index-papers", cache_policy=NO_CACHE)


@flow(name="index")
def index(rebuild: bool = False) -> IndexResult:
    """Embed new and changed papers and send them to the search backend (``rebuild``: a fresh index)."""
    return index_task(rebuild)


@flow(name="ingest-and-index")
def ingest_and_index(config: str | None = None) -> IndexResult:
    """The daily job: ingest every feed, then index what changed."""
    ingest(config=config)
    return index_task()
