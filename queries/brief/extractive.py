"""The brief without a model: the same sections, built from the sources' own sentences, each
citing the source it is quoted from. Used when no model is configured or the model failed.

- Overview: the most on-topic sentences, one per source.
- Themes: topic clusters of the sources (by their meaning, not by field), each named by the key
  terms its sources share and the others do not, with the best sentences of its closest sources.
- Cross-field connections: pairs of sentences from sources in different fields that really are
  close (cosine at least CONNECTION_SIMILARITY), the similarity shown.
- Key papers: the most relevant sources, in citation order.

A field enters the themes and connections only if its best source is nearly as relevant as the
brief's best (FIELD_SHARE): the search may bring sources of a field that is off topic here.

Only sentences that stand on their own are quoted: no dangling openers ("Yet, its application
...", "These results ...") that lean on a sentence the reader does not see. Quotations stay in the
language of the paper; a Chinese brief says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import combinations

import numpy as np

from indexing.embeddings import Embedder, document_text
from queries.brief.answer import Draft
from queries.brief.records import Source
from queries.key_terms import document_frequencies, spellings, terms
from queries.text import split_sentences

OVERVIEW_SENTENCES = 3
THEME_SENTENCES = 2
MAX_THEMES = 4
THEME_SIMILARITY = 0.4
"""Sources whose meaning is at least this close (cosine, all-MiniLM-L6-v2) can share a theme."""
THEME_TERMS = 3
CONNECTIONS = 2
CONNECTION_SIMILARITY = 0.5
"""A cross-field connection pairs two sentences at least this close in meaning; unrelated sentences
score 0.0-0.3, sentences on one subject 0.5 and above."""
KEY_PAPERS = 4
FIELD_SHARE = 0.7
"""A field enters the themes and connections only if its best source is at least this share as
relevant as the best source of all: a field whose closest paper is far weaker than the brief's
best is off topic here, however many sources of it the search found."""
MIN_WORDS = 6
_LINKISH = re.compile(r"https?://|www\.|\[\d+\]|</?[a-z][a-z0-9]*[\s/>]", re.IGNORECASE)
"""Sentences with links, markup tags or their own bracketed numbers are not quoted: links and numbers
would not survive the checks, and a tag is not prose (only journal text is stripped of markup)."""
_DANGLING = re.compile(
    r"^(?:yet|however|moreover|furthermore|additionally|also|thus|hence|therefore|consequently|besides|"
    r"nevertheless|nonetheless|still|instead|meanwhile|likewise|similarly|accordingly|in addition|"
    r"in contrast|in particular|as a result|to this end|on the other hand|for this|but|and|or|so|then|"
    r"it|its|they|their|them|these|those|such|he|she|his|her|here|there|both|this(?!\s+(?:paper|study|work|"
    r"article|review|letter|report|thesis|survey|perspective|manuscript)\b)|that)\b",
    re.IGNORECASE)
"""Openers that lean on a sentence the reader does not see: a connective, or a pronoun ("This paper"
stands on its own; "This shows" does not)."""
TITLES = {"en": "Brief: {topic}", "zh": "简报：{topic}"}
SIMILARITY = {"en": "similarity", "zh": "相似度"}


def extractive_draft(embedder: Embedder, topic: str, sources: Sequence[Source], language: str = "en", *,
                     meaning: str | None = None) -> Draft:
    """``meaning``: the topic as the embedding model reads it (its English translation), when not ``topic``."""
    quotes = _quotes(sources)
    title = TITLES[language].format(topic=topic)
    if not quotes:
        return Draft(title=title)
    texts = [document_text(s.title, s.abstract) for s in sources]
    vectors = embedder.embed([meaning or topic, *(text for _, text in quotes), *texts])
    quote_vectors, source_vectors = vectors[1:len(quotes) + 1], vectors[len(quotes) + 1:]
    picker = _Picker(quotes, quote_vectors, quote_vectors @ vectors[0], {s.number: s.field for s in sources})
    overview = picker.overview()
    entered = fields_that_enter(sources)
    kept = [i for i, s in enumerate(sources) if s.field in entered]
    picker.only({sources[i].number for i in kept})
    themes = [(name, sentences) for name, numbers in topic_themes([sources[i] for i in kept], source_vectors[kept])
              if (sentences := [q for q in (picker.best_unused(n) for n in numbers[:THEME_SENTENCES]) if q])]
    connections = picker.connections(label=SIMILARITY[language])
    key = sorted(s.number for s in sorted(sources, key=lambda s: (-s.relevance, s.number))[:KEY_PAPERS])
    key_papers = [(n, picker.best_unused(n)) for n in key]  # citation order: [1] [2] [4], never [1] [4] [2]
    return Draft(title=title, overview=overview, themes=themes, connections=connections,
                 key_papers=[(n, why) for n, why in key_papers if why])


def fields_that_enter(sources: Sequence[Source], *, share: float = FIELD_SHARE) -> set[str]:
    """The fields whose best source is at least ``share`` as relevant as the best source of all."""
    best: dict[str, float] = {}
    for s in sources:
        best[s.field] = max(best.get(s.field, -1.0), s.relevance)
    top = max(best.values(), default=0.0)
    return {f for f, r in best.items() if r >= share * top}


def stands_alone(sentence: str) -> bool:
    """Whether a sentence reads on its own: it does not open with a connective or a pronoun that
    refers to something said before it."""
    return not _DANGLING.match(sentence.lstrip(" \"'“‘(*_"))


def _quotes(sources: Sequence[Source]) -> list[tuple[int, str]]:
    """(source number, sentence) for every quotable sentence of every abstract: long enough, no links
    or markup, standing on its own (a source whose every sentence leans on another keeps them all)."""
    quotes = []
    for source in sources:
        usable = [s for s in split_sentences(source.abstract) if len(s.split()) >= MIN_WORDS and not _LINKISH.search(s)]
        alone = [s for s in usable if stands_alone(s)]
        quotes += [(source.number, s) for s in (alone or usable)]
    return quotes


def topic_themes(sources: Sequence[Source], vectors: np.ndarray, *,
                 threshold: float = THEME_SIMILARITY, limit: int = MAX_THEMES) -> list[tuple[str, list[int]]]:
    """The sources as topic clusters, each (name, source numbers, most relevant first): the most
    relevant source not yet placed starts a cluster and takes every unplaced source at least
    ``threshold`` close to it; at most ``limit`` clusters of two or more sources (a source alone is
    no theme, unless no two sources are close). Names are the key terms of the cluster."""
    unit = np.asarray(vectors, dtype=np.float64)
    unit = unit / np.where((n := np.linalg.norm(unit, axis=1, keepdims=True)) > 0, n, 1.0)
    order = sorted(range(len(sources)), key=lambda i: (-sources[i].relevance, sources[i].number))
    placed: set[int] = set()
    clusters: list[list[int]] = []
    for i in order:
        if i in placed:
            continue
        members = [j for j in order if j not in placed and (j == i or float(unit[i] @ unit[j]) >= threshold)]
        placed.update(members)
        clusters.append(members)
    groups = [c for c in clusters if len(c) > 1] or clusters[:1]
    return [(theme_name(sources, c), [sources[i].number for i in c]) for c in groups[:limit]]


def theme_name(sources: Sequence[Source], members: list[int], *, count: int = THEME_TERMS) -> str:
    """The terms a cluster's sources use and the other sources do not: weight = the share of the
    cluster's sources using it, less the share of the others; the best ``count``, as first written."""
    found = [terms(document_text(s.title, s.abstract)) for s in sources]
    df, _ = document_frequencies(found)
    inside: Counter[str] = Counter()
    for i in members:
        inside.update(found[i].keys())
    others = len(sources) - len(members)

    def weight(term: str) -> float:
        share = inside[term] / len(members)
        outside = (df[term] - inside[term]) / others if others else 0.0
        return share - outside

    uses = Counter({t: sum(found[i][t] for i in members) for t in inside})
    shared = sorted((t for t in inside if inside[t] >= min(2, len(members))), key=lambda t: (-weight(t), -uses[t], t))
    rest = sorted((t for t in inside if t not in shared), key=lambda t: (-weight(t), -uses[t], t))
    best = (shared + rest)[:count] if len(shared) < count else shared[:count]
    shown: dict[str, str] = {}
    for i in members:
        for key, text in spellings(document_text(sources[i].title, sources[i].abstract)).items():
            shown.setdefault(key, text)
    return ", ".join(shown.get(t, t) for t in best) or sources[members[0]].field


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

    def only(self, numbers: set[int]) -> None:
        """From now on, quote only the sources numbered ``numbers``."""
        self.order = [i for i in self.order if self.quotes[i][0] in numbers]

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

    def connections(self, *, minimum: float = CONNECTION_SIMILARITY, label: str = "similarity") -> list[str]:
        """The closest pairs of unused sentences from sources in different fields, at least ``minimum``
        close, each quote citing its source, with the similarity shown."""
        unit = self.vectors / np.where((n := np.linalg.norm(self.vectors, axis=1, keepdims=True)) > 0, n, 1.0)
        similarity = unit @ unit.T
        allowed = set(self.order)
        pairs = sorted(((float(similarity[i, j]), i, j) for i, j in combinations(range(len(self.quotes)), 2)
                        if self.field_of[self.quotes[i][0]] != self.field_of[self.quotes[j][0]]
                        and i in allowed and j in allowed and i not in self.used and j not in self.used
                        and similarity[i, j] >= minimum),
                       key=lambda t: (-t[0], t[1], t[2]))
        chosen: list[str] = []
        seen: set[int] = set()
        for sim, i, j in pairs:
            a, b = self.quotes[i][0], self.quotes[j][0]
            if len(chosen) >= CONNECTIONS or a in seen or b in seen:
                continue
            seen |= {a, b}
            chosen.append(f"({label} {sim:.2f}) {self.field_of[a]}: {self._take(i)} {self.field_of[b]}: {self._take(j)}")
        return chosen
