"""The typed records of a brief: its numbered sources, its checked sentences, its sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Language = Literal["en", "zh"]
BriefKind = Literal["llm", "extractive", "empty"]
SentenceStatus = Literal["verified", "flagged", "dropped"]


@dataclass(frozen=True, slots=True)
class Source:
    """A paper given to the writer as ``[number]``, with everything a citation needs."""

    number: int
    paper_id: str
    title: str
    authors: tuple[str, ...]
    field: str
    categories: tuple[str, ...]
    source: str
    published: date | None
    url: str | None
    doi: str | None
    abstract: str
    relevance: float
    """Cosine similarity between the topic and the paper."""

    @property
    def link(self) -> str | None:
        return self.url or (f"https://doi.org/{self.doi}" if self.doi else None)


@dataclass(slots=True)
class Sentence:
    """One sentence of the brief after the checks: what it says, what it cites, whether it holds."""

    text: str
    citations: list[int]
    status: SentenceStatus = "verified"
    support: float | None = None
    note: str | None = None
    """Why a sentence was flagged or dropped (shown to the reader for flagged ones)."""


@dataclass(slots=True)
class Theme:
    name: str
    sentences: list[Sentence]


@dataclass(slots=True)
class KeyPaper:
    number: int
    why: Sentence | None


@dataclass(frozen=True, slots=True)
class BriefRequest:
    """What was asked for."""

    topic: str
    profile: str | None = None
    since: date | None = None
    until: date | None = None
    fields: tuple[str, ...] = ()
    language: Language = "en"


@dataclass(slots=True)
class Verification:
    """What the citation and support checks did to the writer's text."""

    checked: int = 0
    kept: int = 0
    flagged: int = 0
    dropped: int = 0
    citations_removed: int = 0
    links_removed: int = 0
    citations_checked: int = 0
    """(sentence, given source) pairs the support check judged."""
    citations_supported: int = 0
    """Of those, pairs it accepted: the citations shown on verified sentences."""
    citations_shown: int = 0


@dataclass(slots=True)
class Timings:
    retrieval_ms: float = 0.0
    model_ms: float = 0.0
    verification_ms: float = 0.0


@dataclass(slots=True)
class Brief:
    """A finished brief: every shown citation points to one of ``sources``."""

    brief_id: str
    created_at: datetime
    request: BriefRequest
    kind: BriefKind
    model: str | None
    prompt_hash: str | None
    title: str
    overview: list[Sentence] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    connections: list[Sentence] = field(default_factory=list)
    key_papers: list[KeyPaper] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    verification: Verification = field(default_factory=Verification)
    timings: Timings = field(default_factory=Timings)
    notices: list[str] = field(default_factory=list)
    """Plain statements the reader must see: extractive fallback, model failure, nothing found."""

    def sentences(self) -> list[Sentence]:
        """Every checked sentence of the body, in reading order."""
        themed = [s for theme in self.themes for s in theme.sentences]
        why = [k.why for k in self.key_papers if k.why is not None]
        return [*self.overview, *themed, *self.connections, *why]

    @property
    def fields_cited(self) -> list[str]:
        by_number = {s.number: s.field for s in self.sources}
        cited = {n for s in self.sentences() if s.status != "dropped" for n in s.citations}
        return sorted({by_number[n] for n in cited if n in by_number})
