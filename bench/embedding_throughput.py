"""Embedding throughput and retrieval quality: PyTorch (sentence-transformers) against ONNX.

Throughput: documents per second on the same N SciFact abstracts (title + abstract, as Radar
embeds papers), every backend warm (model loaded, ONNX export done) and run in turns in one
process, so the ratios are comparable even on a shared, noisy machine; with ``--rounds R`` each
backend's best round counts.

Quality: SciFact (BEIR test split, 300 queries), dense retrieval by brute-force cosine over all
5,183 abstracts; nDCG@10 and Recall@100 per backend. Corpus vectors are cached in
``bench/out/`` per backend, so only the first run pays for embedding the corpus (PyTorch takes
minutes on 2 cores). Published anchor for all-MiniLM-L6-v2 on SciFact: nDCG@10 0.6451.

    .venv/bin/python bench/embedding_throughput.py [--docs 512] [--rounds 1] [--no-quality] [--json]

Backends: ``torch`` (indexing.embeddings.Embedder, batch 32 and 64), ``onnx-int8`` and
``onnx-fp32`` (indexing.embeddings_onnx.OnnxEmbedder on onnxruntime), and ``openvino`` (the same
fp32 export on OpenVINO, which picks bf16 on CPUs with AMX) when the openvino package imports.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.metrics import ndcg_at, recall_at  # noqa: E402
from bench.scifact import DATA, require_scifact  # noqa: E402

OUT = REPO / "bench" / "out"
MODEL = "all-MiniLM-L6-v2"
ANCHOR_NDCG10 = 0.6451


# --------------------------------------------------------------------------- data


def load_corpus(folder: Path) -> tuple[list[str], list[str]]:
    from indexing.embeddings import document_text

    ids, texts = [], []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            ids.append(str(row["_id"]))
            texts.append(document_text(row.get("title") or "", row.get("text") or ""))
    return ids, texts


def load_test(folder: Path) -> tuple[list[str], list[str], dict[str, dict[str, int]]]:
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / "test.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            queries[str(row["_id"])] = row["text"]
    qids = [q for q in qrels if q in queries]
    return qids, [queries[q] for q in qids], qrels


# --------------------------------------------------------------------------- metrics


def evaluate(doc_ids: list[str], doc_vecs: np.ndarray, qids: list[str], query_vecs: np.ndarray,
             qrels: dict[str, dict[str, int]], depth: int = 100) -> dict[str, float]:
    scores = query_vecs @ doc_vecs.T  # vectors are L2-normalised: dot product = cosine
    top = np.argpartition(-scores, depth, axis=1)[:, :depth]
    ndcg, recall = [], []
    for row, qid in enumerate(qids):
        order = top[row][np.argsort(-scores[row, top[row]], kind="stable")]
        ranked = [doc_ids[i] for i in order]
        ndcg.append(ndcg_at(ranked, qrels[qid], 10))
        recall.append(recall_at(ranked, qrels[qid], 100))
    return {"ndcg@10": float(np.mean(ndcg)), "recall@100": float(np.mean(recall)), "queries": len(qids)}


# --------------------------------------------------------------------------- backends


def make_backends(cache: Path, with_fp32: bool) -> dict[str, Callable[[], object]]:
    from indexing.embeddings import Embedder
    from indexing.embeddings_onnx import OnnxEmbedder

    backends: dict[str, Callable[[], object]] = {
        "torch bs32": lambda: Embedder(MODEL, 32),
        "torch bs64": lambda: Embedder(MODEL, 64),
        "onnx-int8 bs32": lambda: OnnxEmbedder(MODEL, 32, cache),
        "onnx-int8 bs64": lambda: OnnxEmbedder(MODEL, 64, cache),
    }
    if with_fp32:
        backends["onnx-fp32 bs32"] = lambda: OnnxEmbedder(MODEL, 32, cache, quantize=False)
    try:
        import openvino  # noqa: F401
    except ImportError:
        pass
    else:
        backends["openvino bs32"] = lambda: OnnxEmbedder(MODEL, 32, cache, runtime="openvino")
    return backends


def warm(embedder: object) -> float:
    started = time.perf_counter()
    embedder.model  # noqa: B018 - loads (and on the first run exports) the model
    embedder.embed(["warm-up text", "a second, somewhat longer warm-up text"])
    return time.perf_counter() - started


def throughput(backends: dict[str, object], texts: list[str], rounds: int) -> dict[str, dict]:
    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(rounds):
        for name, embedder in backends.items():  # in turns: a noisy neighbour hurts all alike
            started = time.perf_counter()
            vectors[name] = embedder.embed(texts)
            elapsed = time.perf_counter() - started
            best[name] = min(best.get(name, math.inf), elapsed)
    base = best.get("torch bs32") or next(iter(best.values()))
    reference = vectors.get("torch bs32")
    rows = {}
    for name, elapsed in best.items():
        row = {"docs_per_s": len(texts) / elapsed, "seconds": elapsed, "x_torch_bs32": base / elapsed}
        if reference is not None:
            cos = (vectors[name] * reference).sum(axis=1)
            row["min_cos_vs_torch"], row["mean_cos_vs_torch"] = float(cos.min()), float(cos.mean())
        rows[name] = row
    return rows


def corpus_vectors(label: str, embedder: object, doc_ids: list[str], texts: list[str]) -> tuple[np.ndarray, float | None]:
    """The corpus embedded by ``embedder``, from bench/out/ when cached (then no timing)."""
    key = hashlib.sha256(("\n".join(doc_ids) + "\0" + "\n".join(texts) + "\0" + MODEL).encode()).hexdigest()[:16]
    path = OUT / f"scifact-{label}-{key}.npy"
    if path.is_file():
        return np.load(path), None
    started = time.perf_counter()
    vecs = embedder.embed(texts)
    elapsed = time.perf_counter() - started
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vecs)
    os.replace(tmp, path)
    return vecs, len(texts) / elapsed


# --------------------------------------------------------------------------- main


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for package in ("torch", "sentence-transformers", "transformers", "onnxruntime", "onnx", "tokenizers", "openvino"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            pass
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=512, help="abstracts for the throughput figures (default 512)")
    parser.add_argument("--rounds", type=int, default=1, help="throughput rounds; each backend's best counts")
    parser.add_argument("--quality", action=argparse.BooleanOptionalAction, default=True,
                        help="SciFact nDCG@10 / Recall@100 (default on; corpus vectors cached in bench/out/)")
    parser.add_argument("--fp32", action=argparse.BooleanOptionalAction, default=True,
                        help="include onnxruntime fp32 in the throughput table")
    parser.add_argument("--cache", type=Path, default=OUT / "onnx-cache" / "all-minilm-l6-v2",
                        help="where the ONNX export is kept")
    parser.add_argument("--data", type=Path, default=None, help="the SciFact folder (BEIR layout; default $SCIFACT_DIR or ../shared/data/scifact)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()
    args.data = require_scifact(args.data or DATA)

    doc_ids, texts = load_corpus(args.data)
    sample = texts[:args.docs]
    import torch

    report: dict = {"model": MODEL, "docs": len(sample), "rounds": args.rounds, "cpus": os.cpu_count(),
                    "torch_threads": torch.get_num_threads(), "versions": versions()}
    backends = {name: make() for name, make in make_backends(args.cache, args.fp32).items()}
    report["setup_s"] = {name: warm(embedder) for name, embedder in backends.items()}
    report["throughput"] = throughput(backends, sample, args.rounds)

    if args.quality:
        qids, queries, qrels = load_test(args.data)
        report["quality"] = {}
        chosen = {"torch": "torch bs64", "onnx-int8": "onnx-int8 bs64", "openvino": "openvino bs32"}
        for label, name in chosen.items():
            if name not in backends:
                continue
            embedder = backends[name]
            docs, corpus_rate = corpus_vectors(label, embedder, doc_ids, texts)
            metrics = evaluate(doc_ids, docs, qids, embedder.embed(queries), qrels)
            metrics["corpus_docs_per_s"] = corpus_rate  # None when read from the cache
            report["quality"][label] = metrics
        base = report["quality"]["torch"]["ndcg@10"]
        for metrics in report["quality"].values():
            metrics["ndcg_rel_diff_vs_torch"] = (metrics["ndcg@10"] - base) / base

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_tables(report)
    return 0


def print_tables(report: dict) -> None:
    print(f"{report['model']}: {report['docs']} SciFact abstracts, {report['cpus']} CPUs "
          f"(torch threads {report['torch_threads']}), best of {report['rounds']} round(s)")
    print(f"{'backend':<16}{'docs/s':>9}{'x torch32':>11}{'min cos':>10}{'mean cos':>10}{'setup s':>9}")
    for name, row in report["throughput"].items():
        print(f"{name:<16}{row['docs_per_s']:>9.1f}{row['x_torch_bs32']:>11.2f}"
              f"{row.get('min_cos_vs_torch', float('nan')):>10.4f}{row.get('mean_cos_vs_torch', float('nan')):>10.4f}"
              f"{report['setup_s'][name]:>9.1f}")
    if "quality" in report:
        print(f"\nSciFact test ({next(iter(report['quality'].values()))['queries']} queries), dense cosine, "
              f"anchor nDCG@10 {ANCHOR_NDCG10}")
        print(f"{'backend':<12}{'nDCG@10':>9}{'vs torch':>10}{'R@100':>8}{'corpus docs/s':>15}")
        for name, m in report["quality"].items():
            rate = f"{m['corpus_docs_per_s']:.1f}" if m["corpus_docs_per_s"] else "cached"
            print(f"{name:<12}{m['ndcg@10']:>9.4f}{m['ndcg_rel_diff_vs_torch']:>+10.2%}{m['recall@100']:>8.4f}{rate:>15}")
    print("\n" + "  ".join(f"{k} {v}" for k, v in report["versions"].items()))


if __name__ == "__main__":
    raise SystemExit(main())
