"""Ingest throughput: parse + normalise + upsert, on the demo snapshot replicated to N items.

Each scenario runs in a fresh process so its peak memory (max RSS) is its own. Figures
are printed side by side from one run; compare ratios, not absolute times (the machine
is shared and noisy).

    .venv/bin/python bench/ingest_throughput.py [--items 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SNAPSHOT = REPO / "demo" / "snapshot" / "arxiv-all-2024-11-28.rss.xml"


def build_feed(items: int, folder: Path) -> Path:
    from tests.feedmaker import replicate

    recorded = SNAPSHOT.read_bytes()
    per_copy = recorded.count(b"<item>")
    body = replicate(recorded, -(-items // per_copy))
    # Trim to exactly `items` items.
    cut = 0
    for _ in range(items):
        cut = body.index(b"</item>", cut) + len(b"</item>")
    body = body[:cut] + b"</channel></rss>"
    path = folder / f"arxiv-{items}.xml"
    path.write_bytes(body)
    return path


def _scenario(name: str, feed: str, store_path: str, queue: mp.Queue) -> None:
    from indexing.ingest import ingest_all, to_papers
    from indexing.sources import arxiv_rss
    from indexing.sources.http import HttpFetcher
    from indexing.store import open_store
    from radar.config import FeedSpec
    from radar.settings import HttpSettings

    data = Path(feed).read_bytes()
    started = time.perf_counter()
    if name == "parse":
        count = len(arxiv_rss.parse(data).entries)
    elif name == "parse+normalise":
        count = len(to_papers(arxiv_rss.parse(data).entries, 2000)[0])
    else:  # end to end through ingest_all: read file, parse, normalise, upsert in one transaction
        spec = FeedSpec(name="bench", kind="arxiv-rss", url=Path(feed).as_uri())
        http = HttpSettings(max_body_bytes=2 * len(data))  # the replicated feed is far above the default limit
        with open_store(Path(store_path)) as store, HttpFetcher(http, "bench") as fetcher:
            result = ingest_all(store, [spec], fetcher).feeds[0]
        if result.status == "failed":
            raise SystemExit(f"the benchmark feed failed: {result.error}")
        count = result.new + result.updated + result.unchanged
    seconds = time.perf_counter() - started
    queue.put({"scenario": name, "items": count, "seconds": seconds,
               "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def run(name: str, feed: Path, store: Path) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_scenario, args=(name, str(feed), str(store), queue))
    process.start()
    result = queue.get()
    process.join()
    result["papers_per_s"] = result["items"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000, help="items in the replicated feed")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        feed = build_feed(args.items, folder)
        store = folder / "bench.duckdb"
        results = [run(name, feed, store) for name in
                   ("parse", "parse+normalise", "ingest (empty store)", "ingest again (all unchanged)")]
        results[-1]["scenario"], results[-2]["scenario"] = "ingest again (all unchanged)", "ingest (empty store)"
    if args.json:
        print(json.dumps({"items": args.items, "results": results}, indent=2))
        return
    print(f"Ingest throughput on {args.items:,} arXiv RSS items (snapshot replicated)")
    print(f"{'scenario':32} {'items':>9} {'seconds':>8} {'papers/s':>10} {'peak RSS MB':>12}")
    for r in results:
        print(f"{r['scenario']:32} {r['items']:>9,} {r['seconds']:>8.2f} {r['papers_per_s']:>10,.0f} {r['peak_rss_mb']:>12,.0f}")
    total = 3_000_000 / results[2]["papers_per_s"]
    print(f"\nAt the end-to-end rate, all of arXiv (~3 million papers) would take {total / 60:.1f} minutes.")


if __name__ == "__main__":
    main()
