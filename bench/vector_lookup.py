"""Reading a few cached vectors by paper id out of many: the embeddings cache's old layout (a
variable-length FLOAT[] column) against its layout since migration 15 (float32 bytes in a BLOB).
Search reads the vectors of its hits this way for their relevance, and the paper page for its
related papers, so this is per request.

    .venv/bin/python bench/vector_lookup.py [--rows 100000] [--lookups 10] [--dims 384]

Prints the median and best of 7 lookups per layout, in one run on one file.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexing.store.vectors import vector_bytes, vector_from_bytes  # noqa: E402

LAYOUTS = {"FLOAT[] (before)": "FLOAT[]", "BLOB of float32 (now)": "BLOB"}


def build(path: Path, rows: int, dims: int) -> list[str]:
    vectors = np.random.default_rng(0).standard_normal((rows, dims)).astype(np.float32)
    ids = [f"arxiv:{i:07d}" for i in range(rows)]
    with duckdb.connect(str(path)) as con:
        for name, column in LAYOUTS.items():
            table = _table(name)
            con.execute(f"CREATE TABLE {table} (paper_id VARCHAR, model VARCHAR, vector {column}, "
                        "PRIMARY KEY (paper_id, model))")
            values = (pa.array(list(vectors), pa.list_(pa.float32())) if column != "BLOB"
                      else pa.array([vector_bytes(v) for v in vectors], pa.binary()))
            con.register("loaded", pa.table({"paper_id": ids, "model": ["m"] * rows, "vector": values}))
            con.execute(f"INSERT INTO {table} SELECT * FROM loaded")
            con.unregister("loaded")
    return ids


def lookup(con: duckdb.DuckDBPyConnection, table: str, wanted: list[str]) -> dict[str, np.ndarray]:
    con.register("wanted", pa.table({"paper_id": wanted}))
    rows = con.execute(f"SELECT e.paper_id, e.vector FROM {table} e JOIN wanted USING (paper_id) "
                       "WHERE e.model = 'm'").fetchall()
    con.unregister("wanted")
    return {pid: vector_from_bytes(v) if isinstance(v, bytes) else np.asarray(v, np.float32) for pid, v in rows}


def _table(name: str) -> str:
    return "vectors_blob" if "BLOB" in name else "vectors_list"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=10, help="paper ids looked up at once")
    parser.add_argument("--dims", type=int, default=384)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vectors.duckdb"
        ids = build(path, args.rows, args.dims)
        wanted = [ids[i] for i in np.random.default_rng(1).choice(len(ids), args.lookups, replace=False)]
        with duckdb.connect(str(path), read_only=True) as con:
            print(f"{args.lookups} of {args.rows:,} vectors ({args.dims} dimensions), by paper id:")
            for name in LAYOUTS:
                assert len(lookup(con, _table(name), wanted)) == len(wanted)  # warm, and check
                times = []
                for _ in range(7):
                    start = time.perf_counter()
                    lookup(con, _table(name), wanted)
                    times.append((time.perf_counter() - start) * 1000)
                print(f"  {name:<22} median {statistics.median(times):7.1f} ms   best {min(times):7.1f} ms")


if __name__ == "__main__":
    main()
