"""Any journal feed: RSS 0.9x/1.0 (RDF)/2.0 and Atom, read with feedparser.

Nature-style RDF carries ``dc:`` and ``prism:`` fields (DOI, authors, date, section,
publication name), which are read when present. ``parse`` is pure; ``fetch`` is one
conditional GET.
"""

from __future__ import annotations

import re

import feedparser

from indexing.kinds import article_type
from indexing.records import ParsedFeed, RawEntry
from indexing.sources.decode import decode, mark_repaired, xml_payload

# Nature opens every teaser with "<p>Nature, Published online: DATE; doi:…</p>".
_PUBLISHED_ONLINE = re.compile(r"^\s*<p>[^<]*Published online:.*?</p>", re.IGNORECASE | re.DOTALL)
# A body that does not end with its root's end tag was cut off; so was, then, its last item
# unless that item's own end tag made it into the body.
_ROOT_END = re.compile(rb"</(?:[\w.-]+:)?(?:rss|RDF|feed)\s*>\s*$")
_ITEM_END = re.compile(rb"</(?:[\w.-]+:)?(?:item|entry)\s*>")


def parse(data: bytes, charset: str | None = None, *, source: str | None = None, field: str | None = None) -> ParsedFeed:
    # Decoded here, not by feedparser: one bad byte must not switch the whole body to another
    # encoding. feedparser gets clean UTF-8, declared as such.
    decoded = decode(data, charset)
    data = xml_payload(decoded)
    feed = feedparser.parse(data, response_headers={"content-type": "application/xml; charset=utf-8"},
                            sanitize_html=False, resolve_relative_uris=False)
    if not feed.entries and not feed.get("version"):  # an HTML page, an empty body: not an empty feed
        return ParsedFeed(error=f"not a feed: {feed.get('bozo_exception') or 'no RSS, RDF or Atom document found'}")
    name = source or feed.feed.get("title") or "journal"
    error = None
    entries = feed.entries
    if feed.bozo and not isinstance(feed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        error = f"malformed feed: {feed.get('bozo_exception')}"
        if not _ROOT_END.search(data):
            entries = entries[:len(_ITEM_END.findall(data))]
    parsed = [_entry(e, name, field) for e in entries]
    mark_repaired(parsed, decoded)
    return ParsedFeed(entries=parsed, error=error, title=feed.feed.get("title"))


def _entry(entry: feedparser.FeedParserDict, source: str, field: str | None) -> RawEntry:
    content = entry.get("content")
    abstract = entry.get("summary") or (content[0].get("value") if content else None)
    if abstract:
        abstract = _PUBLISHED_ONLINE.sub("", abstract)
    tags = [t.get("term", "") for t in entry.get("tags", []) if t.get("term")]
    url = entry.get("prism_url") or entry.get("link")
    declared = [v for v in (entry.get("dc_type"), entry.get("prism_section")) if isinstance(v, str) and v]
    return RawEntry(
        source=source,
        identifier=entry.get("id") or entry.get("dc_identifier"),
        title=entry.get("title"),
        abstract=abstract,
        authors=[a.get("name", "") for a in entry.get("authors", []) if a.get("name")],
        categories=tags,
        primary_category=tags[0] if tags else None,
        doi=entry.get("prism_doi") or _doi_identifier(entry.get("dc_identifier")),
        url=url,
        license=entry.get("rights"),
        published=entry.get("published") or entry.get("updated") or entry.get("prism_publicationdate"),
        updated=entry.get("updated"),
        section=entry.get("prism_section"),
        venue=entry.get("prism_publicationname") or source,
        field=field,
        article_type=article_type(entry.get("title"), url, declared),
        html=True,  # journals write titles and teasers in HTML ("S<sub>N</sub>2"), whatever the type says
    )


def _doi_identifier(value: str | None) -> str | None:
    return value if value and "10." in value else None
