"""The ``index`` flow (incremental) and ``ingest-and-index`` (the daily job).

The body is :func:`flows.jobs.index_run`; the flows turn its result into the run's state.
"""

from __future__ import annotations

import logging

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.ingest import ingest
from flows.jobs import index_run
from flows.outcome import as_state, combined, index_line, index_outcome, ingest_outcome, log, outcome_line, result_of
from indexing.index import IndexResult


@task(name="index-papers", cache_policy=NO_CACHE)
def index_task(rebuild: bool = False) -> IndexResult:
    result = index_run(rebuild)
    log([(logging.WARNING if result.failed else logging.INFO, index_line(result))])
    return result


@flow(name="index")
def index(rebuild: bool = False) -> IndexResult:
    """Embed new and changed papers and send them to the search backend (``rebuild``: a fresh index).

    The run ends Failed when papers were pending and none could be indexed."""
    result = index_task(rebuild)
    return as_state(index_outcome(result), result)


@flow(name="ingest-and-index")
def ingest_and_index(config: str | None = None) -> IndexResult:
    """The daily job: ingest every feed, then index what changed (also after an ingest that failed:
    earlier papers may be pending). Failed when every feed failed or nothing pending could be indexed."""
    report = result_of(ingest(config=config, return_state=True))
    result = index_task()
    outcome = combined(ingest=ingest_outcome(report), index=index_outcome(result))
    log([outcome_line(outcome)])
    return as_state(outcome, result)
