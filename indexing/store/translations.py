"""The cache of query translations: a query the embedding model cannot read, in English, as the
language model translated it (queries/translate.py decides when to ask)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb


@dataclass(frozen=True, slots=True)
class TranslationRecord:
    query: str
    model: str
    language: str
    translation: str
    created_at: datetime


def cached_translation(con: duckdb.DuckDBPyConnection, query: str, model: str) -> TranslationRecord | None:
    row = con.execute("SELECT query, model, language, translation, created_at FROM query_translations "
                      "WHERE query = ? AND model = ?", [query, model]).fetchone()
    return TranslationRecord(*row) if row else None


def save_translation(con: duckdb.DuckDBPyConnection, record: TranslationRecord) -> None:
    con.execute("INSERT OR REPLACE INTO query_translations VALUES (?, ?, ?, ?, ?)",
                [record.query, record.model, record.language, record.translation, record.created_at])
