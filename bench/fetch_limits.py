"""Fetch limits, before and after, side by side: peak memory while fetching a 1 GB body, and the
time it takes to give up on a server that sends one byte a second.

"Before" runs another checkout's code (``--before /path/to/old/checkout``, e.g. `git worktree add /tmp/radar-before <commit>` at the
commit before the limits); "after" runs this one. Each fetch runs in a fresh process, so its peak
memory (max RSS) is its own; each is capped (address space, and wall time for the slow server:
``--cap``) so the old code cannot take the machine down, and a capped figure is reported as such.

    .venv/bin/python bench/fetch_limits.py --before /tmp/radar-before [--size-mb 1024] [--cap 60] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024

# Runs in the child, against whichever checkout is first on PYTHONPATH.
CHILD = r"""
import json, os, resource, sys, threading, time
from indexing.sources.http import HttpFetcher
from radar.settings import HttpSettings
url, timeout, deadline, cap = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
fields = dict(timeout=timeout, retries=0, min_interval=0.0, host_intervals={})
if "deadline" in HttpSettings.model_fields:
    fields["deadline"] = deadline
fetcher = HttpFetcher(HttpSettings(**fields), "radar-bench")

def report(outcome, capped=False):
    print(json.dumps({"seconds": time.monotonic() - start, "outcome": outcome, "capped": capped,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
    os._exit(0)

threading.Timer(cap, report, [f"still fetching when the bench stopped it at {cap:g} s", True]).start()
start = time.monotonic()
try:
    fetched = fetcher.get(url)
    report(f"accepted {len(fetched.content) / 2**20:.0f} MiB")
except MemoryError:
    report("MemoryError (hit the bench's address-space cap)", True)
except Exception as exc:
    report(f"{type(exc).__name__}: {exc}"[:160])
"""


class Server:
    """/big: ``size`` bytes, no Content-Length (so only streaming can refuse it); /slow: one byte a second."""

    def __init__(self, size: int) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if self.path == "/big":
                        chunk = b" " * MIB
                        for _ in range(size // MIB):
                            self.wfile.write(chunk)
                    else:
                        for _ in range(100_000):
                            self.wfile.write(b" ")
                            self.wfile.flush()
                            time.sleep(1.0)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        outer.port = self.httpd.server_port

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def fetch(root: Path, url: str, *, timeout: float, deadline: float, cap_s: float, cap_mib: int) -> dict:
    """One fetch in a fresh process running ``root``'s code; its time counts from the request, not imports."""
    env = {**os.environ, "PYTHONPATH": str(root), "CHILD": CHILD}
    limit = f"ulimit -v {cap_mib * 1024}; exec {sys.executable} -c \"$CHILD\" \"$@\""
    done = subprocess.run(["bash", "-c", limit, "bench", url, str(timeout), str(deadline), str(cap_s)],
                          env=env, capture_output=True, text=True, timeout=cap_s + 300, cwd=root)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"seconds": float("nan"), "outcome": f"crashed: {done.stderr.strip()[-200:]}", "peak_mib": None,
                "capped": True}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, required=True, help="Checkout with the old code.")
    parser.add_argument("--size-mb", type=int, default=1024, help="Size of the big body (MiB).")
    parser.add_argument("--cap", type=float, default=60.0, help="Wall-time cap of one slow fetch (s).")
    parser.add_argument("--cap-mib", type=int, default=6144, help="Address-space cap of one fetch (MiB).")
    parser.add_argument("--timeout", type=float, default=5.0, help="RADAR_HTTP__TIMEOUT of both runs (s).")
    parser.add_argument("--deadline", type=float, default=20.0, help="RADAR_HTTP__DEADLINE of the after run (s).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    server = Server(args.size_mb * MIB)
    with tempfile.TemporaryDirectory() as folder:
        big_file = Path(folder) / "big.xml"
        with big_file.open("wb") as f:  # a sparse file: reads as zeros, takes no disk
            f.truncate(args.size_mb * MIB)
        cases = {
            f"{args.size_mb} MiB HTTP body (no Content-Length)": server.url("/big"),
            f"{args.size_mb} MiB local file": str(big_file),
            "1 byte/s HTTP server": server.url("/slow"),
        }
        rows = []
        for case, url in cases.items():
            for label, root in (("before", args.before), ("after", REPO)):
                cap = args.cap if "1 byte" in case else 600
                result = fetch(root, url, timeout=args.timeout, deadline=args.deadline, cap_s=cap, cap_mib=args.cap_mib)
                rows.append({"case": case, "code": label, **result})
    settings = {"timeout_s": args.timeout, "retries": 0, "deadline_s_after": args.deadline,
                "max_body_after": "64 MiB (default)", "cap_s": args.cap, "cap_mib": args.cap_mib}
    if args.json:
        print(json.dumps({"settings": settings, "rows": rows}, indent=2))
        return
    print(f"settings: {settings}")
    print(f"{'case':44} {'code':7} {'seconds':>8} {'peak MiB':>9}  outcome")
    for r in rows:
        peak = f"{r['peak_mib']:.0f}" if r["peak_mib"] is not None else "n/a"
        print(f"{r['case']:44} {r['code']:7} {r['seconds']:8.1f} {peak:>9}  {r['outcome']}")


if __name__ == "__main__":
    main()
