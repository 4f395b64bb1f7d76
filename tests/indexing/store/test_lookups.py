"""Read helpers of the store used by related papers and digests: aliases, days, cached vectors."""

from __future__ import annotations

from datetime import date

import numpy as np

from indexing.ingest import ingest_all
from indexing.store import Store
from indexing.store.papers import canonical_ids, latest_published_day, published_on, stored_fields
from indexing.store.search_state import save_vectors, vectors_of
from radar.config import FeedSpec
from tests.recorded import ARXIV_ATOM


def fill(store: Store, fetcher, feeds_dir) -> None:
    ingest_all(store, [FeedSpec(name="cs-ai", kind="arxiv-rss", url=(feeds_dir / ARXIV_ATOM).as_uri()),
                       FeedSpec(name="bio", kind="biorxiv", url=(feeds_dir / "biorxiv_details.json").as_uri())],
               fetcher)


def test_canonical_ids_follow_aliases_and_leave_unknown_ids_out(store: Store, fetcher, feeds_dir) -> None:
    fill(store, fetcher, feeds_dir)
    con = store.cursor()
    (arxiv_id,) = con.execute("SELECT paper_id FROM papers WHERE source = 'arxiv' ORDER BY paper_id LIMIT 1").fetchone()
    with store.transaction() as tx:
        tx.execute("INSERT INTO paper_aliases VALUES ('doi:10.9999/journal.version', ?)", [arxiv_id])
    con = store.cursor()  # a transaction closes the cursors taken before it
    found = canonical_ids(con, [arxiv_id, "doi:10.9999/journal.version", "arxiv:0000.00000"])
    assert found == {arxiv_id: arxiv_id, "doi:10.9999/journal.version": arxiv_id}
    assert canonical_ids(con, []) == {}


def test_days_and_fields(store: Store, fetcher, feeds_dir) -> None:
    fill(store, fetcher, feeds_dir)
    con = store.cursor()
    latest = latest_published_day(con, not_after=date(2100, 1, 1))
    assert latest is not None and published_on(con, latest)
    assert published_on(con, date(1990, 1, 1)) == []
    assert latest_published_day(con, not_after=date(1990, 1, 1)) is None
    fields = stored_fields(con)
    assert {"Computer Science", "Biology"} <= set(fields)
    assert fields == sorted(fields, key=lambda f: -con.execute(
        "SELECT count(*) FROM papers WHERE field = ?", [f]).fetchone()[0])  # most papers first


def test_vectors_of_reads_the_cache_for_one_model(store: Store) -> None:
    with store.transaction() as con:
        save_vectors(con, "m1", ["a", "b"], ["h1", "h2"], np.eye(2, dtype=np.float32))
        save_vectors(con, "m2", ["a"], ["h1"], np.ones((1, 2), dtype=np.float32))
    found = vectors_of(store.cursor(), "m1", ["a", "c"])
    assert list(found) == ["a"] and found["a"].tolist() == [1.0, 0.0]
    assert vectors_of(store.cursor(), "m1", []) == {}
