"""Decoding feed bodies: the declared encoding, then the BOM, then UTF-8; a bad byte damages its own item only."""

from __future__ import annotations

import codecs
import json

import pytest

from indexing.records import RawEntry
from indexing.sources import arxiv_rss, biorxiv, rss
from indexing.sources.decode import REPLACEMENT, decode

HUEBNER = "Norbert Hübner"


def flip(body: bytes, marker: bytes, occurrence: int = 0) -> bytes:
    """``body`` with the byte right after the ``occurrence``-th ``marker`` made invalid in UTF-8."""
    at = -1
    for _ in range(occurrence + 1):
        at = body.index(marker, at + 1)
    at += len(marker)
    return body[:at] + b"\xff" + body[at + 1:]


def fields(entry: RawEntry) -> dict:
    return {k: getattr(entry, k) for k in entry.__slots__ if k != "repaired"}


# --- choosing the encoding ---------------------------------------------------------------------

def test_the_xml_declaration_is_followed() -> None:
    body = "<?xml version='1.0' encoding='windows-1250'?><rss>Łódź</rss>".encode("cp1250")
    assert decode(body).text.endswith("<rss>Łódź</rss>")


def test_the_http_charset_is_followed_when_the_document_declares_nothing() -> None:
    assert decode("<rss>Łódź</rss>".encode("iso-8859-2"), "iso-8859-2").text == "<rss>Łódź</rss>"


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
                                        (codecs.BOM_UTF8, "utf-8")])
def test_a_byte_order_mark_is_followed_and_dropped(bom: bytes, codec: str) -> None:
    decoded = decode(bom + "<rss>Hübner</rss>".encode(codec))
    assert (decoded.text, decoded.replaced) == ("<rss>Hübner</rss>", 0)


def test_utf8_is_the_default() -> None:
    assert decode("<rss>Hübner</rss>".encode()).text == "<rss>Hübner</rss>"


@pytest.mark.parametrize("charset", [None, "utf-8", "iso-8859-1", "windows-1250"])
def test_one_invalid_byte_is_replaced_where_it_stands_and_nothing_else_changes(charset: str | None) -> None:
    body = "<rss><a>Hübner</a><b>Käser</b><c>Łódź x</c></rss>".encode()
    decoded = decode(body.replace(b" x", b" \xff"), charset)
    assert decoded.text == f"<rss><a>Hübner</a><b>Käser</b><c>Łódź {REPLACEMENT}</c></rss>"
    assert decoded.replaced == 1


def test_a_declared_utf8_body_with_a_bad_byte_and_no_other_non_ascii_is_still_utf8() -> None:
    decoded = decode(b"<?xml version='1.0' encoding='UTF-8'?><rss>caf\xe9</rss>")
    assert decoded.text.endswith(f"<rss>caf{REPLACEMENT}</rss>") and decoded.replaced == 1


def test_an_undeclared_body_without_any_utf8_is_a_legacy_8bit_feed() -> None:
    decoded = decode("<rss>Schrödinger – “quoted”</rss>".encode("cp1252"))
    assert (decoded.text, decoded.codec, decoded.replaced) == ("<rss>Schrödinger – “quoted”</rss>", "cp1252", 0)


# --- a recorded feed with one byte flipped: only the item holding it is touched -----------------

def test_arxiv_rss_with_one_byte_flipped_repairs_that_item_only(feed_bytes) -> None:
    body = feed_bytes("rss_mock_feed.xml")
    clean = arxiv_rss.parse(body).entries
    damaged = arxiv_rss.parse(flip(body, b"<title>", occurrence=10)).entries
    assert len(damaged) == len(clean)
    repaired = [i for i, e in enumerate(damaged) if e.repaired]
    assert repaired == [9]  # the channel has the first <title>
    assert REPLACEMENT in damaged[9].title
    assert all(fields(a) == fields(b) for i, (a, b) in enumerate(zip(clean, damaged)) if i != 9)


@pytest.mark.parametrize("marker", [b"<title><![CDATA[Inhibition", "Norbert H".encode()], ids=["ascii", "inside-ü"])
def test_journal_rss_with_one_byte_flipped_repairs_that_item_only(feed_bytes, marker: bytes) -> None:
    body = feed_bytes("nature.rss")
    clean = rss.parse(body, source="Nature").entries
    damaged = rss.parse(flip(body, marker, occurrence=0), source="Nature").entries
    assert len(damaged) == len(clean) == 75
    repaired = [i for i, e in enumerate(damaged) if e.repaired]
    assert len(repaired) == 1
    # feedparser is handed clean UTF-8: no other item is decoded as windows-1250 or anything else.
    assert all(fields(a) == fields(b) for i, (a, b) in enumerate(zip(clean, damaged)) if i not in repaired)
    assert any(HUEBNER in e.authors for e in clean)
    non_ascii = [e for e in damaged if not e.repaired and not (e.title + (e.abstract or "")).isascii()]
    assert non_ascii, "the recorded feed has non-ASCII text outside the damaged item"


def test_biorxiv_json_with_one_byte_flipped_repairs_that_record_only(feed_bytes) -> None:
    body = feed_bytes("biorxiv_details.json")
    records = json.loads(body)["collection"]
    records[0]["title"] = "Käser and Hübner"
    body = json.dumps({**json.loads(body), "collection": records}, ensure_ascii=False).encode()
    damaged = biorxiv.parse(body.replace("Käser".encode(), b"K\xffser")).entries
    assert [e.repaired for e in damaged] == [True] + [False] * (len(records) - 1)
    assert damaged[0].title == f"K{REPLACEMENT}ser and Hübner"
