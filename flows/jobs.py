"""The flows' bodies as plain functions, without Prefect.

The Prefect flows (``flows/ingest.py``, ``flows/index.py``) wrap these thinly; the CLI calls
them directly when no Prefect API is configured, so a command never starts Prefect's
temporary server. Both ways write the same run records to the store. Nothing here imports
Prefect: how the feeds of a run are mapped is a ``FeedRunner`` (a thread pool here, Prefect's
mapped tasks in ``flows/ingest.py``), and both run the same per-feed step, :func:`ingest_one`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flows.runtime import current_index_progress, current_listener, resources
from indexing.embeddings import embedder_for
from indexing.index import IndexResult, index_papers, reindex_papers
from indexing.ingest import RunReport, begin_run, end_run, ingest_feed
from indexing.search import build_backend
from indexing.sources.http import HttpFetcher
from indexing.store import Store, open_store, utc_now
from indexing.store.runs import FeedResult, record_feed_result
from radar.config import FeedSpec, configured
from radar.errors import FeedError
from radar.redact import mask_url
from radar.settings import Settings, load_settings

FeedRunner = Callable[[list[FeedSpec], Store, HttpFetcher, str, Settings], list[FeedResult]]
"""Runs the per-feed step for every spec of a run; returns one result per spec, in order."""


class FeedAttemptFailed(FeedError):
    """A feed failed in a way a retry may fix; raised so the runner (or Prefect) retries it."""

    transient = True

    def __init__(self, result: FeedResult):
        super().__init__(result.error or "feed failed")
        self.result = result


def ingest_one(spec: FeedSpec, store: Store, fetcher: HttpFetcher, run_id: str, settings: Settings) -> FeedResult:
    """One attempt at one feed: its result, or :class:`FeedAttemptFailed` when a retry may help."""
    outcome = ingest_feed(store, spec, fetcher, run_id, listener=current_listener(),
                          batch_size=settings.ingest.batch_size, excerpt_chars=settings.ingest.reject_excerpt_chars)
    if outcome.transient:
        raise FeedAttemptFailed(outcome.result)
    return outcome.result


def settle(spec: FeedSpec, attempt: Callable[[], FeedResult], store: Store, run_id: str) -> FeedResult:
    """The feed's final result: the last attempt's, or a failed one recorded on the run for a bug."""
    try:
        return attempt()
    except FeedAttemptFailed as exc:
        return exc.result
    except Exception as exc:  # noqa: BLE001 - a bug in one feed must not fail the run
        now = utc_now()
        result = FeedResult(feed=spec.name, kind=spec.kind, url=mask_url(spec.resolved_url), started_at=now,
                            finished_at=now, status="failed",
                            error=mask_url(f"internal error: {type(exc).__name__}: {exc}"))
        with store.transaction() as con:
            record_feed_result(con, run_id, result)
        return result


def in_threads(specs: list[FeedSpec], store: Store, fetcher: HttpFetcher, run_id: str,
               settings: Settings) -> list[FeedResult]:
    """Every feed in a pool of ``RADAR_INGEST__CONCURRENCY`` threads, transient failures retried
    ``RADAR_INGEST__TASK_RETRIES`` times, as the Prefect tasks are."""
    def attempts(spec: FeedSpec) -> FeedResult:
        for _ in range(settings.ingest.task_retries):
            try:
                return ingest_one(spec, store, fetcher, run_id, settings)
            except FeedAttemptFailed:
                time.sleep(settings.ingest.task_retry_delay)
        return ingest_one(spec, store, fetcher, run_id, settings)

    with ThreadPoolExecutor(max_workers=settings.ingest.concurrency, thread_name_prefix="radar-feed") as pool:
        futures = [pool.submit(settle, spec, lambda s=spec: attempts(s), store, run_id) for spec in specs]
        return [future.result() for future in futures]


def ingest_run(config: str | None = None, only: list[str] | None = None, *,
               runner: FeedRunner = in_threads) -> RunReport:
    """Fetch every configured feed (or the named ones) into the DuckDB store."""
    settings = load_settings()
    specs = configured(settings, Path(config) if config else None).select(only)
    with resources(settings) as (settings, store, fetcher):
        report = RunReport(begin_run(store))
        report.feeds.extend(runner(specs, store, fetcher, report.run_id, settings))
        return end_run(store, report)


def index_run(rebuild: bool = False) -> IndexResult:
    """Embed new and changed papers and send them to the search backend (``rebuild``: a fresh index)."""
    settings = load_settings()
    embedder = embedder_for(settings)
    with open_store(settings.store_path, waits=settings.store) as store:
        backend = build_backend(settings, store)
        try:
            run = reindex_papers if rebuild else index_papers
            return run(store, backend, embedder, progress=current_index_progress(),
                       batch_size=settings.index_batch_size)
        finally:
            backend.close()
