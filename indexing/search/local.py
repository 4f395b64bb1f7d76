"""The embedded search backend: DuckDB full-text search (BM25, the ``fts`` extension) plus
cosine similarity over the stored vectors. No server; the default.

Documents live in the store's own file (table ``search_docs``; ``search_meta`` holds its
model, size and identity: a fresh uuid whenever the table is created or rebuilt). DuckDB's
full-text index is static, so ``refresh`` rebuilds it after a load; queries read the last
built index.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import numpy as np
import pyarrow as pa

from indexing.search.base import BackendHit, Filters, IndexReport, SearchDoc, fold
from indexing.store import Store
from radar.errors import ConfigError, IndexMismatchError, SearchError

LOAD_BATCH = 5_000
P = ParamSpec("P")
R = TypeVar("R")


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
    if "fts_main_search_docs" in str(exc):
        raise SearchError("The full-text index is missing (an index run stopped before it finished): "
                          "run `radar index`.") from None
    if "search_docs" in str(exc) or "search_meta" in str(exc):
        raise SearchError("Nothing is indexed yet: run `radar index`.") from None
    raise exc


def fts_extension_path() -> Path:
    """The fts extension shipped by the PyPI package for this exact DuckDB version."""
    import duckdb

    try:
        import duckdb_extension_fts
    except ImportError:
        raise ConfigError("The local search backend needs the package duckdb-extension-fts "
                          f"(version {duckdb.__version__}, matching DuckDB).") from None
    path = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    if not path.exists():
        raise ConfigError(f"duckdb-extension-fts has no build for DuckDB {duckdb.__version__}: install the matching version.")
    return path


class LocalBackend:
    name = "local"

    def __init__(self, store: Store, *, title_boost: float = 1.0) -> None:
        self.store = store
        self.title_boost = float(title_boost)
        self._matrix: tuple[str, np.ndarray, np.ndarray] | None = None

    def _load_fts(self, con) -> None:  # noqa: ANN001 - a DuckDB connection
        con.execute(f"LOAD '{fts_extension_path()}'")

    def prepare(self, *, dims: int, model: str) -> None:
        with self.store.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS search_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
            meta = dict(con.execute("SELECT key, value FROM search_meta").fetchall())
            if not meta or not _has_table(con, "search_docs"):  # none yet, or lost: a new index
                _create_table(con, "search_docs", dims)
                _set_meta(con, dims, model)
                return
            if (meta.get("model"), meta.get("dims")) != (model, str(dims)):
                raise IndexMismatchError(
                    f"The local index was built for {meta.get('model')} ({meta.get('dims')} dimensions), not {model} "
                    f"({dims}). Run `radar reindex` to rebuild it for the configured model.")
            if "identity" not in meta:  # built before indices had an identity
                con.execute("INSERT INTO search_meta VALUES ('identity', ?)", [uuid.uuid4().hex])
            if not _has_announce(con):  # an index of before announce kinds: its papers are all re-sent
                con.execute("ALTER TABLE search_docs ADD COLUMN announce VARCHAR NOT NULL DEFAULT 'new'")

    def identity(self) -> str:
        con = self.store.cursor()
        row = con.execute("SELECT value FROM search_meta WHERE key = 'identity'").fetchone() \
            if _has_table(con, "search_meta") else None
        if row is None:
            raise SearchError("There is no local search index yet: run `radar index` first.")
        return f"local:{row[0]}"

    def index(self, docs: Iterable[SearchDoc]) -> IndexReport:
        return self._load(docs, self._dims(), "search_docs")

    def _require_announce(self) -> None:
        if not _has_announce(self.store.cursor()):
            raise IndexMismatchError("The local index predates announce kinds (new, cross-list, revised): "
                                     "run `radar index` to update it, then filter on them.")

    def _dims(self) -> int:
        row = self.store.cursor().execute("SELECT value FROM search_meta WHERE key = 'dims'").fetchone()
        return int(row[0])

    def _write(self, docs: list[SearchDoc], dims: int, report: IndexReport, table_name: str) -> None:
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
            con.register("incoming_docs", table)
            con.execute(f"INSERT OR REPLACE INTO {table_name} SELECT * FROM incoming_docs")
            con.unregister("incoming_docs")
            _touch(con)
        report.indexed.extend(d.paper_id for d in docs)

    def refresh(self) -> None:
        """Rebuild the full-text index over what is stored (DuckDB's is static)."""
        with self.store.transaction() as con:
            self._build_fts(con)

    def _build_fts(self, con) -> None:  # noqa: ANN001
        self._load_fts(con)
        con.execute("PRAGMA create_fts_index('search_docs', 'paper_id', 'title', 'abstract', "
                    "stemmer = 'porter', stopwords = 'english', overwrite = 1)")
        con.execute("UPDATE search_meta SET value = 'fresh' WHERE key = 'fts'")

    def delete(self, paper_ids: Sequence[str]) -> None:
        with self.store.transaction() as con:
            con.register("gone_ids", pa.table({"paper_id": list(paper_ids)}))
            con.execute("DELETE FROM search_docs WHERE paper_id IN (SELECT paper_id FROM gone_ids)")
            con.unregister("gone_ids")
            _touch(con)

    def rebuild(self, docs: Iterable[SearchDoc], *, dims: int, model: str) -> IndexReport:
        """Load a new table beside the live one, then swap them in one transaction: searches
        see the old index until the commit, the new one after it."""
        with self.store.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS search_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
            _create_table(con, "search_docs_next", dims)
        report = self._load(docs, dims, "search_docs_next")
        with self.store.transaction() as con:
            con.execute("DROP TABLE IF EXISTS search_docs")
            con.execute("ALTER TABLE search_docs_next RENAME TO search_docs")
            _set_meta(con, dims, model)
            self._build_fts(con)
        return report

    def _load(self, docs: Iterable[SearchDoc], dims: int, table_name: str) -> IndexReport:
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

    @_needs_index
    def bm25(self, query: str, filters: Filters, k: int) -> list[BackendHit]:
        if not any(ch.isalnum() for ch in query):
            return []
        query = fold(query)
        con = self.store.cursor()
        self._load_fts(con)
        where, params = self._filters(filters)
        rows = con.execute(f"""
            SELECT paper_id, score FROM (
                SELECT paper_id,
                       {self.title_boost} * coalesce(fts_main_search_docs.match_bm25(paper_id, ?, fields := 'title'), 0)
                       + coalesce(fts_main_search_docs.match_bm25(paper_id, ?, fields := 'abstract'), 0) AS score
                FROM search_docs WHERE {where})
            WHERE score > 0 ORDER BY score DESC, paper_id LIMIT ?""", [query, query, *params, k]).fetchall()
        return [BackendHit(paper_id, float(score)) for paper_id, score in rows]

    @_needs_index
    def knn(self, vector: Sequence[float], filters: Filters, k: int) -> list[BackendHit]:
        if filters == Filters():
            return self._knn_in_memory(np.asarray(vector, dtype=np.float32), k)
        dims = self._dims()
        where, params = self._filters(filters)
        rows = self.store.cursor().execute(f"""
            SELECT paper_id, array_cosine_similarity(vector, ?::FLOAT[{dims}]) AS score
            FROM search_docs WHERE {where} ORDER BY score DESC, paper_id LIMIT ?""",
            [list(map(float, vector)), *params, k]).fetchall()
        return [BackendHit(paper_id, float(score)) for paper_id, score in rows]

    def _knn_in_memory(self, vector: np.ndarray, k: int) -> list[BackendHit]:
        """Unfiltered k-NN as one matrix product over the vectors, loaded once per index generation
        (DuckDB scans row by row; numpy answers 100,000 documents in milliseconds)."""
        row = self.store.cursor().execute("SELECT value FROM search_meta WHERE key = 'generation'").fetchone()
        generation = row[0] if row else ""
        if self._matrix is None or self._matrix[0] != generation:
            table = self.store.cursor().execute("SELECT paper_id, vector FROM search_docs").to_arrow_table()
            dims = table.schema.field("vector").type.list_size
            matrix = table.column("vector").combine_chunks().flatten().to_numpy().reshape(-1, dims)
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            self._matrix = (generation, np.asarray(table.column("paper_id").to_pylist()), matrix / np.where(norms, norms, 1))
        _, ids, matrix = self._matrix
        if not len(ids):
            return []
        norm = np.linalg.norm(vector) or 1.0
        scores = matrix @ (vector / norm)
        top = np.argpartition(-scores, min(k, len(scores)) - 1)[:k]
        order = sorted(top, key=lambda i: (-scores[i], ids[i]))
        return [BackendHit(str(ids[i]), float(scores[i])) for i in order]

    def count(self) -> int:
        con = self.store.cursor()
        return con.execute("SELECT count(*) FROM search_docs").fetchone()[0] if _has_table(con, "search_docs") else 0

    def close(self) -> None:
        pass


def _has_table(con, name: str) -> bool:  # noqa: ANN001 - a DuckDB connection
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()[0] > 0


def _create_table(con, name: str, dims: int) -> None:  # noqa: ANN001 - a DuckDB connection
    con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(f"""
        CREATE TABLE {name} (
            paper_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, abstract VARCHAR NOT NULL,
            field VARCHAR NOT NULL, source VARCHAR NOT NULL, categories VARCHAR[] NOT NULL,
            published TIMESTAMP, vector FLOAT[{int(dims)}] NOT NULL, announce VARCHAR NOT NULL DEFAULT 'new')""")


def _has_announce(con) -> bool:  # noqa: ANN001 - a DuckDB connection
    return con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'search_docs' "
                       "AND column_name = 'announce'").fetchone()[0] > 0


def _set_meta(con, dims: int, model: str) -> None:  # noqa: ANN001
    con.execute("DELETE FROM search_meta")
    con.execute("INSERT INTO search_meta VALUES ('model', ?), ('dims', ?), ('fts', 'stale'), ('generation', ?), "
                "('identity', ?)", [model, str(dims), uuid.uuid4().hex, uuid.uuid4().hex])


def _touch(con) -> None:  # noqa: ANN001
    """The documents changed: the full-text index must be rebuilt, cached vectors reloaded."""
    con.execute("UPDATE search_meta SET value = 'stale' WHERE key = 'fts'")
    con.execute("INSERT OR REPLACE INTO search_meta VALUES ('generation', ?)", [uuid.uuid4().hex])
