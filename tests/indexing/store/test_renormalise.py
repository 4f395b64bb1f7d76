"""Migration 6 on a store written by an older Radar: the stored text is rewritten, the versions kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexing.store import open_store
from radar.errors import StoreError

OLD_TITLE = r"Cram\'er-Rao bounds for Schr\"odinger operators with $\hat{H}<0$ \x1b[31m"
OLD_ABSTRACT = r"We show $x<y \text{ and } z>w$ holds for P\"oschl--Teller \emph{potentials}." + "\x1b]8;;x\x07"


def _old_store(path: Path) -> None:
    """A store as Radar 2e41f64 left it: papers ingested before migration 6 existed."""
    with open_store(path) as store, store.transaction() as con:
        for paper_id, title, abstract, authors in [
            ("arxiv:2411.00001", OLD_TITLE.replace("\\x1b", "\x1b"), OLD_ABSTRACT,
             ["Silvan K\\\"aser", "Pietro Li\\`o", "Jaros{\\l}aw \\.Zygierewicz"]),
            ("doi:10.1101/2024.01.01.1", "Plain title", "Plain abstract.", ["Quinn, A. J.", "Ghafari, T."]),
        ]:
            con.execute("INSERT INTO papers (paper_id, source, title, abstract, authors, categories, field, "
                        "first_seen, last_changed) VALUES (?, 'arxiv', ?, ?, ?, ['cs.LG\x1b'], 'Computer Science', "
                        "TIMESTAMP '2024-11-28', TIMESTAMP '2024-11-28')", [paper_id, title, abstract, authors])
            con.execute("INSERT INTO versions (paper_id, version, title, first_seen) "
                        "VALUES (?, 1, ?, TIMESTAMP '2024-11-28')", [paper_id, title])
        con.execute("DELETE FROM schema_migrations WHERE version = 6")


def test_migration_6_rewrites_stored_text_and_keeps_the_versions(tmp_path: Path) -> None:
    path = tmp_path / "radar.duckdb"
    _old_store(path)
    with pytest.raises(StoreError, match="older schema"):
        open_store(path, read_only=True)
    with open_store(path) as store:
        rows = dict((r[0], r[1:]) for r in store.con.execute(
            "SELECT paper_id, title, abstract, authors, categories, last_changed FROM papers").fetchall())
        versions = store.con.execute("SELECT paper_id, title FROM versions ORDER BY paper_id").fetchall()
        applied = [v for (v,) in store.con.execute("SELECT version FROM schema_migrations").fetchall()]
    title, abstract, authors, categories, changed = rows["arxiv:2411.00001"]
    assert title == r"Cramér-Rao bounds for Schrödinger operators with $\hat{H}<0$ [31m"
    assert abstract == r"We show $x<y \text{ and } z>w$ holds for Pöschl--Teller potentials.]8;;x"
    assert authors == ["Silvan Käser", "Pietro Liò", "Jarosław Żygierewicz"]
    assert categories == ["cs.LG"] and changed.year > 2024
    assert rows["doi:10.1101/2024.01.01.1"][2] == ["A. J. Quinn", "T. Ghafari"]
    # versions keeps each version's title as first stored (the closest to the raw text the store has).
    assert versions[0] == ("arxiv:2411.00001", OLD_TITLE.replace("\\x1b", "\x1b"))
    assert 6 in applied
    with open_store(path) as store:  # applied once: reopening changes nothing
        assert store.con.execute("SELECT count(*) FROM schema_migrations WHERE version = 6").fetchone()[0] == 1
