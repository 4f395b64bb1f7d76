"""A run's verdict and log lines: the flows' Prefect states and the CLI's exit codes come from these."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from flows.outcome import (
    ERROR_CHARS, Outcome, combined, feed_line, feed_lines, index_line, index_outcome, ingest_outcome, log,
)
from indexing.index import IndexResult
from indexing.ingest import RunReport
from indexing.store.runs import FeedResult

NOW = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)


def feed(name: str, status: str = "ok", error: str | None = None, **counts: int) -> FeedResult:
    return FeedResult(feed=name, kind="rss", url=f"http://127.0.0.1/{name}", started_at=NOW, finished_at=NOW,
                      status=status, error=error, **counts)


def test_every_feed_failed_is_a_failed_run_naming_each_feed() -> None:
    report = RunReport("r1", [feed("a", "failed", "HTTP 503"), feed("b", "failed", "timed out")])
    assert ingest_outcome(report) == Outcome(True, "all 2 feeds failed: a (HTTP 503); b (timed out)")


def test_a_partial_failure_is_not_a_failed_run_but_says_which_feeds_failed() -> None:
    report = RunReport("r1", [feed("a", fetched=10, new=7, updated=1, unchanged=2),
                              feed("b", "failed", "HTTP 404 Not Found"),
                              feed("c", "partial", "page 2: cut off", fetched=5, new=5, rejected=1)])
    outcome = ingest_outcome(report)
    assert not outcome.failed
    assert outcome.message == ("1 of 3 feeds failed: b (HTTP 404 Not Found); "
                               "1 of 3 feeds partly failed: c (page 2: cut off); "
                               "2 of 3 feeds ingested: fetched 15, new 12, updated 1, unchanged 2, rejected 1")


@pytest.mark.parametrize("statuses", [["ok"], ["not-modified", "ok"], []])
def test_runs_without_failures_succeed(statuses: list[str]) -> None:
    assert not ingest_outcome(RunReport("r1", [feed(str(i), s) for i, s in enumerate(statuses)])).failed


def test_long_errors_are_cut_to_one_line() -> None:
    outcome = ingest_outcome(RunReport("r1", [feed("a", "failed", "x\n" * 500)]))
    assert "\n" not in outcome.message and len(outcome.message) < ERROR_CHARS + 40


def test_index_fails_only_when_nothing_pending_could_be_indexed() -> None:
    none = IndexResult(backend="local", pending=3, indexed=0, failed={"arxiv:1": "boom", "arxiv:2": "boom"})
    some = IndexResult(backend="local", pending=3, indexed=1, failed={"arxiv:2": "boom"}, embedded=3, total=9)
    idle = IndexResult(backend="local")
    assert index_outcome(none).failed and index_outcome(none).message.startswith("2 papers failed to index")
    assert not index_outcome(some).failed
    assert index_outcome(some).message == ("1 papers failed to index (first: arxiv:2: boom); 1 of 3 pending papers "
                                           "indexed (3 embedded, 0 from the cache); 9 in the local index")
    assert index_outcome(idle) == Outcome(False, "0 of 0 pending papers indexed (0 embedded, 0 from the cache); "
                                                 "0 in the local index")


def test_combined_fails_when_any_step_failed_and_names_the_steps() -> None:
    outcome = combined(ingest=Outcome(True, "all 1 feeds failed: a (x)"), index=Outcome(False, "ok"))
    assert outcome == Outcome(True, "ingest: all 1 feeds failed: a (x); index: ok")


def test_log_lines_carry_the_counts() -> None:
    assert feed_line(feed("a", fetched=10, new=7, updated=1, unchanged=2, rejected=0)) == (
        "feed a: ok; fetched 10, new 7, updated 1, unchanged 2, rejected 0")
    assert feed_line(feed("b", "failed", "HTTP 404")).endswith("; error: HTTP 404")
    assert index_line(IndexResult(backend="local", pending=5, indexed=4, failed={"x": "y"}, embedded=3, reused=1,
                                  total=40)) == (
        "index local: pending 5, embedded 3, reused 1, indexed 4, failed 1; 40 in the index")


def test_without_a_prefect_run_the_lines_go_to_radars_logger(caplog: pytest.LogCaptureFixture) -> None:
    report = RunReport("r1", [feed("a", fetched=2, new=2), feed("b", "failed", "HTTP 404")])
    with caplog.at_level(logging.INFO, logger="radar.flows"):
        log(feed_lines(report, ingest_outcome(report)))
    assert [(r.levelname, r.getMessage()[:9]) for r in caplog.records] == [
        ("INFO", "feed a: o"), ("WARNING", "feed b: f"), ("INFO", "1 of 2 fe")]
