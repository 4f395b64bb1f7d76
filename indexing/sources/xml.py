"""Forgiving, safe XML reading shared by the XML parsers (lxml, no I/O).

A feed is read record by record: every ``<item>``/``<entry>`` is cut out of the body and
parsed on its own, so one malformed record costs that record only (it is recovered as
far as possible and reported), a body cut off half way keeps every complete record before
the cut, and memory holds one record's tree at a time. What remains once the records are
cut out (the channel: its title, totals, namespaces) is parsed as a small document.

Entities are never resolved and nothing is fetched from the network (no XXE).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from indexing.records import RawEntry
from indexing.sources.decode import Decoded, decode, mark_repaired, xml_payload

_RECORD = re.compile(rb"<(?:[\w.-]+:)?(item|entry)(?:\s[^>]*)?>.*?</(?:[\w.-]+:)?\1\s*>", re.DOTALL)
_local = threading.local()


def _parser(recover: bool) -> etree.XMLParser:
    """One strict and one recovering parser per thread (lxml parsers are not thread-safe)."""
    key = "recover" if recover else "strict"
    parser = getattr(_local, key, None)
    if parser is None:
        parser = etree.XMLParser(recover=recover, resolve_entities=False, no_network=True, huge_tree=True)
        setattr(_local, key, parser)
    return parser


def _parse(data: bytes, recover: bool = True) -> tuple[etree._Element | None, list]:
    """The root (None when nothing parsed) and the parser's errors; never raises."""
    if not data.strip():
        return None, []
    parser = _parser(recover)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:  # recover mode still gives up on some bodies (NUL bytes, nothing left)
        root = None
    return root, list(parser.error_log)


@dataclass
class FeedDocument:
    """A feed body split into its skeleton (``root``) and its records, parsed one by one."""

    root: etree._Element | None
    errors: list[str] = field(default_factory=list)
    """Problems found so far: in the skeleton at once, in records as they are read."""
    payload: bytes = b""
    spans: list[tuple[int, int]] = field(default_factory=list)
    decoded: Decoded | None = None

    @property
    def error(self) -> str | None:
        if not self.errors:
            return None
        more = f" (and {len(self.errors) - 1} more problems)" if len(self.errors) > 1 else ""
        return self.errors[0] + more

    def records(self) -> Iterator[tuple[etree._Element | None, str | None]]:
        """Each record's element, plus its raw text when it was malformed (None if it is fine)."""
        opening, closing = _wrapper(self.root)
        for start, end in self.spans:
            fragment = self.payload[start:end]
            try:
                yield etree.fromstring(opening + fragment + closing, _parser(False))[0], None
            except etree.XMLSyntaxError as exc:
                self.errors.append(f"malformed record at byte {start}: {exc.msg}")
                wrapped, _ = _parse(opening + fragment + closing)
                element = wrapped[0] if wrapped is not None and len(wrapped) else None
                yield element, fragment.decode("utf-8", errors="replace")


    def entries(self, convert: Callable[[etree._Element], RawEntry], source: str) -> list[RawEntry]:
        """Every record as a RawEntry; a malformed one keeps its raw text for the rejects table."""
        entries = []
        for element, raw in self.records():
            entry = convert(element) if element is not None else RawEntry(source=source)
            if raw is not None:
                entry.excerpt = raw
            entries.append(entry)
        if self.decoded is not None:
            mark_repaired(entries, self.decoded)
        return entries


def read_feed(data: bytes, charset: str | None = None) -> FeedDocument:
    """Split and parse a feed body; ``root`` is None (and ``error`` says why) when it is not XML."""
    decoded = decode(data, charset)
    payload = xml_payload(decoded)
    spans = [m.span() for m in _RECORD.finditer(payload)]
    skeleton, cursor = [], 0
    for start, end in spans:
        skeleton.append(payload[cursor:start])
        cursor = end
    skeleton.append(payload[cursor:])
    root, problems = _parse(b"".join(skeleton))
    if root is None:
        return FeedDocument(None, [f"not XML: {problems[0].message}" if problems else "empty body"])
    fatal = [e for e in problems if e.level_name in ("FATAL", "ERROR")]
    errors = [f"malformed XML: {fatal[0].message}"] if fatal else []
    return FeedDocument(root, errors, payload, spans, decoded)


def _wrapper(root: etree._Element | None) -> tuple[bytes, bytes]:
    """An element declaring every namespace of the skeleton, for records to be parsed inside."""
    namespaces: dict[str | None, str] = {}
    if root is not None:
        for element in root.iter():
            if isinstance(element.tag, str):
                namespaces.update(element.nsmap)
    declarations = "".join(
        f' xmlns="{uri}"' if prefix is None else f' xmlns:{prefix}="{uri}"' for prefix, uri in namespaces.items()
    )
    return f"<radar-record{declarations}>".encode(), b"</radar-record>"


def local(tag: object) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _value(element: etree._Element) -> str | None:
    value = (element.text if len(element) == 0 else "".join(element.itertext())) or ""
    return value.strip() or None


def text(element: etree._Element, path: str) -> str | None:
    """Text of the first match of ``path`` (namespaces wildcarded with ``{*}``), stripped."""
    found = element.find(path)
    return None if found is None else _value(found)


def texts(element: etree._Element, path: str) -> list[str]:
    return [v for v in map(_value, element.iterfind(path)) if v]


class Children:
    """A record's child elements, indexed once: ``text``/``texts`` of one child name as the
    functions above find them (``name`` without a namespace, ``{*}name`` in any or none),
    without a path search per field."""

    __slots__ = ("_by_tag", "_by_local")

    def __init__(self, element: etree._Element) -> None:
        self._by_tag: dict[str, list[etree._Element]] = {}
        self._by_local: dict[str, list[etree._Element]] = {}
        for child in element:
            tag = child.tag
            if isinstance(tag, str):
                self._by_tag.setdefault(tag, []).append(child)
                self._by_local.setdefault(tag.rsplit("}", 1)[-1], []).append(child)

    def _found(self, name: str) -> list[etree._Element]:
        if name.startswith("{*}"):
            return self._by_local.get(name[3:], [])
        return self._by_tag.get(name, [])

    def text(self, name: str) -> str | None:
        found = self._found(name)
        return _value(found[0]) if found else None

    def texts(self, name: str) -> list[str]:
        return [v for v in map(_value, self._found(name)) if v]
