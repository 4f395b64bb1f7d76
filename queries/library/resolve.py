"""Resolving a library's entries against the store: by arXiv id, by DOI (both through the alias
table, so an arXiv paper is found by its journal DOI too), else by a close title match (rapidfuzz
over the stored titles that share the entry's rarest words). Entries that resolve become seed
papers; the others are listed with the reason, and those with a title and an abstract can still
seed a profile by their text."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

from indexing.store import Store
from indexing.store.papers import canonical_ids
from queries.library.parse import LibraryEntry

MIN_TITLE_SCORE = 92.0
"""Least rapidfuzz ratio (0-100) between normalised titles for a title match: catches case,
punctuation, accents, LaTeX and a changed word or two, not a different paper on the same topic."""
MIN_TITLE_CHARS = 12
_RAREST = 3
_MATH = re.compile(r"\$[^$]*\$")
_NON_WORD = re.compile(r"[^\w\s]|_")
_STOPWORDS = frozenset("a an and are as at be by for from in into is it of on or the to with via using its "
                       "their our we do does can how what when why this that".split())


@dataclass(frozen=True, slots=True)
class Resolved:
    entry: LibraryEntry
    paper_id: str
    by: Literal["arxiv", "doi", "title"]
    score: float | None = None
    """The title match's score (0-100); None for id matches."""


@dataclass(frozen=True, slots=True)
class Unresolved:
    entry: LibraryEntry
    reason: str

    @property
    def text_seed(self) -> bool:
        """The entry can still seed a profile by its own text (it has a title and an abstract)."""
        return bool(self.entry.title and self.entry.abstract)


@dataclass(slots=True)
class Resolution:
    resolved: list[Resolved] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)

    @property
    def seed_ids(self) -> list[str]:
        """The stored papers the library names, each once, in file order."""
        return list(dict.fromkeys(r.paper_id for r in self.resolved))

    @property
    def text_seeds(self) -> list[LibraryEntry]:
        return [u.entry for u in self.unresolved if u.text_seed]


def resolve_library(store: Store, entries: Sequence[LibraryEntry], *,
                    min_title_score: float = MIN_TITLE_SCORE) -> Resolution:
    con = store.cursor()
    forms = [f for e in entries for f in _id_forms(e)]
    found = canonical_ids(con, forms)
    by_id: dict[int, Resolved] = {}
    for index, entry in enumerate(entries):
        for form in _id_forms(entry):
            if form in found:
                by_id[index] = Resolved(entry, found[form], "arxiv" if form.startswith("arxiv:") else "doi")
                break
    titled = [i for i, e in enumerate(entries) if i not in by_id and len(normal_title(e.title)) >= MIN_TITLE_CHARS]
    matcher = TitleMatcher(con.execute("SELECT paper_id, title FROM papers").fetchall()) if titled else None
    result = Resolution()
    for index, entry in enumerate(entries):
        if index in by_id:
            result.resolved.append(by_id[index])
            continue
        match = matcher.best(entry.title) if matcher and index in titled else None
        if match and match[1] >= min_title_score:
            result.resolved.append(Resolved(entry, match[0], "title", round(match[1], 1)))
        else:
            result.unresolved.append(Unresolved(entry, _reason(entry, match, min_title_score)))
    return result


def _id_forms(entry: LibraryEntry) -> list[str]:
    return [f for f in (f"arxiv:{entry.arxiv_id}" if entry.arxiv_id else None,
                        f"doi:{entry.doi}" if entry.doi else None) if f]


def _reason(entry: LibraryEntry, match: tuple[str, float, str] | None, threshold: float) -> str:
    ids = [x for x in (f"arXiv {entry.arxiv_id}" if entry.arxiv_id else "", f"DOI {entry.doi}" if entry.doi else "") if x]
    missing = f"{' and '.join(ids)} not in the store" if ids else "no arXiv id or DOI"
    if not entry.title:
        return missing + ", and no title to match"
    if len(normal_title(entry.title)) < MIN_TITLE_CHARS:
        return missing + ", and the title is too short to match safely"
    if match is None:
        return missing + ", and no stored title shares its words"
    return (f"{missing}, and no stored title is close enough (best {match[1]:.0f}/100 < {threshold:.0f}: "
            f"{match[2][:80]!r})")


def normal_title(title: str) -> str:
    """A title reduced for matching: case folded, accents and math dropped, punctuation as space."""
    folded = unicodedata.normalize("NFKD", _MATH.sub(" ", title).casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", folded).split())


class TitleMatcher:
    """Stored titles, found again by a close title: candidates share one of the query's rarest
    words (an inverted index), and rapidfuzz scores them."""

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        self.ids = [pid for pid, _ in rows]
        self.titles = [normal_title(t or "") for _, t in rows]
        self.exact: dict[str, int] = {}
        self.postings: dict[str, list[int]] = defaultdict(list)
        for index, title in enumerate(self.titles):
            self.exact.setdefault(title, index)
            for word in set(_words(title)):
                self.postings[word].append(index)

    def best(self, title: str) -> tuple[str, float, str] | None:
        """(paper id, score, stored title) of the closest stored title; None when none shares a word."""
        query = normal_title(title)
        if query in self.exact:
            return self.ids[self.exact[query]], 100.0, self.titles[self.exact[query]]
        words = sorted({w for w in _words(query) if w in self.postings}, key=lambda w: (len(self.postings[w]), w))
        candidates = sorted({i for w in words[:_RAREST] for i in self.postings[w]})
        if not candidates:
            return None
        choices = {i: self.titles[i] for i in candidates}
        found = process.extractOne(query, choices, scorer=fuzz.ratio)
        if found is None:
            return None
        _, score, index = found
        return self.ids[index], float(score), self.titles[index]


def _words(title: str) -> list[str]:
    return [w for w in title.split() if len(w) > 2 and w not in _STOPWORDS]
