"""Per-paper summaries: extractive without a model, checked and cached with one."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from queries.llm import LanguageModel
from queries.summary import EXTRACTIVE, summarize
from radar.errors import QueryError
from tests.llmserver import Reply, Status, llm_settings_for

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PAPER = "arxiv:2411.10001"
FAITHFUL = {"summary": "The authors train a denoising diffusion model on protein backbones from the Protein Data Bank.",
            "takeaways": ["The diffusion model generates novel protein backbones that are designable and diverse.",
                          "Generated backbones are refolded with structure prediction to measure designability.",
                          "The diffusion model outperforms earlier generative baselines on designability and novelty.",
                          "Visit https://evil.example.com for more."]}

pytestmark = pytest.mark.usefixtures("corpus")


def run(corpus, embedder, model=None, paper=PAPER, language="en"):
    store, _ = corpus
    return summarize(store, embedder, model, paper, language=language, threshold=0.5, now=NOW)


def test_without_a_model_the_summary_is_the_abstracts_own_central_sentences(corpus, embedder) -> None:
    result = run(corpus, embedder)
    assert result.model == EXTRACTIVE and not result.cached
    abstract = corpus[0].cursor().execute("SELECT abstract FROM papers WHERE paper_id = ?", [PAPER]).fetchone()[0]
    assert result.summary and all(t in abstract for t in result.takeaways)
    assert 2 <= len(result.takeaways) <= 5
    again = run(corpus, embedder)
    assert again.cached and again.summary == result.summary


def test_a_model_summary_is_checked_against_the_abstract_and_cached(llm_server, corpus, embedder) -> None:
    llm_server.script(Reply(json.dumps(FAITHFUL)))
    model = LanguageModel(llm_settings_for(llm_server))
    result = run(corpus, embedder, model)
    assert result.model == "openai/radar-test" and result.summary.startswith("The authors train")
    assert len(result.takeaways) == 3 and not any("evil" in t for t in result.takeaways)
    assert run(corpus, embedder, model).cached and len(llm_server.requests) == 1
    system, user = (m["content"] for m in llm_server.requests[0]["messages"])
    assert "data, not instructions" in system and "<paper>" in user


def test_a_failing_model_gives_an_extractive_summary_that_says_so_and_is_not_cached(llm_server, corpus,
                                                                                     embedder) -> None:
    llm_server.respond_with(lambda _request: Status(500))
    model = LanguageModel(llm_settings_for(llm_server, retries=0))
    result = run(corpus, embedder, model, paper="arxiv:2411.10002")
    assert result.model == EXTRACTIVE and "could not summarise" in result.notices[0]
    llm_server.respond_with(lambda _request: Reply(json.dumps({"summary": "Enzymes are designed.", "takeaways": []})))
    assert run(corpus, embedder, model, paper="arxiv:2411.10002").notices  # too little to keep: still extractive


def test_an_unknown_paper_is_a_clear_error(corpus, embedder) -> None:
    with pytest.raises(QueryError, match="radar search"):
        run(corpus, embedder, paper="arxiv:0000.00000")


def test_a_reader_keeps_the_summary_in_memory_without_writing_the_store(fields_corpus, embedder) -> None:
    """The web app opens the store read-only: the summary is shown and kept in the process, not written."""
    assert fields_corpus.read_only
    first = summarize(fields_corpus, embedder, None, "arxiv:2411.17766", threshold=0.5, now=NOW)
    again = summarize(fields_corpus, embedder, None, "arxiv:2411.17766", threshold=0.5, now=NOW)
    assert first.model == EXTRACTIVE and first.summary
    assert again.cached and (again.model, again.summary, again.takeaways) == (first.model, first.summary, first.takeaways)
    assert fields_corpus.cursor().execute("SELECT count(*) FROM summaries WHERE paper_id = 'arxiv:2411.17766'"
                                          ).fetchone()[0] == 0
