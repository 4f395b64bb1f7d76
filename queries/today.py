"""One day's papers as a numbered daily list: every paper published that day (UTC), filtered by
source, field and category, with the counts a daily page shows and the neighbouring days."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

from indexing.store import Store
from indexing.store.papers import latest_published_day, read_papers
from queries.citation import Cited, citation_of
from queries.text import split_sentences

DEFAULT_PAGE_SIZE = 100
LEAD_CHARS = 240
_ANNOUNCE_ORDER = "CASE coalesce(announce_type, '') WHEN 'new' THEN 0 WHEN 'cross' THEN 1 ELSE 2 END"


@dataclass(frozen=True, slots=True)
class DayFilters:
    source: str | None = None
    field: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DayEntry(Cited):
    """One paper as the daily list shows it."""

    number: int
    primary_category: str | None
    announce_type: str | None
    """As the feed said: new, cross, replace, replace-cross; None when it did not say."""
    version: int | None
    lead: str
    """The abstract's first sentence (cut to LEAD_CHARS): the one-line summary."""
    abstract: str


@dataclass(slots=True)
class DayListing:
    day: date | None
    """The day shown; None when the store has no papers."""
    filters: DayFilters
    total: int = 0
    """Papers published that day, before filters."""
    matching: int = 0
    """Papers that day that pass the filters."""
    by_source: dict[str, int] = field(default_factory=dict)
    by_field: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    """Counts of the day, before filters: what the filters can choose from."""
    previous_day: date | None = None
    next_day: date | None = None
    offset: int = 0
    entries: list[DayEntry] = field(default_factory=list)


def day_listing(store: Store, day: date | None = None, filters: DayFilters | None = None, *,
                offset: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> DayListing:
    """The papers of ``day`` (default: the latest day with papers, not in the future), ordered by
    source, then new before cross-lists before revisions, then id; ``limit`` of them from ``offset``."""
    con = store.cursor()
    filters = filters or DayFilters()
    day = day or latest_published_day(con, not_after=datetime.now(UTC).date())
    listing = DayListing(day=day, filters=filters, offset=offset)
    if day is None:
        return listing
    on_day = "CAST(published AS DATE) = $day"
    grouped = lambda column: dict(con.execute(  # noqa: E731
        f"SELECT {column} AS k, count(*) FROM papers WHERE {on_day} GROUP BY k ORDER BY 2 DESC, 1", {"day": day}).fetchall())
    listing.by_source, listing.by_field = grouped("source"), grouped("field")
    listing.categories = dict(con.execute(
        f"SELECT c, count(*) FROM (SELECT unnest(categories) AS c FROM papers WHERE {on_day}) GROUP BY c "
        "ORDER BY 2 DESC, 1", {"day": day}).fetchall())
    listing.total = sum(listing.by_source.values())
    listing.previous_day, listing.next_day = _neighbours(con, day)
    where, params = _where(filters)
    ids = [pid for (pid,) in con.execute(
        f"SELECT paper_id FROM papers WHERE {on_day}{where} ORDER BY source, {_ANNOUNCE_ORDER}, paper_id",
        {"day": day, **params}).fetchall()]
    listing.matching = len(ids)
    page = ids[offset:offset + limit]
    papers = read_papers(con, page)
    listing.entries = [_entry(offset + n, papers[pid]) for n, pid in enumerate(page, start=1) if pid in papers]
    return listing


@dataclass(frozen=True, slots=True)
class Facets:
    """What the store holds papers of, most papers first: the choices of a filter form."""

    sources: list[str]
    fields: list[str]


def store_facets(store: Store) -> Facets:
    con = store.cursor()
    values = lambda column: [v for (v,) in con.execute(  # noqa: E731
        f"SELECT {column} FROM papers GROUP BY {column} ORDER BY count(*) DESC, {column}").fetchall()]
    return Facets(sources=values("source"), fields=values("field"))


def _where(filters: DayFilters) -> tuple[str, dict[str, str]]:
    clauses, params = [], {}
    if filters.source:
        clauses.append("lower(source) = lower($source)")
        params["source"] = filters.source
    if filters.field:
        clauses.append("field = $field")
        params["field"] = filters.field
    if filters.category:
        clauses.append("list_contains(list_transform(categories, c -> lower(c)), lower($category))")
        params["category"] = filters.category
    return "".join(f" AND {c}" for c in clauses), params


def _neighbours(con, day: date) -> tuple[date | None, date | None]:  # noqa: ANN001 - a DuckDB cursor
    return con.execute(
        "SELECT max(d) FILTER (WHERE d < $day), min(d) FILTER (WHERE d > $day) "
        "FROM (SELECT DISTINCT CAST(published AS DATE) AS d FROM papers WHERE published IS NOT NULL)",
        {"day": day}).fetchone()


def _entry(number: int, paper) -> DayEntry:  # noqa: ANN001 - an indexing.records.Paper
    return DayEntry(**citation_of(paper), number=number, primary_category=paper.primary_category,
                    announce_type=paper.announce_type, version=paper.version, lead=lead_sentence(paper.abstract),
                    abstract=paper.abstract)


def lead_sentence(abstract: str, limit: int = LEAD_CHARS) -> str:
    """The abstract's first sentence, cut at a word boundary to ``limit`` characters."""
    sentences = split_sentences(abstract)
    first = sentences[0] if sentences else ""
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + " …"


def today_json(listing: DayListing) -> dict:
    """The documented, stable JSON of a day's list (`/api/v1/today`)."""
    return {
        "schema": "radar.today/1",
        "day": listing.day.isoformat() if listing.day else None,
        "filters": asdict(listing.filters),
        "total": listing.total,
        "matching": listing.matching,
        "by_source": listing.by_source,
        "by_field": listing.by_field,
        "categories": listing.categories,
        "previous_day": listing.previous_day.isoformat() if listing.previous_day else None,
        "next_day": listing.next_day.isoformat() if listing.next_day else None,
        "offset": listing.offset,
        "entries": [asdict(e) for e in listing.entries],
    }
