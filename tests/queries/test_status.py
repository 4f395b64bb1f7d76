"""Store status: counts by source, field and day; each feed's last run with its error."""

from __future__ import annotations

from datetime import date

from indexing.ingest import ingest_all
from indexing.sources.http import HttpFetcher
from indexing.store import Store
from queries.status import store_status
from radar.config import FeedSpec
from tests.recorded import ARXIV_ATOM


def test_status_counts_and_last_runs(store: Store, fetcher: HttpFetcher, feeds_dir, tmp_path) -> None:
    specs = [
        FeedSpec(name="arxiv", kind="arxiv-rss", url=(feeds_dir / "rss_mock_feed.xml").as_uri()),
        FeedSpec(name="bio", kind="biorxiv", url=(feeds_dir / "biorxiv_details.json").as_uri()),
        FeedSpec(name="broken", kind="arxiv-rss", url=(tmp_path / "missing.xml").as_uri()),
    ]
    ingest_all(store, specs, fetcher)
    status = store_status(store)
    assert status.papers == 1507
    assert status.by_source == {"arxiv": 1504, "biorxiv": 3}
    assert status.by_field["Computer Science"] > status.by_field["Physics"] > 0
    assert status.by_field["Biology"] == 3
    assert status.by_day[date(2024, 11, 28)] == 1504
    assert status.by_day[date(2026, 7, 15)] == 3
    feeds = {f.feed: f for f in status.feeds}
    assert feeds["arxiv"].status == "ok" and feeds["arxiv"].new == 1504
    assert feeds["broken"].status == "failed" and "no such file" in feeds["broken"].error
    assert feeds["broken"].last_success is None
    assert status.last_run["status"] == "partial"


def test_status_shows_only_the_latest_run_of_each_feed(store: Store, fetcher: HttpFetcher, feeds_dir) -> None:
    spec = FeedSpec(name="arxiv", kind="arxiv-rss", url=(feeds_dir / ARXIV_ATOM).as_uri())
    ingest_all(store, [spec], fetcher)
    second = ingest_all(store, [spec], fetcher)
    (feed,) = store_status(store).feeds
    assert (feed.last_run_id, feed.new, feed.unchanged) == (second.run_id, 0, 7)


def test_status_json_is_plain_data(store: Store) -> None:
    data = store_status(store).to_json()
    assert data["papers"] == 0 and data["feeds"] == [] and data["last_run"] is None
