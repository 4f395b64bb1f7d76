"""Fits the readable relevance of queries/relevance.py on BEIR SciFact *train*, and checks it on test.

For every query, the candidates are the union of the BM25 top 100 and the dense top 100 on the
local backend; each gets the two signals search has for any hit (queries.relevance.signals: the
cosine between query and paper vectors, and the length-normalised BM25), and the label 1 when
SciFact's qrels judge it relevant. A logistic regression (Newton's method, no extra dependency)
turns the signals into a probability of relevance; the floor is the probability that best
separates relevant from not (F1 on train). Prints the coefficients to paste into
queries/relevance.py, then on both splits: AUC, calibration by decile, precision/recall at the
floor, and nDCG@10 / Recall@100 of ranking the candidates by the fitted score against RRF.

    .venv/bin/python bench/relevance_fit.py [--backend local]

Reads ../shared/data/scifact (SCIFACT_DIR) and the index bench/scifact.py builds (run it first).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.metrics import ndcg_at, recall_at, roc_auc  # noqa: E402
from bench.scifact import OUT, backend_for, build_store, load_queries, require_scifact  # noqa: E402

DEPTH = 100


def gather(store, backend, embedder, queries: dict[str, str], qrels) -> list[dict]:
    """Per query: candidate ids, their signals, labels and the RRF order."""
    from indexing.search.base import Filters
    from indexing.store.search_state import vectors_of
    from queries.relevance import signals
    from queries.search import query_terms, reciprocal_rank_fusion

    rows = []
    for qid, text in queries.items():
        vector = embedder.embed([text])[0]
        bm25 = backend.bm25(text, Filters(), DEPTH)
        dense = backend.knn(vector, Filters(), DEPTH)
        ids = list(dict.fromkeys([h.paper_id for h in bm25] + [h.paper_id for h in dense]))
        vectors = vectors_of(store.cursor(), embedder.name, ids)
        found = signals(ids, vector, vectors, bm25, DEPTH, len(query_terms(text)), backend.count())
        rrf = [pid for pid, _, _ in reciprocal_rank_fusion({"bm25": bm25, "dense": dense})]
        rows.append({"qid": qid, "ids": ids, "x": np.array([[c, b] for c, b in (found[i] for i in ids)]),
                     "y": np.array([1.0 if qrels[qid].get(i.removeprefix("scifact:"), 0) > 0 else 0.0 for i in ids]),
                     "rrf": rrf})
    return rows


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 50) -> np.ndarray:
    """Weights (intercept first) of a logistic regression by Newton's method, a little L2 for stability."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + l2 * w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + l2 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def report(name: str, rows: list[dict], qrels, floor: float) -> None:
    from queries.relevance import relevance

    probs = np.concatenate([[relevance(c, b) for c, b in r["x"]] for r in rows])
    labels = np.concatenate([r["y"] for r in rows])
    print(f"\n{name}: {len(rows)} queries, {len(labels)} candidates, {int(labels.sum())} relevant")
    print(f"  AUC {roc_auc(list(probs[labels == 1]), list(probs[labels == 0])):.3f}")
    print("  calibration (predicted -> observed):",
          "  ".join(f"{probs[m].mean():.2f}->{labels[m].mean():.2f}"
                    for lo, hi in ((0, .05), (.05, .1), (.1, .2), (.2, .4), (.4, .6), (.6, 1.01))
                    if (m := (probs >= lo) & (probs < hi)).any()))
    above = probs >= floor
    precision = labels[above].mean() if above.any() else 0.0
    recall = labels[above].sum() / labels.sum()
    answered = np.mean([any(relevance(c, b) >= floor for c, b in r["x"]) for r in rows])
    print(f"  floor {floor:.2f}: precision {precision:.3f}, recall {recall:.3f}, queries with a hit above it {answered:.3f}")
    ndcg_fit = ndcg_rrf = rec_fit = rec_rrf = 0.0
    for r in rows:
        scores = [relevance(c, b) for c, b in r["x"]]
        by_fit = [r["ids"][i].removeprefix("scifact:") for i in np.argsort(-np.asarray(scores), kind="stable")]
        by_rrf = [i.removeprefix("scifact:") for i in r["rrf"]]
        ndcg_fit += ndcg_at(by_fit, qrels[r["qid"]])
        ndcg_rrf += ndcg_at(by_rrf, qrels[r["qid"]])
        rec_fit += recall_at(by_fit, qrels[r["qid"]])
        rec_rrf += recall_at(by_rrf, qrels[r["qid"]])
    n = len(rows)
    print(f"  ranked by relevance: nDCG@10 {ndcg_fit / n:.4f} R@100 {rec_fit / n:.4f} · "
          f"RRF: nDCG@10 {ndcg_rrf / n:.4f} R@100 {rec_rrf / n:.4f}")


def best_floor(rows: list[dict]) -> float:
    from queries.relevance import relevance

    probs = np.concatenate([[relevance(c, b) for c, b in r["x"]] for r in rows])
    labels = np.concatenate([r["y"] for r in rows])
    best, best_f1 = 0.5, -1.0
    for floor in np.arange(0.05, 0.95, 0.01):
        above = probs >= floor
        if not above.any():
            continue
        precision, recall = labels[above].mean(), labels[above].sum() / labels.sum()
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1:
            best, best_f1 = float(floor), f1
    return round(best, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="local")
    parser.add_argument("--fresh", action="store_true", help="gather the candidates again (else the cached ones)")
    args = parser.parse_args()
    require_scifact()

    import queries.relevance as rel
    from indexing.embeddings import embedder_for
    from radar.settings import load_settings

    embedder = embedder_for(load_settings())
    store = build_store(OUT / "scifact.duckdb")
    backend = backend_for(args.backend, store)
    train_q, train_rels = load_queries("train")
    test_q, test_rels = load_queries("test")
    cache = OUT / f"relevance-{args.backend}.pickle"  # the candidates and their signals, kept for reruns
    if cache.exists() and not args.fresh:
        train, test = pickle.loads(cache.read_bytes())
    else:
        train = gather(store, backend, embedder, train_q, train_rels)
        test = gather(store, backend, embedder, test_q, test_rels)
        cache.write_bytes(pickle.dumps((train, test)))
    print("fitted now (train):")
    x = np.vstack([r["x"] for r in train])
    y = np.concatenate([r["y"] for r in train])
    intercept, w_cos, w_bm25 = fit_logistic(x, y)
    print(f"  INTERCEPT = {intercept:.3f}\n  COSINE_WEIGHT = {w_cos:.3f}\n  BM25_WEIGHT = {w_bm25:.3f}")
    in_code = (rel.INTERCEPT, rel.COSINE_WEIGHT, rel.BM25_WEIGHT, rel.FLOOR)
    rel.INTERCEPT, rel.COSINE_WEIGHT, rel.BM25_WEIGHT = intercept, w_cos, w_bm25
    print(f"  FLOOR = {best_floor(train)} (best F1 on train)")
    rel.INTERCEPT, rel.COSINE_WEIGHT, rel.BM25_WEIGHT, rel.FLOOR = in_code
    print(f"\nwith the coefficients in queries/relevance.py ({in_code}):")
    report("train", train, train_rels, rel.FLOOR)
    report("test", test, test_rels, rel.FLOOR)


if __name__ == "__main__":
    main()
