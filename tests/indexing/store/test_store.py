"""The DuckDB store: migrations, transactions, the write lock, and a process killed mid-ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from indexing.store import open_store, utc_now
from indexing.store.schema import LATEST, MIGRATIONS
from radar.errors import StoreBusyError, StoreError
from radar.settings import StoreSettings
from tests.feedmaker import replicate

REPO = Path(__file__).resolve().parents[3]


def test_a_new_store_is_migrated_to_the_latest_schema(tmp_path: Path) -> None:
    with open_store(tmp_path / "r.duckdb") as store:
        versions = store.con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert [v for (v,) in versions] == sorted(m[0] for m in MIGRATIONS)
    assert versions[-1][0] == LATEST
    with open_store(tmp_path / "r.duckdb") as store:  # reopening applies nothing twice
        assert store.con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)


def test_read_only_needs_an_existing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="radar ingest"):
        open_store(tmp_path / "missing.duckdb", read_only=True)


def test_a_failed_transaction_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    with open_store(tmp_path / "r.duckdb") as store:
        with pytest.raises(RuntimeError), store.transaction() as con:
            con.execute("INSERT INTO runs (run_id, started_at, status) VALUES ('r1', ?, 'running')", [utc_now()])
            raise RuntimeError("crash in the middle")
        assert store.con.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def test_a_second_writer_gets_a_clear_busy_error(tmp_path: Path) -> None:
    path = tmp_path / "r.duckdb"
    open_store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusyError, match=f"in use by process {holder.pid} .*kill {holder.pid}") as info:
            open_store(path, waits=StoreSettings(write_wait=0.2))
        assert info.value.transient and "RADAR_STORE__WRITE_WAIT" in str(info.value)
    finally:
        holder.kill()
        holder.wait()


KILLED_INGEST = textwrap.dedent("""
    import sys, time
    from indexing.ingest import ingest_all
    from indexing.sources.http import HttpFetcher
    from indexing.store import open_store
    from radar.config import FeedSpec
    from radar.settings import HttpSettings

    class Announce:
        def feed_started(self, feed): pass
        def feed_finished(self, result): pass
        def feed_progress(self, feed, done, total):
            print("stored", done, flush=True)
            if "--slow" in sys.argv:
                time.sleep(60)  # the test kills us here, between two batches

    store = open_store(sys.argv[1])
    spec = FeedSpec(name="big", kind="arxiv-rss", url=sys.argv[2])
    with HttpFetcher(HttpSettings(), "t") as fetcher:
        ingest_all(store, [spec], fetcher, listener=Announce(), batch_size=1000)
    print("done", flush=True)
""")


def test_a_process_killed_mid_ingest_leaves_the_store_consistent_and_the_next_run_completes(
        tmp_path: Path, feed_bytes) -> None:
    store_path, feed_path = tmp_path / "r.duckdb", tmp_path / "big.xml"
    feed_path.write_bytes(replicate(feed_bytes("rss_mock_feed.xml"), 4))
    args = [sys.executable, "-c", KILLED_INGEST, str(store_path), str(feed_path)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    victim = subprocess.Popen([*args, "--slow"], stdout=subprocess.PIPE, text=True, env=env)
    assert victim.stdout.readline().startswith("stored")
    victim.send_signal(signal.SIGKILL)
    victim.wait()

    con = duckdb.connect(str(store_path))
    papers = con.execute("SELECT count(*) FROM papers").fetchone()[0]
    assert papers == 1000  # the first batch committed, nothing after it
    assert con.execute("SELECT count(*) FROM sightings").fetchone()[0] == papers
    assert con.execute("SELECT count(*) FROM feed_state").fetchone()[0] == 0  # so the next run fetches it again
    assert con.execute("SELECT status FROM runs").fetchall() == [("running",)]  # the interrupted run shows as such
    con.close()

    finished = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    assert finished.returncode == 0 and finished.stdout.strip().endswith("done"), finished.stderr
    con = duckdb.connect(str(store_path))
    assert con.execute("SELECT count(*), count(DISTINCT paper_id) FROM papers").fetchone() == (4 * 1504, 4 * 1504)
    assert con.execute("SELECT count(*) FROM sightings").fetchone()[0] == 4 * 1504


def test_a_store_of_before_article_types_gains_the_column_and_keeps_its_papers(
        tmp_path: Path, feed_bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    from indexing.normalise import normalise
    from indexing.sources import rss
    from indexing.store import schema
    from indexing.store.papers import Sighting, read_papers, upsert

    paper = next(p for p in (normalise(e) for e in rss.parse(feed_bytes("nature.rss"), source="Nature").entries)
                 if p.article_type == "news")
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", [x for x in MIGRATIONS if x[0] != 8])  # all but the article type
        with open_store(tmp_path / "r.duckdb") as store, store.transaction() as con:
            con.execute("INSERT INTO papers (paper_id, source, title, abstract, authors, categories, field, url, "
                        "first_seen, last_changed) VALUES (?, ?, ?, ?, ?, [], ?, ?, ?, ?)",
                        [paper.paper_id, paper.source, paper.title, paper.abstract, list(paper.authors), paper.field,
                         paper.url, utc_now(), utc_now()])
    with open_store(tmp_path / "r.duckdb") as store:
        assert schema.current_version(store.con) == schema.LATEST
        assert read_papers(store.cursor(), [paper.paper_id])[paper.paper_id].article_type is None
        with store.transaction() as con:  # a re-ingest fills the type in
            assert upsert(con, [Sighting(paper, "nature", "r1")], utc_now()).updated == 1
        assert read_papers(store.cursor(), [paper.paper_id])[paper.paper_id].article_type == "news"
