"""What every hit carries so it can be cited: the paper's id, title, authors, field, venue, date and links,
and what kind of item it is (announced as new, cross-list or revised; its article type)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from indexing.kinds import announce_kind
from indexing.records import Paper


@dataclass(frozen=True, slots=True, kw_only=True)
class Cited:
    """Citation data of one paper, shared by search hits, related papers and digest entries."""

    paper_id: str
    title: str
    authors: list[str]
    field: str
    categories: list[str]
    source: str
    published: str | None
    """Day of publication (UTC), ISO format."""
    url: str | None
    doi: str | None
    announce: str = "new"
    """How it was announced: new, cross-list or revised (indexing/kinds.py)."""
    article_type: str | None = None
    """Journal items: research, news, correction...; None for preprints and untold types."""


def citation_of(paper: Paper) -> dict[str, Any]:
    """The keyword arguments of :class:`Cited` for ``paper``."""
    return {"paper_id": paper.paper_id, "title": paper.title, "authors": list(paper.authors), "field": paper.field,
            "categories": list(paper.categories), "source": paper.source,
            "published": paper.published.date().isoformat() if paper.published else None,
            "url": paper.url, "doi": paper.doi, "announce": announce_kind(paper.announce_type, paper.version),
            "article_type": paper.article_type}


def kind_label(entry: Cited) -> str:
    """What kind of item a listed paper is: new, cross-list or revised, and a journal item's article type."""
    return " · ".join(x for x in (entry.announce, entry.article_type or "") if x)
