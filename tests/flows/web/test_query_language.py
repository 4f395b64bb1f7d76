"""Queries in other languages in the web app, over real HTTP: `/search` and `/api/v1/search` say
when the embedding model cannot read the query, in the reader's language, and show the English
translation when a language model (the local OpenAI-compatible server) is configured."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.flows.web.conftest import Server, serving
from tests.llmserver import TEST_KEY, TEST_MODEL, LlmServer, Reply

CHINESE = "量子纠错"


def test_the_search_page_says_a_chinese_query_is_searched_by_words_only(client: httpx.Client, server: Server) -> None:
    html = client.get("/search", params={"q": CHINESE}).text
    assert "The embedding model reads English only, and this query is in Chinese." in html
    assert "No language model is configured to translate it (RADAR_LLM__MODEL)." in html
    with server.client(headers={"Accept-Language": "zh-CN"}) as chinese:
        html = chinese.get("/search", params={"q": CHINESE}).text
    assert "嵌入模型只读英文，而此查询为中文。" in html and "未配置可翻译它的语言模型" in html
    assert "reads English only" not in client.get("/search", params={"q": "quantum error correction"}).text


def test_the_api_gives_the_querys_language_and_the_notice(client: httpx.Client) -> None:
    found = client.get("/api/v1/search", params={"q": f"{CHINESE} surface code", "all": 1}).json()
    assert found["mode"] == "bm25" and found["query_language"]["language"] == "zh"
    assert found["query_language"]["problem"] == "no_model" and "reads English only" in found["notices"][0]
    assert all(h["matched_by"] == ["bm25"] for h in found["hits"])  # the Latin terms still match
    english = client.get("/api/v1/search", params={"q": "surface code"}).json()
    assert english["notices"] == [] and english["query_language"]["readable"]


@pytest.fixture
def llm_server() -> LlmServer:
    server = LlmServer().start()
    server.respond_with(lambda _request: Reply("quantum error correction"))
    yield server
    server.stop()


def test_with_a_model_the_query_is_translated_shown_and_cached(web_home: Path, tmp_path: Path,
                                                               llm_server: LlmServer) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy2(web_home / "radar.duckdb", home / "radar.duckdb")  # this server writes translations
    with serving(home, tmp_path / "serve.log", RADAR_LLM__MODEL=TEST_MODEL, RADAR_LLM__API_BASE=llm_server.url,
                 RADAR_LLM__API_KEY=TEST_KEY) as running, running.client() as client:
        html = client.get("/search", params={"q": CHINESE}).text
        assert "searched as its English translation “quantum error correction”" in html
        assert '<li class="paper">' in html
        found = client.get("/api/v1/search", params={"q": CHINESE}).json()
        assert found["mode"] == "hybrid" and found["query_language"]["cached"]
        assert found["query_language"]["translation"] == "quantum error correction" and found["hits"]
        assert "English translation" in found["notices"][0]
    assert len(llm_server.requests) == 1
