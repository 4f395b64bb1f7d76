"""bioRxiv and medRxiv through their ``details`` API, by date interval.

``parse`` is pure; ``fetch`` walks every page: the cursor steps by the count each
response reports, and the papers received are checked against the reported total.
The API lists every version of a preprint; the store keeps them all and the newest wins.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from urllib.parse import urlencode

from indexing.records import ParsedFeed, RawEntry
from indexing.sources.decode import decode, mark_repaired
from indexing.sources.http import Fetched, HttpFetcher, is_local
from radar.config import FeedSpec
from radar.errors import FeedParseError

MAX_PAGES = 10_000  # 1 million records: far beyond any real interval, stops a looping cursor
CONTENT_HOSTS = {"biorxiv": "https://www.biorxiv.org", "medrxiv": "https://www.medrxiv.org"}


def parse(data: bytes, charset: str | None = None, *, server: str = "biorxiv") -> ParsedFeed:
    decoded = decode(data, charset, xml=False)
    try:
        body = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        return ParsedFeed(error=f"not a bioRxiv/medRxiv API response: {exc}")
    if not isinstance(body, dict):
        return ParsedFeed(error="not a bioRxiv/medRxiv API response: expected a JSON object")
    messages = body.get("messages") or [{}]
    message = messages[0] if isinstance(messages[0], dict) else {}
    collection = body.get("collection") or []
    if message.get("status", "ok") != "ok" and not collection:
        status = str(message.get("status"))
        # "no posts found" is how the API says an interval is empty: not an error.
        return ParsedFeed(total=0, page_count=0, error=None if "no posts" in status.lower() else status)
    entries = [_entry(r, server) for r in collection if isinstance(r, dict)]
    mark_repaired(entries, decoded)
    return ParsedFeed(
        entries=entries,
        total=_int(message.get("total")),
        page_count=_int(message.get("count")),
        error=None if len(entries) == len(collection) else "some records are not JSON objects",
    )


def _entry(record: dict, server: str) -> RawEntry:
    name = str(record.get("server") or server).lower()
    doi, version = _str(record.get("doi")), _str(record.get("version"))
    category = _str(record.get("category"))
    authors = [a.strip() for a in (_str(record.get("authors")) or "").split(";") if a.strip()]
    return RawEntry(
        source=name,
        identifier=doi,
        title=_str(record.get("title")),
        abstract=_str(record.get("abstract")),
        authors=authors,
        categories=[category] if category else [],
        primary_category=category,
        doi=doi,
        url=f"{CONTENT_HOSTS.get(name, CONTENT_HOSTS['biorxiv'])}/content/{doi}v{version or 1}" if doi else None,
        license=_str(record.get("license")),
        published=_str(record.get("date")),
        version=version,
        section=_str(record.get("type")),
    )


def _str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if text in ("", "NA") else text


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def interval(spec: FeedSpec, today: date) -> tuple[date, date]:
    until = spec.until or today
    return spec.since or until - timedelta(days=spec.days - 1), until


def page_url(base: str, since: date, until: date, cursor: int, category: str | None) -> str:
    query = f"?{urlencode({'category': category})}" if category else ""
    return f"{base.rstrip('/')}/{since:%Y-%m-%d}/{until:%Y-%m-%d}/{cursor}/json{query}"


def fetch(spec: FeedSpec, fetcher: HttpFetcher, today: date) -> Iterator[tuple[Fetched, ParsedFeed]]:
    """Yield every page of the interval; a short total is an error on the last page."""
    server = spec.kind
    if is_local(spec.resolved_url):
        fetched = fetcher.get(spec.resolved_url)
        yield fetched, parse(fetched.content, fetched.charset, server=server)
        return
    since, until = interval(spec, today)
    cursor = received = expected = 0
    for _ in range(MAX_PAGES):
        fetched = fetcher.get(page_url(spec.resolved_url, since, until, cursor, spec.category))
        parsed = parse(fetched.content, fetched.charset, server=server)
        received += len(parsed.entries)
        expected = max(expected, parsed.total or 0)  # an empty last page reports no total of its own
        step = parsed.page_count or len(parsed.entries)
        cursor += step
        if parsed.error or step == 0 or cursor >= expected:
            if not parsed.error and received < expected:
                parsed.error = f"the API reported {expected} papers but sent {received}"
            yield fetched, parsed
            return
        yield fetched, parsed
    raise FeedParseError(f"gave up after {MAX_PAGES} pages: the API cursor never reached the total")
