"""Bytes to text for every source, and the items a damaged body leaves damaged.

The encoding is the first of: a UTF-16/32 byte-order mark (nothing else can be read
without it); the XML declaration; the HTTP charset; a UTF-8 byte-order mark; UTF-8.
Two exceptions, for what servers really send: an HTTP charset other than UTF-8 loses to
a body that is UTF-8 with non-ASCII text (misdeclared UTF-8 is common, and such bytes are
practically never anything else); and a body that declares nothing and is not UTF-8 at
all (invalid bytes, and not one valid multi-byte sequence) is a legacy 8-bit feed, read
as Windows-1252, which cannot garble a single UTF-8 character since it holds none.

A byte that is not valid in the chosen encoding becomes U+FFFD where it stands: the
rest of the body is read as it was written, and the entries holding a replacement are
marked ``repaired`` (they are stored, and listed in ``rejects``). One bad byte never
switches the body to another encoding.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, fields

from indexing.records import RawEntry

REPLACEMENT = "\ufffd"
LEGACY = "cp1252"
_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_ESCAPED = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of an invalid byte
_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True, slots=True)
class Decoded:
    codec: str
    replaced: int = 0
    """Bytes that were not valid in ``codec`` and became U+FFFD."""
    utf8: bytes | None = None
    """The body itself (BOM dropped) when it is valid UTF-8: parsers can use it without re-encoding."""
    decoded: str | None = None
    """The text, when the body is not valid UTF-8 (else it is decoded on demand: a big feed is held once)."""

    @property
    def text(self) -> str:
        return self.decoded if self.decoded is not None else (self.utf8 or b"").decode("utf-8")


def decode(data: bytes, charset: str | None = None, *, xml: bool = True) -> Decoded:
    """``data`` as text (see the module docstring for the order the encoding is chosen in)."""
    bom = next(((mark, name) for mark, name in _BOMS if data.startswith(mark)), None)
    if bom:
        data = data[len(bom[0]):]
        if bom[1] != "utf-8":
            return _decode(data, bom[1])
    declared = _single_byte_family(_lookup(_declared(data))) if xml else None
    if declared:
        return _decode(data, declared)
    utf8 = _decode(data, "utf-8")
    http = _single_byte_family(_lookup(charset))
    if http and http != "utf-8":
        return utf8 if _mostly_utf8(utf8) else _decode(data, http)
    if utf8.replaced and not http and not bom and not _mostly_utf8(utf8):
        return _decode(data, LEGACY)
    return utf8


def _mostly_utf8(decoded: Decoded) -> bool:
    """Some valid multi-byte characters, and no more invalid bytes than them: UTF-8, maybe damaged."""
    valid = len(_NON_ASCII.findall(decoded.text))
    return valid > 0 and valid >= decoded.replaced


def _single_byte_family(codec: str | None) -> str | None:
    """An encoding named in ASCII (a declaration, a header) that can be right: never UTF-16/32 without a BOM."""
    return None if codec is None or codec.startswith(("utf-16", "utf-32")) else codec


def xml_payload(decoded: Decoded) -> bytes:
    """The decoded XML as UTF-8 bytes, without the declaration (it would name the old encoding)."""
    if decoded.utf8 is not None:  # no declaration, or one that says UTF-8: no copy needed
        return decoded.utf8
    return _DECLARATION_TEXT.sub("", decoded.text, count=1).encode("utf-8")


def mark_repaired(entries: list[RawEntry], decoded: Decoded) -> None:
    """Mark the entries that hold a replaced byte (only a damaged body can have any)."""
    if not decoded.replaced:
        return
    for entry in entries:
        entry.repaired = any(REPLACEMENT in value for value in _texts(entry))


def _texts(entry: RawEntry) -> list[str]:
    values: list[str] = []
    for f in fields(entry):
        value = getattr(entry, f.name)
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            values.extend(v for v in value if isinstance(v, str))
    return values


def _decode(data: bytes, codec: str) -> Decoded:
    try:
        text = data.decode(codec)
        return Decoded(codec, utf8=data) if codec == "utf-8" else Decoded(codec, decoded=text)
    except UnicodeDecodeError:
        pass
    text = data.decode(codec, errors="surrogateescape")
    escaped = _ESCAPED.findall(text)
    return Decoded(codec, len(escaped), decoded=_ESCAPED.sub(REPLACEMENT, text))


def _declared(data: bytes) -> str | None:
    found = _DECLARATION.match(data)
    return found.group(1).decode("ascii") if found else None


def _lookup(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None

