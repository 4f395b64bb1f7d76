"""The papers an export holds, read from the store: one paper, a search's hits, a profile's digest
of a day, a day's listing (Today), a stored brief's numbered sources. Each returns full records
(a hit or digest entry lacks the journal reference and primary category a citation wants)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from indexing.embeddings import Embedder
from indexing.records import Paper
from indexing.search.base import Filters, SearchBackend
from indexing.store import Store
from indexing.store.papers import read_papers
from queries.brief.records import Source
from queries.brief.store import load as load_brief
from queries.digest import DEFAULT_K
from queries.feedback import profile_digest
from queries.paper import paper_record
from queries.profiles import Profile
from queries.search import Mode, search
from queries.today import DayFilters, day_listing

if TYPE_CHECKING:
    from queries.llm import LanguageModel

MAX_PAPERS = 5_000
"""Most papers one export holds (a full arXiv day is about 1,600)."""


def papers_in_order(store: Store, ids: Sequence[str]) -> list[Paper]:
    """The stored papers of ``ids``, in that order (ids no longer stored are skipped)."""
    found = read_papers(store.cursor(), list(dict.fromkeys(ids)))
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def paper_papers(store: Store, text: str) -> list[Paper]:
    """The paper ``text`` names (any id form `radar related` accepts); QueryError when none."""
    return [paper_record(store, text).paper]


def search_papers(store: Store, backend: SearchBackend, embedder: Embedder, query: str, *, mode: Mode = "hybrid",
                  filters: Filters | None = None, k: int = 10, model: LanguageModel | None = None) -> list[Paper]:
    """The hits of a search as `radar search` finds them (a query in another language translated by ``model``)."""
    result = search(store, backend, embedder, query, mode=mode, filters=filters, k=k, model=model)
    return papers_in_order(store, [h.paper_id for h in result.hits])


def digest_papers(store: Store, backend: SearchBackend, embedder: Embedder, profile: Profile, *,
                  day: date | None = None, k: int = DEFAULT_K) -> list[Paper]:
    """The papers of a profile's digest of ``day``, as `radar digest` ranks them (stars, dismissals included)."""
    result = profile_digest(store, backend, embedder, profile, day=day, k=k)
    return papers_in_order(store, [e.paper_id for e in result.entries])


def day_papers(store: Store, day: date | None = None, filters: DayFilters | None = None) -> list[Paper]:
    """The papers of a day as Today lists them (default: the latest day), filters applied."""
    listing = day_listing(store, day, filters, limit=MAX_PAPERS)
    return papers_in_order(store, [e.paper_id for e in listing.entries])


def brief_papers(store: Store, brief_id: str) -> list[Paper]:
    """A stored brief's numbered sources, in their order; a source no longer stored is exported
    from what the brief kept of it. QueryError when there is no such brief."""
    sources = load_brief(store, brief_id).sources
    found = read_papers(store.cursor(), [s.paper_id for s in sources])
    return [found.get(s.paper_id) or _from_source(s) for s in sources]


def _from_source(source: Source) -> Paper:
    published = datetime(source.published.year, source.published.month, source.published.day) if source.published else None
    return Paper(paper_id=source.paper_id, source=source.source, title=source.title, abstract=source.abstract,
                 authors=tuple(source.authors), categories=tuple(source.categories),
                 primary_category=source.categories[0] if source.categories else None, field=source.field,
                 doi=source.doi, journal_ref=None, url=source.url, pdf_url=None, license=None, published=published,
                 updated=None, version=None, announce_type=None, section=None, venue=None)

