"""Briefs without a model: extractive, cited, across fields, honest when nothing matches; stored."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest

from queries.brief import BriefRequest, save, write_brief
from queries.brief.render import to_html, to_json, to_markdown
from radar.settings import BriefSettings

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def brief_on(corpus, embedder, settings: BriefSettings, topic: str, **request):
    store, backend = corpus
    return write_brief(store, backend, embedder, None, BriefRequest(topic=topic, **request), settings, now=NOW)


def test_extractive_brief_has_the_structure_cites_sources_and_says_what_it_is(corpus, embedder, brief_settings) -> None:
    brief = brief_on(corpus, embedder, brief_settings, "protein design with diffusion models")
    assert brief.kind == "extractive" and brief.model is None
    assert any("Extractive brief" in n for n in brief.notices)
    assert brief.overview and brief.themes and brief.key_papers
    given = {s.number for s in brief.sources}
    for sentence in brief.sentences():
        assert sentence.citations and set(sentence.citations) <= given
    assert len(brief.fields_cited) >= 2  # Computer Science and Quantitative Biology both hold protein diffusion work
    markdown = to_markdown(brief)
    for heading in ("## Overview", "## Themes", "## Key papers", "## Sources", "## Method"):
        assert heading in markdown
    assert "Extractive (no model)" in markdown


def test_quoted_sentences_never_carry_foreign_links_or_markup(corpus, embedder, brief_settings) -> None:
    brief = brief_on(corpus, embedder, brief_settings, "benchmark of protein diffusion models designability")
    assert "arxiv:2411.10008" in [s.paper_id for s in brief.sources]  # the hostile abstract is a source
    text = to_markdown(brief)
    body = text[:text.index("## Sources")]
    assert "evil.example.com" not in body and "[99]" not in body and "<script>" not in body
    html = to_html(brief)
    assert "<script>" not in html and "&lt;script&gt;" in html or "script" not in html


def test_an_enormous_abstract_is_cut_before_it_reaches_the_writer(corpus, embedder, brief_settings) -> None:
    brief = brief_on(corpus, embedder, brief_settings, "sampling protein conformations with diffusion")
    long_one = next(s for s in brief.sources if s.paper_id == "arxiv:2411.10009")
    assert len(long_one.abstract) <= brief_settings.abstract_chars


def test_nothing_found_is_said_plainly_and_nothing_is_written(corpus, embedder, brief_settings) -> None:
    brief = brief_on(corpus, embedder, brief_settings, "sourdough bread baking recipes")
    assert brief.kind == "empty" and not brief.sources and not brief.sentences()
    assert "Nothing in the index matches" in brief.notices[0]
    assert "Nothing in the index matches" in to_markdown(brief)


def test_filters_narrow_the_evidence(corpus, embedder, brief_settings) -> None:
    brief = brief_on(corpus, embedder, brief_settings, "protein design", fields=("Quantitative Biology",))
    assert {s.field for s in brief.sources} == {"Quantitative Biology"}
    assert not any("one field" in n for n in brief.notices)  # one field was asked for: nothing to remark
    later = brief_on(corpus, embedder, brief_settings, "protein design", since=date(2030, 1, 1))
    assert later.kind == "empty" and "since 2030-01-01" in later.notices[0]


def test_chinese_briefs_keep_titles_and_citations(corpus, embedder, brief_settings) -> None:
    brief = brief_on(corpus, embedder, brief_settings, "quantum error correction decoders", language="zh")
    markdown = to_markdown(brief)
    assert brief.title.startswith("简报") and "## 概述" in markdown and "## 来源" in markdown
    assert "Neural decoders for the surface code" in markdown
    # Notices and the method note are in Chinese, and say that quotations stay in the paper's language.
    assert brief.notices and all(re.search(r"[\u4e00-\u9fff]", n) for n in brief.notices)
    assert any("摘录式简报" in n for n in brief.notices) and any("引文保留论文原文的语言" in n for n in brief.notices)
    assert "## 方法说明" in markdown and "摘录式（未使用模型）" in markdown and "Extractive (no model)" not in markdown
    assert "Extractive brief" not in markdown


def test_key_papers_come_in_citation_order_and_themes_are_topics(corpus, embedder, brief_settings) -> None:
    brief = brief_on(corpus, embedder, brief_settings, "protein design with diffusion models")
    numbers = [p.number for p in brief.key_papers]
    assert numbers == sorted(numbers)
    assert brief.themes and not {t.name for t in brief.themes} & {s.field for s in brief.sources}


def test_json_is_complete_and_the_brief_is_stored(corpus, embedder, brief_settings) -> None:
    store, _ = corpus
    brief = brief_on(corpus, embedder, brief_settings, "quantum error correction decoders")
    data = json.loads(json.dumps(to_json(brief)))
    assert data["schema"] == "radar.brief/1" and data["kind"] == "extractive"
    assert {"title", "overview", "themes", "connections", "key_papers", "sources", "verification", "method"} <= set(data)
    save(store, brief)
    row = store.cursor().execute("SELECT kind, sentences_checked, sentences_kept, document FROM briefs "
                                 "WHERE brief_id = ?", [brief.brief_id]).fetchone()
    assert row[0] == "extractive" and row[1] == brief.verification.checked and row[2] == brief.verification.kept
    assert json.loads(row[3])["brief_id"] == brief.brief_id
    numbers = store.cursor().execute("SELECT number, paper_id FROM brief_sources WHERE brief_id = ? ORDER BY number",
                                     [brief.brief_id]).fetchall()
    assert numbers == [(s.number, s.paper_id) for s in brief.sources]


@pytest.mark.parametrize("hostile_topic", ["<script>alert(1)</script> protein diffusion", "protein [99] diffusion"])
def test_hostile_topics_are_escaped_in_html(corpus, embedder, brief_settings, hostile_topic: str) -> None:
    html = to_html(brief_on(corpus, embedder, brief_settings, hostile_topic))
    assert "<script>alert" not in html


def test_a_stored_document_renders_again_exactly(corpus, embedder, brief_settings) -> None:
    from queries.brief.render import from_json

    brief = brief_on(corpus, embedder, brief_settings, "quantum error correction decoders", since=date(2024, 1, 1))
    again = from_json(json.loads(json.dumps(to_json(brief))))
    assert to_markdown(again) == to_markdown(brief) and to_html(again) == to_html(brief)
    assert to_json(again) == to_json(brief)
