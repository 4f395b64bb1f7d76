"""Reading a researcher's library (pure): a Zotero (or JabRef, Mendeley, EndNote) export as BibTeX,
RIS or CSL-JSON, or a plain list of DOIs and arXiv ids, into entries with what resolving them
needs: arXiv id, DOI, title, authors, abstract, year. BibTeX is read by bibtexparser 2, RIS by
rispy, CSL-JSON by json; LaTeX in titles and names becomes Unicode as at ingest (indexing/text.py).

Nothing in a file stops the others being read: an entry that cannot be read (an unclosed brace,
a JSON item that is not an object) is listed as a problem with its place and the reason. A file
that is not UTF-8 is read as Windows-1252 (Latin-1 for its five undefined bytes), and says so.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import bibtexparser
import rispy
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

from indexing.normalise import ARXIV_ID, normalise_doi
from indexing.text import author_name, clean_text, split_math

LibraryFormat = Literal["bibtex", "ris", "csljson", "ids"]
_RIS_START = re.compile(r"^\s*TY  - ", re.MULTILINE)
_BIBTEX_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_ARXIV_HINT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:\s]\s*|10\.48550/arxiv\.)(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})",
    re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>{}]+", re.IGNORECASE)
_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")
_BIBTEX_KEY = re.compile(r"\s*@\s*[A-Za-z]+\s*[{(]\s*([^,\s]+)\s*,")
_MARKUP = re.compile(r"[\\{}$&\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TOKEN = re.compile(r"[\s,;]+")

logging.getLogger("bibtexparser").setLevel(logging.ERROR)  # unreadable blocks are reported as problems


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One reference of the file, as far as it could be read."""

    position: int
    """1-based place in the file (entries, or lines of an id list)."""
    label: str
    """What the file calls it: a cite key, an id line, else "entry N"."""
    title: str = ""
    authors: tuple[str, ...] = ()
    abstract: str = ""
    doi: str | None = None
    """Lower-cased, without a resolver prefix."""
    arxiv_id: str | None = None
    """Without version: 2411.17766, or hep-th/9901001."""
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A part of the file that could not be read as an entry, and why."""

    where: str
    reason: str


@dataclass(slots=True)
class LibraryFile:
    format: LibraryFormat
    encoding: str
    entries: list[LibraryEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_library(data: bytes) -> LibraryFile:
    """The entries of a library file, whatever its format (detected from the content)."""
    text, encoding, note = decode(data)
    fmt = detect_format(text)
    library = LibraryFile(format=fmt, encoding=encoding, notes=[note] if note else [])
    {"bibtex": _read_bibtex, "ris": _read_ris, "csljson": _read_csljson, "ids": _read_ids}[fmt](text, library)
    return library


def decode(data: bytes) -> tuple[str, str, str | None]:
    """The text of ``data``, the encoding used, and a note when it was not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8", None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16", None
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as exc:
        where = data[:exc.start].count(b"\n") + 1
    text = data.decode("cp1252", errors=_LATIN1)
    return text, "cp1252", (f"The file is not UTF-8 (first bad byte on line {where}): it was read as Windows-1252; "
                            "check accented names, or export it again as UTF-8.")


def _latin1(error: UnicodeDecodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined, read as Latin-1 (C1 controls; ingest-style cleaning drops them)."""
    return error.object[error.start:error.end].decode("latin-1"), error.end


_LATIN1 = "radar-latin1"
codecs.register_error(_LATIN1, _latin1)


def detect_format(text: str) -> LibraryFormat:
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{") and not _BIBTEX_START.match(stripped):
        return "csljson"
    if _RIS_START.search(text):
        return "ris"
    if _BIBTEX_START.search(text):
        return "bibtex"
    return "ids"


def identifiers(*texts: str | None) -> tuple[str | None, str | None]:
    """(arXiv id, DOI) found in ``texts`` (fields, URLs, notes), the first of each; an arXiv DOI
    (10.48550/arXiv.X) counts as the arXiv id."""
    arxiv = doi = None
    for text in texts:
        if not text:
            continue
        if arxiv is None and (m := _ARXIV_HINT.search(text)):
            arxiv = _arxiv_number(m.group("id"))
        if doi is None and (m := _DOI.search(text)):
            found = normalise_doi(m.group(0).rstrip(".,;)"))
            if found and not found.startswith("10.48550/arxiv."):
                doi = found
    return arxiv, doi


def _arxiv_number(text: str) -> str | None:
    match = ARXIV_ID.fullmatch(text.strip().lower()) or ARXIV_ID.fullmatch(text.strip())
    if not match:
        return None
    return f"{match.group('archive')}/{match.group('number')}" if match.group("archive") else match.group("id")


def _year(text: Any) -> int | None:
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", str(text or ""))
    return int(match.group(1)) if match else None


def plain(value: str | None) -> str:
    """A field as text: LaTeX accents to Unicode, math as written, protecting braces gone."""
    if not value:
        return ""
    if not _MARKUP.search(value):
        return " ".join(value.split())
    text = clean_text(value)
    parts = split_math(text)
    parts[::2] = [_UNESCAPED_BRACE.sub("", p).replace("\\{", "{").replace("\\}", "}") for p in parts[::2]]
    return " ".join("".join(parts).split())


def _read_bibtex(text: str, library: LibraryFile) -> None:
    parsed = bibtexparser.parse_string(text)
    for block in parsed.failed_blocks:
        reason = getattr(block.error, "abort_reason", None) or str(block.error) or type(block.error).__name__
        key = _BIBTEX_KEY.match(getattr(block, "raw", "") or "")
        where = f"line {block.start_line + 1}" + (f" ({key.group(1)})" if key else "")
        library.problems.append(Problem(where, f"could not read this BibTeX entry: {reason.strip()}"))
    for position, entry in enumerate(parsed.entries, start=1):
        f = {k.lower(): v.value for k, v in entry.fields_dict.items() if isinstance(v.value, str)}
        eprint = f.get("eprint") if f.get("archiveprefix", f.get("eprinttype", "arxiv")).lower() == "arxiv" else None
        arxiv = _arxiv_number(eprint) if eprint else None
        found_arxiv, doi = identifiers(f.get("doi"), f.get("url"), f.get("journal"), f.get("note"), f.get("howpublished"))
        if f.get("doi") and not doi and not found_arxiv:
            doi = normalise_doi(f["doi"])
        authors = tuple(a for a in (_bibtex_person(p) for p in split_multiple_persons_names(f.get("author", ""))) if a)
        library.entries.append(LibraryEntry(
            position=position, label=entry.key, title=plain(f.get("title")), authors=authors,
            abstract=plain(f.get("abstract")), doi=doi, arxiv_id=arxiv or found_arxiv,
            year=_year(f.get("year") or f.get("date"))))


def _bibtex_person(person: str) -> str:
    parts = parse_single_name_into_parts(person, strict=False)
    return author_name(plain(" ".join([*parts.first, *parts.von, *parts.last, *parts.jr])))


def _read_ris(text: str, library: LibraryFile) -> None:
    try:
        records = rispy.loads(text)
    except Exception as exc:  # noqa: BLE001 - rispy raises plain exceptions on broken files
        library.problems.append(Problem("file", f"could not read this RIS file: {exc}"))
        return
    for position, r in enumerate(records, start=1):
        urls = r.get("urls") or []
        notes = r.get("notes") or []
        arxiv, doi = identifiers(r.get("doi"), *urls, *notes, r.get("accession_number"), r.get("journal_name"))
        names = [*(r.get("authors") or []), *(r.get("first_authors") or [])]
        library.entries.append(LibraryEntry(
            position=position, label=r.get("id") or f"entry {position}",
            title=plain(r.get("title") or r.get("primary_title") or r.get("translated_title")),
            authors=tuple(a for a in (author_name(n) for n in names) if a),
            abstract=plain(r.get("abstract")), doi=doi, arxiv_id=arxiv,
            year=_year(r.get("year") or r.get("publication_year") or r.get("date"))))


def _read_csljson(text: str, library: LibraryFile) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        library.problems.append(Problem(f"line {exc.lineno}", f"not valid JSON: {exc.msg}"))
        return
    items = data.get("items", [data]) if isinstance(data, dict) else data
    if not isinstance(items, list):
        library.problems.append(Problem("file", "CSL-JSON is a list of items (objects)"))
        return
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            library.problems.append(Problem(f"item {position}", "not a CSL-JSON item (an object)"))
            continue
        arxiv, doi = identifiers(_str(item.get("DOI")), _str(item.get("URL")), _str(item.get("number")),
                                 _str(item.get("note")), _str(item.get("archive_location")))
        authors = tuple(a for a in (_csl_person(p) for p in item.get("author") or [] if isinstance(p, dict)) if a)
        issued = item.get("issued") or {}
        parts = issued.get("date-parts") if isinstance(issued, dict) else None
        year = _year(parts[0][0]) if parts and isinstance(parts, list) and parts[0] else _year(
            issued.get("raw") if isinstance(issued, dict) else None)
        library.entries.append(LibraryEntry(
            position=position, label=_str(item.get("id")) or f"item {position}", title=plain(_str(item.get("title"))),
            authors=authors, abstract=plain(_str(item.get("abstract"))), doi=doi, arxiv_id=arxiv, year=year))


def _csl_person(person: dict[str, Any]) -> str:
    if person.get("literal"):
        return plain(_str(person["literal"]))
    family = " ".join(_str(person.get(k)) for k in ("non-dropping-particle", "family") if person.get(k))
    given = " ".join(_str(person.get(k)) for k in ("given", "dropping-particle") if person.get(k))
    suffix = _str(person.get("suffix"))
    return " ".join(plain(x) for x in (given, family, suffix) if x)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


def _read_ids(text: str, library: LibraryFile) -> None:
    position = 0
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        for token in (t for t in _TOKEN.split(line) if t):
            position += 1
            arxiv, doi = identifiers(token)
            if arxiv is None and doi is None:
                arxiv = _arxiv_number(token.lower().removeprefix("arxiv:"))
            if arxiv is None and doi is None:
                library.problems.append(Problem(f"line {number}", f"{token[:80]!r} is neither a DOI nor an arXiv id"))
                continue
            library.entries.append(LibraryEntry(position=position, label=token, doi=doi, arxiv_id=arxiv))
