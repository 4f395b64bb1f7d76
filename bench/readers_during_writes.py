"""Readers during writes: an ingest and index of N papers while another process reads.

The writer is two processes, one after the other, as the daily job runs them: an ingest of
the demo snapshot replicated to N items with fresh ids (as bench/ingest_throughput.py
builds it), then an index into the local backend. Meanwhile a reader process, every
250 ms, opens the store read-only as a CLI command does and answers `radar status` and a
BM25 `radar search` (store_status + queries.search). Each tick is "answered" unless the
store was busy ("nothing indexed yet" before the first batch counts as answered: the
store replied). "Added wait" is a tick's latency minus the median latency of the same
reader on the idle store before the writer starts.

The embeddings cache is prefilled before the run (random unit vectors stored under each
paper's text hash, exactly the key `radar index` looks up), so the index phase measures
paging, marks and backend work, not the model: embedding 100,000 papers on 2 cores would
take most of an hour. The model is still loaded (for its dimensions).

Each scenario runs against a code tree given by PYTHONPATH: this checkout ("after") and,
with --before DIR, another checkout of Radar ("before", e.g. `git worktree add /tmp/radar-before <commit>`).
Peak memory is the max RSS of the index process (at N pending papers).

    .venv/bin/python bench/readers_during_writes.py [--items 100000] [--before /tmp/radar-before] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PREFILL = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import numpy as np
    from indexing.embeddings import document_text, text_hash
    from indexing.ingest import to_papers
    from indexing.sources import arxiv_rss
    from indexing.store import open_store
    from indexing.store.search_state import save_vectors

    papers, _ = to_papers(arxiv_rss.parse(Path(sys.argv[2]).read_bytes()).entries, 2000)
    rng = np.random.default_rng(0)
    with open_store(Path(sys.argv[1])) as store:
        for start in range(0, len(papers), 10_000):
            chunk = papers[start:start + 10_000]
            vectors = rng.standard_normal((len(chunk), 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            with store.transaction() as con:
                save_vectors(con, "all-MiniLM-L6-v2", [p.paper_id for p in chunk],
                             [text_hash(document_text(p.title, p.abstract)) for p in chunk], vectors)
    print(len(papers))
""")

INGEST = textwrap.dedent("""
    import resource, sys, time
    from pathlib import Path
    from indexing.ingest import ingest_all
    from indexing.sources.http import HttpFetcher
    from indexing.store import open_store
    from radar.config import FeedSpec
    from radar.settings import HttpSettings

    started = time.perf_counter()
    spec = FeedSpec(name="bench", kind="arxiv-rss", url=Path(sys.argv[2]).as_uri())
    http = HttpSettings(max_body_bytes=4 << 30)  # the replicated feed is far bigger than a real one
    with open_store(Path(sys.argv[1])) as store, HttpFetcher(http, "bench") as fetcher:
        feed = ingest_all(store, [spec], fetcher).feeds[0]
    print(f"{feed.new} {time.perf_counter() - started} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}")
""")

INDEX = textwrap.dedent("""
    import inspect, resource, sys, time
    from pathlib import Path
    from indexing.embeddings import Embedder
    from indexing.index import index_papers
    from indexing.search.local import LocalBackend
    from indexing.store import open_store

    started = time.perf_counter()
    with open_store(Path(sys.argv[1])) as store:
        extra = {"batch_size": 256} if "batch_size" in inspect.signature(index_papers).parameters else {}
        result = index_papers(store, LocalBackend(store), Embedder("all-MiniLM-L6-v2"), **extra)
    assert result.embedded == 0, "the embeddings cache was not prefilled"
    print(f"{result.indexed} {time.perf_counter() - started} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}")
""")

READER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from indexing.search.local import LocalBackend
    from indexing.store import open_store
    from queries.search import search
    from queries.status import store_status
    from radar.errors import StoreBusyError

    path, stop, out, interval = Path(sys.argv[1]), Path(sys.argv[2]), open(sys.argv[3], "w"), 0.25
    ticks = int(sys.argv[4])  # 0: until the stop file appears
    n = 0
    while (ticks and n < ticks) or (not ticks and not stop.exists()):
        began, outcome = time.perf_counter(), "answered"
        try:
            with open_store(path, read_only=True) as store:
                store_status(store)
                try:
                    search(store, LocalBackend(store), None, "quantum error correction", mode="bm25")
                except Exception as exc:  # nothing indexed yet: the store answered
                    if isinstance(exc, StoreBusyError):
                        raise
        except StoreBusyError:
            outcome = "busy"
        took = time.perf_counter() - began
        out.write(json.dumps({"at": began, "took": took, "outcome": outcome}) + "\\n")
        out.flush()
        n += 1
        time.sleep(max(0.0, interval - took))
""")


def python(code_root: Path, snippet: str, *args: object, wait: bool = True) -> subprocess.Popen | str:
    env = dict(os.environ, PYTHONPATH=str(code_root))
    process = subprocess.Popen([sys.executable, "-c", snippet, *map(str, args)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=code_root)
    if not wait:
        return process
    out, err = process.communicate()
    if process.returncode:
        raise RuntimeError(f"step failed in {code_root}:\n{err[-3000:]}")
    return (out.strip().splitlines() or [""])[-1]


def open_cost(store: Path, times: int = 20) -> float:
    """Median milliseconds to open the store read-only and close it (the price of a unit of work)."""
    import duckdb

    took = []
    for _ in range(times):
        began = time.perf_counter()
        duckdb.connect(str(store), read_only=True).close()
        took.append(time.perf_counter() - began)
    return 1000 * statistics.median(took)


def scenario(code_root: Path, feed: Path, folder: Path, *, readers: bool) -> dict:
    store = folder / f"{code_root.name}-{'readers' if readers else 'alone'}.duckdb"
    python(code_root, PREFILL, store, feed)
    result: dict = {"code": str(code_root), "readers": readers}
    reader = None
    if readers:
        baseline = folder / "baseline.jsonl"
        python(code_root, READER, store, folder / "never", baseline, 8)
        idle = [json.loads(line)["took"] for line in baseline.read_text().splitlines()[2:]]
        stop, ticks = folder / "stop", folder / f"ticks-{store.stem}.jsonl"
        stop.unlink(missing_ok=True)
        reader = python(code_root, READER, store, stop, ticks, 0, wait=False)
    started = time.perf_counter()
    try:
        for phase, snippet in (("ingest", INGEST), ("index", INDEX)):
            try:
                count, seconds, rss = python(code_root, snippet, store, feed).split()
            except RuntimeError as exc:  # the old code's writer fails when a reader holds the store
                result["failed"] = f"{phase}: {str(exc).strip().splitlines()[-1][:160]}"
                break
            result[phase] = {"papers": int(count), "seconds": float(seconds), "peak_rss_mb": float(rss)}
            if phase == "ingest" and not int(count):
                sys.exit(f"the ingest of {feed} stored no papers in {code_root}: nothing to measure")
        result["writer_seconds"] = time.perf_counter() - started
    finally:
        if reader is not None:
            stop.touch()
            reader.communicate()
    result["open_ms"] = open_cost(store)
    if readers:
        rows = [json.loads(line) for line in ticks.read_text().splitlines()]
        during = [r for r in rows if r["at"] < started + result["writer_seconds"]]
        base = statistics.median(idle)
        added = sorted(max(0.0, r["took"] - base) for r in during if r["outcome"] == "answered")
        result.update({
            "ticks": len(during), "answered_pct": 100 * sum(r["outcome"] == "answered" for r in during) / len(during),
            "idle_tick_s": base,
            "added_wait_p50_s": added[len(added) // 2] if added else None,
            "added_wait_p95_s": added[min(len(added) - 1, int(0.95 * len(added)))] if added else None,
        })
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000, help="papers in the replicated feed")
    parser.add_argument("--before", type=Path, help="another Radar checkout to measure the same way")
    parser.add_argument("--only", choices=("before", "after"), help="measure one code tree only")
    parser.add_argument("--readers", choices=("both", "with", "without"), default="both",
                        help="run the writer with the reader loop, without it, or both")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    from bench.ingest_throughput import build_feed

    trees = [("after", REPO)] if args.only != "before" else []
    if args.before and args.only != "after":
        trees.append(("before", args.before.resolve()))
    modes = {"both": (True, False), "with": (True,), "without": (False,)}[args.readers]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        feed = build_feed(args.items, folder)
        for label, root in trees:
            for readers in modes:
                result = scenario(root, feed, folder, readers=readers)
                result["label"] = label
                results.append(result)
                print(f"  {label} {'with' if readers else 'without'} readers:", json.dumps(result),
                      file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps({"items": args.items, "results": results}, indent=2))
        return
    print(f"Readers during an ingest + index of {args.items:,} papers (embeddings cache prefilled: "
          "the index phase measures paging, marks and the local backend, not the model)")
    print(f"{'':8} {'readers':8} {'writer s':>9} {'ingest s':>9} {'index s':>8} {'index RSS MB':>13} "
          f"{'answered':>9} {'p50 +wait':>10} {'p95 +wait':>10} {'ticks':>6}")
    fmt = lambda v, spec: "-" if v is None else format(v, spec)  # noqa: E731
    for r in results:
        phase = lambda name, key, spec: fmt(r.get(name, {}).get(key), spec)  # noqa: E731
        answered = fmt(r.get("answered_pct"), ".1f") + "%" if r["readers"] else "-"
        print(f"{r['label']:8} {'yes' if r['readers'] else 'no':8} {r['writer_seconds']:>9.1f} "
              f"{phase('ingest', 'seconds', '.1f'):>9} {phase('index', 'seconds', '.1f'):>8} "
              f"{phase('index', 'peak_rss_mb', ',.0f'):>13} {answered:>9} "
              f"{fmt(r.get('added_wait_p50_s'), '.2f'):>10} {fmt(r.get('added_wait_p95_s'), '.2f'):>10} "
              f"{r.get('ticks', '-'):>6}")
        print(f"{'':8} opening the store read-only and closing it: {r['open_ms']:.0f} ms (median of 20)")
        if r.get("failed"):
            print(f"{'':8} the writer FAILED in {r['failed']}")


if __name__ == "__main__":
    main()
