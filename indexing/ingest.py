"""Ingest, as plain functions: one feed fetched, parsed, normalised and stored in one transaction.

Prefect's flow (``flows/ingest.py``) and the benchmarks call these; nothing here needs Prefect.
A feed that fails is recorded on the run and reported, never raised: one bad feed never
fails a run, and one bad item only becomes a row of ``rejects``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Protocol

from indexing.normalise import normalise, today_utc
from indexing.records import Paper, ParsedFeed, RawEntry, RawText, Reject
from indexing.sources import fetch_pages
from indexing.sources.http import Fetched, HttpFetcher
from indexing.store import Store, utc_now
from indexing.store.papers import Sighting, UpsertCounts, upsert
from indexing.store.runs import (
    FeedResult, FeedState, finish_run, read_feed_state, record_feed_result, save_feed_state, save_rejects, start_run,
)
from radar.config import FeedSpec
from radar.errors import FeedError, InvalidItemError
from radar.redact import mask_url

REPAIRED = ("repaired: bytes invalid in the feed's encoding were replaced by U+FFFD; the item is stored "
            "(stored text of better quality is kept)")


class Listener(Protocol):
    """Progress callbacks (the CLI draws bars from them). Called from worker threads."""

    def feed_started(self, feed: str) -> None: ...
    def feed_progress(self, feed: str, done: int, total: int) -> None: ...
    def feed_finished(self, result: FeedResult) -> None: ...


class SilentListener:
    def feed_started(self, feed: str) -> None:
        pass

    def feed_progress(self, feed: str, done: int, total: int) -> None:
        pass

    def feed_finished(self, result: FeedResult) -> None:
        pass


@dataclass(slots=True)
class FeedOutcome:
    """A feed's result, plus whether a retry might help."""

    result: FeedResult
    transient: bool = False


@dataclass(slots=True)
class RunReport:
    run_id: str
    feeds: list[FeedResult] = field(default_factory=list)

    @property
    def status(self) -> str:
        failed = sum(r.status == "failed" for r in self.feeds)
        if self.feeds and failed == len(self.feeds):
            return "failed"
        return "partial" if failed or any(r.status == "partial" for r in self.feeds) else "ok"


def begin_run(store: Store) -> str:
    with store.transaction() as con:
        return start_run(con, utc_now())


def end_run(store: Store, report: RunReport) -> RunReport:
    with store.transaction() as con:
        finish_run(con, report.run_id, report.status, utc_now())
    return report


def excerpt(entry: RawEntry, limit: int) -> str:
    """The raw text of a rejected item: as received when it was malformed, else every field read."""
    if entry.excerpt:
        return entry.excerpt[:limit]
    fields = {k: v for k, v in asdict(entry).items() if v and k not in ("excerpt", "repaired")}
    return json.dumps(fields, ensure_ascii=False)[:limit]


def to_papers(entries: list[RawEntry], excerpt_chars: int) -> tuple[list[Paper], list[Reject]]:
    """Normalise every entry; an entry that cannot be normalised becomes a reject, never an exception."""
    normalised, rejects = normalise_entries(entries, excerpt_chars)
    return [paper for paper, _ in normalised], rejects


def normalise_entries(entries: list[RawEntry], excerpt_chars: int,
                      ) -> tuple[list[tuple[Paper, RawText]], list[Reject]]:
    """``to_papers``, each paper beside the raw text it was made from (for ``versions``)."""
    papers: list[tuple[Paper, RawText]] = []
    rejects: list[Reject] = []
    for entry in entries:
        try:
            papers.append((normalise(entry), RawText.of(entry)))
        except Exception as exc:  # noqa: BLE001 - one bad item must never fail its feed
            reason = str(exc) if isinstance(exc, InvalidItemError) else f"could not normalise: {type(exc).__name__}: {exc}"
            rejects.append(Reject(reason, entry.identifier or entry.url, excerpt(entry, excerpt_chars)))
    return papers, rejects


def repairs(entries: list[RawEntry], excerpt_chars: int) -> list[Reject]:
    """A ``rejects`` row for each item stored with replaced bytes, so that someone can look at it."""
    return [Reject(REPAIRED, e.identifier or e.url, excerpt(e, excerpt_chars)) for e in entries if e.repaired]


def ingest_feed(
    store: Store,
    spec: FeedSpec,
    fetcher: HttpFetcher,
    run_id: str,
    *,
    listener: Listener | None = None,
    today: date | None = None,
    batch_size: int = 5_000,
    excerpt_chars: int = 2_000,
) -> FeedOutcome:
    """Fetch, parse, normalise and store one feed; the result is also written to ``run_feeds``."""
    listener = listener or SilentListener()
    listener.feed_started(spec.name)
    result = FeedResult(feed=spec.name, kind=spec.kind, url=mask_url(spec.resolved_url), started_at=utc_now())
    with store.transaction() as con:
        state = read_feed_state(con, spec.name)
    if state is None or state.url != result.url:  # stored URLs are masked
        state = FeedState(feed=spec.name, url=spec.resolved_url)
    try:
        pages = list(fetch_pages(spec, fetcher, today=today or today_utc(),
                                 etag=state.etag, last_modified=state.last_modified))
    except FeedError as exc:
        return _failed(store, run_id, result, state, exc, listener)
    last = pages[-1][0]
    if last.not_modified:
        result.status = "not-modified"
        return _finish(store, run_id, result, _succeeded(state, last), [], listener)
    entries, error = _collect(pages)
    papers, rejects = normalise_entries(entries, excerpt_chars)
    repaired = repairs(entries, excerpt_chars)
    result.fetched, result.rejected, result.error = len(entries), len(rejects), error
    result.repaired = len(repaired)
    rejects += repaired
    if error:
        result.status = "failed" if not entries else "partial"
    new_state = _succeeded(state, last, error) if result.status != "failed" else _errored(state, error)
    sightings = [Sighting(p, spec.name, run_id, raw) for p, raw in papers]
    return _finish(store, run_id, result, new_state, rejects, listener, sightings, batch_size)


def _collect(pages: list[tuple[Fetched, ParsedFeed]]) -> tuple[list[RawEntry], str | None]:
    entries = [e for _, parsed in pages for e in parsed.entries]
    errors = [parsed.error for _, parsed in pages if parsed.error]
    return entries, "; ".join(errors) if errors else None


def _succeeded(state: FeedState, fetched: Fetched, error: str | None = None) -> FeedState:
    # A 304 carries no validators of its own; keep the ones that produced it.
    return FeedState(
        feed=state.feed, url=state.url,
        etag=fetched.etag or state.etag, last_modified=fetched.last_modified or state.last_modified,
        last_success=utc_now(), last_error=error,
    )


def _errored(state: FeedState, error: str | None) -> FeedState:
    return FeedState(feed=state.feed, url=state.url, etag=state.etag, last_modified=state.last_modified,
                     last_success=state.last_success, last_error=error)


def _failed(store: Store, run_id: str, result: FeedResult, state: FeedState, exc: FeedError,
            listener: Listener) -> FeedOutcome:
    url = getattr(exc, "url", None)
    result.status = "failed"
    result.error = f"{exc} ({url})" if url and url != result.url else str(exc)
    outcome = _finish(store, run_id, result, _errored(state, result.error), [], listener)
    outcome.transient = exc.transient
    return outcome


def _batches(items: list[Sighting], size: int) -> Iterator[list[Sighting]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _finish(
    store: Store,
    run_id: str,
    result: FeedResult,
    state: FeedState,
    rejects: list[Reject],
    listener: Listener,
    sightings: list[Sighting] | None = None,
    batch_size: int = 5_000,
) -> FeedOutcome:
    """Write what the feed produced: papers a batch per transaction (so readers get the store in
    between), then rejects, state and result in a last one. A run killed between two leaves the
    feed's old state, so the next run fetches it again, and upserts are idempotent."""
    sightings = sightings or []
    counts = UpsertCounts()
    now = utc_now()
    done = 0
    for batch in _batches(sightings, batch_size):
        with store.transaction() as con:
            counts.add(upsert(con, batch, now))
        done += len(batch)
        listener.feed_progress(result.feed, done, len(sightings))
    with store.transaction() as con:
        save_rejects(con, result.feed, run_id, rejects, now)
        save_feed_state(con, state, now)
        result.new, result.updated, result.unchanged = counts.new, counts.updated, counts.unchanged
        result.kept = counts.kept
        result.finished_at = utc_now()
        record_feed_result(con, run_id, result)
    listener.feed_finished(result)
    return FeedOutcome(result)


def ingest_all(
    store: Store,
    specs: list[FeedSpec],
    fetcher: HttpFetcher,
    *,
    listener: Listener | None = None,
    today: date | None = None,
    batch_size: int = 5_000,
) -> RunReport:
    """Every feed one after the other, without Prefect (benchmarks, scripts)."""
    report = RunReport(begin_run(store))
    for spec in specs:
        outcome = ingest_feed(store, spec, fetcher, report.run_id, listener=listener, today=today,
                              batch_size=batch_size)
        report.feeds.append(outcome.result)
    return end_run(store, report)
