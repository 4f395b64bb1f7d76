"""A profile's digest as an Atom feed (RFC 4287): pure, from a digest to XML text.

The feed's id is its own URL (stable per profile); each entry's id is the paper's page on the
server that serves the feed, so a feed reader shows a paper once however many days it is listed.
Every text is set as element text (escaped by the XML writer); abstracts go in ``summary`` as plain
text, never as HTML.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from queries.digest import Digest
from indexing.text import strip_controls

ATOM = "http://www.w3.org/2005/Atom"
GENERATOR = "Radar"


def _stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, as Atom's date constructs want it."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _day_stamp(day: str | None, fallback: datetime) -> str:
    if not day:
        return _stamp(fallback)
    return _stamp(datetime.fromisoformat(day[:10]).replace(tzinfo=UTC))


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = strip_controls(text)  # XML 1.0 cannot carry most control characters
    return element


def digest_atom(d: Digest, *, base_url: str, now: datetime) -> str:
    """The Atom feed of digest ``d``, served from ``base_url`` (e.g. http://127.0.0.1:8000)."""
    base = base_url.rstrip("/")
    self_url = f"{base}/profiles/{quote(d.profile, safe='')}/feed.atom"
    feed = ET.Element("feed", {"xmlns": ATOM})
    _text(feed, "id", self_url)
    _text(feed, "title", f"Radar: {d.profile}")
    _text(feed, "subtitle", d.description)
    entry_stamps = [_day_stamp(e.published, now) for e in d.entries]
    _text(feed, "updated", max(entry_stamps) if entry_stamps else _stamp(now))
    author = ET.SubElement(feed, "author")
    _text(author, "name", "Radar")
    _text(author, "uri", f"{base}/")
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html",
                                 "href": f"{base}/?profile={quote(d.profile, safe='')}"})
    _text(feed, "generator", GENERATOR)
    for entry, stamp in zip(d.entries, entry_stamps, strict=True):
        item = ET.SubElement(feed, "entry")
        page = f"{base}/paper/{quote(entry.paper_id, safe=':/')}"
        _text(item, "id", page)
        _text(item, "title", entry.title)
        _text(item, "updated", stamp)
        if entry.published:
            _text(item, "published", stamp)
        for name in entry.authors:  # none given: the feed's author stands for it (RFC 4287 4.1.1)
            person = ET.SubElement(item, "author")
            _text(person, "name", name)
        ET.SubElement(item, "link", {"rel": "alternate", "type": "text/html", "href": page})
        if entry.url and entry.url.startswith(("http://", "https://")):
            ET.SubElement(item, "link", {"rel": "related", "href": entry.url})
        for category in entry.categories:
            ET.SubElement(item, "category", {"term": strip_controls(category)})
        _text(item, "summary", entry.abstract, type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")
