"""Writing a brief: evidence, the model (or the extractive writer), the checks, the fallbacks.

Whatever goes wrong with the model, the result is a brief whose every shown citation points to a
given source: a model failure or an answer that survives no check gives the extractive brief with
a notice saying why; a topic the index has nothing on gives an honest empty brief.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from indexing.embeddings import Embedder
from indexing.search.base import SearchBackend
from indexing.store import Store
from queries.brief.answer import Draft, parse_answer
from queries.brief.evidence import choose_sources, find_candidates, number_sources
from queries.brief.extractive import TITLES, extractive_draft
from queries.brief.memo import MemoEmbedder
from queries.brief.prompt import build_messages, prompt_hash
from queries.brief.records import Brief, BriefRequest, KeyPaper, Source, Theme, Timings, Verification
from queries.brief.verify import allowed_links, clean_sentence, strip_citations, verify
from queries.translate import LANGUAGE_NAMES_ZH, QueryReading, language_name, read_query
from radar.errors import LlmError
from radar.settings import BriefSettings

if TYPE_CHECKING:
    from queries.llm import LanguageModel

_CITED = re.compile(r"\[\s*\d")
NOTICES = {
    "extractive": "Extractive brief: no language model is configured (RADAR_LLM__MODEL), so every sentence is "
                  "quoted from the source it cites.",
    "model_failed": "The model {model} could not write this brief ({error}); it is extractive instead: every "
                    "sentence is quoted from the source it cites.",
    "nothing_kept": "None of the {count} sentences the model {model} wrote survived the citation checks; "
                    "this brief is extractive instead.",
    "empty": "Nothing in the index matches “{topic}”{scope}. Try broader words, another --field, or an "
             "earlier --since; `radar status` shows what the store holds.",
    "chinese": "Chinese sentences are checked against the English abstracts mostly through the technical "
               "terms and numbers they share (the embedding model reads English only), so more of them are "
               "flagged than in English.",
    "one_field": "All sources come from one field ({field}): the index holds nothing close on this topic elsewhere.",
    "translated": "The topic is in {name}, which the embedding model does not read: the sources were found "
                  "with its English translation “{translation}” (by {model}).",
    "words_only": "The embedding model reads English only and the topic is in {name}; {why}. The sources "
                  "were found by exact word matches alone (Latin-script terms, names, ids, formulas), not by "
                  "meaning: a topic in English finds them by meaning.",
    "untranslated_no_model": "no language model is configured to translate it (RADAR_LLM__MODEL)",
    "untranslated_model_failed": "the language model {model} could not translate it",
}
NOTICES_ZH = {
    "extractive": "摘录式简报：未配置语言模型（RADAR_LLM__MODEL），每句话都摘自其引用的来源。",
    "model_failed": "模型 {model} 未能写出这份简报（{error}），改为摘录式简报：每句话都摘自其引用的来源。",
    "nothing_kept": "模型 {model} 写出的 {count} 句话没有一句通过引用检查，改为摘录式简报。",
    "empty": "索引中没有与“{topic}”相符的内容{scope}。请换用更宽泛的词、其他 --field 或更早的 --since；"
             "`radar status` 可查看存储的内容。",
    "chinese": "中文句子主要依据与英文摘要共有的术语和数字来核对（嵌入模型只读英文），因此被标记的句子比英文简报多。",
    "one_field": "所有来源都来自同一领域（{field}）：索引中其他领域没有与此主题相近的内容。",
    "quotations": "引文保留论文原文的语言，未作翻译；标题、说明与方法说明为中文。",
    "translated": "主题为{name}，嵌入模型无法读取：来源按其英文译文“{translation}”检索（由 {model} 翻译）。",
    "words_only": "嵌入模型只读英文，而主题为{name}；{why}。来源仅依据字词的精确匹配（拉丁字母术语、人名、编号、公式）"
                  "找到，而非语义：用英文写主题可按语义找到来源。",
    "untranslated_no_model": "未配置可翻译它的语言模型（RADAR_LLM__MODEL）",
    "untranslated_model_failed": "语言模型 {model} 未能翻译它",
}


def notice(language: str, key: str, **values: object) -> str:
    """A notice in the brief's language (Chinese where it has one, else English)."""
    return (NOTICES_ZH if language == "zh" else NOTICES)[key].format(**values)


Progress = Callable[[str, float], None]
"""Told each stage as it starts: retrieving, writing, checking (with the share of the work done)."""


def write_brief(store: Store, backend: SearchBackend, embedder: Embedder, model: LanguageModel | None,
                request: BriefRequest, settings: BriefSettings, *, now: datetime,
                progress: Progress | None = None) -> Brief:
    progress = progress or (lambda stage, done: None)
    timings = Timings()
    embedder = MemoEmbedder(embedder)  # type: ignore[assignment] - same interface, each text embedded once
    embedder.model  # noqa: B018 - load the model before the clock starts: the timings are the brief's own
    started = time.perf_counter()
    progress("retrieving", 0.1)
    reading = read_query(store, model, embedder.name, request.topic)  # a topic the embedding model cannot read
    searched = request if reading.words_only else replace(request, topic=reading.searched)
    candidates = find_candidates(store, backend, embedder, searched, depth=settings.candidates,
                                 min_relevance=settings.min_relevance)
    chosen = choose_sources(candidates, settings.sources, min_fields=settings.min_fields)
    sources = number_sources(store, chosen, abstract_chars=settings.abstract_chars)
    timings.retrieval_ms = _ms_since(started)
    brief = Brief(brief_id=uuid.uuid4().hex[:12], created_at=now, request=request, kind="empty", model=None,
                  prompt_hash=None, title=TITLES[request.language].format(topic=request.topic), sources=sources,
                  timings=timings)
    if not reading.readable:
        brief.notices.append(_reading_notice(reading, request.language))
    if not sources:
        brief.notices.append(notice(request.language, "empty", topic=request.topic, scope=_scope(request)))
        return brief
    progress("writing", 0.3)
    if model is not None:
        _from_model(brief, model, embedder, settings, progress)
    if brief.kind != "llm":
        _from_sources(brief, embedder, settings, progress, searched.topic,
                      notice=None if model is not None else notice(request.language, "extractive"))  # a failed model said why
        if request.language == "zh":
            brief.notices.append(notice("zh", "quotations"))
    if len({s.field for s in sources}) == 1 and len(request.fields) != 1:
        brief.notices.append(notice(request.language, "one_field", field=sources[0].field))
    return brief


def _from_model(brief: Brief, model: LanguageModel, embedder: Embedder, settings: BriefSettings,
                progress: Progress) -> None:
    messages = build_messages(brief.request, brief.sources)
    brief.prompt_hash = prompt_hash(messages)
    started = time.perf_counter()
    try:
        completion = model.complete(messages)
        draft = parse_answer(completion.text, fallback_title=brief.title)
    except LlmError as exc:
        brief.timings.model_ms = _ms_since(started)
        brief.notices.append(notice(brief.request.language, "model_failed", model=model.name, error=exc))
        return
    brief.timings.model_ms = completion.elapsed_ms
    progress("checking", 0.7)
    checked = _apply(brief, draft, embedder, settings)
    if brief.verification.kept + brief.verification.flagged == 0:
        brief.notices.append(notice(brief.request.language, "nothing_kept", count=checked, model=completion.model))
        return
    brief.kind, brief.model = "llm", completion.model
    if brief.request.language == "zh":
        brief.notices.append(notice("zh", "chinese"))


def _from_sources(brief: Brief, embedder: Embedder, settings: BriefSettings, progress: Progress, meaning: str, *,
                  notice: str | None) -> None:
    started = time.perf_counter()
    draft = extractive_draft(embedder, brief.request.topic, brief.sources, brief.request.language, meaning=meaning)
    brief.timings.model_ms = _ms_since(started)
    brief.kind, brief.model, brief.prompt_hash = "extractive", None, None
    progress("checking", 0.7)
    _apply(brief, draft, embedder, settings)
    if notice:
        brief.notices.append(notice)


def _apply(brief: Brief, draft: Draft, embedder: Embedder, settings: BriefSettings) -> int:
    """Check every sentence of ``draft`` and put the results in ``brief``; returns how many were checked."""
    started = time.perf_counter()
    valid_keys = [(n, why if _CITED.search(why) else f"{why.rstrip()} [{n}]".strip())
                  for n, why in draft.key_papers if any(s.number == n for s in brief.sources)]
    texts = [*draft.overview, *(s for _, theme in draft.themes for s in theme), *draft.connections,
             *(why for _, why in valid_keys)]
    tally = Verification()
    checked = verify(texts, brief.sources, embedder, threshold=settings.support_threshold, tally=tally)
    shown = iter(checked)
    brief.title = _heading(draft.title, brief, tally) or brief.title
    brief.overview = _kept(next(shown) for _ in draft.overview)
    brief.themes = [Theme(_heading(name, brief, tally) or "Theme", _kept(next(shown) for _ in sentences))
                    for name, sentences in draft.themes]
    brief.themes = [t for t in brief.themes if t.sentences]
    brief.connections = _kept(next(shown) for _ in draft.connections)
    brief.key_papers = _key_papers(valid_keys, shown, brief.sources)
    brief.verification = tally
    brief.timings.verification_ms = _ms_since(started)
    return len(texts)


def _heading(text: str, brief: Brief, tally: Verification) -> str:
    """A title or theme name of the writer's, without foreign links or any citation (headings cite nothing)."""
    cleaned = clean_sentence(text, set(), allowed_links(brief.sources))
    tally.links_removed += cleaned.links_removed
    return strip_citations(cleaned.text)


def _kept(sentences) -> list:  # noqa: ANN001 - an iterable of Sentence
    """Sentences shown to the reader: verified and flagged ones (dropped ones are only counted)."""
    return [s for s in sentences if s.status != "dropped"]


def _key_papers(valid: list[tuple[int, str]], checked, sources: Sequence[Source]) -> list[KeyPaper]:  # noqa: ANN001
    papers: list[KeyPaper] = []
    for (number, _), sentence in sorted(zip(valid, checked, strict=False), key=lambda pair: pair[0][0]):
        if all(p.number != number for p in papers):
            papers.append(KeyPaper(number, sentence if sentence.status != "dropped" else None))
    if not papers:  # the writer named none: the most relevant sources, without comment
        best = sorted(s.number for s in sorted(sources, key=lambda s: (-s.relevance, s.number))[:3])
        papers = [KeyPaper(number, None) for number in best]  # in citation order
    return papers


def _reading_notice(reading: QueryReading, language: str) -> str:
    """Why the topic was translated, or searched by words only, in the brief's language."""
    name = language_name(reading.language) if language == "en" else LANGUAGE_NAMES_ZH.get(reading.language,
                                                                                          reading.language)
    if not reading.words_only:
        return notice(language, "translated", name=name, translation=reading.translation, model=reading.model)
    why = notice(language, f"untranslated_{reading.problem}", model=reading.model)
    return notice(language, "words_only", name=name, why=why)


def _scope(request: BriefRequest) -> str:
    parts = []
    if request.fields:
        parts.append(f" in {', '.join(request.fields)}")
    if request.since:
        parts.append(f" since {request.since}")
    if request.until:
        parts.append(f" until {request.until}")
    return "".join(parts)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
