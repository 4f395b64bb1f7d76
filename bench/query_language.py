"""Queries in other languages: how many of the queries of bench/query_languages/queries.tsv
(Chinese, Japanese, German, French, Russian, English) queries/query_language.py reads right, beside
two language-identification libraries when they are importable (py3langid, lingua), and what a
translated query costs: a first translation (the local test model server over real HTTP, then the
write to the store's cache) against a cache hit (a read-only store, as `radar search` opens it).

    .venv/bin/python bench/query_language.py [--runs 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from queries.query_language import ENGLISH, detect_language  # noqa: E402

QUERIES = Path(__file__).parent / "query_languages" / "queries.tsv"


def load_queries() -> list[tuple[str, str]]:
    """(language, query) pairs of the bench set."""
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, query = line.split("\t", 1)
            rows.append((language, query))
    return rows


def score(detect, rows: list[tuple[str, str]]) -> dict:  # noqa: ANN001 - query -> language code
    """Per language: queries, those whose English-or-not call is right, those whose language is right."""
    table: dict[str, Counter] = {}
    detect(rows[0][1])  # a library loads its model on the first call: not part of a query's cost
    started = time.perf_counter()
    for language, query in rows:
        found = detect(query)
        counts = table.setdefault(language, Counter())
        counts["queries"] += 1
        counts["flagged_right"] += (found != ENGLISH) == (language != ENGLISH)
        counts["exact"] += found == language
    took = (time.perf_counter() - started) / len(rows) * 1e6
    total = sum(table.values(), Counter())
    return {"per_language": {k: dict(v) for k, v in table.items()}, "total": dict(total), "us_per_query": round(took, 1)}


def libraries() -> dict:
    detectors = {}
    try:
        import py3langid

        detectors["py3langid 0.4.0"] = lambda q: py3langid.classify(q)[0]
    except ImportError:
        pass
    try:
        from lingua import LanguageDetectorBuilder

        lingua = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def by_lingua(query: str) -> str:
            found = lingua.detect_language_of(query)
            return found.iso_code_639_1.name.lower() if found else "und"

        detectors["lingua 2.1.1"] = by_lingua
    except ImportError:
        pass
    return detectors


def translation_latency(runs: int) -> dict:
    from indexing.store import open_store
    from queries.llm import LanguageModel
    from queries.translate import read_query
    from tests.llmserver import LlmServer, Reply, llm_settings_for

    server = LlmServer().start()
    server.respond_with(lambda _request: Reply("quantum error correction"))
    model = LanguageModel(llm_settings_for(server, retries=0))
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "radar.duckdb"
            open_store(path).close()  # created and migrated
            misses = []
            with open_store(path, read_only=True) as store:
                for i in range(min(runs, 50)):  # each a new query: a model call, then the cache write
                    started = time.perf_counter()
                    reading = read_query(store, model, "all-MiniLM-L6-v2", f"量子纠错 {i}")
                    misses.append((time.perf_counter() - started) * 1000)
                    assert not reading.cached and reading.translation
                hits = []
                for i in range(runs):
                    started = time.perf_counter()
                    reading = read_query(store, model, "all-MiniLM-L6-v2", f"量子纠错 {i % len(misses)}")
                    hits.append((time.perf_counter() - started) * 1000)
                    assert reading.cached
                english = []
                for _ in range(runs):
                    started = time.perf_counter()
                    read_query(store, model, "all-MiniLM-L6-v2", "quantum error correction")
                    english.append((time.perf_counter() - started) * 1000)
    finally:
        server.stop()
    return {"first_translation": summary(misses), "cache_hit": summary(hits), "english_query": summary(english),
            "model_calls": len(server.requests)}


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = load_queries()
    results = {"detection": {"radar": score(lambda q: detect_language(q).language, rows)}}
    for name, detect in libraries().items():
        results["detection"][name] = score(detect, rows)
    results["translation"] = translation_latency(args.runs)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    languages = list(dict.fromkeys(language for language, _ in rows))
    print("detection: right English-or-not / right language, of n queries")
    print(f"{'detector':18}" + "".join(f"{lang:>10}" for lang in languages) + f"{'all':>10}{'µs/query':>10}")
    for name, found in results["detection"].items():
        cells = [found["per_language"][lang] for lang in languages] + [found["total"]]
        print(f"{name:18}" + "".join(f"{c['flagged_right']:>4}/{c['exact']:<2}/{c['queries']:<2}" for c in cells)
              + f"{found['us_per_query']:>10}")
    t = results["translation"]
    print(f"translation ({t['model_calls']} model calls): first p50 {t['first_translation']['p50_ms']} ms "
          f"p95 {t['first_translation']['p95_ms']} ms; cache hit p50 {t['cache_hit']['p50_ms']} ms "
          f"p95 {t['cache_hit']['p95_ms']} ms; English query (no translation) p50 {t['english_query']['p50_ms']} ms")


if __name__ == "__main__":
    main()
