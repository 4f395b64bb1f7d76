"""Briefs over 20 topics on the demo snapshot: how much of the writer's text the checks keep,
how many fields each brief cites, and retrieval plus verification time (writing excluded).

Two writers per topic:
- ``extractive``: no model, sentences quoted from the sources;
- ``adversarial``: a scripted model behind a local OpenAI-compatible server (real HTTP through
  litellm) that answers faithfully but also echoes an injected link, cites a source it was not
  given, misattributes a sentence to another source and makes an uncited and an unsupported claim.
  It shows what the checks catch; a real model's figures depend on the model. The server and
  the scripted writer are the test suite's own (tests/llmserver.py, tests/queries/brief/writer.py).

Goal: 100% of shown citations point to given sources; at least two fields cited in ≥ 80% of
briefs where the index holds them; retrieval + verification under 2 s.

    .venv/bin/python bench/briefs.py [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUT = REPO / "bench" / "out"
TOPICS = [
    "diffusion models for medical image segmentation", "quantum error correction and decoders",
    "reasoning in large language models", "protein structure and design with machine learning",
    "graph neural networks for molecules", "reinforcement learning for robot control",
    "black holes and gravitational waves", "dark matter and cosmological observations",
    "random matrices and probability limit theorems", "climate change and extreme weather",
    "single-cell RNA sequencing analysis", "privacy in federated learning",
    "perception for autonomous driving", "superconductivity in quantum materials",
    "epidemiology of infectious diseases", "interpretability of neural networks",
    "speech recognition and audio processing", "convergence of optimization algorithms",
    "economics of markets and auctions", "gene regulation and transcription",
]
_CITED = re.compile(r"\[(\d+(?:, \d+)*)\]")


def demo_store(path: Path):
    """The demo snapshot, ingested and indexed once (local backend), reused by later runs."""
    from indexing.embeddings import Embedder
    from indexing.index import index_papers
    from indexing.ingest import ingest_all
    from indexing.search.local import LocalBackend
    from indexing.sources.http import HttpFetcher
    from indexing.store import open_store
    from radar.config import load_config
    from radar.settings import HttpSettings

    store = open_store(path)
    embedder = Embedder("all-MiniLM-L6-v2")
    backend = LocalBackend(store)
    if not store.cursor().execute("SELECT count(*) FROM papers").fetchone()[0]:
        with HttpFetcher(HttpSettings(min_interval=0.0), "Radar-bench/0") as fetcher:
            ingest_all(store, load_config(REPO / "demo" / "radar.toml").feeds, fetcher)
        index_papers(store, backend, embedder)
    return store, backend, embedder


def adversarial(request: dict) -> object:
    """A mostly faithful answer with one of each kind of fault the checks must catch."""
    from tests.llmserver import Reply
    from tests.queries.brief.writer import faithful, first_sentence, sources_in

    data = faithful(request)
    sources = sources_in(request)
    last = sources[-1][0]
    data["overview"] += [
        f"Readers should buy the toolkit at https://evil.example.com/offer [{sources[0][0]}].",
        "This settles the question for every field [99].",
        "All of these methods will replace human experts within a year.",
        f"{first_sentence(sources[0][3])} [{last}].",  # misattributed to another source
        f"Bananas ripen faster next to apples in a paper bag [{sources[1][0]}].",
    ]
    return Reply(json.dumps(data, ensure_ascii=False))


def shown_citations(markdown: str, given: set[int]) -> tuple[int, int]:
    """(citations in the body, of which to given sources): the body is everything before Sources."""
    body = markdown.split("\n## Sources")[0].split("\n## 来源")[0]
    numbers = [int(n) for group in _CITED.findall(body) for n in group.split(", ")]
    return len(numbers), sum(n in given for n in numbers)


def caught(brief, markdown: str) -> dict[str, bool]:
    """Which of the adversarial writer's five faults the shown brief is free of."""
    from tests.queries.brief.writer import first_sentence

    shown = [s for s in brief.sentences() if s.status == "verified"]
    last = brief.sources[-1].number
    misattributed = first_sentence(brief.sources[0].abstract)
    body = markdown.split("\n## Sources")[0]
    return {
        "foreign_link": "evil.example.com" not in markdown,
        "invented_citation": "[99]" not in body,
        "uncited_claim": "replace human experts" not in markdown,
        "misattribution": not any(s.text.startswith(misattributed) and last in s.citations for s in shown),
        "unsupported_claim": not any("Bananas" in s.text for s in shown),
    }


def measure(store, backend, embedder, model, topic: str) -> dict:
    from queries.brief import BriefRequest, write_brief
    from queries.brief.render import to_markdown
    from radar.settings import BriefSettings

    brief = write_brief(store, backend, embedder, model, BriefRequest(topic=topic), BriefSettings(),
                        now=datetime.now(UTC))
    v, t = brief.verification, brief.timings
    markdown = to_markdown(brief)
    shown, to_given = shown_citations(markdown, {s.number for s in brief.sources})
    faults = caught(brief, markdown) if model is not None and brief.kind == "llm" else {}
    return {"caught": faults,"topic": topic, "kind": brief.kind, "sources": len(brief.sources),
            "fields_available": len({s.field for s in brief.sources}), "fields_cited": len(brief.fields_cited),
            "checked": v.checked, "kept": v.kept, "flagged": v.flagged, "dropped": v.dropped,
            "citations_checked": v.citations_checked, "citations_supported": v.citations_supported,
            "citations_removed": v.citations_removed, "links_removed": v.links_removed,
            "citations_shown": shown, "citations_to_given": to_given,
            "retrieval_ms": t.retrieval_ms, "verification_ms": t.verification_ms, "writing_ms": t.model_ms}


def summarise(rows: list[dict]) -> dict:
    written = [r for r in rows if r["kind"] != "empty"]
    multi = [r for r in written if r["fields_available"] >= 2]
    total_ms = [r["retrieval_ms"] + r["verification_ms"] for r in written]
    return {
        "briefs": len(written), "empty": len(rows) - len(written),
        "citations_to_given_sources": _share(sum(r["citations_to_given"] for r in written),
                                             sum(r["citations_shown"] for r in written)),
        "support_accepted": _share(sum(r["citations_supported"] for r in written),
                                   sum(r["citations_checked"] for r in written)),
        "sentences_kept": _share(sum(r["kept"] for r in written), sum(r["checked"] for r in written)),
        "sentences_flagged": _share(sum(r["flagged"] for r in written), sum(r["checked"] for r in written)),
        "sentences_dropped": _share(sum(r["dropped"] for r in written), sum(r["checked"] for r in written)),
        "fields_cited_mean": round(statistics.mean(r["fields_cited"] for r in written), 2) if written else 0,
        "two_fields_where_available": _share(sum(r["fields_cited"] >= 2 for r in multi), len(multi)),
        "retrieval_plus_verification_ms_p50": round(statistics.median(total_ms), 1) if total_ms else 0,
        "retrieval_plus_verification_ms_max": round(max(total_ms), 1) if total_ms else 0,
        **{f"caught_{fault}": _share(sum(r["caught"][fault] for r in written), len(written))
           for fault in (written[0]["caught"] if written and written[0]["caught"] else {})},
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    store, backend, embedder = demo_store(OUT / "briefs.duckdb")
    from queries.llm import LanguageModel
    from tests.llmserver import LlmServer, llm_settings_for

    server = LlmServer().start()
    server.respond_with(adversarial)
    writers = {"extractive": None, "adversarial": LanguageModel(llm_settings_for(server, timeout=30.0))}
    measure(store, backend, embedder, None, TOPICS[0])  # warm up: the model loads, caches fill
    rows = {name: [measure(store, backend, embedder, model, topic) for topic in TOPICS]
            for name, model in writers.items()}
    server.stop()
    figures = {name: summarise(r) for name, r in rows.items()}
    (OUT / "briefs.json").write_text(json.dumps({"figures": figures, "rows": rows}, indent=2))
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for name, f in figures.items():
        print(f"\n{name}: {f['briefs']} briefs, {f['empty']} nothing found")
        for key, value in f.items():
            if key not in ("briefs", "empty"):
                print(f"  {key:36} {value}")


if __name__ == "__main__":
    main()
