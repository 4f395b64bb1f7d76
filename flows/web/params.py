"""Bounds on what a request may ask for, and parsing of the query parameters pages and the API share."""

from __future__ import annotations

from datetime import date

from radar.errors import QueryError

MAX_QUERY_CHARS = 500
MAX_RESULTS = 100
"""Deepest search (k) a page or the API may ask for."""
PAGE_SIZE = 10
MAX_PAGE_SIZE = 200
MAX_RELATED = 30
MODES = ("hybrid", "bm25", "dense")


def bounded_query(q: str) -> str:
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}. Use fewer words.")
    return q


def mode_of(mode: str) -> str:
    if mode not in MODES:
        raise QueryError(f"mode must be one of {', '.join(MODES)}, not {mode[:40]!r}.")
    return mode


def day_of(text: str | None, name: str = "day") -> date | None:
    """A YYYY-MM-DD parameter; empty means none."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(f"{name} must be a date like 2024-11-28, not {text[:40]!r}.") from None


def blank_none(text: str | None) -> str | None:
    """A filter parameter: empty or whitespace means no filter."""
    return text.strip()[:200] if text and text.strip() else None
