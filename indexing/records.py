"""Typed records that travel from the parsers to the store.

``RawEntry`` is what a parser read, as written in the feed; ``Paper`` is the
normalised record Radar stores. Parsers never build a ``Paper`` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class RawEntry:
    """One feed item as the source wrote it (strings untouched, except XML decoding)."""

    source: str
    """Where it came from: arxiv, biorxiv, medrxiv, or a journal's name."""
    identifier: str | None = None
    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str | None = None
    doi: str | None = None
    journal_ref: str | None = None
    url: str | None = None
    pdf_url: str | None = None
    license: str | None = None
    published: str | None = None
    updated: str | None = None
    version: str | None = None
    announce_type: str | None = None
    section: str | None = None
    venue: str | None = None
    field: str | None = None
    """A broad field the feed imposes (journals); else derived from the categories."""
    article_type: str | None = None
    """Journal items: research, review, news, comment, editorial, correction or retraction
    (see indexing/kinds.py); None when the feed does not tell, and for preprints."""
    excerpt: str = ""
    """The item's raw text when it was malformed (kept for the rejects table); else empty."""
    repaired: bool = False
    """The body held bytes invalid in its encoding, and this item got a U+FFFD for them."""
    html: bool = False
    """The text fields are HTML (journal feeds, arXiv's old RDF): tags are markup and ``<`` is ``&lt;``."""


@dataclass(frozen=True, slots=True)
class RawText:
    """A paper's text as its feed sent it (after decoding, before normalisation), kept in ``versions``."""

    title: str | None
    abstract: str | None
    authors: tuple[str, ...]

    @classmethod
    def of(cls, entry: RawEntry) -> RawText:
        return cls(entry.title, entry.abstract, tuple(entry.authors))


@dataclass(slots=True)
class ParsedFeed:
    """What a parser could read from one body: the items, and what went wrong, if anything."""

    entries: list[RawEntry] = field(default_factory=list)
    error: str | None = None
    """A feed-level problem (malformed XML after some items, an arXiv error feed)."""
    title: str | None = None
    total: int | None = None
    """Results the server says exist (paged APIs), for completeness checks."""
    page_count: int | None = None
    """Results the server says this page holds (bioRxiv's cursor steps by it)."""


@dataclass(frozen=True, slots=True)
class Paper:
    """A normalised paper: one per work, whatever feeds and versions it was seen in."""

    paper_id: str
    source: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    primary_category: str | None
    field: str
    doi: str | None
    journal_ref: str | None
    url: str | None
    pdf_url: str | None
    license: str | None
    published: datetime | None
    updated: datetime | None
    version: int | None
    announce_type: str | None
    section: str | None
    venue: str | None
    article_type: str | None = None
    """Journal items: research, news, correction... (indexing/kinds.py); None for preprints."""


@dataclass(frozen=True, slots=True)
class Reject:
    """An item that could not become a paper, kept with the reason."""

    reason: str
    identifier: str | None
    excerpt: str
