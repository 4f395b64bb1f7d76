"""The ``ingest`` flow: one mapped task per feed, retried only on transient failures.

The body is :func:`flows.jobs.ingest_run`; this flow maps its feeds over Prefect tasks and turns
the report into the run's state (Failed when every feed failed; the message names failures).
"""

from __future__ import annotations

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE

from flows.jobs import FeedAttemptFailed, ingest_one, ingest_run, settle
from flows.outcome import as_state, feed_lines, ingest_outcome, log
from flows.runtime import retry_if_transient
from indexing.ingest import RunReport
from indexing.sources.http import HttpFetcher
from indexing.store import Store
from indexing.store.runs import FeedResult
from radar.config import FeedSpec
from radar.settings import Settings

__all__ = ["FeedAttemptFailed", "ingest", "ingest_feed_task"]

ingest_feed_task = task(ingest_one, name="ingest-feed", retry_condition_fn=retry_if_transient,
                        cache_policy=NO_CACHE, task_run_name="ingest-{spec.name}")


def in_prefect_tasks(specs: list[FeedSpec], store: Store, fetcher: HttpFetcher, run_id: str,
                     settings: Settings) -> list[FeedResult]:
    """The feeds as mapped Prefect tasks, in waves of ``concurrency`` feeds: bounded, whatever task
    runner a deployment uses."""
    feed_task = ingest_feed_task.with_options(retries=settings.ingest.task_retries,
                                              retry_delay_seconds=settings.ingest.task_retry_delay)
    size, results = settings.ingest.concurrency, []
    for wave in (specs[i:i + size] for i in range(0, len(specs), size)):
        futures = feed_task.map(wave, unmapped(store), unmapped(fetcher), unmapped(run_id), unmapped(settings))
        results += [settle(spec, future.result, store, run_id) for spec, future in zip(wave, futures, strict=True)]
    return results


@flow(name="ingest")
def ingest(config: str | None = None, only: list[str] | None = None) -> RunReport:
    """Fetch every configured feed (or the named ones) into the DuckDB store.

    The run ends Failed when every feed failed; its state message names the feeds that failed."""
    report = ingest_run(config, only, runner=in_prefect_tasks)
    outcome = ingest_outcome(report)
    log(feed_lines(report, outcome))
    return as_state(outcome, report)
