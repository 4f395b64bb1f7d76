"""The brief without a model: the same sections, built from the sources' own sentences, each
citing the source it is quoted from. Used when no model is configured or the model failed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations

import numpy as np

from indexing.embeddings import Embedder
from queries.brief.answer import Draft
from queries.brief.records import Source
from queries.text import split_sentences

OVERVIEW_SENTENCES = 3
THEME_SENTENCES = 2
CONNECTIONS = 2
KEY_PAPERS = 4
MIN_WORDS = 6
_LINKISH = re.compile(r"https?://|www\.|\[\d+\]|</?[a-z][a-z0-9]*[\s/>]", re.IGNORECASE)
"""Sentences with links, markup tags or their own bracketed numbers are not quoted: links and numbers
would not survive the checks, and a tag is not prose (only journal text is stripped of markup)."""
TITLES = {"en": "Brief: {topic}", "zh": "简报：{topic}"}


def extractive_draft(embedder: Embedder, topic: str, sources: Sequence[Source], language: str = "en") -> Draft:
    quotes = _quotes(sources)
    title = TITLES[language].format(topic=topic)
    if not quotes:
        return Draft(title=title)
    vectors = embedder.embed([topic, *(text for _, text in quotes)])
    picker = _Picker(quotes, vectors[1:], vectors[1:] @ vectors[0], {s.number: s.field for s in sources})
    overview = picker.overview()
    themes = picker.themes(sources)
    connections = picker.connections()
    key_papers = [(s.number, picker.best_unused(s.number)) for s in sorted(sources, key=lambda s: -s.relevance)[:KEY_PAPERS]]
    return Draft(title=title, overview=overview, themes=themes, connections=connections,
                 key_papers=[(n, why) for n, why in key_papers if why])


def _quotes(sources: Sequence[Source]) -> list[tuple[int, str]]:
    """(source number, sentence) for every quotable sentence of every abstract."""
    return [(s.number, sentence) for s in sources for sentence in split_sentences(s.abstract)
            if len(sentence.split()) >= MIN_WORDS and not _LINKISH.search(sentence)]


def _cite(sentence: str, number: int) -> str:
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    return f"{body.rstrip('.!?')} [{number}]{end}"


class _Picker:
    """Chooses quotes for each section, each quote used once, the most on-topic first."""

    def __init__(self, quotes: list[tuple[int, str]], vectors: np.ndarray, relevance: np.ndarray,
                 field_of: dict[int, str]) -> None:
        self.quotes, self.vectors, self.field_of = quotes, vectors, field_of
        self.order = sorted(range(len(quotes)), key=lambda i: -relevance[i])
        self.used: set[int] = set()

    def _take(self, i: int) -> str:
        self.used.add(i)
        return _cite(self.quotes[i][1], self.quotes[i][0])

    def best_unused(self, number: int) -> str | None:
        i = next((i for i in self.order if self.quotes[i][0] == number and i not in self.used), None)
        return self._take(i) if i is not None else None

    def overview(self) -> list[str]:
        """The most on-topic sentences, one per source."""
        chosen: list[int] = []
        for i in self.order:
            if len(chosen) < OVERVIEW_SENTENCES and all(self.quotes[j][0] != self.quotes[i][0] for j in chosen):
                chosen.append(i)
        return [self._take(i) for i in chosen]

    def themes(self, sources: Sequence[Source]) -> list[tuple[str, list[str]]]:
        """One theme per field (per category when all sources share one field)."""
        one_field = len(set(self.field_of.values())) == 1
        groups: dict[str, list[int]] = {}
        for source in sources:
            key = (source.categories[0] if source.categories else source.field) if one_field else source.field
            groups.setdefault(key, []).append(source.number)
        themes = []
        for name, numbers in groups.items():
            sentences = [q for q in (self.best_unused(n) for n in numbers[:THEME_SENTENCES]) if q]
            if sentences:
                themes.append((name, sentences))
        return themes

    def connections(self) -> list[str]:
        """The closest pairs of sentences from sources in different fields, each quote citing its source."""
        similarity = self.vectors @ self.vectors.T
        pairs = sorted(((similarity[i, j], i, j) for i, j in combinations(range(len(self.quotes)), 2)
                        if self.field_of[self.quotes[i][0]] != self.field_of[self.quotes[j][0]]), reverse=True)
        chosen: list[str] = []
        seen: set[int] = set()
        for _, i, j in pairs:
            a, b = self.quotes[i][0], self.quotes[j][0]
            if len(chosen) >= CONNECTIONS or a in seen or b in seen:
                continue
            seen |= {a, b}
            chosen.append(f"{self.field_of[a]}: {self._take(i)} {self.field_of[b]}: {self._take(j)}")
        return chosen
