"""How the embeddings cache stores a vector: little-endian float32 bytes, not FLOAT[]. DuckDB
fetches a few rows of a BLOB column cheaply, while a variable-length list column is decoded whole
to return any of its rows (10 of 100,000 vectors: ~80 ms as FLOAT[], ~5 ms as BLOB)."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa


def vector_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def vectors_as_bytes(con: duckdb.DuckDBPyConnection, *, chunk: int = 20_000) -> None:
    """Migration: rewrite the embeddings cache's FLOAT[] vectors as float32 bytes, chunk by chunk."""
    con.execute("""CREATE TABLE embeddings_bytes (paper_id VARCHAR NOT NULL, model VARCHAR NOT NULL,
                   text_hash VARCHAR NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (paper_id, model))""")
    rows = con.execute("SELECT count(*) FROM embeddings").fetchone()[0]
    for start in range(0, rows, chunk):
        old = con.execute("SELECT paper_id, model, text_hash, vector FROM embeddings ORDER BY paper_id, model "
                          "LIMIT ? OFFSET ?", [chunk, start]).to_arrow_table()
        con.register("old_vectors", pa.table({
            "paper_id": old["paper_id"], "model": old["model"], "text_hash": old["text_hash"],
            "vector": pa.array([vector_bytes(np.asarray(v, dtype=np.float32)) for v in old["vector"].to_pylist()],
                               pa.binary()),
        }))
        con.execute("INSERT INTO embeddings_bytes SELECT * FROM old_vectors")
        con.unregister("old_vectors")
    con.execute("DROP TABLE embeddings")
    con.execute("ALTER TABLE embeddings_bytes RENAME TO embeddings")
