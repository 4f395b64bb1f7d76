"""Web app latency over HTTP: p50/p95 of /, /search, /paper/{id} and /api/v1/search against a real
`radar serve` (local backend, model warm), at 5,000 and 100,000 papers, side by side; and the
server's resident memory at each size.

The papers are synthetic (titles and abstracts drawn from a fixed vocabulary, one day of 400 new
papers and the rest spread over the year before), so the figures need nothing from ../shared.
Their vectors are random unit vectors of the model's dimension, loaded straight into the local
index: embedding 100,000 abstracts on 2 cores would take about an hour, and search latency does
not depend on what the vectors say. Queries are embedded by the real model, as in production.
Goals (issue 10): p95 <= 150 ms for pages that embed nothing (/), <= 250 ms for search (/search,
/api/v1/search) and for /paper/{id}, which embeds the abstract's sentences for its extractive
summary and runs a vector search for related papers.

    .venv/bin/python bench/web.py [--sizes 5000,100000] [--requests 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DAY = datetime(2024, 11, 28, 5, tzinfo=UTC)
FIELDS = ("Computer Science", "Physics", "Biology", "Medicine", "Mathematics", "Quantitative Biology")
CATEGORIES = ("cs.LG", "cs.CL", "cs.CV", "quant-ph", "math.PR", "q-bio.BM")
WORDS = ("protein design diffusion model graph neural network transformer attention quantum circuit error "
         "correction qubit entanglement sampling markov chain random walk tumour imaging segmentation mri "
         "language reasoning retrieval benchmark alignment reinforcement learning policy gradient enzyme "
         "folding structure prediction molecular dynamics lattice spectra cohort trial survival genome "
         "sequencing single cell expression variational inference bayesian optimisation sparse regression").split()
QUERIES = ("protein design with diffusion models", "graph neural networks for molecules", "quantum error correction",
           "random walk mixing time", "mri tumour segmentation", "language model reasoning benchmark",
           "single cell expression atlas", "bayesian optimisation of enzymes")
NEW_ON_DAY = 400


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def build(size: int, home: Path, dims: int, model: str) -> list[str]:
    """A store of ``size`` synthetic papers, indexed with random unit vectors; returns some ids."""
    import numpy as np

    from indexing.records import Paper
    from indexing.search.base import SearchDoc
    from indexing.search.local import LocalBackend
    from indexing.store import open_store, utc_now
    from indexing.store.papers import Sighting, upsert

    rng, vectors = random.Random(size), np.random.default_rng(size)
    home.mkdir(parents=True, exist_ok=True)
    ids, docs = [], []
    with open_store(home / "radar.duckdb") as store:
        batch = []
        for i in range(size):
            published = DAY if i < NEW_ON_DAY else DAY - timedelta(days=1 + i % 365)
            field = FIELDS[i % len(FIELDS)]
            category = CATEGORIES[i % len(CATEGORIES)]
            paper = Paper(paper_id=f"arxiv:2411.{i:05d}" if i < 100_000 else f"arxiv:2412.{i:06d}", source="arxiv",
                          title=text(rng, 9).capitalize(), abstract=". ".join(text(rng, 22).capitalize() for _ in range(7)) + ".",
                          authors=tuple(f"Author {rng.randrange(5000)}" for _ in range(4)), categories=(category,),
                          primary_category=category, field=field, doi=None, journal_ref=None,
                          url=f"https://arxiv.org/abs/2411.{i:05d}", pdf_url=None, license=None, published=published,
                          updated=published, version=1, announce_type="new", section=None, venue=None)
            batch.append(Sighting(paper, "bench", "bench"))
            vector = vectors.standard_normal(dims)
            docs.append(SearchDoc(paper.paper_id, paper.title, paper.abstract, paper.authors, paper.categories, field,
                                  "arxiv", published.replace(tzinfo=None), (vector / np.linalg.norm(vector)).tolist(),
                                  f"bench-{i}"))
            if len(batch) == 5000:
                with store.transaction() as con:
                    upsert(con, batch, utc_now())
                batch = []
            if i % max(1, size // 50) == 0:
                ids.append(paper.paper_id)
        if batch:
            with store.transaction() as con:
                upsert(con, batch, utc_now())
        LocalBackend(store).rebuild(iter(docs), dims=dims, model=model)
    return ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(home: Path, ids: list[str], requests: int) -> dict:
    import httpx

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update(RADAR_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONPATH=str(REPO))
    server = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(url + "/static/radar.css", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("radar serve did not start")
            time.sleep(0.25)
        day = DAY.date().isoformat()
        paths = {
            "/": lambda i: f"/?day={day}",
            "/search": lambda i: f"/search?q={QUERIES[i % len(QUERIES)].replace(' ', '+')}",
            "/paper/{id}": lambda i: f"/paper/{ids[i % len(ids)]}",
            "/api/v1/search": lambda i: f"/api/v1/search?q={QUERIES[i % len(QUERIES)].replace(' ', '+')}&k=10",
        }
        figures = {}
        with httpx.Client(base_url=url, timeout=120) as client:
            for name, path in paths.items():
                for i in range(10):  # warm: caches, the model, the OS file cache
                    assert client.get(path(i)).status_code == 200, path(i)
                times = []
                for i in range(requests):
                    started = time.perf_counter()
                    response = client.get(path(i))
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path(i), response.status_code)
                times.sort()
                figures[name] = {"p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))]}
        figures["rss_mib"] = rss_mib(server.pid)
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def table(results: dict[int, dict]) -> str:
    sizes = list(results)
    head = "| request | " + " | ".join(f"{s:,} p50 ms | {s:,} p95 ms" for s in sizes) + " | goal p95 |"
    lines = [head, "|---" * (1 + 2 * len(sizes) + 1) + "|"]
    goals = {"/": "150", "/search": "250", "/paper/{id}": "250 (embeds)", "/api/v1/search": "250"}
    for name, goal in goals.items():
        cells = " | ".join(f"{results[s][name]['p50_ms']:.0f} | {results[s][name]['p95_ms']:.0f}" for s in sizes)
        lines.append(f"| `{name}` | {cells} | {goal} |")
    lines.append("| server RSS (MiB) | " + " | ".join(f"{results[s]['rss_mib']:.0f} | " for s in sizes) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,100000")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per path and size.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from indexing.embeddings import embedder_for
    from radar.settings import load_settings

    embedder = embedder_for(load_settings())
    dims, model = embedder.dims, embedder.name
    work = Path(tempfile.mkdtemp(prefix="radar-bench-web-"))
    results = {}
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            started = time.perf_counter()
            ids = build(size, work / str(size), dims, model)
            print(f"built {size:,} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            results[size] = measure(work / str(size), ids, args.requests)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2) if args.json else table(results))
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; "
          f"{args.requests} sequential requests per path, after 10 warm-up ones.")


if __name__ == "__main__":
    main()
