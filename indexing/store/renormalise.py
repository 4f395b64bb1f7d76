"""Migration 6: stored titles, abstracts and authors rewritten with today's normalisation.

The stored text was already cleaned by the normalisation of its day (HTML gone, entities
decoded), so the text rules apply to it as to a plain-text source: control characters out,
LaTeX accents and text commands in Unicode, math as written, authors as "Given Family".
``versions`` keeps the title each version had when first seen, untouched.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from indexing.text import author_name, clean_text, strip_controls

_CHUNK = 20_000
_COLUMNS = ("title", "abstract", "authors", "journal_ref", "section", "venue", "categories")


def renormalise_papers(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite every paper whose text the current rules would write differently; returns how many."""
    changed, last = 0, ""
    while True:
        rows = con.execute(f"SELECT paper_id, {', '.join(_COLUMNS)} FROM papers WHERE paper_id > ? "
                           "ORDER BY paper_id LIMIT ?", [last, _CHUNK]).fetchall()
        if not rows:
            return changed
        last = rows[-1][0]
        updates = [new for row in rows if (new := _renormalised(row)) != row]
        if updates:
            _write(con, updates)
            changed += len(updates)


def _renormalised(row: tuple) -> tuple:
    paper_id, title, abstract, authors, journal_ref, section, venue, categories = row
    return (paper_id, clean_text(title) or title, clean_text(abstract),
            [name for name in map(author_name, authors) if name],
            clean_text(journal_ref) or None, clean_text(section) or None, clean_text(venue) or None,
            [c for c in (strip_controls(c).strip() for c in categories) if c])


def _write(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    columns = list(zip(*rows))
    table = pa.table({"paper_id": pa.array(columns[0], pa.string()),
                      **{name: pa.array(values, pa.list_(pa.string()) if name in ("authors", "categories")
                                        else pa.string()) for name, values in zip(_COLUMNS, columns[1:])}})
    con.register("renormalised", table)
    assignments = ", ".join(f"{name} = r.{name}" for name in _COLUMNS)
    con.execute(f"UPDATE papers SET {assignments}, last_changed = current_timestamp::TIMESTAMP "
                "FROM renormalised r WHERE papers.paper_id = r.paper_id")
    con.unregister("renormalised")
