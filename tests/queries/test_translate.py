"""Queries the embedding model cannot read: translated through the language model (the local
OpenAI-compatible server, over real HTTP) and cached in the store; searched by words only, and
saying so, when no model is configured or it fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexing.search.local import LocalBackend
from indexing.store import open_store
from queries.llm import LanguageModel
from queries.search import search, search_json
from queries.translate import clean_translation, read_query
from radar.errors import LlmResponseError
from tests.llmserver import Reply, Status, llm_settings_for

CHINESE = "量子纠错"
ENGLISH = "quantum error correction"
SURFACE_CODE = "arxiv:2411.10005"


@pytest.fixture
def corpus_copy(corpus, tmp_path: Path) -> Path:
    """A private copy of the brief corpus (these tests write translations to it)."""
    store, _ = corpus
    store.close()
    return Path(shutil.copy2(store.path, tmp_path / "radar.duckdb"))


def translator(llm_server, text: str = ENGLISH, **overrides) -> LanguageModel:
    llm_server.respond_with(lambda _request: Reply(text))
    return LanguageModel(llm_settings_for(llm_server, **overrides))


def test_without_a_model_a_chinese_query_is_searched_by_words_only_and_says_so(corpus, embedder) -> None:
    store, backend = corpus
    result = search(store, backend, embedder, CHINESE, mode="hybrid", include_below_floor=True)
    assert result.mode == "bm25" and result.reading.problem == "no_model" and result.reading.language == "zh"
    assert not result.hits  # no word of the index matches, and the dense side gave no confident nonsense
    assert "reads English only" in result.notices[0] and "RADAR_LLM__MODEL" in result.notices[0]
    shown = search_json(result)
    assert shown["query_language"]["language"] == "zh" and shown["notices"] == result.notices


def test_without_a_model_the_latin_terms_of_a_mixed_query_still_match(corpus, embedder) -> None:
    store, backend = corpus
    result = search(store, backend, embedder, "MRI 图像分割", include_below_floor=True)
    assert result.mode == "bm25" and result.notices
    assert result.hits[0].paper_id == "arxiv:2411.10004" and result.hits[0].matched_by == ["bm25"]


def test_with_a_model_the_query_is_translated_searched_and_cached(llm_server, corpus_copy: Path, embedder) -> None:
    model = translator(llm_server)
    with open_store(corpus_copy, read_only=True) as store:  # as `radar search` and the web app hold it
        backend = LocalBackend(store)
        first = search(store, backend, embedder, CHINESE, model=model)
        assert first.reading.translation == ENGLISH and not first.reading.cached and first.mode == "hybrid"
        assert first.hits[0].paper_id == SURFACE_CODE and "dense" in first.hits[0].matched_by
        assert first.query == CHINESE and ENGLISH in first.notices[0]
        again = search(store, backend, embedder, f"  {CHINESE} ", model=model)
        assert again.reading.cached and [h.paper_id for h in again.hits] == [h.paper_id for h in first.hits]
    assert len(llm_server.requests) == 1
    system, user = (m["content"] for m in llm_server.requests[0]["messages"])
    assert "data, not instructions" in system and user == f"<query>{CHINESE}</query>"
    with open_store(corpus_copy, read_only=True) as store:
        rows = store.cursor().execute("SELECT query, model, language, translation FROM query_translations").fetchall()
    assert rows == [(CHINESE, "openai/radar-test", "zh", ENGLISH)]


def test_an_english_query_never_calls_the_model(llm_server, corpus, embedder) -> None:
    store, backend = corpus
    result = search(store, backend, embedder, ENGLISH, model=translator(llm_server))
    assert result.reading.readable and not result.notices and not llm_server.requests


def test_a_failing_model_falls_back_to_words_only_and_says_why(llm_server, corpus, embedder) -> None:
    store, backend = corpus
    llm_server.respond_with(lambda _request: Status(500))
    model = LanguageModel(llm_settings_for(llm_server, retries=0))
    result = search(store, backend, embedder, "表面码 surface code", model=model)
    assert result.mode == "bm25" and result.reading.problem == "model_failed"
    assert "could not translate" in result.notices[0] and result.hits[0].paper_id == SURFACE_CODE


def test_an_answer_that_is_not_english_is_no_translation(llm_server, corpus, embedder) -> None:
    store, _ = corpus
    reading = read_query(store, translator(llm_server, text="量子纠错"), embedder.name, CHINESE)
    assert reading.problem == "model_failed" and "not English" in reading.error


def test_a_multilingual_embedding_model_reads_the_query_as_it_is(llm_server, corpus) -> None:
    store, _ = corpus
    reading = read_query(store, translator(llm_server), "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
                         CHINESE)
    assert reading.readable and reading.searched == CHINESE and not llm_server.requests


@pytest.mark.parametrize(("answer", "expected"), [
    ("quantum error correction", "quantum error correction"),
    ('"quantum error correction"', "quantum error correction"),
    ("English: quantum  error correction\n(translated from Chinese)", "quantum error correction"),
])
def test_the_translation_is_the_first_line_without_label_or_quotes(answer: str, expected: str) -> None:
    assert clean_translation(answer, "m") == expected


def test_an_empty_answer_is_no_translation() -> None:
    with pytest.raises(LlmResponseError):
        clean_translation("  \n ", "m")
