"""Forgiving, safe XML reading shared by the XML parsers (lxml, no I/O).

What parses is kept: a body cut off half way still yields the items before the cut,
and the error is reported beside them. Entities are never resolved and nothing is
fetched from the network (no XXE).
"""

from __future__ import annotations

import re

from lxml import etree

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)


def _parse(data: bytes) -> tuple[etree._Element | None, list[etree._LogEntry]]:
    """The root (None when nothing parsed) and the parser's errors; never raises."""
    if not data.strip():
        return None, []
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:  # recover mode still gives up on some bodies (NUL bytes, nothing left)
        root = None
    return root, list(parser.error_log)


def read_xml(
    data: bytes, charset: str | None = None, *, records: tuple[str, ...] = ()
) -> tuple[etree._Element | None, str | None]:
    """Parse ``data``; return the root (None when nothing parsed) and the first error, if any.

    The document's own declaration wins over an HTTP charset (servers often get it
    wrong); only bytes that are not valid in the declared encoding are decoded again,
    with the HTTP charset or Windows-1252.

    ``records`` names the repeated elements (``item``, ``entry``) the caller reads: in a
    malformed body, a record that was never closed (the one a cut-off body ends in) is
    dropped, since what it holds is partial.
    """
    payload = data
    root, errors = _parse(payload)
    if any(e.type_name == "ERR_INVALID_ENCODING" or "encoding" in e.message.lower() for e in errors):
        text = data.decode(_codec(charset), errors="replace")
        payload = _DECLARATION.sub(b"", text.encode("utf-8"))
        root, errors = _parse(payload)
    if root is None:
        return None, (f"not XML: {errors[0].message}" if errors else "empty body")
    fatal = [e for e in errors if e.level_name in ("FATAL", "ERROR")]
    if fatal and records:
        complete = _without_unclosed(payload, records)
        root = complete if complete is not None else root
    return root, (f"malformed XML at line {fatal[0].line}: {fatal[0].message}" if fatal else None)


def _without_unclosed(payload: bytes, records: tuple[str, ...]) -> etree._Element | None:
    """Parse again, noting which records were really closed; the others are removed.

    A pull parser reports an element's end as soon as its end tag is read; the elements
    libxml2 closes itself when the body runs out end only at ``close()``.
    """
    pull = etree.XMLPullParser(events=("end",), recover=True, resolve_entities=False, no_network=True,
                               huge_tree=True)
    try:
        pull.feed(payload)
        closed = [e for _, e in pull.read_events() if local(e.tag) in records]  # kept alive: ids stay unique
        root = pull.close()
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    closed_ids = {id(e) for e in closed}
    for element in [e for e in root.iter() if local(e.tag) in records and id(e) not in closed_ids]:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return root


def _codec(charset: str | None) -> str:
    import codecs

    if charset:
        try:
            name = codecs.lookup(charset).name
        except LookupError:
            return "cp1252"
        if name != "utf-8":
            return name
    return "cp1252"


def local(tag: object) -> str:
    """``{namespace}name`` → ``name``."""
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def text(element: etree._Element, path: str) -> str | None:
    """Text of the first match of ``path`` (namespaces wildcarded with ``{*}``), stripped."""
    found = element.find(path)
    if found is None:
        return None
    value = "".join(found.itertext()).strip()
    return value or None


def texts(element: etree._Element, path: str) -> list[str]:
    return [v for v in ("".join(e.itertext()).strip() for e in element.iterfind(path)) if v]


def excerpt(element: etree._Element, limit: int = 2000) -> str:
    return etree.tostring(element, encoding="unicode", with_tail=False)[:limit]
