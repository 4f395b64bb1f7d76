"""Retrieval quality on BEIR SciFact (5,183 abstracts, 300 test queries): nDCG@10 and Recall@100
for bm25, dense and hybrid on each backend, through Radar's own indexing and search code.

Rankings are also written as TREC run files (``qid Q0 docid rank score tag``) under
bench/out/, so anyone can recompute the figures. Tune on ``--split train``; report ``test``.

    .venv/bin/python bench/scifact.py [--backends local,elasticsearch] [--split test] [--json]

The Elasticsearch backend reads RADAR_ELASTICSEARCH_* (``eval "$(scripts/elasticsearch.sh env)"``).
Embeddings are cached in bench/out/scifact.duckdb, so only the first run embeds the corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.metrics import ndcg_at, recall_at  # noqa: E402

DATA = Path(os.environ.get("SCIFACT_DIR") or REPO.parent / "shared" / "data" / "scifact")
OUT = REPO / "bench" / "out"
MODES = ("bm25", "dense", "hybrid")


def require_scifact(path: Path = DATA) -> Path:
    """The SciFact folder, or exit saying where to get it (only benchmarks read it; the tests never do)."""
    missing = [name for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv") if not (path / name).is_file()]
    if missing:
        sys.exit(f"SciFact not found at {path} (missing {', '.join(missing)}). This benchmark reads BEIR SciFact "
                 "in its BEIR layout: the team keeps it in ../shared/data/scifact beside the checkout; elsewhere, "
                 "download scifact.zip from the BEIR datasets (github.com/beir-cellar/beir), unzip it and set "
                 "SCIFACT_DIR to the folder.")
    return path


def load_corpus() -> list[dict]:
    return [json.loads(line) for line in (DATA / "corpus.jsonl").read_text().splitlines() if line.strip()]


def load_queries(split: str) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (DATA / "qrels" / f"{split}.tsv").read_text().splitlines()[1:]:
        qid, docid, score = line.split("\t")
        qrels[qid][docid] = int(score)
    texts = {q["_id"]: q["text"] for q in map(json.loads, (DATA / "queries.jsonl").read_text().splitlines())}
    return {qid: texts[qid] for qid in qrels}, qrels


def build_store(path: Path):
    """SciFact as Radar papers (id ``scifact:<docid>``), through the store's own upsert."""
    from indexing.records import Paper
    from indexing.store import open_store, utc_now
    from indexing.store.papers import Sighting, upsert

    store = open_store(path)
    count = store.con.execute("SELECT count(*) FROM papers").fetchone()[0]
    corpus = load_corpus()
    if count != len(corpus):
        papers = [Paper(f"scifact:{d['_id']}", "scifact", d["title"] or d["_id"], d["text"], (), ("scifact",), "scifact",
                        "Medicine", None, None, None, None, None, None, None, None, None, None, None) for d in corpus]
        with store.transaction() as con:
            upsert(con, [Sighting(p, "scifact", "bench") for p in papers], utc_now())
    return store


def backend_for(name: str, store):
    from indexing.search import build_backend
    from radar.settings import load_settings

    return build_backend(load_settings(search_backend=name), store)


def evaluate(store, backend, embedder, queries, qrels, tag: str, rrf_k: int) -> dict[str, dict[str, float]]:
    import queries.search as search_module
    from queries.search import search

    search_module.RRF_K = rrf_k
    figures: dict[str, dict[str, float]] = {}
    for mode in MODES:
        ndcg, recall, runs, started = [], [], [], time.perf_counter()
        for qid, text in queries.items():
            # the ranking's quality: hits under the relevance floor (which search leaves out for display) count
            hits = search(store, backend, embedder, text, mode=mode, k=100, include_below_floor=True).hits
            ranked = [h.paper_id.removeprefix("scifact:") for h in hits]
            ndcg.append(ndcg_at(ranked, qrels[qid]))
            recall.append(recall_at(ranked, qrels[qid]))
            runs.extend(f"{qid} Q0 {d} {i + 1} {h.score:.6f} {tag}-{mode}" for i, (d, h) in enumerate(zip(ranked, hits)))
        (OUT / f"scifact-{tag}-{mode}.trec").write_text("\n".join(runs) + "\n")
        figures[mode] = {"ndcg@10": sum(ndcg) / len(ndcg), "recall@100": sum(recall) / len(recall),
                         "seconds": time.perf_counter() - started}
    return figures


def tune(store, backend, embedder, queries, qrels) -> None:
    """Grid over the title boost (BM25) and the RRF constant, from rankings fetched once per query."""
    from indexing.search.base import Filters
    from queries.search import reciprocal_rank_fusion

    dense = {qid: backend.knn(embedder.embed([t])[0], Filters(), 100) for qid, t in queries.items()}
    print("title boost  rrf_k  bm25 nDCG  hybrid nDCG  hybrid R@100")
    for boost in (1.0, 1.5, 2.0, 3.0):
        backend.title_boost = boost
        bm25 = {qid: backend.bm25(t, Filters(), 100) for qid, t in queries.items()}
        bm25_ndcg = sum(ndcg_at([h.paper_id.removeprefix("scifact:") for h in bm25[q]], qrels[q]) for q in queries)
        for rrf_k in (10, 30, 60, 100):
            ndcg = recall = 0.0
            for qid in queries:
                fused = [pid.removeprefix("scifact:") for pid, _, _ in
                         reciprocal_rank_fusion({"bm25": bm25[qid], "dense": dense[qid]}, rrf_k)]
                ndcg += ndcg_at(fused, qrels[qid])
                recall += recall_at(fused, qrels[qid])
            n = len(queries)
            print(f"{boost:11.1f}  {rrf_k:5d}  {bm25_ndcg / n:9.4f}  {ndcg / n:11.4f}  {recall / n:12.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="local", help="comma-separated: local, elasticsearch")
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--rrf-k", type=int, default=60, help="reciprocal rank fusion constant")
    parser.add_argument("--tune", action="store_true", help="grid search title boost and RRF k (use with --split train)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    require_scifact()

    from indexing.embeddings import embedder_for
    from indexing.index import index_papers
    from radar.settings import load_settings

    OUT.mkdir(parents=True, exist_ok=True)
    settings = load_settings()
    embedder = embedder_for(settings)
    store = build_store(OUT / "scifact.duckdb")
    queries, qrels = load_queries(args.split)
    results = {}
    for name in args.backends.split(","):
        backend = backend_for(name, store)
        started = time.perf_counter()
        indexed = index_papers(store, backend, embedder)
        print(f"{name}: indexed {indexed.indexed} ({indexed.embedded} embedded) in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)
        if args.tune:
            tune(store, backend, embedder, queries, qrels)
            return
        results[name] = evaluate(store, backend, embedder, queries, qrels, name, args.rrf_k)
        backend.close()
    if args.json:
        print(json.dumps({"split": args.split, "queries": len(queries), "rrf_k": args.rrf_k, "results": results}, indent=2))
        return
    print(f"SciFact {args.split} ({len(queries)} queries), model {embedder.name}, RRF k={args.rrf_k}")
    print(f"{'backend':14} {'mode':7} {'nDCG@10':>8} {'R@100':>7} {'q/s':>6}")
    for name, modes in results.items():
        for mode, f in modes.items():
            print(f"{name:14} {mode:7} {f['ndcg@10']:8.4f} {f['recall@100']:7.4f} {len(queries) / f['seconds']:6.1f}")
    print("anchors: Elasticsearch BM25 0.665 · all-MiniLM-L6-v2 0.645 · RRF(BM25, bge-base) 0.744")


if __name__ == "__main__":
    main()
