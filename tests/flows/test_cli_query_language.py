"""`radar search` and `radar export search` with a query in another language, on a copy of the real
indexed corpus: a notice and words-only results without a model; the English translation, cached
in the store, with one (the local OpenAI-compatible server, over real HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.flows.cli_runner import invoke
from tests.llmserver import TEST_KEY, TEST_MODEL, LlmServer, Reply

CHINESE = "量子纠错"


def test_without_a_model_search_says_it_reads_english_only_and_answers_by_words(corpus_home: Path) -> None:
    result = invoke("search", CHINESE)
    assert result.exit_code == 0, result.output
    assert "reads English only" in result.output and "RADAR_LLM__MODEL" in result.output
    shown = json.loads(invoke("search", f"{CHINESE} qubit", "--json").stdout)
    assert shown["mode"] == "bm25" and shown["query_language"]["problem"] == "no_model"
    assert shown["notices"] and all(h["matched_by"] == ["bm25"] for h in shown["hits"])


def test_with_a_model_search_shows_and_caches_the_translation(corpus_home: Path, llm_server: LlmServer,
                                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    llm_server.respond_with(lambda _request: Reply("quantum error correction"))
    for name, value in {"MODEL": TEST_MODEL, "API_BASE": llm_server.url, "API_KEY": TEST_KEY}.items():
        monkeypatch.setenv(f"RADAR_LLM__{name}", value)
    result = invoke("search", CHINESE)
    assert result.exit_code == 0, result.output
    assert "English translation “quantum error correction”" in " ".join(result.output.split())
    shown = json.loads(invoke("search", CHINESE, "--json").stdout)
    assert shown["query_language"]["cached"] and shown["mode"] == "hybrid" and shown["hits"]
    exported = invoke("export", "search", CHINESE, "--format", "ris", "--output", str(tmp_path / "hits.ris"))
    assert exported.exit_code == 0, exported.output
    assert len(llm_server.requests) == 1
