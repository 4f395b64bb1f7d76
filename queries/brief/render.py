"""A brief as Markdown, HTML or JSON. Everything that came from a paper or a model is escaped in
HTML; citations link to the numbered source list."""

from __future__ import annotations

import html
import re
from dataclasses import asdict, fields
from datetime import date, datetime
from typing import Any

from queries.brief.records import (Brief, BriefRequest, KeyPaper, Sentence, Source, Theme, Timings,
                                   Verification)

JSON_SCHEMA = "radar.brief/1"
HEADINGS = {
    "en": {"overview": "Overview", "themes": "Themes", "connections": "Cross-field connections",
           "key_papers": "Key papers", "sources": "Sources", "method": "Method", "flag": "unverified"},
    "zh": {"overview": "概述", "themes": "主题", "connections": "跨领域联系", "key_papers": "重点论文",
           "sources": "来源", "method": "方法说明", "flag": "未验证"},
}
_CITATION = re.compile(r"\[(\d+(?:, \d+)*)\]")
CITATION = _CITATION
"""A citation in a brief's sentence: ``[3]`` or ``[2, 5]`` (group 1: the numbers)."""


def to_json(brief: Brief) -> dict[str, Any]:
    data = asdict(brief)
    return {"schema": JSON_SCHEMA, **_plain(data), "fields_cited": brief.fields_cited, "method": method_note(brief)}


def from_json(data: dict[str, Any]) -> Brief:
    """The brief that ``to_json`` wrote (a stored document), to render again in any format."""
    def sentence(d: dict[str, Any] | None) -> Sentence | None:
        return Sentence(**d) if d else None

    def source(d: dict[str, Any]) -> Source:
        published = date.fromisoformat(d["published"]) if d["published"] else None
        return Source(**(d | {"authors": tuple(d["authors"]), "categories": tuple(d["categories"]),
                              "published": published}))

    request = data["request"]
    return Brief(
        brief_id=data["brief_id"], created_at=datetime.fromisoformat(data["created_at"]),
        request=BriefRequest(**(request | {"fields": tuple(request["fields"]),
                                           "since": _day(request["since"]), "until": _day(request["until"])})),
        kind=data["kind"], model=data["model"], prompt_hash=data["prompt_hash"], title=data["title"],
        overview=[Sentence(**d) for d in data["overview"]],
        themes=[Theme(t["name"], [Sentence(**d) for d in t["sentences"]]) for t in data["themes"]],
        connections=[Sentence(**d) for d in data["connections"]],
        key_papers=[KeyPaper(k["number"], sentence(k["why"])) for k in data["key_papers"]],
        sources=[source(d) for d in data["sources"]],
        verification=Verification(**_known(Verification, data["verification"])),
        timings=Timings(**_known(Timings, data["timings"])), notices=list(data["notices"]))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _known(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """The keys ``cls`` has: documents written by an older Radar may lack some, a newer one add some."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in values.items() if k in names}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def method_note(brief: Brief) -> str:
    """How the brief was made, in the brief's language."""
    if brief.request.language == "zh":
        return _method_note_zh(brief)
    v, t = brief.verification, brief.timings
    dates = sorted(s.published for s in brief.sources if s.published)
    span = f"{dates[0]} to {dates[-1]}" if dates else "undated"
    writer = f"Written by {brief.model}" if brief.kind == "llm" else "Extractive (no model)"
    fields = ", ".join(sorted({s.field for s in brief.sources})) or "none"
    return (f"{writer} from {len(brief.sources)} sources found by hybrid search (fields: {fields}; "
            f"published {span}). Checks: {v.checked} sentences checked, {v.kept} kept, {v.flagged} flagged, "
            f"{v.dropped} dropped; {v.citations_removed} citations and {v.links_removed} links removed. "
            f"Retrieval {t.retrieval_ms:.0f} ms, writing {t.model_ms:.0f} ms, verification {t.verification_ms:.0f} ms. "
            f"Brief {brief.brief_id}, {brief.created_at:%Y-%m-%d %H:%M} UTC.")


def _method_note_zh(brief: Brief) -> str:
    v, t = brief.verification, brief.timings
    dates = sorted(s.published for s in brief.sources if s.published)
    span = f"{dates[0]} 至 {dates[-1]}" if dates else "无日期"
    writer = f"由 {brief.model} 撰写" if brief.kind == "llm" else "摘录式（未使用模型），引文保留论文原文的语言"
    fields = "、".join(sorted({s.field for s in brief.sources})) or "无"
    return (f"{writer}；来源 {len(brief.sources)} 篇，由混合检索找到（领域：{fields}；发表于 {span}）。"
            f"核对：共检查 {v.checked} 句，保留 {v.kept} 句，标记 {v.flagged} 句，删除 {v.dropped} 句；"
            f"移除引用 {v.citations_removed} 处、链接 {v.links_removed} 处。"
            f"检索 {t.retrieval_ms:.0f} 毫秒，撰写 {t.model_ms:.0f} 毫秒，核对 {t.verification_ms:.0f} 毫秒。"
            f"简报 {brief.brief_id}，{brief.created_at:%Y-%m-%d %H:%M} UTC。")


def to_markdown(brief: Brief) -> str:
    h = HEADINGS[brief.request.language]
    lines = [f"# {brief.title}", ""]
    lines += [f"> {notice}\n" for notice in brief.notices]
    if brief.overview:
        lines += [f"## {h['overview']}", "", " ".join(_md_sentence(s, h) for s in brief.overview), ""]
    if brief.themes:
        lines += [f"## {h['themes']}", ""]
        for theme in brief.themes:
            lines += [f"### {theme.name}", "", " ".join(_md_sentence(s, h) for s in theme.sentences), ""]
    if brief.connections:
        lines += [f"## {h['connections']}", ""] + [f"- {_md_sentence(s, h)}" for s in brief.connections] + [""]
    by_number = {s.number: s for s in brief.sources}
    if brief.key_papers:
        lines += [f"## {h['key_papers']}", ""]
        for paper in brief.key_papers:
            source = by_number[paper.number]
            lines.append(f"- **[{source.number}] {source.title}**, {_authors(source)} ({source.field}). {source.link or ''}".rstrip())
            if paper.why:
                lines.append(f"  {_md_sentence(paper.why, h)}")
        lines.append("")
    if brief.sources:
        lines += [f"## {h['sources']}", ""] + [f"{_md_source(s)}  " for s in brief.sources] + [""]
    lines += [f"## {h['method']}", "", method_note(brief), ""]
    return "\n".join(lines)


def _md_sentence(sentence: Sentence, h: dict[str, str]) -> str:
    if sentence.status == "flagged":
        return f"{sentence.text} ⚠ _({h['flag']}: {sentence.note})_"
    return sentence.text


def _authors(source: Source) -> str:
    names = list(source.authors)
    if not names:
        return "authors not given"
    return names[0] + (" et al." if len(names) > 2 else f" and {names[1]}" if len(names) == 2 else "")


def _md_source(source: Source) -> str:
    date = source.published.isoformat() if source.published else "undated"
    link = f" {source.link}" if source.link else ""
    return f"[{source.number}] {_authors(source).rstrip('.')}. {source.title.rstrip('.')}. {source.source}, {date}. {source.field}.{link}"


def to_html(brief: Brief) -> str:
    h = HEADINGS[brief.request.language]
    e = html.escape
    parts = [f"<!doctype html>\n<html lang=\"{brief.request.language}\"><head><meta charset=\"utf-8\">",
             f"<title>{e(brief.title)}</title>",
             "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.5}"
             ".notice{background:#fff6d5;padding:.5rem 1rem}.flagged{background:#fde2e2}</style></head><body>",
             f"<h1>{e(brief.title)}</h1>"]
    parts += [f'<p class="notice">{e(n)}</p>' for n in brief.notices]
    if brief.overview:
        parts.append(f"<h2>{h['overview']}</h2><p>{' '.join(_html_sentence(s, h) for s in brief.overview)}</p>")
    if brief.themes:
        parts.append(f"<h2>{h['themes']}</h2>")
        parts += [f"<h3>{e(t.name)}</h3><p>{' '.join(_html_sentence(s, h) for s in t.sentences)}</p>" for t in brief.themes]
    if brief.connections:
        items = "".join(f"<li>{_html_sentence(s, h)}</li>" for s in brief.connections)
        parts.append(f"<h2>{h['connections']}</h2><ul>{items}</ul>")
    by_number = {s.number: s for s in brief.sources}
    if brief.key_papers:
        items = []
        for paper in brief.key_papers:
            source = by_number[paper.number]
            why = f"<br>{_html_sentence(paper.why, h)}" if paper.why else ""
            items.append(f"<li><a href=\"#source-{source.number}\">[{source.number}]</a> {_html_link(source)}, "
                         f"{e(_authors(source))} ({e(source.field)}){why}</li>")
        parts.append(f"<h2>{h['key_papers']}</h2><ul>{''.join(items)}</ul>")
    if brief.sources:
        items = "".join(f'<li id="source-{s.number}">{e(_md_source(s))}</li>' for s in brief.sources)
        parts.append(f"<h2>{h['sources']}</h2><ol>{items}</ol>")
    parts.append(f"<h2>{h['method']}</h2><p>{e(method_note(brief))}</p></body></html>")
    return "\n".join(parts)


def _html_link(source: Source) -> str:
    title = html.escape(source.title)
    if source.link and source.link.startswith(("https://", "http://")):
        return f'<a href="{html.escape(source.link, quote=True)}">{title}</a>'
    return title


def _html_sentence(sentence: Sentence, h: dict[str, str]) -> str:
    text = _CITATION.sub(lambda m: "[" + ", ".join(f'<a href="#source-{n}">{n}</a>' for n in m.group(1).split(", ")) + "]",
                         html.escape(sentence.text))
    if sentence.status == "flagged":
        return f'<span class="flagged">{text} ⚠ <em>({h["flag"]}: {html.escape(sentence.note or "")})</em></span>'
    return text
