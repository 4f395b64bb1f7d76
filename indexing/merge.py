"""How two records of one paper become one. Pure, idempotent, order-insensitive where it can be.

- The same source, a newer (or equal) version: the newer record wins field by field,
  but a field it lacks never erases a known value.
- An older version: adds its categories and fills fields the stored record lacks; it never
  overrides a known value.
- Another source (a journal record linked to an arXiv paper by DOI): the stored record
  keeps its text and only gains what it lacked.
Dates keep the earliest ``published`` and the latest ``updated``; categories are the union;
the announce type is the first one seen for the newest version.

Whatever wins, stored text is never replaced by text of lower quality: more U+FFFD
replacement characters, or a different decoding of the same bytes (mojibake: the visible
ASCII characters unchanged and more non-ASCII ones, as ``Hübner`` → ``HĂźbner``). The
stored value stays, and ``Merged.kept`` names the fields that kept it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import datetime

from indexing.records import Paper
from indexing.sources.decode import REPLACEMENT

_FIELDS = tuple(f.name for f in fields(Paper))
_EMPTY = (None, "", ())
_TEXT_FIELDS = ("title", "abstract", "authors", "journal_ref", "license", "section", "venue")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_NOT_VISIBLE_ASCII = re.compile(r"[^\x21-\x7e]")  # whitespace too: normalising turns U+2009 and friends into spaces


@dataclass(frozen=True, slots=True)
class Merged:
    paper: Paper
    kept: tuple[str, ...] = ()
    """Fields whose stored text was kept because the incoming text was of lower quality."""


def lower_quality(new: str, old: str) -> bool:
    """Whether ``new`` is a damaged or misdecoded copy of ``old`` (see the module docstring)."""
    if new == old or new.isascii():
        return False
    if new.count(REPLACEMENT) > old.count(REPLACEMENT):
        return True
    return (len(_NON_ASCII.findall(new)) > len(_NON_ASCII.findall(old))
            and _NOT_VISIBLE_ASCII.sub("", new) == _NOT_VISIBLE_ASCII.sub("", old))


def _as_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    return None


def merge(old: Paper, new: Paper) -> Paper:
    """``old`` (stored) and ``new`` (incoming) of one paper → the record to store, under ``old``'s id."""
    return merge_checked(old, new).paper


def merge_checked(old: Paper, new: Paper) -> Merged:
    """:func:`merge`, also saying which stored fields were kept against lower-quality text."""
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
    kept = []
    for name in _TEXT_FIELDS:
        if values[name] == getattr(old, name):
            continue
        stored, incoming = _as_text(getattr(old, name)), _as_text(values[name])
        if stored and incoming and lower_quality(incoming, stored):
            values[name] = getattr(old, name)
            kept.append(name)
    merged = Paper(**values)
    return Merged(old if merged == old else merged, tuple(kept))


def merge_all(records: list[Paper]) -> Paper:
    """Several records of one paper, in the order they were seen."""
    result = records[0]
    for record in records[1:]:
        result = merge(result, replace(record, paper_id=result.paper_id))
    return result


def _pick(choose, a: datetime | None, b: datetime | None) -> datetime | None:
    present = [d for d in (a, b) if d is not None]
    return choose(present) if present else None
