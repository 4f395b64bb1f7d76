"""Index marks in the store: keyed by the identity of an index; marks a store made before
identities (keyed by a bare backend name) are dropped when it is migrated."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np

from indexing.store import open_store, utc_now
from indexing.store.schema import MIGRATIONS
from indexing.store.search_state import clear_marks, count_marks, mark_indexed, vectors_of


def test_marks_are_counted_and_cleared_per_index(tmp_path: Path) -> None:
    with open_store(tmp_path / "r.duckdb") as store, store.transaction() as con:
        mark_indexed(con, "local:aaa", {"p1": "h1", "p2": "h2"}, utc_now())
        mark_indexed(con, "local:bbb", {"p1": "h1"}, utc_now())
        assert (count_marks(con, "local:aaa"), count_marks(con, "local:bbb"), count_marks(con, "local:ccc")) == (2, 1, 0)
        clear_marks(con, "local:aaa")
        assert (count_marks(con, "local:aaa"), count_marks(con, "local:bbb")) == (0, 1)


def test_marks_keyed_by_a_backend_name_are_dropped_by_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    (keyed,) = [m for m in MIGRATIONS if "identity of the index" in m[1]]
    with duckdb.connect(str(path)) as con:  # a store as it was before that migration
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
                    "applied_at TIMESTAMP NOT NULL)")
        for version, description, sql in MIGRATIONS:
            if version < keyed[0]:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [version, description])
        for backend in ("local", "elasticsearch", "local:kept"):
            con.execute("INSERT INTO index_marks VALUES (?, 'p1', 'h1', now()::TIMESTAMP)", [backend])
    with open_store(path) as store:
        left = store.con.execute("SELECT backend FROM index_marks").fetchall()
    assert left == [("local:kept",)]


def test_vectors_cached_as_float_lists_are_kept_by_the_migration_to_bytes(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    (as_bytes,) = [m for m in MIGRATIONS if "float32 bytes" in m[1]]
    vectors = {"p1": [0.25, -1.5, 3.0], "p2": [2.0 ** -20, 2.0, -0.0]}
    with duckdb.connect(str(path)) as con:  # a store as it was before that migration
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, "
                    "applied_at TIMESTAMP NOT NULL)")
        for version, description, step in sorted(MIGRATIONS):
            if version < as_bytes[0]:
                con.execute(step) if isinstance(step, str) else step(con)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [version, description])
        for paper_id, vector in vectors.items():
            con.execute("INSERT INTO embeddings VALUES (?, 'm1', 'h', ?)", [paper_id, vector])
    with open_store(path) as store:
        found = vectors_of(store.cursor(), "m1", ["p1", "p2", "p3"])
        column = store.cursor().execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'embeddings' "
                                        "AND column_name = 'vector'").fetchone()[0]
    assert column == "BLOB" and set(found) == {"p1", "p2"}
    for paper_id, vector in vectors.items():
        assert found[paper_id].dtype == np.float32 and found[paper_id].tolist() == vector
