"""The local backend's lexical index: Radar's own postings inside the store's DuckDB file, kept
current document by document, and BM25 over them in one aggregate query.

For a documents table ``T`` two tables hold the index:

- ``T_terms`` (term, paper_id, len, title_tf, abstract_tf): one row per distinct term of a
  paper, with how often it occurs in the title and the abstract and the paper's length (its
  terms in both fields, as DuckDB's fts counts it);
- ``T_lengths`` (paper_id, len): every paper's length, also of papers without a single term,
  for the number of documents and the mean length.

Terms are :func:`indexing.analysis.terms` (accents folded, stop words removed, Snowball porter
stems), the one analysis of both backends. A write replaces the rows of the papers it holds, in
the same transaction as their documents, so BM25 sees exactly what the documents table holds
after each commit: no rebuild, no stale index, readers keep the store's semantics.

Scores are DuckDB fts's ``match_bm25`` (k1 = 1.2, b = 0.75, idf = log10((N - df + 0.5) / (df + 0.5)
+ 1): DuckDB's ``log`` is base 10, and the relevance in queries/relevance.py was fitted on these
scores; the length normalised over both fields) summed over the title, weighted by the title
boost, and the abstract: the meaning of the title boost and the parameters is unchanged.

A query reads only the rows of its terms. DuckDB skips row groups by their min/max, so the rows
are kept clustered by term: rows written since the last clustering sit at the end, unsorted,
and are read whole; :func:`cluster` rewrites the table in term order once they exceed
``UNSORTED_SHARE`` of it (geometric: each row is rewritten a bounded number of times).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pyarrow as pa

from indexing.analysis import terms

K1 = 1.2
B = 0.75
UNSORTED_SHARE = 0.10
"""Rewrite the postings in term order once the rows written since the last time exceed this share."""
UNSORTED_MIN_ROWS = 200_000
"""... and this many rows (a small index is read whole in a few milliseconds anyway)."""


def terms_table(table: str) -> str:
    return f"{table}_terms"


def lengths_table(table: str) -> str:
    return f"{table}_lengths"


def create(con, table: str) -> None:  # noqa: ANN001 - a DuckDB connection
    """Empty postings and lengths tables for the documents table ``table``."""
    drop(con, table)
    con.execute(f"CREATE TABLE {terms_table(table)} (term VARCHAR NOT NULL, paper_id VARCHAR NOT NULL, "
                "len INTEGER NOT NULL, title_tf INTEGER NOT NULL, abstract_tf INTEGER NOT NULL)")
    con.execute(f"CREATE TABLE {lengths_table(table)} (paper_id VARCHAR NOT NULL, len INTEGER NOT NULL)")


def drop(con, table: str) -> None:  # noqa: ANN001
    con.execute(f"DROP TABLE IF EXISTS {terms_table(table)}")
    con.execute(f"DROP TABLE IF EXISTS {lengths_table(table)}")


def exists(con, table: str) -> bool:  # noqa: ANN001
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name IN (?, ?)",
                       [terms_table(table), lengths_table(table)]).fetchone()[0] == 2


def postings(paper_ids: Sequence[str], titles: Sequence[str], abstracts: Sequence[str]) -> tuple[pa.Table, pa.Table]:
    """The postings rows and length rows of these papers (pure: analysis only)."""
    term_col: list[str] = []
    paper_col: list[str] = []
    len_col: list[int] = []
    title_col: list[int] = []
    abstract_col: list[int] = []
    lengths: list[int] = []
    for paper_id, title, abstract in zip(paper_ids, titles, abstracts, strict=True):
        in_title, in_abstract = Counter(terms(title)), Counter(terms(abstract))
        length = in_title.total() + in_abstract.total()
        lengths.append(length)
        for term in in_title.keys() | in_abstract.keys():
            term_col.append(term)
            paper_col.append(paper_id)
            len_col.append(length)
            title_col.append(in_title.get(term, 0))
            abstract_col.append(in_abstract.get(term, 0))
    rows = pa.table({"term": pa.array(term_col, pa.string()), "paper_id": pa.array(paper_col, pa.string()),
                     "len": pa.array(len_col, pa.int32()), "title_tf": pa.array(title_col, pa.int32()),
                     "abstract_tf": pa.array(abstract_col, pa.int32())})
    return rows, pa.table({"paper_id": pa.array(list(paper_ids), pa.string()), "len": pa.array(lengths, pa.int32())})


def write(con, table: str, paper_ids: Sequence[str], titles: Sequence[str], abstracts: Sequence[str],  # noqa: ANN001
          *, replacing: Sequence[str] = ()) -> None:
    """Index these papers inside the caller's transaction; ``replacing``: those of them already
    indexed, whose old rows go first (new papers cost no scan of the postings)."""
    if replacing:
        remove(con, table, replacing)
    rows, lengths = postings(paper_ids, titles, abstracts)
    con.register("incoming_terms", rows)
    con.register("incoming_lengths", lengths)
    try:
        con.execute(f"INSERT INTO {terms_table(table)} SELECT * FROM incoming_terms ORDER BY term")
        con.execute(f"INSERT INTO {lengths_table(table)} SELECT * FROM incoming_lengths")
    finally:
        con.unregister("incoming_terms")
        con.unregister("incoming_lengths")


def remove(con, table: str, paper_ids: Sequence[str]) -> None:  # noqa: ANN001
    """Drop these papers' rows, inside the caller's transaction."""
    if not paper_ids:
        return
    con.register("gone_terms", pa.table({"paper_id": pa.array(list(paper_ids), pa.string())}))
    try:
        for name in (terms_table(table), lengths_table(table)):
            con.execute(f"DELETE FROM {name} WHERE paper_id IN (SELECT paper_id FROM gone_terms)")
    finally:
        con.unregister("gone_terms")


def build_from(con, table: str) -> None:  # noqa: ANN001
    """The postings of every document ``table`` holds (an index from before Radar kept its own),
    written in term order."""
    create(con, table)
    reader = con.cursor()  # its own result: writes on ``con`` would end it
    reader.execute(f"SELECT paper_id, title, abstract FROM {table}")
    while batch := reader.fetchmany(5_000):
        ids, titles, abstracts = zip(*batch, strict=True)
        write(con, table, ids, titles, abstracts)
    cluster(con, table)


def unsorted_rows(con, table: str, sorted_rows: int) -> int:  # noqa: ANN001
    """Rows written since the postings were last put in term order (``sorted_rows`` then)."""
    total = con.execute(f"SELECT count(*) FROM {terms_table(table)}").fetchone()[0]
    return max(0, total - sorted_rows)


def needs_clustering(con, table: str, sorted_rows: int) -> bool:  # noqa: ANN001
    unsorted = unsorted_rows(con, table, sorted_rows)
    return unsorted > UNSORTED_MIN_ROWS and unsorted > UNSORTED_SHARE * (sorted_rows + unsorted)


def cluster(con, table: str) -> int:  # noqa: ANN001
    """Rewrite the postings in term order (inside the caller's transaction); the rows now sorted."""
    name = terms_table(table)
    con.execute(f"CREATE TABLE {name}_sorted AS SELECT * FROM {name} ORDER BY term, paper_id")
    con.execute(f"DROP TABLE {name}")
    con.execute(f"ALTER TABLE {name}_sorted RENAME TO {name}")
    return con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a query, in order."""
    return list(dict.fromkeys(terms(query)))


def _double(value: float) -> str:
    return f"{float(value)!r}::DOUBLE"


def _literal(term: str) -> str:
    return "'" + term.replace("'", "''") + "'"


def bm25_sql(table: str, query: Sequence[str], title_boost: float, where: str | None) -> str:
    """One aggregate query: the papers holding any term of ``query`` by BM25, best first; ``where``
    (a condition on ``table``'s columns) restricts them. Parameters: those of ``where``, then k.
    The terms are inlined as literals so that DuckDB prunes row groups by them."""
    terms_in = ", ".join(_literal(t) for t in query)
    restrict = f"AND paper_id IN (SELECT paper_id FROM {table} WHERE {where})" if where else ""
    k1, b, boost = _double(K1), _double(B), _double(title_boost)  # DOUBLE: DuckDB's decimal literals are slower
    norm = f"({k1} * (1 - {b} + {b} * p.len / stats.avgdl))"
    return f"""
        WITH stats AS (SELECT count(*) AS n, coalesce(avg(len), 0) AS avgdl FROM {lengths_table(table)}),
        p AS (SELECT * FROM {terms_table(table)} WHERE term IN ({terms_in})),
        idf AS (SELECT term, log10((stats.n - count(*) + 0.5) / (count(*) + 0.5) + 1) AS idf
                FROM p, stats GROUP BY term, stats.n),
        scored AS (
            SELECT p.paper_id,
                   sum(idf.idf * ({boost} * p.title_tf * ({k1} + 1) / (p.title_tf + {norm})
                                  + p.abstract_tf * ({k1} + 1) / (p.abstract_tf + {norm}))) AS score
            FROM p JOIN idf USING (term), stats GROUP BY p.paper_id)
        SELECT paper_id, score FROM scored WHERE score > 0 {restrict}
        ORDER BY score DESC, paper_id LIMIT ?"""
