"""Ingest end to end without Prefect: real HTTP on 127.0.0.1, a real DuckDB file, recorded feeds."""

from __future__ import annotations

from datetime import date

import pytest

from indexing.ingest import RunReport, ingest_all
from indexing.sources.http import HttpFetcher
from indexing.store import Store
from radar.config import FeedSpec
from tests.feedmaker import feed, item, replicate
from tests.feedserver import FeedServer, Response
from tests.recorded import ARXIV_ATOM


def arxiv(name: str, url: str) -> FeedSpec:
    return FeedSpec(name=name, kind="arxiv-rss", url=url)


def run(store: Store, fetcher: HttpFetcher, *specs: FeedSpec, **kwargs) -> RunReport:
    return ingest_all(store, list(specs), fetcher, **kwargs)


def count(store: Store, sql: str) -> int:
    return store.con.execute(sql).fetchone()[0]


def snapshot(store: Store) -> dict[str, list]:
    """Everything ingest owns except the run log, for 'changes nothing' checks."""
    return {t: store.con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
            for t in ("papers", "versions", "sightings", "paper_aliases", "rejects")}


def test_recorded_day_becomes_1504_papers_and_a_rerun_changes_nothing(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    url = feed_server.route("/rss/all", Response(feed_bytes("rss_mock_feed.xml")))
    first = run(store, fetcher, arxiv("all", url)).feeds[0]
    assert (first.status, first.fetched, first.new, first.rejected) == ("ok", 1504, 1504, 0)
    assert count(store, "SELECT count(*) FROM papers") == 1504
    before = snapshot(store)
    second = run(store, fetcher, arxiv("all", url)).feeds[0]
    assert (second.new, second.updated, second.unchanged) == (0, 0, 1504)
    assert snapshot(store) == before


def test_conditional_get_makes_an_unchanged_feed_a_no_op(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    url = feed_server.route("/rss/etag", Response(feed_bytes(ARXIV_ATOM), etag='"day-1"'))
    assert run(store, fetcher, arxiv("cs-ai", url)).feeds[0].new == 7
    again = run(store, fetcher, arxiv("cs-ai", url)).feeds[0]
    assert (again.status, again.fetched) == ("not-modified", 0)
    assert feed_server.hits_for("/rss/etag")[1].headers["If-None-Match"] == '"day-1"'


def test_malformed_xml_keeps_what_parses_and_records_the_error(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    body = feed_bytes("rss_mock_feed.xml")
    url = feed_server.route("/rss/cut", Response(body[: len(body) // 2]))
    result = run(store, fetcher, arxiv("cut", url)).feeds[0]
    assert result.status == "partial"
    assert 700 < result.new < 1504
    assert "malformed XML" in result.error
    assert store.con.execute("SELECT last_error FROM feed_state WHERE feed = 'cut'").fetchone()[0] == result.error


@pytest.mark.parametrize(("name", "status", "error"), [
    ("error_rss_mock_feed.xml", "failed", "Bad archive 'astroph'"),
    ("empty_rss_mock_feed.xml", "ok", None),
])
def test_arxiv_error_and_empty_feeds(feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes,
                                     name: str, status: str, error: str | None) -> None:
    url = feed_server.route("/rss/x", Response(feed_bytes(name)))
    result = run(store, fetcher, arxiv("x", url)).feeds[0]
    assert result.status == status and result.fetched == 0
    assert (error in result.error) if error else result.error is None


@pytest.mark.parametrize(("response", "message"), [
    (Response(b"nope", status=404), "HTTP 404"),
    (Response(b"boom", status=500), "HTTP 500"),
    (Response(b"late", delay=3.0), "timed out"),
    (Response(b"<rss>" + b"x" * 5000, truncate_to=50), "before the body was complete"),
])
def test_http_failures_fail_the_feed_not_the_run_and_lose_nothing(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes, response: Response, message: str) -> None:
    good = feed_server.route("/rss/good", Response(feed_bytes(ARXIV_ATOM)))
    run(store, fetcher, arxiv("good", good))
    before = snapshot(store)
    bad = feed_server.route("/rss/bad", response)
    report = run(store, fetcher, arxiv("bad", bad), arxiv("good", good))
    assert report.status == "partial"
    failed, ok = report.feeds
    assert failed.status == "failed" and message in failed.error
    assert ok.status == "ok" and ok.unchanged == 7
    assert snapshot(store) == before
    recorded = store.con.execute("SELECT status, error FROM run_feeds WHERE feed = 'bad'").fetchone()
    assert recorded == ("failed", failed.error)


def test_429_with_retry_after_then_success(feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    url = feed_server.route("/rss/busy", Response(b"", status=429, headers={"Retry-After": "1"}),
                            Response(feed_bytes(ARXIV_ATOM)))
    assert run(store, fetcher, arxiv("busy", url)).feeds[0].new == 7


def test_every_feed_failing_fails_the_run(fetcher: HttpFetcher, store: Store, tmp_path) -> None:
    report = run(store, fetcher, arxiv("a", str(tmp_path / "none.xml")), arxiv("b", str(tmp_path / "nil.xml")))
    assert report.status == "failed"
    assert count(store, "SELECT count(*) FROM runs WHERE status = 'failed'") == 1


def test_wrong_http_charset_loses_no_characters(feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    body = feed(item("2411.00010", title="Schrödinger café über naïve ψ"))
    url = feed_server.route("/rss/cs", Response(body, headers={"Content-Type": "text/xml; charset=iso-8859-1"}))
    run(store, fetcher, arxiv("cs", url))
    assert store.con.execute("SELECT title FROM papers").fetchone()[0] == "Schrödinger café über naïve ψ"


def test_missing_charset_and_latin1_body(feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    body = feed(item("2411.00011", title="Café")).replace(b' encoding="UTF-8"', b"").replace("é".encode(), b"\xe9")
    url = feed_server.route("/rss/latin", Response(body, headers={"Content-Type": "text/xml"}))
    assert run(store, fetcher, arxiv("latin", url)).feeds[0].new == 1
    assert store.con.execute("SELECT title FROM papers").fetchone()[0] == "Café"


def test_items_without_title_or_id_are_rejected_with_the_reason(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    body = feed(item("2411.00001"), item("2411.00002", title=None), item(None, title="No id at all"))
    url = feed_server.route("/rss/bad-items", Response(body))
    result = run(store, fetcher, arxiv("bad-items", url)).feeds[0]
    assert (result.status, result.new, result.rejected) == ("ok", 1, 2)
    reasons = dict(store.con.execute("SELECT reason, excerpt FROM rejects").fetchall())
    assert set(reasons) == {"item has no title", "item has no id, DOI or link"}
    assert "No id at all" in reasons["item has no id, DOI or link"]
    run(store, fetcher, arxiv("bad-items", url))
    assert count(store, "SELECT count(*) FROM rejects") == 2  # a rerun adds nothing


def test_duplicate_items_in_one_feed_are_one_paper(feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    url = feed_server.route("/rss/dup", Response(feed(item("2411.00003"), item("2411.00003"))))
    result = run(store, fetcher, arxiv("dup", url)).feeds[0]
    assert (result.fetched, result.new) == (2, 1)
    assert count(store, "SELECT count(*) FROM sightings") == 1


def test_one_paper_in_two_feeds_is_one_paper_with_two_sightings(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    cs = feed_server.route("/rss/cs.LG", Response(feed(item("2411.00004", categories=("cs.LG", "stat.ML")))))
    stat = feed_server.route("/rss/stat.ML", Response(feed(item("2411.00004", announce="cross",
                                                                categories=("cs.LG", "stat.ML")))))
    report = run(store, fetcher, arxiv("cs-lg", cs), arxiv("stat-ml", stat))
    assert [(r.new, r.unchanged) for r in report.feeds] == [(1, 0), (0, 1)]
    assert count(store, "SELECT count(*) FROM papers") == 1
    assert store.con.execute("SELECT feed, announce_type FROM sightings ORDER BY feed").fetchall() == [
        ("cs-lg", "new"), ("stat-ml", "cross")]
    assert store.con.execute("SELECT announce_type, categories FROM papers").fetchone() == ("new", ["cs.LG", "stat.ML"])


def test_v2_replace_updates_the_paper(feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    url = feed_server.route("/rss/v", Response(feed(item("2411.00005", title="First title"))),
                            Response(feed(item("2411.00005", version=2, title="Better title", announce="replace"))))
    run(store, fetcher, arxiv("v", url))
    result = run(store, fetcher, arxiv("v", url)).feeds[0]
    assert (result.new, result.updated) == (0, 1)
    assert store.con.execute("SELECT paper_id, title, version, announce_type FROM papers").fetchall() == [
        ("arxiv:2411.00005", "Better title", 2, "replace")]
    assert store.con.execute("SELECT version, title FROM versions ORDER BY version").fetchall() == [
        (1, "First title"), (2, "Better title")]


def test_an_older_version_arriving_late_does_not_win(feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    url = feed_server.route("/rss/late", Response(feed(item("2411.00006", version=3, title="v3"))),
                            Response(feed(item("2411.00006", version=1, title="v1"))))
    run(store, fetcher, arxiv("late", url))
    assert run(store, fetcher, arxiv("late", url)).feeds[0].unchanged == 1
    assert store.con.execute("SELECT title, version FROM papers").fetchone() == ("v3", 3)


def test_an_arxiv_paper_and_its_journal_doi_are_one_paper(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    doi = "10.1038/s41586-024-07811-4"  # a Nature DOI of the recorded nature.rss
    url = feed_server.route("/rss/linked", Response(feed(item("2411.00007", title="Preprint", doi=doi.upper()))))
    nature = feed_server.route("/nature.rss", Response(feed_bytes("nature.rss")))
    run(store, fetcher, arxiv("linked", url))
    result = run(store, fetcher, FeedSpec(name="nature", kind="rss", url=nature, source="Nature")).feeds[0]
    assert (result.new, result.updated) == (74, 1)
    row = store.con.execute("SELECT paper_id, title, venue FROM papers WHERE doi = ?", [doi]).fetchall()
    assert row == [("arxiv:2411.00007", "Preprint", "Nature")]
    assert count(store, f"SELECT count(*) FROM sightings WHERE paper_id = 'arxiv:2411.00007'") == 2


def test_a_feed_of_10000_items(feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    body = replicate(feed_bytes("rss_mock_feed.xml"), 7)[:]
    items = body.count(b"<item>")
    assert items == 7 * 1504
    url = feed_server.route("/rss/big", Response(body))
    result = run(store, fetcher, arxiv("big", url), batch_size=2_000).feeds[0]
    assert (result.status, result.new) == ("ok", items)
    assert count(store, "SELECT count(DISTINCT paper_id) FROM papers") == items


def test_arxiv_api_pages_until_the_total(feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    page = feed_bytes("arxiv_response.xml").replace(b">5619<", b">4<")
    second = page.replace(b"2510.14968", b"2510.00001").replace(b"2510.14827", b"2510.00002")
    spec = FeedSpec(name="api", kind="arxiv-api", url=feed_server.url("/api/query"), query="cat:cs.RO",
                    page_size=2, since=date(2025, 10, 1), until=date(2025, 10, 17))
    feed_server.route("/api/query", Response(page), Response(second))
    result = run(store, fetcher, spec).feeds[0]
    assert (result.status, result.new) == ("ok", 4)
    hits = feed_server.hits_for("/api/query")
    assert len(hits) == 2 and "start=2" in hits[1].path and "max_results=2" in hits[0].path
    assert "submittedDate%3A%5B202510010000+TO+202510172359%5D" in hits[0].path


def test_arxiv_api_empty_first_page_is_asked_again(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    full = feed_bytes("arxiv_response.xml").replace(b">5619<", b">2<")
    hiccup = feed_bytes("arxiv_empty.xml").replace(b">0</opensearch:totalResults>", b">2</opensearch:totalResults>")
    assert hiccup != feed_bytes("arxiv_empty.xml")
    spec = FeedSpec(name="api", kind="arxiv-api", url=feed_server.url("/api/query"), query="cat:cs.RO")
    feed_server.route("/api/query", Response(hiccup), Response(full))
    assert run(store, fetcher, spec).feeds[0].new == 2
    assert len(feed_server.hits_for("/api/query")) == 2


def test_biorxiv_walks_the_cursor_and_checks_the_total(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    import json

    body = json.loads(feed_bytes("biorxiv_details.json"))
    body["messages"][0].update(total="5", count=3)
    second = {"messages": [{"status": "ok", "count": 1, "total": "5"}], "collection": [
        dict(body["collection"][0], doi="10.64898/2026.07.13.999999")]}
    spec = FeedSpec(name="bio", kind="biorxiv", url=feed_server.url("/details/biorxiv"),
                    since=date(2026, 7, 15), until=date(2026, 7, 18))
    feed_server.route("/details/biorxiv/2026-07-15/2026-07-18/0/json", Response(json.dumps(body).encode()))
    feed_server.route("/details/biorxiv/2026-07-15/2026-07-18/3/json", Response(json.dumps(second).encode()))
    feed_server.route("/details/biorxiv/2026-07-15/2026-07-18/4/json",
                      Response(b'{"messages": [{"status": "no posts found"}], "collection": []}'))
    result = run(store, fetcher, spec).feeds[0]
    assert (result.new, result.status) == (4, "partial"), result.error
    assert "reported 5 papers but sent 4" in result.error


# --- damaged and misdecoded bodies never overwrite good text --------------------------------------

def nature_spec(url: str) -> FeedSpec:
    return FeedSpec(name="nature", kind="rss", url=url, source="Nature")


def stored_papers(store: Store) -> list:
    return store.con.execute("SELECT * EXCLUDE (first_seen, last_changed) FROM papers ORDER BY paper_id").fetchall()


def test_a_flipped_byte_repairs_its_item_and_keeps_the_stored_text(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    body = feed_bytes("nature.rss")
    at = body.index("Norbert Hübner".encode()) + len(b"Norbert H")
    good = feed_server.route("/nature.rss", Response(body))
    damaged = feed_server.route("/nature-damaged.rss", Response(body[:at] + b"\xff" + body[at + 1:]))
    run(store, fetcher, nature_spec(good))
    before = stored_papers(store)
    result = run(store, fetcher, nature_spec(damaged)).feeds[0]
    assert (result.status, result.repaired, result.kept, result.updated, result.rejected) == ("ok", 1, 1, 0, 0)
    assert stored_papers(store) == before
    assert count(store, "SELECT count(*) FROM papers WHERE list_contains(authors, 'Norbert Hübner')") == 1
    reason, identifier = store.con.execute("SELECT reason, identifier FROM rejects").fetchone()
    assert reason.startswith("repaired") and identifier == "https://www.nature.com/articles/s41586-024-07701-9"


def test_a_damaged_item_seen_first_is_stored_and_healed_by_a_clean_copy(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    body = feed(item("2411.00021", title="Hübner’s naïve café"))
    damaged = feed_server.route("/rss/damaged", Response(body.replace("ï".encode(), b"\xff\xff")))
    clean = feed_server.route("/rss/clean", Response(body))
    assert run(store, fetcher, arxiv("cs", damaged)).feeds[0].repaired == 1
    assert store.con.execute("SELECT title FROM papers").fetchone()[0] == "Hübner’s na\ufffd\ufffdve café"
    assert run(store, fetcher, arxiv("cs", clean)).feeds[0].updated == 1
    assert store.con.execute("SELECT title FROM papers").fetchone()[0] == "Hübner’s naïve café"


def test_a_body_misdecoded_as_windows_1250_overwrites_nothing(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store, feed_bytes) -> None:
    body = feed_bytes("nature.rss")
    misdeclared = b'<?xml version="1.0" encoding="windows-1250"?>\n' + body
    run(store, fetcher, nature_spec(feed_server.route("/nature.rss", Response(body))))
    before = stored_papers(store)
    with_non_ascii = count(store, "SELECT count(*) FROM papers WHERE NOT (title || abstract || "
                                  "array_to_string(authors, ',')) SIMILAR TO '[\\x00-\\x7F]*'")
    result = run(store, fetcher, nature_spec(feed_server.route("/nature-1250.rss", Response(misdeclared)))).feeds[0]
    assert result.updated == 0 and result.kept == with_non_ascii > 0
    assert stored_papers(store) == before


# --- limits: one feed breaking them fails alone ---------------------------------------------------

def test_a_feed_over_the_size_limit_or_the_deadline_fails_alone(
        feed_server: FeedServer, http_settings, store: Store) -> None:
    settings = http_settings.model_copy(update={"max_body_bytes": 64 * 1024, "deadline": 0.5})
    endless = feed_server.route("/rss/endless", Response(b"<rss>" + b" " * 8192, endless=True))
    slow = feed_server.route("/rss/slow", Response(feed(item("2411.00031")), trickle=0.05))
    good = feed_server.route("/rss/good", Response(feed(item("2411.00032"))))
    with HttpFetcher(settings, "t") as fetcher:
        report = run(store, fetcher, arxiv("endless", endless), arxiv("slow", slow), arxiv("good", good))
    results = {r.feed: r for r in report.feeds}
    assert report.status == "partial"
    assert results["endless"].status == "failed" and "RADAR_HTTP__MAX_BODY_BYTES" in results["endless"].error
    assert results["slow"].status == "failed" and "RADAR_HTTP__DEADLINE" in results["slow"].error
    assert (results["good"].status, results["good"].new) == ("ok", 1)


# --- credentials in feed URLs never reach the store -----------------------------------------------

def test_credentials_in_a_feed_url_are_masked_in_run_records_and_feed_state(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    feed_server.route("/rss/private", Response(feed(item("2411.00041"))))
    feed_server.route("/rss/gone", Response(b"no", status=404))
    ok = feed_server.url("/rss/private").replace("http://", "http://reader:s3cretURL@")
    gone = feed_server.url("/rss/gone").replace("http://", "http://reader:s3cretURL@")
    report = run(store, fetcher, arxiv("private", ok), arxiv("gone", gone))
    assert [r.status for r in report.feeds] == ["ok", "failed"]
    assert all("s3cretURL" not in f"{r.url} {r.error}" for r in report.feeds)
    stored = store.con.execute("SELECT url, error FROM run_feeds UNION ALL SELECT url, last_error FROM feed_state").fetchall()
    assert stored and all("s3cretURL" not in f"{url} {error}" for url, error in stored)
    assert all("***@127.0.0.1" in url for url, _ in stored)
    again = run(store, fetcher, arxiv("private", ok)).feeds[0]  # the masked state still matches the feed
    assert again.unchanged == 1


def _journal(*links: tuple[str, str]) -> bytes:
    """A journal RSS feed whose items name their paper by link or by DOI: (title, link-or-doi)."""
    items = "".join(
        f"<item><title>{title}</title><link>{ref}</link></item>" if ref.startswith("http") else
        f"<item><title>{title}</title><link>https://j.example/{n}</link><dc:identifier>doi:{ref}</dc:identifier></item>"
        for n, (title, ref) in enumerate(links))
    return (f'<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>J</title>{items}</channel></rss>").encode()


def test_a_journal_item_that_names_an_arxiv_paper_joins_it(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    ids = ["2411.00021", "2411.00022", "2411.00023", "hep-th/9901001", "2411.00024"]
    preprints = feed_server.route("/rss/pre", Response(feed(*(item(i, title=f"Preprint {i}") for i in ids))))
    journal = feed_server.route("/journal.rss", Response(_journal(
        ("Abs link", "https://arxiv.org/abs/2411.00021"),
        ("PDF link", "http://arxiv.org/pdf/2411.00022v2"),
        ("arXiv DOI", "10.48550/arXiv.2411.00023"),
        ("Old-style id", "https://arxiv.org/abs/hep-th/9901001v1"),
        ("PDF file", "https://export.arxiv.org/pdf/2411.00024v1.pdf"),
    )))
    spec = FeedSpec(name="journal", kind="rss", url=journal, source="J")
    for specs in ([arxiv("pre", preprints), spec], [spec, arxiv("pre", preprints)]):
        with store.transaction() as con:
            for table in ("papers", "paper_aliases", "sightings", "versions"):
                con.execute(f"DELETE FROM {table}")
        run(store, fetcher, *specs)
        assert sorted(r[0] for r in store.con.execute("SELECT paper_id FROM papers").fetchall()) == sorted(
            f"arxiv:{i}" for i in ids)
        assert count(store, "SELECT count(*) FROM sightings WHERE feed = 'journal'") == 5
        again = run(store, fetcher, *specs)
        assert [(r.new, r.updated) for r in again.feeds] == [(0, 0), (0, 0)]


def test_arxiv_papers_that_share_a_doi_stay_apart_and_a_rerun_changes_nothing(
        feed_server: FeedServer, fetcher: HttpFetcher, store: Store) -> None:
    doi = "10.1103/physrevd.110.000001"
    items = [item(i, title=f"Paper {i}", doi=doi.upper()) for i in ("2411.00033", "2411.00031", "2411.00032")]
    url = feed_server.route("/rss/same-doi", Response(feed(*items)))
    journal = feed_server.route("/j.rss", Response(_journal(("Journal version", doi))))
    specs = (arxiv("same-doi", url), FeedSpec(name="journal", kind="rss", url=journal, source="J"))
    first = run(store, fetcher, *specs)
    assert [(r.new, r.updated) for r in first.feeds] == [(3, 0), (0, 1)]
    # Three papers; the lowest id owns the DOI, so the journal item joined it.
    assert count(store, "SELECT count(*) FROM papers") == 3
    assert store.con.execute("SELECT paper_id FROM paper_aliases WHERE alias = ?", [f"doi:{doi}"]).fetchone() == (
        "arxiv:2411.00031",)
    before = snapshot(store)
    for _ in range(2):
        again = run(store, fetcher, *specs)
        assert [(r.new, r.updated, r.unchanged) for r in again.feeds] == [(0, 0, 3), (0, 0, 1)]
    assert snapshot(store) == before
