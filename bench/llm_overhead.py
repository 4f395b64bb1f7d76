"""What litellm costs: its import time (fresh interpreters) and the per-call overhead of
LanguageModel.complete against the local test server, compared with a bare httpx POST of
the same request to the same server (so the figure is litellm plus our wrapper, not the model).

    .venv/bin/python bench/llm_overhead.py [--calls 200] [--imports 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from queries.llm import LanguageModel  # noqa: E402
from tests.llmserver import LlmServer, llm_settings_for  # noqa: E402

MESSAGES = [{"role": "system", "content": "You write briefs."}, {"role": "user", "content": "Brief me on MRI."}]
IMPORT_PROBE = ("import os, time; os.environ['LITELLM_LOCAL_MODEL_COST_MAP'] = 'True'; "
                "t = time.perf_counter(); import litellm; print(time.perf_counter() - t)")


def import_seconds(runs: int) -> list[float]:
    return [float(subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True,
                                 check=True).stdout.strip()) for _ in range(runs)]


def per_call_ms(call: object, calls: int) -> list[float]:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--imports", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    imports = import_seconds(args.imports)
    server = LlmServer().start()
    try:
        model = LanguageModel(llm_settings_for(server, retries=0))
        started = time.perf_counter()
        model.complete(MESSAGES)
        first_call_s = time.perf_counter() - started  # includes the lazy import
        body = {"model": "radar-test", "messages": MESSAGES, "max_tokens": 1800, "temperature": 0.2}
        with httpx.Client(timeout=5) as client:
            bare = per_call_ms(lambda: client.post(server.url + "/chat/completions", json=body).json(), args.calls)
        wrapped = per_call_ms(lambda: model.complete(MESSAGES), args.calls)
    finally:
        server.stop()
    figures = {
        "litellm_import_s": round(statistics.median(imports), 2),
        "first_complete_s": round(first_call_s, 2),
        "bare_httpx": summary(bare),
        "language_model_complete": summary(wrapped),
        "overhead_p50_ms": round(statistics.median(wrapped) - statistics.median(bare), 2),
    }
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
