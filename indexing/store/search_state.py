"""The store's side of indexing: which papers an index still needs, the embeddings cache,
and the marks that advance only for documents an index acknowledged.

Marks are keyed by the identity of the index they were written to (``SearchBackend.identity``,
kept in the index's own metadata), never by the backend's name: a new alias, cluster or a
lost index has an identity no mark carries, so it gets every paper."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import numpy as np
import pyarrow as pa

from indexing.kinds import announce_sql
from indexing.search.base import SearchDoc
from indexing.store.vectors import vector_bytes, vector_from_bytes

# Everything a search document is made of: a change to any of it re-indexes the paper.
_CONTENT_HASH = f"""md5(concat_ws(chr(31), title, abstract, array_to_string(authors, ';'),
    array_to_string(categories, ';'), field, source, coalesce(CAST(published AS VARCHAR), ''), {announce_sql()}))"""


def pending_ids(con: duckdb.DuckDBPyConnection, index_id: str, *, everything: bool = False) -> list[str]:
    """Ids of the papers the index ``index_id`` lacks or holds an older version of (all of them with
    ``everything``), in id order: only the ids, so a big backlog is paged, not loaded."""
    condition = "TRUE" if everything else "m.content_hash IS DISTINCT FROM c.content_hash"
    rows = con.execute(f"""
        WITH c AS (SELECT paper_id, {_CONTENT_HASH} AS content_hash FROM papers)
        SELECT c.paper_id FROM c LEFT JOIN index_marks m ON m.backend = ? AND m.paper_id = c.paper_id
        WHERE {condition} ORDER BY c.paper_id""", [index_id]).fetchall()
    return [paper_id for (paper_id,) in rows]


def documents(con: duckdb.DuckDBPyConnection, paper_ids: list[str]) -> list[SearchDoc]:
    """The papers ``paper_ids`` as search documents still without their vectors (id order)."""
    if not paper_ids:
        return []
    con.register("wanted_docs", pa.table({"paper_id": paper_ids}))
    rows = con.execute(f"""
        SELECT paper_id, title, abstract, authors, categories, field, source, published, {_CONTENT_HASH},
               {announce_sql()}
        FROM papers JOIN wanted_docs USING (paper_id) ORDER BY paper_id""").fetchall()
    con.unregister("wanted_docs")
    return [SearchDoc(pid, title, abstract, tuple(authors), tuple(categories), field, source,
                      published.replace(tzinfo=UTC) if published else None, (), content_hash, announce)
            for pid, title, abstract, authors, categories, field, source, published, content_hash, announce in rows]


def count_papers(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM papers").fetchone()[0]


def count_marks(con: duckdb.DuckDBPyConnection, index_id: str) -> int:
    """Papers marked as held by the index ``index_id`` (0: an index this store never wrote to)."""
    return con.execute("SELECT count(*) FROM index_marks WHERE backend = ?", [index_id]).fetchone()[0]


def cached_vectors(con: duckdb.DuckDBPyConnection, model: str, wanted: dict[str, str]) -> dict[str, np.ndarray]:
    """Cached vectors of ``wanted`` (paper id → text hash) whose text has not changed."""
    if not wanted:
        return {}
    con.register("wanted_vectors", pa.table({"paper_id": list(wanted), "text_hash": list(wanted.values())}))
    rows = con.execute("""
        SELECT e.paper_id, e.vector FROM embeddings e JOIN wanted_vectors w USING (paper_id, text_hash)
        WHERE e.model = ?""", [model]).fetchall()
    con.unregister("wanted_vectors")
    return {paper_id: vector_from_bytes(vector) for paper_id, vector in rows}


def save_vectors(con: duckdb.DuckDBPyConnection, model: str, paper_ids: list[str], hashes: list[str],
                 vectors: np.ndarray) -> None:
    if not paper_ids:
        return
    con.register("new_vectors", pa.table({
        "paper_id": paper_ids, "model": [model] * len(paper_ids), "text_hash": hashes,
        "vector": pa.array([vector_bytes(v) for v in vectors], pa.binary()),
    }))
    con.execute("INSERT OR REPLACE INTO embeddings SELECT * FROM new_vectors")
    con.unregister("new_vectors")


def mark_indexed(con: duckdb.DuckDBPyConnection, index_id: str, marks: dict[str, str], now: datetime) -> None:
    """Record paper id → content hash as held by the index ``index_id``."""
    if not marks:
        return
    con.register("new_marks", pa.table({"paper_id": list(marks), "content_hash": list(marks.values())}))
    con.execute("INSERT OR REPLACE INTO index_marks SELECT ?, paper_id, content_hash, ? FROM new_marks", [index_id, now])
    con.unregister("new_marks")


def clear_marks(con: duckdb.DuckDBPyConnection, index_id: str) -> None:
    con.execute("DELETE FROM index_marks WHERE backend = ?", [index_id])


def vectors_of(con: duckdb.DuckDBPyConnection, model: str, paper_ids: list[str]) -> dict[str, np.ndarray]:
    """The cached vectors of ``paper_ids`` for ``model``, whatever text they were made from."""
    if not paper_ids:
        return {}
    con.register("vector_ids", pa.table({"paper_id": paper_ids}))
    rows = con.execute("SELECT e.paper_id, e.vector FROM embeddings e JOIN vector_ids USING (paper_id) "
                       "WHERE e.model = ?", [model]).fetchall()
    con.unregister("vector_ids")
    return {paper_id: vector_from_bytes(vector) for paper_id, vector in rows}
