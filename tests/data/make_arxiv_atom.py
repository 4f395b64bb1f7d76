"""Build ``feeds/arxiv-atom-cs.AI-2024-11-28.xml``: the cs.AI Atom feed of 28 Nov 2024, as rss.arxiv.org/atom
would have served it, from the CC0 arXiv metadata in the demo's recorded full-day RSS feed.

Run from the repository root: ``python tests/data/make_arxiv_atom.py``. The output is committed; this script is
how it was made (deterministic: the same input gives the same bytes).

The Atom layout (``oai:`` ids, ``arXiv:… Announce Type: …`` summaries, ``arxiv:announce_type``, ``dc:creator``)
is that of the live Atom feed. Papers whose primary category is not cs.AI are the ones a cs.AI feed lists as
cross-lists, so their announce type is rewritten to ``cross``; everything else is copied as recorded.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "demo" / "snapshot" / "arxiv-all-2024-11-28.rss.xml"
TARGET = Path(__file__).resolve().parent / "feeds" / "arxiv-atom-cs.AI-2024-11-28.xml"
NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}
# Two papers whose home is cs.AI and five cross-listed into it from other archives: the first from Statistics
# with LaTeX accents in its authors, then Quantitative Biology, quant-ph, cs.CL and cs.GT.
CHOSEN = ["2411.18575", "2411.17708", "2411.17795", "2411.18141", "2411.17719", "2411.17749", "2411.18158"]
UPDATED = "2024-11-28T05:00:21.104203+00:00"

HEADER = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" \
xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">
  <id>http://rss.arxiv.org/atom/cs.AI</id>
  <title>cs.AI updates on arXiv.org</title>
  <updated>{updated}</updated>
  <link href="http://rss.arxiv.org/atom/cs.AI" rel="self" type="application/atom+xml"/>
  <subtitle>cs.AI updates on the arXiv.org e-print archive.</subtitle>
"""


def entry_xml(item: etree._Element) -> str:
    guid = item.findtext("guid")
    arxiv_id = item.findtext("link").rsplit("/", 1)[-1]
    categories = [c.text for c in item.findall("category")]
    announce = item.findtext("arxiv:announce_type", namespaces=NS)
    if categories[0] != "cs.AI" and announce == "new":
        announce = "cross"
    summary = re.sub(r"Announce Type: \S+", f"Announce Type: {announce}", item.findtext("description"), count=1)
    published = parsedate_to_datetime(item.findtext("pubDate")).isoformat()
    lines = [
        "  <entry>",
        f"    <id>{escape(guid)}</id>",
        f"    <title>{escape(item.findtext('title'))}</title>",
        f"    <updated>{UPDATED}</updated>",
        f'    <link href="https://arxiv.org/abs/{arxiv_id}" rel="alternate" type="text/html"/>',
        f"    <summary>{escape(summary)}</summary>",
        *(f'    <category term="{escape(c)}"/>' for c in categories),
        f"    <published>{published}</published>",
        f"    <arxiv:announce_type>{announce}</arxiv:announce_type>",
        f"    <dc:rights>{escape(item.findtext('dc:rights', namespaces=NS))}</dc:rights>",
        f"    <dc:creator>{escape(item.findtext('dc:creator', namespaces=NS))}</dc:creator>",
    ]
    for tag in ("arxiv:DOI", "arxiv:journal_reference"):
        value = item.findtext(tag, namespaces=NS)
        if value:
            lines.append(f"    <{tag}>{escape(value)}</{tag}>")
    return "\n".join([*lines, "  </entry>"]) + "\n"


def build() -> bytes:
    items = {i.findtext("link").rsplit("/", 1)[-1]: i for i in etree.parse(str(SOURCE)).iter("item")}
    body = HEADER.format(updated=UPDATED) + "".join(entry_xml(items[i]) for i in CHOSEN) + "</feed>\n"
    return body.encode("utf-8")


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(build())
    print(f"wrote {TARGET.relative_to(ROOT)}")
