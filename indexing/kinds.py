"""What kind of item a paper is: its announce kind (new, cross-list, revised) and, for journal
items, its article type (research, news, correction...). Pure functions; one definition each,
used by the parsers, the store's filters, the search backends and the listings."""

from __future__ import annotations

import re


# The announce types feeds write (arXiv: new, cross, replace, replace-cross) → the kind Radar shows.
_ANNOUNCED: dict[str, str] = {"new": "new", "cross": "cross-list", "replace": "revised", "replace-cross": "revised"}
# What a reader may type for a kind (case does not matter).
_ANNOUNCE_NAMES: dict[str, str] = {**_ANNOUNCED, "cross-list": "cross-list", "crosslist": "cross-list",
                                   "revised": "revised", "revision": "revised"}

# Title prefixes journals put on notices ("Author Correction: …", "Retraction Note: …").
_TITLE_PREFIX = re.compile(
    r"^\s*(?:(?P<correction>(?:author|publisher)?\s*correction|erratum|corrigendum|addendum)"
    r"|(?P<retraction>retraction(?:\s+note)?)|(?P<editorial>editorial)"
    r"|(?P<news>[\w&\s]{0,25}briefing|news(?:\s*&\s*views)?))\s*:",
    re.IGNORECASE,
)
# Words of a declared type (dc:type, prism:section, an Atom category), checked in this order.
_DECLARED = (
    ("correction", ("correction", "erratum", "corrigendum", "addendum")),
    ("retraction", ("retraction",)),
    ("editorial", ("editorial",)),
    ("news", ("news", "briefing", "career", "obituary", "book")),
    ("comment", ("comment", "opinion", "correspondence", "perspective", "viewpoint", "world view")),
    ("review", ("review",)),
    ("research", ("article", "research", "letter", "report", "paper")),
)
# Nature's URLs tell magazine content (news, comment, editorials: /articles/d41586-…) from
# papers (/articles/s41586-…); the same scheme holds for the other Nature Portfolio journals.
_NATURE_URL = re.compile(r"nature\.com/articles/(?P<kind>[ds])\d{5}-", re.IGNORECASE)


def announce_kind(announce_type: str | None, version: int | None) -> str:
    """new, cross-list or revised. Without an announce type (APIs, journals) a version after the
    first is a revision."""
    kind = _ANNOUNCED.get((announce_type or "").strip().lower())
    if kind:
        return kind
    return "revised" if (version or 1) > 1 else "new"


def announce_sql(announce_type: str = "announce_type", version: str = "version") -> str:
    """:func:`announce_kind` as a DuckDB expression over two columns."""
    cases = " ".join(f"WHEN '{raw}' THEN '{kind}'" for raw, kind in _ANNOUNCED.items())
    return (f"(CASE lower(trim(coalesce({announce_type}, ''))) {cases} "
            f"ELSE (CASE WHEN coalesce({version}, 1) > 1 THEN 'revised' ELSE 'new' END) END)")


def announce_name(name: str) -> str | None:
    """The kind a reader's word names (``cross`` → cross-list); None when it names none."""
    return _ANNOUNCE_NAMES.get(name.strip().lower())


def article_type(title: str | None, url: str | None, declared: list[str] | None = None) -> str | None:
    """A journal item's article type, from its title prefix, then what the feed declares, then
    its URL; None when nothing tells."""
    match = _TITLE_PREFIX.match(title or "")
    if match:
        return next(name for name, value in match.groupdict().items() if value)
    for text in declared or ():
        lowered = text.lower()
        for kind, words in _DECLARED:
            if any(word in lowered for word in words):
                return kind
    found = _NATURE_URL.search(url or "")
    if found:
        return "news" if found.group("kind").lower() == "d" else "research"
    return None
