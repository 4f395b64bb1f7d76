"""Web app latency over HTTP: p50/p95 of /, /search, /paper/{id} and /api/v1/search against a real
`radar serve` (local backend, model warm), at 5,000 and 100,000 papers, side by side; and the
server's resident memory at each size.

The papers are synthetic (titles and abstracts drawn from a fixed vocabulary, one day of 400 new
papers and the rest spread over the year before), so the figures need nothing from ../shared.
Their vectors are random unit vectors of the model's dimension, loaded straight into the local
index and the embeddings cache (as `radar index` leaves them): embedding 100,000 abstracts on 2
cores would take about an hour, and search latency does not depend on what the vectors say. Queries are embedded by the real model, as in production.
Goals (issue 10): p95 <= 150 ms for pages that embed nothing (/), <= 250 ms for search (/search,
/api/v1/search) and for /paper/{id}, which embeds the abstract's sentences for its extractive
summary and runs a vector search for related papers.

    .venv/bin/python bench/web.py [--sizes 5000,100000] [--requests 200] [--json]
                                  [--stores DIR] [--before CHECKOUT]

``--stores DIR`` keeps the built stores in DIR and reuses them on the next run. ``--before
CHECKOUT`` also serves each store from another checkout of Radar (e.g. ``git worktree add
/tmp/before main``), its requests interleaved with this one's so both see the same machine load.
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
    from indexing.embeddings import document_text, text_hash
    from indexing.store.papers import Sighting, upsert
    from indexing.store.search_state import save_vectors

    rng, vectors = random.Random(size), np.random.default_rng(size)

    def cache(con, written: list[SearchDoc]) -> None:  # noqa: ANN001 - the embeddings cache, as `radar index` fills it
        save_vectors(con, model, [d.paper_id for d in written], [text_hash(document_text(d.title, d.abstract)) for d in written],
                     np.asarray([d.vector for d in written], dtype=np.float32))

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
                    cache(con, docs[-len(batch):])
                batch = []
            if i % max(1, size // 50) == 0:
                ids.append(paper.paper_id)
        if batch:
            with store.transaction() as con:
                upsert(con, batch, utc_now())
                cache(con, docs[-len(batch):])
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


def serve(checkout: Path, home: Path) -> tuple[subprocess.Popen, str]:
    """`radar serve` of ``checkout`` over the store in ``home``, started and answering."""
    import httpx

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update(RADAR_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONPATH=str(checkout))
    server = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)], env=env,
                              cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        try:
            if httpx.get(url + "/static/radar.css", timeout=2).status_code == 200:
                return server, url
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            sys.exit(f"radar serve of {checkout} did not start")
        time.sleep(0.25)


def measure(home: Path, ids: list[str], requests: int, checkouts: dict[str, Path], warm: int = 10) -> dict[str, dict]:
    """Figures per checkout; each request goes to every server in turn, so they share the load."""
    import httpx

    servers: dict[str, tuple[subprocess.Popen, str]] = {}
    try:
        for label, checkout in checkouts.items():
            servers[label] = serve(checkout, home)
        day = DAY.date().isoformat()
        paths = {
            "/": lambda i: f"/?day={day}",
            "/search": lambda i: f"/search?q={QUERIES[i % len(QUERIES)].replace(' ', '+')}",
            # timed requests start after the warm-up ones: the first len(ids) - warm views are first views
            "/paper/{id}": lambda i: f"/paper/{ids[i % len(ids)]}",
            "/api/v1/search": lambda i: f"/api/v1/search?q={QUERIES[i % len(QUERIES)].replace(' ', '+')}&k=10",
        }
        figures: dict[str, dict] = {label: {} for label in servers}
        clients = {label: httpx.Client(base_url=url, timeout=120) for label, (_, url) in servers.items()}
        try:
            for name, path in paths.items():
                for i in range(warm):  # warm: caches, the model, the OS file cache
                    for client in clients.values():
                        assert client.get(path(i)).status_code == 200, path(i)
                times: dict[str, list[float]] = {label: [] for label in clients}
                for i in range(warm, warm + requests):
                    for label, client in clients.items():
                        started = time.perf_counter()
                        response = client.get(path(i))
                        times[label].append((time.perf_counter() - started) * 1000)
                        assert response.status_code == 200, (label, path(i), response.status_code)
                for label, taken in times.items():
                    taken.sort()
                    figures[label][name] = {"p50_ms": statistics.median(taken),
                                            "p95_ms": taken[int(0.95 * (len(taken) - 1))]}
        finally:
            for client in clients.values():
                client.close()
        for label, (server, _) in servers.items():
            figures[label]["rss_mib"] = rss_mib(server.pid)
        return figures
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=30)


def table(results: dict[str, dict]) -> str:
    """One row per request, columns per size and checkout (``results``: "size checkout" → figures)."""
    columns = list(results)
    head = "| request | " + " | ".join(f"{c} p50 ms | {c} p95 ms" for c in columns) + " | goal p95 |"
    lines = [head, "|---" * (1 + 2 * len(columns) + 1) + "|"]
    goals = {"/": "150", "/search": "250", "/paper/{id}": "250 (embeds)", "/api/v1/search": "250"}
    for name, goal in goals.items():
        cells = " | ".join(f"{results[c][name]['p50_ms']:.0f} | {results[c][name]['p95_ms']:.0f}" for c in columns)
        lines.append(f"| `{name}` | {cells} | {goal} |")
    lines.append("| server RSS (MiB) | " + " | ".join(f"{results[c]['rss_mib']:.0f} | " for c in columns) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,100000")
    parser.add_argument("--requests", type=int, default=200, help="Timed requests per path and size.")
    parser.add_argument("--warm", type=int, default=10, help="Untimed warm-up requests per path first.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--stores", type=Path, help="Keep the built stores here and reuse them.")
    parser.add_argument("--before", type=Path, help="Also serve from this checkout (e.g. main before a change).")
    args = parser.parse_args()
    from indexing.embeddings import embedder_for
    from radar.settings import load_settings

    embedder = embedder_for(load_settings())
    dims, model = embedder.dims, embedder.name
    work = args.stores or Path(tempfile.mkdtemp(prefix="radar-bench-web-"))
    checkouts = {"before": args.before.resolve(), "after": REPO} if args.before else {"": REPO}
    results = {}
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            home, listed = work / str(size), work / f"{size}.ids.json"
            if args.stores and listed.exists():
                ids = json.loads(listed.read_text())
            else:
                shutil.rmtree(home, ignore_errors=True)
                started = time.perf_counter()
                ids = build(size, home, dims, model)
                listed.write_text(json.dumps(ids))
                print(f"built {size:,} papers in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            for label, figures in measure(home, ids, args.requests, checkouts, args.warm).items():
                results[f"{size:,} {label}".strip()] = figures
    finally:
        if not args.stores:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2) if args.json else table(results))
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; "
          f"{args.requests} sequential requests per path (per server, interleaved), after {args.warm} warm-up ones.")


if __name__ == "__main__":
    main()
