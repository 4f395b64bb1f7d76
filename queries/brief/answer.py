"""Reading the model's answer into a draft brief: the JSON object the prompt asks for, or, when a
model ignores that, Markdown with the same sections. Anything else is an LlmResponseError."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from queries.text import split_sentences
from radar.errors import LlmResponseError

_HEADING = re.compile(r"^#{1,4}\s*(.+?)\s*$", re.MULTILINE)
_KEY_PAPER = re.compile(r"\[(\d+)\]")
SECTION_NAMES = {
    "overview": ("overview", "summary", "概述", "综述", "概要"),
    "themes": ("themes", "theme", "主题"),
    "connections": ("cross-field connections", "connections", "跨领域联系", "跨领域", "联系"),
    "key_papers": ("key papers", "重点论文", "关键论文"),
}


@dataclass(slots=True)
class Draft:
    """The writer's text before any check: plain sentences, citations still inline as [n]."""

    title: str
    overview: list[str] = field(default_factory=list)
    themes: list[tuple[str, list[str]]] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)
    key_papers: list[tuple[int, str]] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.overview or any(s for _, s in self.themes) or self.connections or self.key_papers)


def parse_answer(text: str, *, fallback_title: str) -> Draft:
    """The draft in ``text``; LlmResponseError when it holds neither the JSON nor the sections."""
    if not text or not text.strip():
        raise LlmResponseError("The model returned an empty answer.")
    draft = _from_json(text, fallback_title) or _from_markdown(text, fallback_title)
    if draft is None or draft.is_empty():
        raise LlmResponseError("The model's answer has none of the brief's sections (overview, themes, "
                               f"connections, key papers); it began: {text.strip()[:120]!r}")
    return draft


def json_object(text: str) -> dict | None:
    """The JSON object in a model's answer, whatever chatter or code fence surrounds it; None if there is none."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start:end + 1])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _from_json(text: str, fallback_title: str) -> Draft | None:
    data = json_object(text)
    if data is None:
        return None
    themes = []
    for theme in _list(data.get("themes")):
        if isinstance(theme, dict):
            themes.append((_text(theme.get("name")) or "Theme", _sentences(theme.get("sentences"))))
    key_papers = []
    for entry in _list(data.get("key_papers")):
        if isinstance(entry, dict) and _number(entry.get("source")) is not None:
            key_papers.append((_number(entry.get("source")), _text(entry.get("why"))))
    return Draft(title=_text(data.get("title")) or fallback_title, overview=_sentences(data.get("overview")),
                 themes=themes, connections=_sentences(data.get("connections")), key_papers=key_papers)


def _from_markdown(text: str, fallback_title: str) -> Draft | None:
    parts = _HEADING.split(text)
    if len(parts) < 3:
        return None
    draft = Draft(title=fallback_title)
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        section = _section(heading)
        lines = [line.strip(" -*•\t") for line in body.strip().splitlines() if line.strip(" -*•\t")]
        if section == "overview":
            draft.overview += [s for line in lines for s in split_sentences(line)]
        elif section == "connections":
            draft.connections += [s for line in lines for s in split_sentences(line)]
        elif section == "key_papers":
            draft.key_papers += [(int(m.group(1)), line) for line in lines if (m := _KEY_PAPER.search(line))]
        elif section == "themes" or (draft.overview and section is None):
            draft.themes.append((heading if section is None else "Themes",
                                 [s for line in lines for s in split_sentences(line)]))
        elif section is None and not draft.overview:
            draft.title = heading
    return draft


def _section(heading: str) -> str | None:
    lowered = heading.lower().strip(" :：")
    for section, names in SECTION_NAMES.items():
        if any(lowered.startswith(name) for name in names):
            return section
    return None


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().strip("[]").isdigit():
        return int(value.strip().strip("[]"))
    return None


def _sentences(value: object) -> list[str]:
    """A list of sentences from a list of strings or one paragraph."""
    items = value if isinstance(value, list) else [value]
    return [s for item in items if isinstance(item, str) for s in split_sentences(" ".join(item.split()))]
