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


def read_xml(data: bytes, charset: str | None = None) -> tuple[etree._Element | None, str | None]:
    """Parse ``data``; return the root (None when nothing parsed) and the first error, if any.

    The document's own declaration wins over an HTTP charset (servers often get it
    wrong); only bytes that are not valid in the declared encoding are decoded again,
    with the HTTP charset or Windows-1252.
    """
    parser = _parser()
    root = etree.fromstring(data, parser) if data.strip() else None
    errors = list(parser.error_log)
    if any(e.type_name == "ERR_INVALID_ENCODING" or "encoding" in e.message.lower() for e in errors):
        text = data.decode(_codec(charset), errors="replace")
        retry = _parser()
        root = etree.fromstring(_DECLARATION.sub(b"", text.encode("utf-8")), retry)
        errors = list(retry.error_log)
    if root is None:
        return None, (f"not XML: {errors[0].message}" if errors else "empty body")
    fatal = [e for e in errors if e.level_name in ("FATAL", "ERROR")]
    return root, (f"malformed XML at line {fatal[0].line}: {fatal[0].message}" if fatal else None)


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
