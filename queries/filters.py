"""Checking a reader's filters against the store: fields, categories and sources match whatever
their case, an unknown value is an error that lists the known ones, an empty date range is an
error. One function, used by search (and so by briefs) and by digests."""

from __future__ import annotations

import difflib
from dataclasses import replace

import duckdb

from indexing.kinds import announce_name
from indexing.search.base import Filters
from radar.errors import QueryError
from radar.kinds import ANNOUNCE_KINDS

SHOWN_KNOWN = 40
"""Known values an error lists at most (a store holds hundreds of categories)."""

_KNOWN = {
    "field": "SELECT field, count(*) FROM papers GROUP BY field",
    "source": "SELECT source, count(*) FROM papers GROUP BY source",
    "category": "SELECT c, count(*) FROM (SELECT unnest(categories) AS c FROM papers) GROUP BY c",
}
_EXAMPLES = {"field": "--field 'Computer Science'", "source": "--source arxiv", "category": "--category cs.LG"}


def known_values(con: duckdb.DuckDBPyConnection, kind: str) -> list[str]:
    """The fields, sources or categories the store holds papers of, most papers first."""
    rows = con.execute(_KNOWN[kind]).fetchall()
    return [value for value, _ in sorted(rows, key=lambda r: (-r[1], r[0])) if value]


def check_filters(con: duckdb.DuckDBPyConnection, filters: Filters) -> Filters:
    """``filters`` with each field, category and source spelled as the store spells it, and the
    announce kinds named canonically; QueryError (a usage error) when a value is unknown or the
    date range is empty."""
    if filters.since and filters.until and filters.since > filters.until:
        raise QueryError(f"--since {filters.since} is after --until {filters.until}: no day is in that range. "
                         "Swap them, or leave one out.")
    changes: dict[str, object] = {}
    for kind in ("field", "category", "source"):
        wanted = getattr(filters, kind)
        if wanted is not None:
            changes[kind] = stored_spelling(con, kind, wanted)
    if filters.announce:
        changes["announce"] = announce_kinds(filters.announce)
    return replace(filters, **changes) if changes else filters  # type: ignore[arg-type]


def stored_spelling(con: duckdb.DuckDBPyConnection, kind: str, wanted: str) -> str:
    """The stored value ``wanted`` names, whatever its case; QueryError listing the known ones."""
    known = known_values(con, kind)
    lowered = wanted.strip().lower()
    for value in known:
        if value.lower() == lowered:
            return value
    raise QueryError(unknown_message(kind, wanted, known))


def unknown_message(kind: str, wanted: str, known: list[str]) -> str:
    if not known:
        return f"No {kind} {wanted!r}: the store has no papers yet (run `radar ingest`)."
    close = difflib.get_close_matches(wanted.lower(), [k.lower() for k in known], n=3, cutoff=0.75)
    hint = f" Did you mean {' or '.join(next(k for k in known if k.lower() == c) for c in close)}?" if close else ""
    shown = ", ".join(known[:SHOWN_KNOWN]) + (f" and {len(known) - SHOWN_KNOWN} more" if len(known) > SHOWN_KNOWN else "")
    plural = "categories" if kind == "category" else f"{kind}s"
    return f"No papers of {kind} {wanted!r} in the store.{hint} Known {plural}, most papers first: {shown}. " \
           f"Example: {_EXAMPLES[kind]}."


def announce_kinds(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Announce kinds from what a reader typed (``new,cross`` or repeated options; any case),
    in canonical order; QueryError naming the kinds there are."""
    words = [w for name in names for w in name.split(",") if w.strip()]
    kinds = set()
    for word in words:
        kind = announce_name(word)
        if kind is None:
            raise QueryError(f"No announce kind {word.strip()!r}: use new, cross (cross-list) or revised, "
                             "comma-separated, e.g. --announce new,cross.")
        kinds.add(kind)
    return tuple(k for k in ANNOUNCE_KINDS if k in kinds)
