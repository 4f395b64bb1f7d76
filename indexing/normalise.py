"""Normalisation: a parser's :class:`RawEntry` becomes one :class:`Paper`. Pure functions.

The identity rules (DESIGN.md): ``arxiv:<id>`` without version, else ``doi:<doi>``
lower-cased, else ``url:<hash of the canonical URL>``.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from indexing.fields import field_for
from indexing.records import Paper, RawEntry
from indexing.text import author_name, clean_text, strip_controls
from radar.errors import InvalidItemError

# New-style (2007+) and old-style arXiv ids, with an optional version.
# An old-style id may carry its subject class (math.GT/0309136): the id is math/0309136.
ARXIV_ID = re.compile(
    r"(?P<id>\d{4}\.\d{4,5}|(?P<archive>[a-z][a-z\-]*)(?:\.[A-Z]{2})?/(?P<number>\d{7}))(?:v(?P<version>\d+))?(?![\d])"
)
_DOI = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
# Where a link, id or DOI names an arXiv paper: arxiv.org/abs/ID, /pdf/ID, 10.48550/arXiv.ID, arXiv:ID.
_ARXIV_REFERENCE = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|10\.48550/arxiv\.|^\s*(?:oai:arxiv\.org:|arxiv:))", re.IGNORECASE)
_TRACKING_PARAMS = ("utm_", "rss", "src", "ref")


def arxiv_id(text: str | None) -> tuple[str, int | None] | None:
    """The arXiv id (without version) and version found in a guid, URL or id string."""
    if not text:
        return None
    match = ARXIV_ID.search(text)
    if not match:
        return None
    version = match.group("version")
    bare = f"{match.group('archive')}/{match.group('number')}" if match.group("archive") else match.group("id")
    return bare, int(version) if version else None


def arxiv_reference(text: str | None) -> tuple[str, int | None] | None:
    """The arXiv paper a link, id or DOI names (``https://arxiv.org/abs/ID``, ``/pdf/IDv2``,
    ``10.48550/arXiv.ID``, ``arXiv:ID``, ``oai:arXiv.org:ID``); None when it names none."""
    if not text or not (match := _ARXIV_REFERENCE.search(text)):
        return None
    found = ARXIV_ID.match(text, match.end())
    if not found:
        return None
    return arxiv_id(found.group(0))


def normalise_doi(text: str | None) -> str | None:
    """``doi:10.1101/X``, ``https://doi.org/10.1101/X`` → ``10.1101/x``."""
    if not text:
        return None
    match = _DOI.search(strip_controls(text.strip()))
    return match.group(0).rstrip(".,;").lower() if match else None


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(_TRACKING_PARAMS)]
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https" if parts.scheme in ("http", "https") else parts.scheme,
                       parts.netloc.lower(), path, urlencode(sorted(query)), ""))


def url_id(url: str) -> str:
    return "url:" + hashlib.sha256(canonical_url(url).encode()).hexdigest()[:20]


@lru_cache(maxsize=4096)  # a feed's items share a handful of dates
def parse_datetime(text: str | None) -> datetime | None:
    """RFC 822, ISO 8601 or a bare date, as an aware UTC datetime; None when unreadable."""
    if not text or not (text := text.strip()):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_version(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.strip().lstrip("vV")
    return int(digits) if digits.isdigit() else None


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(filter(None, map(str.strip, values))))


def paper_identity(entry: RawEntry) -> tuple[str, int | None]:
    """The stable paper id and the version this entry is, or InvalidItemError."""
    version = parse_version(entry.version)
    found = _named_arxiv_paper(entry)
    if found:
        return f"arxiv:{found[0]}", found[1] or version
    doi = normalise_doi(entry.doi) or normalise_doi(entry.identifier)
    if doi:
        return f"doi:{doi}", version
    link = entry.url or entry.identifier
    if link and urlsplit(link).scheme in ("http", "https"):
        return url_id(link), version
    raise InvalidItemError("item has no id, DOI or link")


def _named_arxiv_paper(entry: RawEntry) -> tuple[str, int | None] | None:
    # An arXiv feed's id is an arXiv id however it is written; any other source's item joins
    # the arXiv paper only when its id, link or DOI says arXiv.
    texts = (entry.identifier, entry.url, entry.doi, entry.pdf_url)
    if entry.source == "arxiv":
        return next(filter(None, (arxiv_id(t) for t in texts[:2])), None) or arxiv_reference(entry.doi)
    return next(filter(None, map(arxiv_reference, texts)), None)


def _journal_doi(entry: RawEntry, paper_id: str) -> str | None:
    """The DOI that links this paper to others; an arXiv DOI only repeats the arXiv id."""
    doi = normalise_doi(entry.doi) or (paper_id.removeprefix("doi:") if paper_id.startswith("doi:") else None)
    return None if doi and doi.startswith("10.48550/arxiv.") else doi


def _text_list(values: list[str]) -> tuple[str, ...]:
    return _unique([strip_controls(v) for v in values])


def normalise(entry: RawEntry) -> Paper:
    """One raw feed item → one Paper, or InvalidItemError with the reason."""
    markup = entry.html
    title = clean_text(entry.title, html_markup=markup)
    if not title:
        raise InvalidItemError("item has no title")
    paper_id, version = paper_identity(entry)
    categories = _text_list(entry.categories)
    primary = strip_controls(entry.primary_category or "").strip() or (categories[0] if categories else None)
    if primary and primary not in categories:
        categories = (primary, *categories)
    url, pdf_url = entry.url, entry.pdf_url
    if paper_id.startswith("arxiv:"):
        bare = paper_id.removeprefix("arxiv:")
        url, pdf_url = f"https://arxiv.org/abs/{bare}", pdf_url or f"https://arxiv.org/pdf/{bare}"
    return Paper(
        paper_id=paper_id,
        source=entry.source,
        title=title,
        abstract=clean_text(entry.abstract, html_markup=markup),
        # two authors may share a name: no deduplication
        authors=tuple(name for name in (author_name(a, html_markup=markup) for a in entry.authors) if name),
        categories=categories,
        primary_category=primary,
        field=entry.field or field_for(entry.source, categories, primary),
        doi=_journal_doi(entry, paper_id),
        journal_ref=clean_text(entry.journal_ref) or None,
        url=strip_controls(url).strip() or None if url else None,
        pdf_url=strip_controls(pdf_url).strip() or None if pdf_url else None,
        license=strip_controls(entry.license or "").strip() or None,
        published=parse_datetime(entry.published),
        updated=parse_datetime(entry.updated),
        version=version,
        announce_type=strip_controls(entry.announce_type or "").strip().lower() or None,
        section=clean_text(entry.section, html_markup=markup) or None,
        venue=clean_text(entry.venue, html_markup=markup) or None,
        article_type=entry.article_type,
    )


def today_utc() -> date:
    return datetime.now(UTC).date()
