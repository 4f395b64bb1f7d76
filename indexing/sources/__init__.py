"""Feed sources: one module per source, each a pure ``parse`` plus its fetch plan.

``fetch_pages`` picks the plan for a feed's kind and yields ``(Fetched, ParsedFeed)``
pairs: one for a plain feed (a 304 when it did not change), several for paged APIs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from indexing.records import ParsedFeed
from indexing.sources import arxiv_api, arxiv_rss, biorxiv, rss
from indexing.sources.http import Fetched, HttpFetcher
from radar.config import FeedSpec


def parse_body(spec: FeedSpec, data: bytes, charset: str | None = None) -> ParsedFeed:
    """Parse one body as the feed's kind says (pure)."""
    match spec.kind:
        case "arxiv-rss":
            return arxiv_rss.parse(data, charset)
        case "arxiv-api":
            return arxiv_api.parse(data, charset)
        case "biorxiv" | "medrxiv":
            return biorxiv.parse(data, charset, server=spec.kind)
        case "rss":
            return rss.parse(data, charset, source=spec.source, field=spec.field)
    raise AssertionError(f"unknown kind {spec.kind}")  # FeedSpec validation makes this unreachable


def fetch_pages(
    spec: FeedSpec,
    fetcher: HttpFetcher,
    *,
    today: date,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Iterator[tuple[Fetched, ParsedFeed]]:
    if spec.kind == "arxiv-api":
        yield from arxiv_api.fetch(spec, fetcher, today)
    elif spec.kind in ("biorxiv", "medrxiv"):
        yield from biorxiv.fetch(spec, fetcher, today)
    else:
        fetched = fetcher.get(spec.resolved_url, etag=etag, last_modified=last_modified)
        yield fetched, ParsedFeed() if fetched.not_modified else parse_body(spec, fetched.content, fetched.charset)
