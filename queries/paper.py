"""One paper as its page shows it: the stored record under any id form, with its versions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from indexing.records import Paper
from indexing.store import Store
from indexing.store.papers import read_papers
from queries.related import resolve_paper_id


@dataclass(frozen=True, slots=True)
class VersionSeen:
    version: int
    published: datetime | None
    updated: datetime | None
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class PaperRecord:
    paper: Paper
    versions: list[VersionSeen] = field(default_factory=list)


def paper_record(store: Store, text: str) -> PaperRecord:
    """The paper ``text`` names (any form `radar related` accepts); QueryError when none."""
    con = store.cursor()
    paper_id = resolve_paper_id(con, text)
    (paper,) = read_papers(con, [paper_id]).values()
    rows = con.execute("SELECT version, published, updated, first_seen FROM versions WHERE paper_id = ? AND version > 0 "
                       "ORDER BY version", [paper_id]).fetchall()
    return PaperRecord(paper, [VersionSeen(*row) for row in rows])


def paper_json(record: PaperRecord, summary: dict | None = None) -> dict:
    """The documented, stable JSON of one paper (`/api/v1/paper/{id}`); ``summary`` is
    `radar summarize --json` without its schema key, when asked for."""
    p = record.paper
    data = {
        "schema": "radar.paper/1",
        "paper_id": p.paper_id, "title": p.title, "authors": list(p.authors), "abstract": p.abstract,
        "source": p.source, "field": p.field, "categories": list(p.categories),
        "primary_category": p.primary_category, "doi": p.doi, "journal_ref": p.journal_ref, "url": p.url,
        "pdf_url": p.pdf_url, "license": p.license, "published": stamp(p.published), "updated": stamp(p.updated),
        "version": p.version, "announce_type": p.announce_type, "venue": p.venue,
        "versions": [{"version": v.version, "published": stamp(v.published), "updated": stamp(v.updated)}
                     for v in record.versions],
    }
    if summary is not None:
        data["summary"] = summary
    return data


def stamp(moment: datetime | None) -> str | None:
    """A UTC moment as ISO 8601 with a Z (the store's naive timestamps are UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat().replace("+00:00", "Z")
