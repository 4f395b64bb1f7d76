"""The local backend's lexical index at scale: DuckDB fts (rebuilt whole, what Radar used before)
against Radar's own postings (indexing/search/lexical.py, written per batch), on the SciFact
corpus replicated (with new ids) to each size.

Per size and engine, in a fresh process each (peak memory is the process's own maximum RSS):
- fts: the time and peak memory of ``PRAGMA create_fts_index`` over all documents (what every
  ``radar index`` paid before), and BM25 p50/p95 over the SciFact test queries;
- postings: the time and peak memory of writing every document's postings in batches of 5,000,
  then of putting them in term order (lexical.cluster), of one incremental batch of 256 new
  papers (what a ``radar index`` batch adds), and BM25 p50/p95 over the same queries.

    .venv/bin/python bench/lexical_index.py [--sizes 100000,1000000] [--queries 100] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scifact import OUT, load_corpus, load_queries, require_scifact  # noqa: E402

TABLE = "docs"
BATCH = 5_000
INCREMENT = 256


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _replicated(size: int, start: int = 0):
    from indexing.search.base import fold

    corpus = load_corpus()
    for i in range(start, start + size):
        d = corpus[i % len(corpus)]
        yield f"{d['_id']}-{i}", fold(d["title"] or d["_id"]), fold(d["text"])


def _path(size: int, engine: str) -> Path:
    return OUT / f"lexical-{engine}-{size}.duckdb"


def _documents(con, size: int) -> None:  # noqa: ANN001
    import pyarrow as pa

    con.execute(f"CREATE TABLE {TABLE} (paper_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, abstract VARCHAR NOT NULL)")
    rows = list(_replicated(size))
    for start in range(0, size, 50_000):
        ids, titles, abstracts = zip(*rows[start:start + 50_000], strict=True)
        chunk = pa.table({"paper_id": ids, "title": titles, "abstract": abstracts})
        con.execute(f"INSERT INTO {TABLE} SELECT * FROM chunk")


def _latency(run, queries: list[str]) -> dict[str, float]:
    run(queries[0])
    times = []
    for text in queries:
        started = time.perf_counter()
        run(text)
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": statistics.median(times), "p95_ms": statistics.quantiles(times, n=100)[94]}


def measure_fts(size: int, queries: list[str]) -> dict:
    import duckdb
    import duckdb_extension_fts

    path = _path(size, "fts")
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    _documents(con, size)
    con.execute("CHECKPOINT")
    extension = Path(duckdb_extension_fts.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"
    con.execute(f"LOAD '{extension}'")
    before = _peak_mib()
    started = time.perf_counter()
    con.execute(f"PRAGMA create_fts_index('{TABLE}', 'paper_id', 'title', 'abstract', stemmer = 'porter', "
                "stopwords = 'english', overwrite = 1)")
    con.execute("CHECKPOINT")
    figures = {"build_s": time.perf_counter() - started, "peak_mib": _peak_mib(), "peak_before_build_mib": before}
    sql = f"""SELECT paper_id, score FROM (
        SELECT paper_id, coalesce(fts_main_{TABLE}.match_bm25(paper_id, ?, fields := 'title'), 0)
                       + coalesce(fts_main_{TABLE}.match_bm25(paper_id, ?, fields := 'abstract'), 0) AS score
        FROM {TABLE}) WHERE score > 0 ORDER BY score DESC, paper_id LIMIT 100"""
    figures["bm25"] = _latency(lambda q: con.execute(sql, [q, q]).fetchall(), queries)
    con.close()
    path.unlink(missing_ok=True)
    return figures


def measure_postings(size: int, queries: list[str]) -> dict:
    import duckdb

    from indexing.search import lexical

    path = _path(size, "postings")
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    _documents(con, size)
    con.execute("CHECKPOINT")
    before = _peak_mib()
    lexical.create(con, TABLE)
    started = time.perf_counter()
    reader = con.cursor().execute(f"SELECT paper_id, title, abstract FROM {TABLE}")
    while batch := reader.fetchmany(BATCH):
        ids, titles, abstracts = zip(*batch, strict=True)
        con.execute("BEGIN TRANSACTION")
        lexical.write(con, TABLE, ids, titles, abstracts)
        con.execute("COMMIT")
    write_s = time.perf_counter() - started
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    rows = lexical.cluster(con, TABLE)
    con.execute("COMMIT")
    con.execute("CHECKPOINT")
    cluster_s = time.perf_counter() - started
    figures = {"write_s": write_s, "cluster_s": cluster_s, "rows": rows, "peak_mib": _peak_mib(),
               "peak_before_build_mib": before}
    figures["bm25"] = _latency(lambda q: con.execute(
        lexical.bm25_sql(TABLE, lexical.query_terms(q), 1.0, None), [100]).fetchall(), queries)
    ids, titles, abstracts = zip(*_replicated(INCREMENT, start=size), strict=True)
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    lexical.write(con, TABLE, ids, titles, abstracts)
    lexical.needs_clustering(con, TABLE, rows)
    con.execute("COMMIT")
    figures["increment_s"] = time.perf_counter() - started
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    lexical.write(con, TABLE, ids, titles, abstracts, replacing=ids)
    con.execute("COMMIT")
    figures["replace_s"] = time.perf_counter() - started
    figures["bm25_with_unsorted_batch"] = _latency(lambda q: con.execute(
        lexical.bm25_sql(TABLE, lexical.query_terms(q), 1.0, None), [100]).fetchall(), queries)
    con.close()
    path.unlink(missing_ok=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--engines", default="fts,postings")
    parser.add_argument("--queries", type=int, default=100, help="SciFact test queries timed (the first N)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # ENGINE:SIZE, in the child process
    args = parser.parse_args()
    require_scifact()
    OUT.mkdir(parents=True, exist_ok=True)
    queries = list(load_queries("test")[0].values())[:args.queries]
    if args.one:
        engine, size = args.one.split(":")
        measure = measure_fts if engine == "fts" else measure_postings
        print(json.dumps(measure(int(size), queries)))
        return
    results = {}
    for size in map(int, args.sizes.split(",")):
        for engine in args.engines.split(","):
            child = subprocess.run([sys.executable, __file__, "--one", f"{engine}:{size}", "--queries", str(args.queries)],
                                   capture_output=True, text=True, check=False)
            if child.returncode != 0:
                results[f"{engine}@{size}"] = {"error": child.stderr.strip().splitlines()[-1:]}
            else:
                results[f"{engine}@{size}"] = json.loads(child.stdout.strip().splitlines()[-1])
            print(f"done {engine} at {size}: {results[f'{engine}@{size}']}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, f in results.items():
        print(key, json.dumps(f))


if __name__ == "__main__":
    main()
