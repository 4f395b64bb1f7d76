"""The arXiv API (export.arxiv.org/api/query), for backfill by category and date range.

``parse`` is pure; ``fetch`` walks the pages: at most 2,000 results a page, one
connection, the host's pacing (3 s for export.arxiv.org), and an unexpected empty
first page is asked for again (the API returns those now and then under load).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import urlencode

from indexing.records import ParsedFeed, RawEntry
from indexing.sources.http import Fetched, HttpFetcher, is_local
from indexing.sources.xml import local, read_feed, text
from radar.config import FeedSpec
from radar.errors import TransientFetchError

SOURCE = "arxiv"
EMPTY_FIRST_PAGE_RETRIES = 2


def parse(data: bytes, charset: str | None = None) -> ParsedFeed:
    document = read_feed(data, charset)
    root = document.root
    if root is None:
        return ParsedFeed(error=document.error)
    if local(root.tag) != "feed":  # an HTML error or login page is not an empty result
        return ParsedFeed(error=f"not an arXiv API response: the document is <{local(root.tag)}>, not an Atom <feed>")
    entries = document.entries(_entry, SOURCE)
    if len(entries) == 1 and "/api/errors" in (entries[0].identifier or ""):
        return ParsedFeed(error=f"arXiv API error: {entries[0].abstract or 'unknown'}")
    total = text(root, "{*}totalResults")
    return ParsedFeed(
        entries=entries,
        error=document.error,
        title=text(root, "{*}title"),
        total=int(total) if total and total.isdigit() else None,
        page_count=len(entries),
    )


def _entry(entry) -> RawEntry:
    categories = [c.get("term", "").strip() for c in entry.iterfind("{*}category") if c.get("term")]
    primary = entry.find("{*}primary_category")
    links = {l.get("title") or l.get("rel"): l.get("href") for l in entry.iterfind("{*}link")}
    return RawEntry(
        source=SOURCE,
        identifier=text(entry, "{*}id"),
        title=text(entry, "{*}title"),
        abstract=text(entry, "{*}summary"),
        authors=[n for n in (text(a, "{*}name") for a in entry.iterfind("{*}author")) if n],
        categories=categories,
        primary_category=primary.get("term") if primary is not None else None,
        doi=text(entry, "{*}doi"),
        journal_ref=text(entry, "{*}journal_ref"),
        url=links.get("alternate"),
        pdf_url=links.get("pdf"),
        published=text(entry, "{*}published"),
        updated=text(entry, "{*}updated"),
    )


def search_query(spec: FeedSpec, today: date) -> str:
    """The spec's query restricted to its submission-date window."""
    until = spec.until or today
    since = spec.since or until - timedelta(days=spec.days - 1)
    return f"({spec.query}) AND submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"


def page_url(base: str, query: str, start: int, size: int) -> str:
    params = {"search_query": query, "start": start, "max_results": size,
              "sortBy": "submittedDate", "sortOrder": "ascending"}
    return f"{base}?{urlencode(params)}"


def fetch(spec: FeedSpec, fetcher: HttpFetcher, today: date) -> Iterator[tuple[Fetched, ParsedFeed]]:
    """Yield every page (fetched bytes and their parse) until the total is reached."""
    if is_local(spec.resolved_url):
        fetched = fetcher.get(spec.resolved_url)
        yield fetched, parse(fetched.content, fetched.charset)
        return
    query, start, limit = search_query(spec, today), 0, spec.max_results
    while True:
        size = min(spec.page_size, limit - start) if limit else spec.page_size
        fetched, parsed = _page(fetcher, page_url(spec.resolved_url, query, start, size), first=start == 0)
        yield fetched, parsed
        start += len(parsed.entries)
        total = min(parsed.total or 0, limit) if limit else (parsed.total or 0)
        if not parsed.entries or start >= total or parsed.error:
            return


def _page(fetcher: HttpFetcher, url: str, *, first: bool) -> tuple[Fetched, ParsedFeed]:
    # An empty page that claims results exist is a known arXiv hiccup: ask again (first page only;
    # later pages have already proved the query works, so an empty one is reported).
    for _ in range(1 + (EMPTY_FIRST_PAGE_RETRIES if first else 0)):
        fetched = fetcher.get(url)
        parsed = parse(fetched.content, fetched.charset)
        if parsed.entries or not parsed.total:
            return fetched, parsed
    raise TransientFetchError(f"arXiv API returned an empty page although it reports {parsed.total} results", url=url)
