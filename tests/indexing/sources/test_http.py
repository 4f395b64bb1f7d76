"""The HTTP fetcher against a real server on 127.0.0.1: retries, Retry-After, conditional GET, pacing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from indexing.sources.http import HttpFetcher
from radar.errors import FetchError, TransientFetchError
from radar.settings import HttpSettings
from tests.feedserver import FeedServer, Response


def test_sends_user_agent_with_contact(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/feed", Response(b"<rss/>"))
    assert fetcher.get(url).content == b"<rss/>"
    assert "mailto:tests@example.org" in feed_server.hits_for("/feed")[0].headers["User-Agent"]


def test_404_fails_at_once_with_a_hint(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/gone", Response(b"no", status=404))
    with pytest.raises(FetchError, match="HTTP 404.*check the feed URL") as info:
        fetcher.get(url)
    assert not info.value.transient
    assert len(feed_server.hits_for("/gone")) == 1


def test_500_is_retried_then_succeeds(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/flaky", Response(b"err", status=500), Response(b"err", status=503), Response(b"ok"))
    assert fetcher.get(url).content == b"ok"
    assert len(feed_server.hits_for("/flaky")) == 3


def test_500_every_time_gives_a_transient_error_after_the_retries(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/down", Response(b"err", status=500))
    with pytest.raises(TransientFetchError, match="HTTP 500"):
        fetcher.get(url)
    assert len(feed_server.hits_for("/down")) == 3  # first try + 2 retries


def test_429_honours_retry_after(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/busy", Response(b"slow down", status=429, headers={"Retry-After": "1"}), Response(b"ok"))
    assert fetcher.get(url).content == b"ok"
    first, second = feed_server.hits_for("/busy")
    assert second.at - first.at >= 0.95


def test_retry_after_longer_than_we_wait_gives_up_at_once(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/later", Response(b"", status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(TransientFetchError) as info:
        fetcher.get(url)
    assert info.value.retry_after == 3600
    assert len(feed_server.hits_for("/later")) == 1


def test_timeout_is_transient(feed_server: FeedServer, http_settings: HttpSettings) -> None:
    settings = http_settings.model_copy(update={"timeout": 0.2, "retries": 1})
    url = feed_server.route("/slow", Response(b"late", delay=1.0))
    with HttpFetcher(settings, "t") as fetcher, pytest.raises(TransientFetchError, match="timed out"):
        fetcher.get(url)
    assert len(feed_server.hits_for("/slow")) == 2


def test_truncated_body_is_retried_and_then_reported(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/cut", Response(b"x" * 10_000, truncate_to=100))
    with pytest.raises(TransientFetchError, match="before the body was complete"):
        fetcher.get(url)
    assert len(feed_server.hits_for("/cut")) == 3


def test_truncated_then_whole(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/cut-once", Response(b"y" * 5_000, truncate_to=10), Response(b"y" * 5_000))
    assert len(fetcher.get(url).content) == 5_000


def test_conditional_get(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/cond", Response(b"body", etag='"v1"', last_modified="Thu, 28 Nov 2024 14:47:20 GMT"))
    first = fetcher.get(url)
    assert (first.etag, first.last_modified) == ('"v1"', "Thu, 28 Nov 2024 14:47:20 GMT")
    second = fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.content == b""
    headers = feed_server.hits_for("/cond")[1].headers
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Thu, 28 Nov 2024 14:47:20 GMT"


def test_charset_from_content_type(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    url = feed_server.route("/cs", Response(b"x", headers={"Content-Type": "application/xml; charset=ISO-8859-1"}))
    assert fetcher.get(url).charset.lower() == "iso-8859-1"


def test_pacing_spaces_calls_to_one_host(feed_server: FeedServer, http_settings: HttpSettings) -> None:
    settings = http_settings.model_copy(update={"host_intervals": {"127.0.0.1": 0.3}})
    url = feed_server.route("/paced", Response(b"ok"))
    with HttpFetcher(settings, "t") as fetcher:
        for _ in range(3):
            fetcher.get(url)
    hits = feed_server.hits_for("/paced")
    assert all(b.at - a.at >= 0.28 for a, b in zip(hits, hits[1:]))


def test_connection_refused_is_transient(http_settings: HttpSettings) -> None:
    settings = http_settings.model_copy(update={"retries": 0})
    with HttpFetcher(settings, "t") as fetcher, pytest.raises(TransientFetchError, match="cannot reach"):
        fetcher.get("http://127.0.0.1:9/feed")


def test_local_files_and_file_urls(tmp_path: Path, fetcher: HttpFetcher) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(b"<rss/>")
    assert fetcher.get(str(path)).content == b"<rss/>"
    assert fetcher.get(path.as_uri()).content == b"<rss/>"
    with pytest.raises(FetchError, match="no such file"):
        fetcher.get(str(tmp_path / "missing.xml"))


def test_backoff_grows_and_stays_bounded(http_settings: HttpSettings) -> None:
    waits: list[float] = []
    settings = http_settings.model_copy(update={"backoff": 1.0, "max_backoff": 3.0, "retries": 4})
    with HttpFetcher(settings, "t", sleep=waits.append) as fetcher, pytest.raises(TransientFetchError):
        fetcher.get("http://127.0.0.1:9/feed")
    assert len(waits) == 4
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0
    assert max(waits) <= 3.0


# --- limits: body size and the deadline of a whole fetch ------------------------------------------

@pytest.fixture
def small_limits(http_settings: HttpSettings) -> HttpSettings:
    return http_settings.model_copy(update={"max_body_bytes": 64 * 1024, "deadline": 0.5})


def test_an_endless_body_is_refused_at_the_size_limit_without_a_retry(
        feed_server: FeedServer, small_limits: HttpSettings) -> None:
    url = feed_server.route("/endless", Response(b"<rss>" + b"x" * 8192, endless=True))
    with HttpFetcher(small_limits, "t") as fetcher, pytest.raises(FetchError, match="RADAR_HTTP__MAX_BODY_BYTES") as info:
        fetcher.get(url)
    assert not info.value.transient
    assert len(feed_server.hits_for("/endless")) == 1


def test_a_declared_length_over_the_limit_is_refused_before_reading(
        feed_server: FeedServer, small_limits: HttpSettings) -> None:
    url = feed_server.route("/big", Response(b"x" * (small_limits.max_body_bytes + 1)))
    with HttpFetcher(small_limits, "t") as fetcher, pytest.raises(FetchError, match="larger than"):
        fetcher.get(url)


def test_a_body_at_the_limit_is_accepted(feed_server: FeedServer, small_limits: HttpSettings) -> None:
    url = feed_server.route("/full", Response(b"x" * small_limits.max_body_bytes))
    with HttpFetcher(small_limits, "t") as fetcher:
        assert len(fetcher.get(url).content) == small_limits.max_body_bytes


def test_a_local_endless_file_is_refused_at_the_size_limit(small_limits: HttpSettings) -> None:
    with HttpFetcher(small_limits, "t") as fetcher:
        for url in ("/dev/zero", "file:///dev/zero"):
            with pytest.raises(FetchError, match="RADAR_HTTP__MAX_BODY_BYTES"):
                fetcher.get(url)


def test_a_trickling_server_is_given_up_at_the_deadline_without_a_retry(
        feed_server: FeedServer, small_limits: HttpSettings) -> None:
    # Each byte comes well within the read timeout (1 s); only the deadline (0.5 s) can stop it.
    url = feed_server.route("/trickle", Response(b"<rss>" + b" " * 200 + b"</rss>", trickle=0.05))
    with HttpFetcher(small_limits, "t") as fetcher, pytest.raises(FetchError, match="RADAR_HTTP__DEADLINE") as info:
        fetcher.get(url)
    assert not info.value.transient
    assert len(feed_server.hits_for("/trickle")) == 1


# --- credentials in URLs --------------------------------------------------------------------------

def test_url_credentials_are_sent_as_basic_auth_and_never_shown(feed_server: FeedServer, fetcher: HttpFetcher) -> None:
    feed_server.route("/private", Response(b"no", status=404))
    url = feed_server.url("/private").replace("http://", "http://reader:s3cretURL@")
    with pytest.raises(FetchError) as info:
        fetcher.get(url)
    assert feed_server.hits_for("/private")[0].headers["Authorization"] == "Basic cmVhZGVyOnMzY3JldFVSTA=="
    assert "s3cretURL" not in str(info.value) and "s3cretURL" not in (info.value.url or "")
    assert "***@127.0.0.1" in info.value.url


def test_an_unreachable_url_with_credentials_is_reported_without_them(http_settings: HttpSettings) -> None:
    settings = http_settings.model_copy(update={"retries": 0})
    with HttpFetcher(settings, "t") as fetcher, pytest.raises(TransientFetchError, match="cannot reach") as info:
        fetcher.get("http://reader:s3cretURL@127.0.0.1:9/feed")
    assert "s3cretURL" not in f"{info.value} {info.value.url}"


def test_url_credentials_never_reach_the_logs(feed_server: FeedServer, fetcher: HttpFetcher,
                                              caplog: pytest.LogCaptureFixture) -> None:
    feed_server.route("/logged", Response(b"<rss/>"))
    url = feed_server.url("/logged").replace("http://", "http://reader:s3cretURL@")
    # Another library may have quietened httpx's logger earlier in the session: open it up here.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="httpx"):
        assert fetcher.get(url).content == b"<rss/>"
    assert "/logged" in caplog.text  # httpx logs each request
    assert "s3cretURL" not in caplog.text
