"""The Prefect ingest flow on a real (temporary) Prefect server, feeds over real HTTP."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest
from flows.outcome import result_of
from radar.errors import RunFailed
from tests.feedserver import FeedServer


def test_flow_ingests_every_feed_and_reports_the_failed_one(radar_env: Path, config_file: Path) -> None:
    report = ingest(config=str(config_file))
    results = {r.feed: r for r in report.feeds}
    assert (results["arxiv-cs-ai"].new, results["nature"].new) == (7, 75)
    assert results["gone"].status == "failed" and "HTTP 404" in results["gone"].error
    assert report.status == "partial"
    con = duckdb.connect(str(radar_env / "radar.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM papers").fetchone()[0] == 82
    assert con.execute("SELECT status FROM runs").fetchall() == [("partial",)]


def test_only_runs_the_named_feed(radar_env: Path, config_file: Path) -> None:
    report = ingest(config=str(config_file), only=["nature"])
    assert [r.feed for r in report.feeds] == ["nature"]


def test_transient_failures_are_retried_by_the_task_permanent_ones_are_not(
        radar_env: Path, flaky_config: Path, feed_server: FeedServer) -> None:
    report = ingest(config=str(flaky_config))
    assert [(r.feed, r.status) for r in report.feeds] == [("flaky", "ok"), ("gone", "failed")]
    assert len(feed_server.hits_for("/flaky")) == 3
    assert len(feed_server.hits_for("/gone")) == 1


def test_concurrency_setting_bounds_the_waves(radar_env: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_INGEST__CONCURRENCY", "1")
    report = ingest(config=str(config_file))
    assert [r.feed for r in report.feeds] == ["arxiv-cs-ai", "nature", "gone"]
    starts = [r.started_at for r in report.feeds]
    finishes = [r.finished_at for r in report.feeds]
    assert all(f <= s for f, s in zip(finishes, starts[1:]))


def test_a_run_in_which_every_feed_failed_ends_failed_and_keeps_its_report(radar_env: Path, config_file: Path) -> None:
    state = ingest(config=str(config_file), only=["gone"], return_state=True)
    assert state.is_failed()
    assert state.message.startswith("all 1 feeds failed: gone (HTTP 404")
    report = result_of(state)
    assert [(r.feed, r.status) for r in report.feeds] == [("gone", "failed")]
    with pytest.raises(RunFailed, match="all 1 feeds failed: gone"):
        state.result()  # what Prefect raises for the run: Radar's error, with the message


def test_a_partial_failure_completes_and_names_the_failed_feed(radar_env: Path, config_file: Path) -> None:
    state = ingest(config=str(config_file), return_state=True)
    assert state.is_completed()
    assert state.message.startswith("1 of 3 feeds failed: gone (HTTP 404")
    assert "2 of 3 feeds ingested: fetched 82, new 82, updated 0, unchanged 0, rejected 0" in state.message
