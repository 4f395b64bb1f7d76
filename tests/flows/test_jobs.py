"""The flows' bodies without Prefect: the same ingest, its feeds in a bounded thread pool, retried alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.jobs import ingest_run
from tests.feedserver import FeedServer


def test_transient_failures_are_retried_permanent_ones_are_not(
        radar_env: Path, flaky_config: Path, feed_server: FeedServer) -> None:
    report = ingest_run(config=str(flaky_config))
    assert [(r.feed, r.status) for r in report.feeds] == [("flaky", "ok"), ("gone", "failed")]
    assert len(feed_server.hits_for("/flaky")) == 3
    assert len(feed_server.hits_for("/gone")) == 1


def test_concurrency_setting_bounds_the_pool(radar_env: Path, config_file: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_INGEST__CONCURRENCY", "1")
    report = ingest_run(config=str(config_file))
    assert [r.feed for r in report.feeds] == ["arxiv-cs-ai", "nature", "gone"]
    starts = [r.started_at for r in report.feeds]
    finishes = [r.finished_at for r in report.feeds]
    assert all(f <= s for f, s in zip(finishes, starts[1:]))
    assert report.status == "partial"
