"""Stored briefs (with their numbered sources) and the per-paper summary cache."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb


@dataclass(frozen=True, slots=True)
class BriefRecord:
    """One row of ``briefs``: the request, how it was written and checked, and the whole document."""

    brief_id: str
    created_at: datetime
    topic: str
    profile: str | None
    language: str
    kind: str
    model: str | None
    prompt_hash: str | None
    since: date | None
    until: date | None
    fields: list[str]
    retrieval_ms: float
    model_ms: float
    verification_ms: float
    sentences_checked: int
    sentences_kept: int
    sentences_flagged: int
    sentences_dropped: int
    citations_removed: int
    links_removed: int
    document: dict[str, Any]
    sources: list[tuple[int, str, str]]
    """(number, paper id, field) of every numbered source."""


_COLUMNS = [name for name in BriefRecord.__dataclass_fields__ if name != "sources"]


def save_brief(con: duckdb.DuckDBPyConnection, record: BriefRecord) -> None:
    values = [json.dumps(record.document, ensure_ascii=False) if name == "document" else getattr(record, name)
              for name in _COLUMNS]
    con.execute(f"INSERT INTO briefs ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", values)
    if record.sources:
        con.executemany("INSERT INTO brief_sources VALUES (?, ?, ?, ?)",
                        [[record.brief_id, number, paper_id, field] for number, paper_id, field in record.sources])


def load_brief_document(con: duckdb.DuckDBPyConnection, brief_id: str) -> dict[str, Any] | None:
    row = con.execute("SELECT document FROM briefs WHERE brief_id = ?", [brief_id]).fetchone()
    return json.loads(row[0]) if row else None


def latest_profile_brief(con: duckdb.DuckDBPyConnection, profile: str) -> dict[str, Any] | None:
    """The document of the newest brief written for ``profile`` that found something; None if none."""
    row = con.execute("SELECT document FROM briefs WHERE profile = ? AND kind <> 'empty' "
                      "ORDER BY created_at DESC LIMIT 1", [profile]).fetchone()
    return json.loads(row[0]) if row else None


def recent_briefs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, Any]]:
    rows = con.execute("""
        SELECT brief_id, created_at, topic, profile, language, kind, model, sentences_kept, sentences_flagged,
               sentences_dropped FROM briefs ORDER BY created_at DESC LIMIT ?""", [limit])
    names = [d[0] for d in rows.description]
    return [dict(zip(names, row, strict=True)) for row in rows.fetchall()]


@dataclass(frozen=True, slots=True)
class SummaryRecord:
    paper_id: str
    model: str
    text_hash: str
    language: str
    summary: str
    takeaways: list[str]
    created_at: datetime


def cached_summary(con: duckdb.DuckDBPyConnection, paper_id: str, model: str, text_hash: str,
                   language: str) -> SummaryRecord | None:
    row = con.execute("SELECT * FROM summaries WHERE paper_id = ? AND model = ? AND text_hash = ? AND language = ?",
                      [paper_id, model, text_hash, language]).fetchone()
    return SummaryRecord(*row[:5], list(row[5]), row[6]) if row else None


def save_summary(con: duckdb.DuckDBPyConnection, record: SummaryRecord) -> None:
    con.execute("INSERT OR REPLACE INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?)",
                [record.paper_id, record.model, record.text_hash, record.language, record.summary,
                 record.takeaways, record.created_at])
