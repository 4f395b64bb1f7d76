"""Search latency and bulk indexing speed: the SciFact corpus at 5,183 documents and replicated
(with new ids) to 100,000, the 300 test queries, every backend and mode, model already loaded.

Vectors come from the SciFact benchmark's cache (run bench/scifact.py first), so loading
measures the backend alone. Figures: bulk load docs/s, then p50/p95 query latency (ms), which
covers embedding the query, the backend's queries, fusion and reading citation data.

    .venv/bin/python bench/search_latency.py [--sizes 5183,100000] [--backends local,elasticsearch] [--json]
        [--before DIR]

``--before DIR`` measures another checkout (an older commit) the same way, size by size, just
before this one, and prints its figures beside (its bench/out must hold the SciFact cache too).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.scifact import OUT, build_store, load_corpus, load_queries, require_scifact  # noqa: E402
from indexing.store.vectors import vector_from_bytes  # noqa: E402

MODES = ("bm25", "dense", "hybrid")


def cached_vectors() -> dict[str, list[float]]:
    source = build_store(OUT / "scifact.duckdb")
    rows = source.con.execute("SELECT paper_id, vector FROM embeddings").fetchall()
    source.close()
    if not rows:
        sys.exit("No cached SciFact vectors: run bench/scifact.py once first.")
    return {pid.removeprefix("scifact:"): vector_from_bytes(vector).tolist() for pid, vector in rows}


def replicated(size: int) -> list[tuple[str, dict]]:
    corpus = load_corpus()
    return [(f"{d['_id']}" + (f"-{i // len(corpus)}" if i >= len(corpus) else ""), d)
            for i, d in ((i, corpus[i % len(corpus)]) for i in range(size))]


def prepare(size: int, vectors: dict[str, list[float]]):
    """A store holding `size` papers, and their search documents."""
    from indexing.records import Paper
    from indexing.search.base import SearchDoc
    from indexing.store import open_store, utc_now
    from indexing.store.papers import Sighting, upsert

    path = OUT / f"latency-{size}.duckdb"
    path.unlink(missing_ok=True)
    store = open_store(path)
    docs, papers = [], []
    for pid, d in replicated(size):
        paper = Paper(f"scifact:{pid}", "scifact", d["title"] or pid, d["text"], (), ("scifact",), "scifact",
                      "Medicine", None, None, None, None, None, None, None, None, None, None, None)
        papers.append(Sighting(paper, "bench", "bench"))
        docs.append(SearchDoc(paper.paper_id, paper.title, paper.abstract, (), ("scifact",), "Medicine", "scifact",
                              None, vectors[d["_id"]], pid))
    with store.transaction() as con:
        upsert(con, papers, utc_now())
    return store, docs


def measure(name: str, store, docs, embedder, queries, modes=MODES) -> dict:
    from indexing.search import build_backend
    from queries.search import search
    from radar.settings import load_settings

    backend = build_backend(load_settings(search_backend=name), store)
    started = time.perf_counter()
    backend.rebuild(iter(docs), dims=embedder.dims, model=embedder.name)
    load_seconds = time.perf_counter() - started
    figures = {"bulk_docs_per_s": len(docs) / load_seconds}
    for mode in modes:
        search(store, backend, embedder, "warm up", mode=mode)
        times = []
        for text in queries:
            started = time.perf_counter()
            search(store, backend, embedder, text, mode=mode, k=10)
            times.append((time.perf_counter() - started) * 1000)
        cuts = statistics.quantiles(times, n=100)
        figures[mode] = {"p50_ms": statistics.median(times), "p95_ms": cuts[94]}
    backend.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5183,100000")
    parser.add_argument("--backends", default="local,elasticsearch")
    parser.add_argument("--modes", default=",".join(MODES), help="query modes to time; 'none' times the bulk load alone")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--queries", type=int, default=300, help="time the first N test queries")
    parser.add_argument("--before", type=Path, help="another checkout, measured the same way first")
    args = parser.parse_args()
    require_scifact()

    from indexing.embeddings import embedder_for
    from radar.settings import load_settings

    settings = load_settings()
    embedder = embedder_for(settings)
    embedder.model  # noqa: B018 - loaded before any clock starts
    vectors = cached_vectors()
    queries = list(load_queries("test")[0].values())[:args.queries]
    results: dict[str, dict] = {}
    for size in map(int, args.sizes.split(",")):
        if args.before:
            command = [sys.executable, str(args.before / "bench" / "search_latency.py"), "--sizes", str(size),
                       "--backends", args.backends, "--json"]
            if args.queries != 300:  # an older checkout may not know the option
                command += ["--queries", str(args.queries)]
            if args.modes != ",".join(MODES):  # nor this one
                command += ["--modes", args.modes]
            child = subprocess.run(command, capture_output=True, text=True, check=True)
            results.update({f"before {key}": f for key, f in json.loads(child.stdout).items()})
        store, docs = prepare(size, vectors)
        for name in args.backends.split(","):
            modes = () if args.modes == "none" else tuple(args.modes.split(","))
            results[f"{name}@{size}"] = measure(name, store, docs, embedder, queries, modes)
            print(f"done {name} at {size}", file=sys.stderr)
        store.close()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{len(queries)} SciFact test queries, k=10, model {embedder.name} (loaded)")
    print(f"{'backend@docs':31} {'bulk docs/s':>11} " + " ".join(f"{m + ' p50/p95 ms':>22}" for m in MODES))
    for key, f in results.items():
        cells = " ".join(f"{f[m]['p50_ms']:>10.1f} /{f[m]['p95_ms']:>9.1f}" if m in f else f"{'-':>22}" for m in MODES)
        print(f"{key:31} {f['bulk_docs_per_s']:>11,.0f} {cells}")


if __name__ == "__main__":
    main()
