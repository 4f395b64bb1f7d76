"""How two records of one paper become one. Pure, idempotent, order-insensitive where it can be.

- The same source, a newer (or equal) version: the newer record wins field by field,
  but a field it lacks never erases a known value.
- An older version: adds its categories and fills fields the stored record lacks; it never
  overrides a known value.
- Another source (a journal record linked to an arXiv paper by DOI): the stored record
  keeps its text and only gains what it lacked.
Dates keep the earliest ``published`` and the latest ``updated``; categories are the union;
the announce type is the first one seen for the newest version.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime

from indexing.records import Paper

_FIELDS = tuple(f.name for f in fields(Paper))
_EMPTY = (None, "", ())


def merge(old: Paper, new: Paper) -> Paper:
    """``old`` (stored) and ``new`` (incoming) of one paper → the record to store, under ``old``'s id."""
    old_version, new_version = old.version or 0, new.version or 0
    newer_wins = new.source == old.source and new_version >= old_version
    primary, secondary = (new, old) if newer_wins else (old, new)
    values = {
        name: a if (a := getattr(primary, name)) not in _EMPTY else getattr(secondary, name)
        for name in _FIELDS
    }
    values.update(
        paper_id=old.paper_id,
        categories=tuple(dict.fromkeys(primary.categories + secondary.categories)),
        published=_pick(min, old.published, new.published),
        updated=_pick(max, old.updated, new.updated),
        version=max(old_version, new_version) or None,
        announce_type=(new.announce_type or old.announce_type) if new_version > old_version
        else (old.announce_type or new.announce_type),
    )
    merged = Paper(**values)
    return old if merged == old else merged


def merge_all(records: list[Paper]) -> Paper:
    """Several records of one paper, in the order they were seen."""
    result = records[0]
    for record in records[1:]:
        result = merge(result, replace(record, paper_id=result.paper_id))
    return result


def _pick(choose, a: datetime | None, b: datetime | None) -> datetime | None:
    present = [d for d in (a, b) if d is not None]
    return choose(present) if present else None
