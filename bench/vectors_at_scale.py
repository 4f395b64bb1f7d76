"""Exact k-NN over in-memory vectors at scale, as the local backend answers it (one matrix product
over unit-length float32 rows, indexing/search/local.py), against int8 rows (per-row scale,
scored in chunks converted to float32): memory, p50/p95 latency of one query (k=100) and the
int8 ranking's recall@10 against the exact one.

Random unit vectors (seeded), 384 dimensions like all-MiniLM-L6-v2: the cost of a scan does not
depend on what the vectors mean; the recall of int8 on random vectors is a lower bound (real
embeddings are further apart at the top).

    .venv/bin/python bench/vectors_at_scale.py [--sizes 100000,1000000] [--queries 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

DIMS = 384
K = 100
CHUNK = 65_536


def unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    matrix = np.empty((n, DIMS), dtype=np.float32)
    for start in range(0, n, CHUNK):
        block = rng.standard_normal((min(CHUNK, n - start), DIMS), dtype=np.float32)
        matrix[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return matrix


def top(scores: np.ndarray, k: int) -> np.ndarray:
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best])]


def exact(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    return top(matrix @ query, K)


def quantise(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(matrix).max(axis=1) / 127
    return np.round(matrix / scale[:, None]).astype(np.int8), scale.astype(np.float32)


def int8(codes: np.ndarray, scale: np.ndarray, query: np.ndarray) -> np.ndarray:
    scores = np.empty(len(codes), dtype=np.float32)
    for start in range(0, len(codes), CHUNK):
        scores[start:start + CHUNK] = codes[start:start + CHUNK].astype(np.float32) @ query
    return top(scores * scale, K)


def timed(run, queries: np.ndarray) -> tuple[dict[str, float], list[np.ndarray]]:
    run(queries[0])
    times, answers = [], []
    for query in queries:
        started = time.perf_counter()
        answers.append(run(query))
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": statistics.median(times), "p95_ms": statistics.quantiles(times, n=100)[94]}, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=50)
    args = parser.parse_args()
    print(f"{'vectors':>10} {'float32 MiB':>11} {'p50/p95 ms':>16} {'int8 MiB':>9} {'p50/p95 ms':>16} {'int8 recall@10':>14}")
    for size in map(int, args.sizes.split(",")):
        rng = np.random.default_rng(7)
        matrix = unit_rows(rng, size)
        queries = unit_rows(rng, args.queries)
        full, truth = timed(lambda q: exact(matrix, q), queries)
        codes, scale = quantise(matrix)
        quant, found = timed(lambda q: int8(codes, scale, q), queries)
        recall = statistics.mean(len(set(t[:10]) & set(f[:10])) / 10 for t, f in zip(truth, found, strict=True))
        print(f"{size:>10,} {matrix.nbytes / 2**20:>11,.0f} {full['p50_ms']:>7.1f} /{full['p95_ms']:>7.1f} "
              f"{(codes.nbytes + scale.nbytes) / 2**20:>9,.0f} {quant['p50_ms']:>7.1f} /{quant['p95_ms']:>7.1f} {recall:>14.3f}")
        del matrix, codes, scale


if __name__ == "__main__":
    main()
