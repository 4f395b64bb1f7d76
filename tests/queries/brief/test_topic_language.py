"""A brief on a topic the embedding model cannot read: its sources are found with the topic's
English translation when a model is configured (the local server, over real HTTP), else by words
only; either way the brief says so, in its own language."""

from __future__ import annotations

from datetime import UTC, datetime

from queries.brief import BriefRequest, write_brief
from queries.llm import LanguageModel
from tests.llmserver import Reply, Status, llm_settings_for

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOPIC = "量子纠错"


def test_without_a_model_a_chinese_topic_is_searched_by_words_and_the_brief_says_so(corpus, embedder,
                                                                                     brief_settings) -> None:
    store, backend = corpus
    brief = write_brief(store, backend, embedder, None, BriefRequest(topic=TOPIC), brief_settings, now=NOW)
    assert brief.kind == "empty" and not brief.sources  # no confident nonsense from the dense side
    assert "reads English only and the topic is in Chinese" in brief.notices[0]
    assert "Nothing in the index matches" in brief.notices[1]
    chinese = write_brief(store, backend, embedder, None, BriefRequest(topic=TOPIC, language="zh"), brief_settings,
                          now=NOW)
    assert chinese.notices[0].startswith("嵌入模型只读英文，而主题为中文")


def test_with_a_model_the_sources_are_found_with_the_translation(llm_server, corpus, embedder, brief_settings) -> None:
    store, backend = corpus
    llm_server.script(Reply("protein design with diffusion models"), Status(400))  # the translation, then a failure
    model = LanguageModel(llm_settings_for(llm_server, retries=0))
    brief = write_brief(store, backend, embedder, model, BriefRequest(topic="扩散模型蛋白质设计"), brief_settings,
                        now=NOW)
    assert "arxiv:2411.10001" in {s.paper_id for s in brief.sources}
    assert "English translation “protein design with diffusion models”" in brief.notices[0]
    assert brief.kind == "extractive" and "could not write this brief" in brief.notices[1]
    assert brief.title.startswith("扩散模型蛋白质设计") or "扩散模型蛋白质设计" in brief.title
    assert "<query>扩散模型蛋白质设计</query>" in llm_server.requests[0]["messages"][1]["content"]
