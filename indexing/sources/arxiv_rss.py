"""arXiv's announcement feeds: rss.arxiv.org RSS 2.0 and Atom, and the old RSS 1.0 (RDF).

``parse`` is pure (bytes in, entries out); ``fetch`` is one conditional GET.
"""

from __future__ import annotations

import re

from lxml import etree

from indexing.records import ParsedFeed, RawEntry
from indexing.sources.xml import Children, local, read_feed, text, texts

SOURCE = "arxiv"
_ANNOUNCE = re.compile(r"Announce Type:\s*([\w-]+)", re.IGNORECASE)
# Old RDF titles: "Title. (arXiv:1808.09955v1 [astro-ph.IM])" or "... [cs.NA] UPDATED)".
_RDF_TITLE = re.compile(r"^(?P<title>.*?)\.?\s*\(arXiv:(?P<id>\S+?)\s*(?:\[(?P<cat>[^\]]+)\])?\s*(?P<upd>UPDATED)?\)\s*$", re.DOTALL)


def parse(data: bytes, charset: str | None = None) -> ParsedFeed:
    document = read_feed(data, charset)
    root = document.root
    if root is None:
        return ParsedFeed(error=document.error)
    kind = local(root.tag)
    if kind == "feed":
        convert, title = _atom_item, root.findtext("{*}title")
    elif kind == "RDF":
        channel_date = root.findtext("{*}channel/{*}date")  # RDF items carry no date of their own
        convert, title = (lambda item: _rdf_item(item, channel_date)), root.findtext("{*}channel/{*}title")
    elif kind == "rss":
        convert, title = _rss_item, root.findtext("channel/title")
        if title and title.startswith("Feed error for query"):
            return ParsedFeed(title=title, error=f"arXiv says: {text(root, 'channel/description') or title}")
    else:
        return ParsedFeed(error=f"not an arXiv feed: the document is <{kind}>, not <rss>, <feed> or <rdf:RDF>")
    entries = document.entries(convert, SOURCE)
    return ParsedFeed(entries=entries, error=document.error, title=(title or "").strip() or None)


def _announce(item: etree._Element | Children, description: str | None) -> str | None:
    declared = item.text("{*}announce_type") if isinstance(item, Children) else text(item, "{*}announce_type")
    if declared:
        return declared
    found = _ANNOUNCE.search(description or "")
    return found.group(1) if found else None


def _creators(item: etree._Element | Children) -> list[str]:
    # dc:creator holds "A, B, C" (new feeds) or HTML links joined by commas (old RDF). Some
    # names carry an affiliation, "A (Dept, Univ, City), B": commas inside it separate no authors.
    names: list[str] = []
    for value in item.texts("{*}creator") if isinstance(item, Children) else texts(item, "{*}creator"):
        names.extend(_PARENTHESISED.sub("", part) for part in _top_level_split(re.sub(r"<[^>]+>", "", value)))
    return [" ".join(n.split()) for n in names if n.strip()]


_PARENTHESISED = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)")


def _top_level_split(value: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(value):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


def _rss_item(element: etree._Element) -> RawEntry:
    item = Children(element)  # the biggest feeds are RSS: each child looked up once
    description = item.text("description")
    categories = item.texts("category")
    return RawEntry(
        source=SOURCE,
        identifier=item.text("guid"),
        title=item.text("title"),
        abstract=description,
        authors=_creators(item),
        categories=categories,
        primary_category=categories[0] if categories else None,
        doi=item.text("{*}DOI"),
        journal_ref=item.text("{*}journal_reference"),
        url=item.text("link"),
        license=item.text("{*}rights"),
        published=item.text("pubDate"),
        announce_type=_announce(item, description),
    )


def _atom_item(entry: etree._Element) -> RawEntry:
    summary = text(entry, "{*}summary")
    categories = [c.get("term", "").strip() for c in entry.iterfind("{*}category") if c.get("term")]
    link = next((l.get("href") for l in entry.iterfind("{*}link") if l.get("rel", "alternate") == "alternate"), None)
    return RawEntry(
        source=SOURCE,
        identifier=text(entry, "{*}id"),
        title=text(entry, "{*}title"),
        abstract=summary,
        authors=_creators(entry),
        categories=categories,
        primary_category=categories[0] if categories else None,
        doi=text(entry, "{*}DOI"),
        journal_ref=text(entry, "{*}journal_reference"),
        url=link,
        license=text(entry, "{*}rights"),
        published=text(entry, "{*}published"),
        updated=text(entry, "{*}updated"),
        announce_type=_announce(entry, summary),
    )


def _rdf_item(item: etree._Element, channel_date: str | None) -> RawEntry:
    raw_title = text(item, "{*}title") or ""
    match = _RDF_TITLE.match(raw_title)
    category = match.group("cat") if match else None
    return RawEntry(
        source=SOURCE,
        identifier=match.group("id") if match else item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"),
        title=match.group("title") if match else raw_title,
        abstract=text(item, "{*}description"),
        authors=_creators(item),
        categories=[category] if category else [],
        primary_category=category,
        url=text(item, "{*}link"),
        published=channel_date,
        announce_type=("replace" if match.group("upd") else "new") if match else None,
        html=True,  # the old RDF's descriptions are HTML ("<p>…</p>")
    )
