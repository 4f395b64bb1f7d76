"""The ``ingest`` flow: one mapped task per feed, retried only on transient failures."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE

from flows.outcome import as_state, feed_lines, ingest_outcome, log
from flows.runtime import current_listener, resources, retry_if_transient
from indexing.ingest import RunReport, begin_run, end_run, ingest_feed
from indexing.sources.http import HttpFetcher
from indexing.store import Store, utc_now
from indexing.store.runs import FeedResult, record_feed_result
from radar.config import FeedSpec, configured
from radar.errors import FeedError
from radar.redact import mask_url
from radar.settings import Settings, load_settings


class FeedAttemptFailed(FeedError):
    """A feed failed in a way a retry may fix; raised so Prefect retries the task."""

    transient = True

    def __init__(self, result: FeedResult):
        super().__init__(result.error or "feed failed")
        self.result = result


@task(name="ingest-feed", retry_condition_fn=retry_if_transient, cache_policy=NO_CACHE,
      task_run_name="ingest-{spec.name}")
def ingest_feed_task(spec: FeedSpec, store: Store, fetcher: HttpFetcher, run_id: str, settings: Settings) -> FeedResult:
    outcome = ingest_feed(store, spec, fetcher, run_id, listener=current_listener(),
                          batch_size=settings.ingest.batch_size, excerpt_chars=settings.ingest.reject_excerpt_chars)
    if outcome.transient:
        raise FeedAttemptFailed(outcome.result)
    return outcome.result


@flow(name="ingest")
def ingest(config: str | None = None, only: list[str] | None = None) -> RunReport:
    """Fetch every configured feed (or the named ones) into the DuckDB store.

    The run ends Failed when every feed failed; its state message names the feeds that failed."""
    report = ingest_feeds(config, only)
    outcome = ingest_outcome(report)
    log(feed_lines(report, outcome))
    return as_state(outcome, report)


def ingest_feeds(config: str | None = None, only: list[str] | None = None) -> RunReport:
    """The ingest flow's work: every feed of the config (or the named ones), one task per feed."""
    settings = load_settings()
    specs = configured(settings, Path(config) if config else None).select(only)
    with resources(settings) as (settings, store, fetcher):
        report = RunReport(begin_run(store))
        feed_task = ingest_feed_task.with_options(retries=settings.ingest.task_retries,
                                                  retry_delay_seconds=settings.ingest.task_retry_delay)
        # Mapped in waves of `concurrency` feeds: bounded, whatever task runner a deployment uses.
        size = settings.ingest.concurrency
        for wave in (specs[i:i + size] for i in range(0, len(specs), size)):
            futures = feed_task.map(wave, unmapped(store), unmapped(fetcher), unmapped(report.run_id),
                                    unmapped(settings))
            for spec, future in zip(wave, futures, strict=True):
                report.feeds.append(_result_of(spec, future, store, report.run_id))
        return end_run(store, report)


def _result_of(spec: FeedSpec, future, store: Store, run_id: str) -> FeedResult:  # noqa: ANN001 - a PrefectFuture
    try:
        return future.result()
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
