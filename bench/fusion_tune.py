"""Tunes hybrid fusion on BEIR SciFact *train* and reports the choice on test: weighted reciprocal
rank fusion against normalised convex combinations of the cosine and the BM25 score, over the
candidates bench/relevance_fit.py gathered (each query's BM25 top 100 and dense top 100, with
their signals; run it first). nDCG@10 and Recall@100 are computed over those candidates.

    .venv/bin/python bench/fusion_tune.py [--backend local]
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.metrics import ndcg_at, recall_at  # noqa: E402
from bench.scifact import OUT, load_queries  # noqa: E402


def rank_lists(row: dict) -> tuple[list[int], list[int]]:
    """Candidate indices in BM25 order (those BM25 returned) and in dense order."""
    cos, bm25 = row["x"][:, 0], row["x"][:, 1]
    dense = list(np.argsort(-cos, kind="stable"))
    lexical = [i for i in np.argsort(-bm25, kind="stable") if bm25[i] > 0]
    return lexical, dense


def weighted_rrf(row: dict, k: int, w_dense: float) -> list[int]:
    lexical, dense = rank_lists(row)
    scores = np.zeros(len(row["ids"]))
    for rank, i in enumerate(lexical[:100], start=1):
        scores[i] += 1.0 / (k + rank)
    for rank, i in enumerate(dense[:100], start=1):
        scores[i] += w_dense / (k + rank)
    return list(np.argsort(-scores, kind="stable"))


def convex(row: dict, alpha: float, how: str) -> list[int]:
    cos, bm25 = row["x"][:, 0], row["x"][:, 1]
    if how == "minmax":
        cos = (cos - cos.min()) / (np.ptp(cos) or 1.0)
        bm25 = (bm25 - bm25.min()) / (np.ptp(bm25) or 1.0)
    elif how == "max":
        bm25 = bm25 / (bm25.max() or 1.0)
    return list(np.argsort(-(alpha * cos + (1 - alpha) * bm25), kind="stable"))


def score(rows: list[dict], qrels, order) -> tuple[float, float]:
    ndcg = recall = 0.0
    for row in rows:
        ranked = [row["ids"][i].removeprefix("scifact:") for i in order(row)]
        ndcg += ndcg_at(ranked, qrels[row["qid"]])
        recall += recall_at(ranked, qrels[row["qid"]])
    return ndcg / len(rows), recall / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="local")
    args = parser.parse_args()
    cache = OUT / f"relevance-{args.backend}.pickle"
    if not cache.exists():
        sys.exit(f"No {cache}: run bench/relevance_fit.py --backend {args.backend} first.")
    train, test = pickle.loads(cache.read_bytes())
    train_rels, test_rels = load_queries("train")[1], load_queries("test")[1]
    grid: dict[str, object] = {}
    for k, w in itertools.product((5, 10, 20, 40, 60, 100), (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)):
        grid[f"rrf k={k} w_dense={w}"] = lambda r, k=k, w=w: weighted_rrf(r, k, w)
    for how, alpha in itertools.product(("minmax", "max", "raw"), np.arange(0.05, 1.0, 0.05)):
        grid[f"convex {how} alpha={alpha:.2f}"] = lambda r, a=alpha, h=how: convex(r, a, h)
    results = {name: score(train, train_rels, order) for name, order in grid.items()}
    best = sorted(results, key=lambda n: -results[n][0])
    print(f"{'fusion (train)':36} {'nDCG@10':>8} {'R@100':>7}")
    for name in [*best[:12], "rrf k=60 w_dense=1.0"]:
        print(f"{name:36} {results[name][0]:8.4f} {results[name][1]:7.4f}")
    for family in ("rrf", "convex minmax", "convex max", "convex raw"):
        name = next(n for n in best if n.startswith(family))
        ndcg, recall = score(test, test_rels, grid[name])
        print(f"best {family:14} on train: {name:34} test nDCG@10 {ndcg:.4f} R@100 {recall:.4f}")


if __name__ == "__main__":
    main()
