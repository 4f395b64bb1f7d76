"""Search: BM25, dense or hybrid, fused here (a convex combination of the min-max normalised
cosine and BM25 scores of both rankings' candidates) so every backend ranks the same way; each
hit carries its citation data, a snippet with highlight offsets, and a relevance a person can
read (queries/relevance.py). Hits under the relevance floor are left out unless asked for: a
query with nothing relevant says so instead of showing the least bad papers."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from indexing.analysis import stem
from indexing.embeddings import Embedder
from indexing.search.base import BackendHit, Filters, SearchBackend, fold
from indexing.store import Store
from indexing.store.papers import read_papers
from indexing.store.search_state import vectors_of
from queries.citation import Cited, citation_of
from queries.filters import check_filters
from queries.relevance import FLOOR, relevance, signals
from queries.translate import QueryReading, read_query, reading_json, reading_notice
from radar.errors import QueryError

if TYPE_CHECKING:
    from queries.llm import LanguageModel

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60
FUSION_COSINE_WEIGHT = 0.6
"""Hybrid: this x the min-max cosine + the rest x the min-max BM25 over the candidates (both
rankings' top CANDIDATES). Chosen on SciFact train (bench/fusion_tune.py, over weighted RRF and
convex combinations); on test it beats RRF (README, Benchmarks)."""
CANDIDATES = 100
MAX_TERMS = 128
SNIPPET_WORDS = 40
_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORDS = frozenset("a an and are as at be by for from in into is it of on or that the to with".split())


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit(Cited):
    """One result, with what a citation needs."""

    rank: int
    score: float
    """The ranking's own score (hybrid: the fused 0-1 score; bm25: BM25; dense: the cosine), for ordering only."""
    relevance: float
    """The calibrated chance (0-1) that the paper is relevant to the query (queries/relevance.py)."""
    snippet: str
    highlights: list[tuple[int, int]]
    """[start, end) character offsets of query words in ``snippet``."""
    matched_by: list[str]
    """Which rankings found it: bm25, dense."""


@dataclass(slots=True)
class SearchResult:
    query: str
    mode: Mode
    backend: str
    filters: Filters
    hits: list[SearchHit] = field(default_factory=list)
    truncated: bool = False
    took_ms: float = 0.0
    floor: float = FLOOR
    """Hits under this relevance are left out (unless the search asked for all)."""
    below_floor: int = 0
    """Hits left out for being under the floor."""
    reading: QueryReading | None = None
    """How the query was read: its language, and its English translation when the embedding model
    cannot read it (queries/translate.py)."""
    notices: list[str] = field(default_factory=list)
    """What the reader must know about the answer (a query searched by words only, or translated)."""

    @property
    def nothing_relevant(self) -> bool:
        """No hit clears the floor, though the index has papers that match a little."""
        return not self.hits and self.below_floor > 0


def clean_query(query: str) -> tuple[str, bool]:
    """The query to run, and whether it was cut to MAX_TERMS words; a clear error when it has no words."""
    words = query.split()
    if not any(_WORD.search(w) for w in words):
        raise QueryError("The query has no words to search for. Example: radar search \"diffusion models for MRI\"")
    return " ".join(words[:MAX_TERMS]), len(words) > MAX_TERMS


def reciprocal_rank_fusion(rankings: dict[str, list[BackendHit]], k: int = RRF_K) -> list[tuple[str, float, list[str]]]:
    """Σ 1/(k + rank) over the rankings that hold a document; ties broken by id for stability."""
    scores: dict[str, float] = {}
    found_by: dict[str, list[str]] = {}
    for name, hits in rankings.items():
        for rank, hit in enumerate(hits, start=1):
            scores[hit.paper_id] = scores.get(hit.paper_id, 0.0) + 1.0 / (k + rank)
            found_by.setdefault(hit.paper_id, []).append(name)
    return sorted(((pid, s, found_by[pid]) for pid, s in scores.items()), key=lambda t: (-t[1], t[0]))


def convex_fusion(rankings: dict[str, list[BackendHit]], found: dict[str, tuple[float | None, float]],
                  weight: float = FUSION_COSINE_WEIGHT) -> list[tuple[str, float, list[str]]]:
    """``weight`` x min-max cosine + (1 - weight) x min-max BM25 over the candidates, with their
    signals from queries/relevance.signals; ties broken by id for stability."""
    ids = list(found)
    if not ids:
        return []
    cosine = np.array([found[pid][0] or 0.0 for pid in ids])
    bm25 = np.array([found[pid][1] for pid in ids])
    fused = weight * _min_max(cosine) + (1 - weight) * _min_max(bm25)
    holders = {name: {h.paper_id for h in hits} for name, hits in rankings.items()}
    found_by = {pid: [name for name, held in holders.items() if pid in held] for pid in ids}
    return sorted(((pid, float(f), found_by[pid]) for pid, f in zip(ids, fused)), key=lambda t: (-t[1], t[0]))


def _min_max(values: np.ndarray) -> np.ndarray:
    spread = float(values.max() - values.min())
    return (values - values.min()) / spread if spread > 0 else np.zeros_like(values)


def search(store: Store, backend: SearchBackend, embedder: Embedder, query: str, *,
           mode: Mode = "hybrid", filters: Filters | None = None, k: int = 10,
           include_below_floor: bool = False, floor: float = FLOOR,
           model: LanguageModel | None = None) -> SearchResult:
    """The best ``k`` hits for ``query``, each with its relevance; hits under ``floor`` are left out
    (and counted) unless ``include_below_floor``. Hybrid and dense run both rankings, as the
    relevance of a hit uses both signals whichever ranking found it; bm25 answers without the model
    (its relevance then comes from BM25 alone). A query the embedding model cannot read is searched as
    its English translation by ``model``, or, with none, by words only (queries/translate.py)."""
    text, truncated = clean_query(query)  # usage errors first, before the model loads
    filters = check_filters(store.cursor(), filters or Filters())
    if mode != "bm25":
        embedder.model  # noqa: B018 - load the model before the clock starts: latency is the query's own
    started = time.perf_counter()
    reading = read_query(store, model, embedder.name, text)
    if reading.words_only:
        mode = "bm25"  # the dense side cannot read the query: it would answer with confident nonsense
    text = reading.searched
    depth = max(k, CANDIDATES)
    rankings = {"bm25": backend.bm25(text, filters, depth)}
    vector = None
    if mode != "bm25":
        vector = embedder.embed([text])[0]
        rankings["dense"] = backend.knn(vector, filters, depth)
    if mode == "hybrid":  # every candidate's signals, to fuse them
        candidates = list(dict.fromkeys(h.paper_id for hits in rankings.values() for h in hits))
        found = _signals(store, embedder, backend, text, vector, candidates, rankings, depth)
        ranked = convex_fusion(rankings, found)[:k]
    else:
        ranked = [(h.paper_id, h.score, [mode]) for h in rankings[mode][:k]]
        found = _signals(store, embedder, backend, text, vector, [pid for pid, _, _ in ranked], rankings, depth)
    ids = [pid for pid, _, _ in ranked]
    relevances = {pid: relevance(*found[pid]) for pid in ids}
    kept = [r for r in ranked if include_below_floor or relevances[r[0]] >= floor]
    result = SearchResult(query=reading.typed, mode=mode, backend=backend.name, filters=filters, truncated=truncated,
                          floor=floor, below_floor=len(ranked) - len(kept), reading=reading)
    result.notices = [n for n in [reading_notice(reading, embedder.name)] if n]
    result.hits = _hits(store, kept, relevances, text)
    result.took_ms = (time.perf_counter() - started) * 1000
    return result


def _signals(store: Store, embedder: Embedder, backend: SearchBackend, text: str, vector, ids: list[str],
             rankings: dict[str, list[BackendHit]], depth: int) -> dict[str, tuple[float | None, float]]:
    vectors = vectors_of(store.cursor(), embedder.name, ids) if vector is not None else {}
    return signals(ids, vector, vectors, rankings["bm25"], depth, len(query_terms(text)), backend.count())


def _hits(store: Store, ranked: list[tuple[str, float, list[str]]], relevances: dict[str, float],
          query: str) -> list[SearchHit]:
    papers = read_papers(store.cursor(), [pid for pid, _, _ in ranked])
    terms = query_terms(query)
    hits = []
    for paper_id, score, matched_by in ranked:
        paper = papers.get(paper_id)
        if paper is None:  # in the index but no longer in the store: reindex will drop it
            continue
        snippet, highlights = make_snippet(paper.abstract or paper.title, terms)
        hits.append(SearchHit(**citation_of(paper), rank=len(hits) + 1, score=round(score, 6),
                              relevance=round(relevances[paper_id], 3), snippet=snippet,
                              highlights=highlights, matched_by=matched_by))
    return hits


def query_terms(query: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(query) if len(w) > 1 and w.lower() not in _STOPWORDS}


def make_snippet(text: str, terms: set[str], words: int = SNIPPET_WORDS) -> tuple[str, list[tuple[int, int]]]:
    """The window of ``words`` words holding most query terms, with the offsets of those terms."""
    tokens = text.split()
    if not tokens:
        return "", []
    stems = {stem(t) for t in terms}
    hit = [_matches(t, terms, stems) for t in (_strip(w) for w in tokens)]
    best_start, best = 0, -1
    count = sum(hit[:words])
    for start in range(0, max(1, len(tokens) - words + 1)):
        if start:
            count += hit[start + words - 1] if start + words - 1 < len(tokens) else 0
            count -= hit[start - 1]
        if count > best:
            best_start, best = start, count
    window = tokens[best_start:best_start + words]
    snippet = ("… " if best_start else "") + " ".join(window) + (" …" if best_start + words < len(tokens) else "")
    return snippet, _offsets(snippet, terms, stems)


def _strip(word: str) -> str:
    match = _WORD.search(word)
    return match.group(0) if match else ""


def _offsets(snippet: str, terms: set[str], stems: set[str]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(snippet) if _matches(m.group(0), terms, stems)]


def _matches(word: str, terms: set[str], stems: set[str]) -> bool:
    """A query word starts the word ("learn" in "learning"), or both stem alike, as the backends
    match them ("studies" and "study")."""
    if not word:
        return False
    lowered = word.lower()
    return any(lowered.startswith(t) for t in terms) or stem(fold(lowered)) in stems


def search_json(result: SearchResult) -> dict:
    """The documented, stable JSON of `radar search --json` and `/api/v1/search` (see README)."""
    return {
        "schema": "radar.search/1",
        "query": result.query,
        "mode": result.mode,
        "backend": result.backend,
        "filters": {k: (list(v) if isinstance(v, tuple) else str(v) if v is not None else None)
                    for k, v in asdict(result.filters).items()},
        "truncated": result.truncated,
        "took_ms": round(result.took_ms, 1),
        "relevance_floor": result.floor,
        "below_floor": result.below_floor,
        "nothing_relevant": result.nothing_relevant,
        "hits": [asdict(h) for h in result.hits],
        "query_language": reading_json(result.reading) if result.reading else None,
        "notices": result.notices,
    }
