"""Builders for synthetic feeds in arXiv's real RSS 2.0 shape (for cases the recordings lack)."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><title>test updates on arXiv.org</title>')
FOOTER = "</channel></rss>"


def item(arxiv_id: str | None = "2411.00001", version: int = 1, title: str | None = "A title",
         abstract: str = "An abstract.", announce: str = "new", categories: tuple[str, ...] = ("cs.LG",),
         authors: str = "Ada Lovelace, Alan Turing", doi: str | None = None) -> str:
    parts = ["<item>"]
    if title is not None:
        parts.append(f"<title>{escape(title)}</title>")
    if arxiv_id is not None:
        parts.append(f"<link>https://arxiv.org/abs/{arxiv_id}</link>")
        parts.append(f'<guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v{version}</guid>')
    parts.append(f"<description>arXiv:{arxiv_id}v{version} Announce Type: {announce} \nAbstract: {escape(abstract)}</description>")
    parts.extend(f"<category>{c}</category>" for c in categories)
    parts.append("<pubDate>Thu, 28 Nov 2024 00:00:00 -0500</pubDate>")
    parts.append(f"<arxiv:announce_type>{announce}</arxiv:announce_type>")
    if doi:
        parts.append(f"<arxiv:DOI>{doi}</arxiv:DOI>")
    parts.append(f"<dc:creator>{escape(authors)}</dc:creator></item>")
    return "".join(parts)


def feed(*items: str) -> bytes:
    return (HEADER + "".join(items) + FOOTER).encode("utf-8")


_ITEM = re.compile(rb"<item>.*?</item>", re.DOTALL)
_DOI = re.compile(rb"<arxiv:DOI>.*?</arxiv:DOI>", re.DOTALL)
_GUID = re.compile(rb"oai:arXiv.org:(\S+?)v\d+<")


def replicate(recorded: bytes, copies: int) -> bytes:
    """A big feed: the recorded items repeated with fresh, unique arXiv ids (up to 1,000 copies)."""
    items = _ITEM.findall(recorded)
    head = recorded[: recorded.index(b"<item>")]
    tail = recorded[recorded.rindex(b"</item>") + len(b"</item>"):]
    out = [head]
    for copy in range(copies):
        for index, it in enumerate(items):
            old = _GUID.search(it).group(1)
            new = f"{9000 + copy // 10:04d}.{copy % 10}{index:04d}".encode()
            # Copies of a paper with a DOI would be linked into one paper: give each copy its own DOI.
            doi = b"<arxiv:DOI>10.99999/copy%d.%d</arxiv:DOI>" % (copy, index)
            out.append(_DOI.sub(doi, it.replace(old, new)))
    out.append(tail)
    return b"".join(out)
