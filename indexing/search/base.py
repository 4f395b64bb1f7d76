"""The contract every search backend keeps (local DuckDB, Elasticsearch).

A backend stores :class:`SearchDoc` records and answers two primitive queries, BM25 and
vector k-NN, with the same :class:`Filters`. Fusion (hybrid search), snippets for display
and citation data are the ``queries`` layer's job, so both backends rank the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """What a backend indexes for one paper."""

    paper_id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    field: str
    source: str
    published: datetime | None
    vector: Sequence[float]
    content_hash: str
    """Hash of the indexed text; unchanged papers are not sent again."""
    announce: str = "new"
    """The paper's announce kind (indexing/kinds.py), for the announce filter."""


@dataclass(frozen=True, slots=True)
class Filters:
    """Restrictions every query honours (all optional, combined with AND)."""

    field: str | None = None
    category: str | None = None
    source: str | None = None
    since: date | None = None
    until: date | None = None
    announce: tuple[str, ...] = ()
    """Announce kinds to keep (new, cross-list, revised: indexing/kinds.py); empty keeps all."""


# Letters that carry no combining mark to strip, folded as readers type them; dashes as the hyphen
# a reader types (DuckDB's tokenizer keeps "Cramér–Rao" one word, but splits "Cramer-Rao").
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                          "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
                          "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-"})


def fold(text: str) -> str:
    """``text`` without accents (Käser → Kaser, Hübner → Hubner, Łukasz → Lukasz), for the words a
    backend indexes and the words of a BM25 query, so that either spelling finds the other. Both
    backends fold with this one function (Elasticsearch's asciifolding lives in a module that some
    distributions lack)."""
    return text if text.isascii() else _NON_ASCII.sub(_fold_run, text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")  # only these runs are decomposed: abstracts are mostly ASCII


def _fold_run(match: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group(0).translate(_LETTERS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True, slots=True)
class BackendHit:
    paper_id: str
    score: float
    """BM25: the engine's relevance score. k-NN: the cosine similarity (-1..1) on every backend."""


@dataclass(slots=True)
class IndexReport:
    """What a load did: ids the backend acknowledged, and per-document failures."""

    indexed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class SearchBackend(Protocol):
    name: str

    def prepare(self, *, dims: int, model: str) -> None:
        """Create the index if missing; refuse (IndexMismatchError) one built for other vectors."""

    def index(self, docs: Iterable[SearchDoc]) -> IndexReport:
        """Add or replace documents; only acknowledged ids are reported as indexed."""

    def identity(self) -> str:
        """The identity of the live index, kept in the index's own metadata: it changes when the
        index is replaced (rebuild), lost, or another one is named (alias, cluster). Marks of
        indexed papers are keyed by it, so a new index gets everything."""

    def model(self) -> str | None:
        """The embedding model the live index's vectors were made with (None: no index yet)."""

    def refresh(self) -> None:
        """Make everything indexed so far searchable."""

    def delete(self, paper_ids: Sequence[str]) -> None:
        """Remove documents (papers merged into another, for instance)."""

    def rebuild(self, docs: Iterable[SearchDoc], *, dims: int, model: str) -> IndexReport:
        """A fresh index from scratch, swapped in with no moment where search fails."""

    def bm25(self, query: str, filters: Filters, k: int) -> list[BackendHit]:
        """Best k by BM25 over title (boosted) and abstract, accents folded (:func:`fold`)."""

    def knn(self, vector: Sequence[float], filters: Filters, k: int) -> list[BackendHit]:
        """Nearest k by cosine similarity; the score is the cosine itself."""

    def count(self) -> int:
        """Documents in the live index."""

    def close(self) -> None: ...
