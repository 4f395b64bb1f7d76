"""The embedded search backend: BM25 over Radar's own postings (indexing/search/lexical.py) plus
cosine similarity over the stored vectors, all in the store's DuckDB file. No server; the default.

Documents live in the table ``search_meta`` names (``search_docs`` until the first rebuild), their
postings beside it (``<table>_terms``, ``<table>_lengths``), written in the same transaction: what
a commit stored is searchable at once, with no index to rebuild. ``search_meta`` also holds the
model, the size and the index's identity (a fresh uuid whenever the table is created or rebuilt).
Every access is one short read or transaction, so other processes can use the store in between.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import NoReturn, ParamSpec, TypeVar

import numpy as np
import pyarrow as pa

from indexing.search import lexical
from indexing.search.base import BackendHit, Filters, IndexReport, SearchDoc, fold
from indexing.store import Store
from radar.errors import IndexMismatchError, SearchError

LOAD_BATCH = 5_000
DEFAULT_TABLE = "search_docs"
P = ParamSpec("P")
R = TypeVar("R")


def vector_literal(vector: Sequence[float]) -> str:
    """``vector`` as the text of a DuckDB list, bound as one parameter and cast. Binding a Python
    list costs DuckDB one probe for pandas per element (an import that fails, scanning sys.path):
    ~20 ms for 384 floats on an idle core, 300 ms under load, against well under 1 ms as text."""
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def _needs_index(query: Callable[P, R]) -> Callable[P, R]:
    """Queries before the first ``radar index`` (or after one stopped before its full-text index
    was built) find no table: say what to do instead of DuckDB's catalog error."""
    @functools.wraps(query)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        import duckdb

        try:
            return query(*args, **kwargs)
        except duckdb.CatalogException as exc:
            _not_indexed(exc)

    return run


def _not_indexed(exc: Exception) -> NoReturn:
    if "_terms" in str(exc) or "_lengths" in str(exc):
        raise SearchError("The full-text index is missing (an index of an earlier Radar): run `radar index`.") from None
    if "search_docs" in str(exc) or "search_meta" in str(exc):
        raise SearchError("Nothing is indexed yet: run `radar index`.") from None
    raise exc


class LocalBackend:
    name = "local"

    def __init__(self, store: Store, *, title_boost: float = 1.0) -> None:
        self.store = store
        self.title_boost = float(title_boost)
        self._matrix: tuple[str, np.ndarray, np.ndarray, dict[str, int]] | None = None
        self._index_dims: int | None = None

    def prepare(self, *, dims: int, model: str) -> None:
        with self.store.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS search_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
            meta = dict(con.execute("SELECT key, value FROM search_meta").fetchall())
            self._index_dims = dims
            if not meta or not _has_table(con, _live_table(con)):  # none yet, or lost: a new index
                _create_table(con, DEFAULT_TABLE, dims)
                _set_meta(con, dims, model)
                return
            if not lexical.exists(con, table := _live_table(con)):  # built on DuckDB's fts: postings from its documents
                lexical.build_from(con, table)
                con.execute(f"DROP SCHEMA IF EXISTS fts_main_{table} CASCADE")
                _set_sorted(con, con.execute(f"SELECT count(*) FROM {lexical.terms_table(table)}").fetchone()[0])
            if (meta.get("model"), meta.get("dims")) != (model, str(dims)):
                raise IndexMismatchError(
                    f"The local index was built for {meta.get('model')} ({meta.get('dims')} dimensions), not {model} "
                    f"({dims}). Run `radar reindex` to rebuild it for the configured model.")
            if "identity" not in meta:  # built before indices had an identity
                con.execute("INSERT INTO search_meta VALUES ('identity', ?)", [uuid.uuid4().hex])
            if not _has_announce(con, _live_table(con)):  # an index of before announce kinds: its papers are all re-sent
                con.execute(f"ALTER TABLE {_live_table(con)} ADD COLUMN announce VARCHAR NOT NULL DEFAULT 'new'")

    def identity(self) -> str:
        with self.store.reading() as con:
            row = con.execute("SELECT value FROM search_meta WHERE key = 'identity'").fetchone() \
                if _has_table(con, "search_meta") else None
        if row is None:
            raise SearchError("There is no local search index yet: run `radar index` first.")
        return f"local:{row[0]}"

    def model(self) -> str | None:
        with self.store.reading() as con:
            return _meta(con).get("model") if _has_table(con, "search_meta") else None

    def index(self, docs: Iterable[SearchDoc]) -> IndexReport:
        if self._index_dims is None:
            with self.store.reading() as con:
                self._index_dims = _dims(con)
        return self._load(docs, self._index_dims, None)

    def _write(self, docs: list[SearchDoc], dims: int, report: IndexReport, table_name: str | None) -> None:
        """One transaction of documents into ``table_name`` (None: the live table, read inside it)."""
        if not docs:
            return
        flat = np.asarray([d.vector for d in docs], dtype=np.float32).reshape(-1)
        table = pa.table({
            "paper_id": [d.paper_id for d in docs], "title": [fold(d.title) for d in docs],
            "abstract": [fold(d.abstract) for d in docs], "field": [d.field for d in docs],
            "source": [d.source for d in docs], "categories": [list(d.categories) for d in docs],
            "published": pa.array([d.published.replace(tzinfo=None) if d.published else None for d in docs],
                                  pa.timestamp("us")),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), dims),
            "announce": [d.announce for d in docs],
        })
        with self.store.transaction() as con:
            name = table_name or _live_table(con)
            con.register("incoming_docs", table)
            replacing = [r[0] for r in con.execute(
                f"SELECT paper_id FROM {name} WHERE paper_id IN (SELECT paper_id FROM incoming_docs)").fetchall()]
            con.execute(f"INSERT OR REPLACE INTO {name} SELECT * FROM incoming_docs")
            con.unregister("incoming_docs")
            lexical.write(con, name, table.column("paper_id").to_pylist(), table.column("title").to_pylist(),
                          table.column("abstract").to_pylist(), replacing=replacing)
            _touch(con)
        report.indexed.extend(d.paper_id for d in docs)

    def refresh(self) -> None:
        """Everything written is searchable already; put the postings back in term order when
        enough rows were written since the last time (lexical.py: queries read fewer rows)."""
        with self.store.reading() as con:
            table = _live_table(con)
            due = lexical.needs_clustering(con, table, _sorted_rows(con))
        if due:
            with self.store.transaction() as con:
                _set_sorted(con, lexical.cluster(con, table))

    def delete(self, paper_ids: Sequence[str]) -> None:
        with self.store.transaction() as con:
            con.register("gone_ids", pa.table({"paper_id": list(paper_ids)}))
            con.execute(f"DELETE FROM {_live_table(con)} WHERE paper_id IN (SELECT paper_id FROM gone_ids)")
            con.unregister("gone_ids")
            lexical.remove(con, _live_table(con), paper_ids)
            _touch(con)

    def rebuild(self, docs: Iterable[SearchDoc], *, dims: int, model: str) -> IndexReport:
        """Load a new table and its postings beside the live ones, then point ``search_meta`` at
        them in one short transaction: searches read the old index until that commit, the new one
        after it."""
        with self.store.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS search_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
            old = _live_table(con)
            new = "search_docs_a" if old != "search_docs_a" else "search_docs_b"
            _drop(con, new)  # what a killed rebuild left
            _create_table(con, new, dims)
        report = self._load(docs, dims, new)
        with self.store.transaction() as con:
            sorted_rows = lexical.cluster(con, new)
        with self.store.transaction() as con:
            _set_meta(con, dims, model, table=new)
            _set_sorted(con, sorted_rows)
            _drop(con, old)
        self._index_dims = dims
        return report

    def _load(self, docs: Iterable[SearchDoc], dims: int, table_name: str | None) -> IndexReport:
        report = IndexReport()
        batch: list[SearchDoc] = []
        for doc in docs:
            if len(doc.vector) != dims:
                report.failed[doc.paper_id] = f"vector has {len(doc.vector)} dimensions, the index {dims}"
                continue
            batch.append(doc)
            if len(batch) >= LOAD_BATCH:
                self._write(batch, dims, report, table_name)
                batch = []
        self._write(batch, dims, report, table_name)
        return report

    def _filters(self, filters: Filters) -> tuple[str, list]:
        clauses, params = ["TRUE"], []
        if filters.field:
            clauses.append("field = ?")
            params.append(filters.field)
        if filters.category:
            clauses.append("list_contains(categories, ?)")
            params.append(filters.category)
        if filters.source:
            clauses.append("lower(source) = lower(?)")
            params.append(filters.source)
        if filters.since:
            clauses.append("published >= ?")
            params.append(filters.since)
        if filters.until:
            clauses.append("published < ?")
            params.append(filters.until + timedelta(days=1))
        if filters.announce:
            self._require_announce()
            clauses.append(f"announce IN ({', '.join('?' for _ in filters.announce)})")
            params.extend(filters.announce)
        return " AND ".join(clauses), params

    def _require_announce(self) -> None:
        with self.store.reading() as con:
            if _has_announce(con, _live_table(con)):
                return
        raise IndexMismatchError("The local index predates announce kinds (new, cross-list, revised): "
                                 "run `radar index` to update it, then filter on them.")

    @_needs_index
    def bm25(self, query: str, filters: Filters, k: int) -> list[BackendHit]:
        words = lexical.query_terms(query)
        if not words:
            return []
        where, params = self._filters(filters)
        with self.store.reading() as con:
            sql = lexical.bm25_sql(_live_table(con), words, self.title_boost, None if where == "TRUE" else where)
            rows = con.execute(sql, [*(params if where != "TRUE" else []), k]).fetchall()
        return [BackendHit(paper_id, float(score)) for paper_id, score in rows]

    @_needs_index
    def knn(self, vector: Sequence[float], filters: Filters, k: int) -> list[BackendHit]:
        """Exact cosine k-NN as one matrix product over the vectors, held in memory per index
        generation (DuckDB's row-by-row array_cosine_similarity takes ~20x longer); filters pick
        the rows first, in SQL."""
        with self.store.reading() as con:
            meta = _meta(con)
            generation, table = meta.get("generation", ""), meta.get("table", DEFAULT_TABLE)
            if self._matrix is None or self._matrix[0] != generation:
                self._matrix = _vector_matrix(generation, con.execute(
                    f"SELECT paper_id, vector FROM {table}").to_arrow_table())
            rows = None
            if filters != Filters():
                where, params = self._filters(filters)
                allowed = con.execute(f"SELECT paper_id FROM {table} WHERE {where}", params).fetchall()
                positions = self._matrix[3]
                rows = np.fromiter((positions[pid] for (pid,) in allowed if pid in positions), dtype=np.int64)
        _, ids, matrix, _ = self._matrix
        query = np.asarray(vector, dtype=np.float32)
        scores = matrix @ (query / (np.linalg.norm(query) or 1.0))  # all rows: cheaper than copying the allowed ones
        if rows is not None:
            ids, scores = ids[rows], scores[rows]
        if not len(ids):
            return []
        top = np.argpartition(-scores, min(k, len(scores)) - 1)[:k]
        order = sorted(top, key=lambda i: (-scores[i], ids[i]))
        return [BackendHit(str(ids[i]), float(scores[i])) for i in order]

    def count(self) -> int:
        with self.store.reading() as con:
            if not _has_table(con, "search_meta") or not _has_table(con, table := _live_table(con)):
                return 0
            return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def close(self) -> None:
        pass


def _create_table(con, name: str, dims: int) -> None:  # noqa: ANN001 - a DuckDB connection
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(f"""
        CREATE TABLE {name} (
            paper_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, abstract VARCHAR NOT NULL,
            field VARCHAR NOT NULL, source VARCHAR NOT NULL, categories VARCHAR[] NOT NULL,
            published TIMESTAMP, vector FLOAT[{int(dims)}] NOT NULL, announce VARCHAR NOT NULL DEFAULT 'new')""")
    lexical.create(con, name)


def _has_table(con, name: str) -> bool:  # noqa: ANN001 - a DuckDB connection
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0] > 0


def _has_announce(con, table: str) -> bool:  # noqa: ANN001 - a DuckDB connection
    return con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = 'announce'",
                       [table]).fetchone()[0] > 0


def _vector_matrix(generation: str, table: pa.Table) -> tuple[str, np.ndarray, np.ndarray, dict[str, int]]:
    """The generation's ids, unit-length float32 vectors (one row each) and row of each id."""
    dims = table.schema.field("vector").type.list_size
    matrix = table.column("vector").combine_chunks().flatten().to_numpy().reshape(-1, dims)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    ids = np.asarray(table.column("paper_id").to_pylist(), dtype=object)
    return generation, ids, matrix / np.where(norms, norms, 1), {pid: i for i, pid in enumerate(ids)}


def _set_meta(con, dims: int, model: str, *, table: str = DEFAULT_TABLE) -> None:  # noqa: ANN001
    con.execute("DELETE FROM search_meta")
    con.execute("INSERT INTO search_meta VALUES ('model', ?), ('dims', ?), ('generation', ?), ('table', ?), "
                "('identity', ?), ('terms_sorted', '0')", [model, str(dims), uuid.uuid4().hex, table, uuid.uuid4().hex])


def _sorted_rows(con) -> int:  # noqa: ANN001
    """Postings rows in term order since the last clustering (lexical.cluster)."""
    row = con.execute("SELECT value FROM search_meta WHERE key = 'terms_sorted'").fetchone()
    return int(row[0]) if row else 0


def _set_sorted(con, rows: int) -> None:  # noqa: ANN001
    con.execute("INSERT OR REPLACE INTO search_meta VALUES ('terms_sorted', ?)", [str(rows)])


def _meta(con) -> dict[str, str]:  # noqa: ANN001
    return dict(con.execute("SELECT key, value FROM search_meta").fetchall())


def _live_table(con) -> str:  # noqa: ANN001
    """The table searches read (stores from before the first rebuild have no 'table' key)."""
    row = con.execute("SELECT value FROM search_meta WHERE key = 'table'").fetchone()
    return row[0] if row else DEFAULT_TABLE


def _dims(con) -> int:  # noqa: ANN001
    return int(con.execute("SELECT value FROM search_meta WHERE key = 'dims'").fetchone()[0])


def _drop(con, table: str) -> None:  # noqa: ANN001
    con.execute(f"DROP SCHEMA IF EXISTS fts_main_{table} CASCADE")  # DuckDB fts, before Radar's own postings
    lexical.drop(con, table)
    con.execute(f"DROP TABLE IF EXISTS {table}")


def _touch(con) -> None:  # noqa: ANN001
    """The documents changed: cached vectors must be reloaded."""
    con.execute("INSERT OR REPLACE INTO search_meta VALUES ('generation', ?)", [uuid.uuid4().hex])
