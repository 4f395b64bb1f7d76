"""Choosing a brief's evidence: hybrid search for the topic, then numbered sources that span
fields where the index has more than one, so cross-field work is not drowned by the largest field.

Only papers that clear search's relevance floor (queries/relevance.py) count as on topic: a
field's quota is never padded with papers under it, and a topic with fewer than a minimum of
on-topic papers gets no sources at all (the brief then says nothing in the index matches)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from indexing.embeddings import Embedder
from indexing.search.base import Filters, SearchBackend
from indexing.store import Store
from indexing.store.papers import read_papers
from queries.brief.records import BriefRequest, Source
from queries.relevance import FLOOR
from queries.search import SearchHit, search

FIELD_SHARE = 0.6
"""At most this share of the sources may come from one field when others are on topic."""
MIN_SOURCES = 2
"""Fewest on-topic papers a brief is written from: one paper is no overview."""


@dataclass(frozen=True, slots=True)
class Candidate:
    hit: SearchHit
    relevance: float


def find_candidates(store: Store, backend: SearchBackend, embedder: Embedder, request: BriefRequest, *,
                    depth: int, min_relevance: float | None = None) -> list[Candidate]:
    """Hybrid-search hits for the topic (one search per requested field) whose relevance clears
    ``min_relevance`` (None: search's floor), most relevant first."""
    floor = FLOOR if min_relevance is None else min_relevance
    hits = _search_each_field(store, backend, embedder, request, depth, floor)
    return [Candidate(hit, hit.relevance) for hit in hits if hit.relevance >= floor]


def _search_each_field(store: Store, backend: SearchBackend, embedder: Embedder, request: BriefRequest,
                       depth: int, floor: float) -> list[SearchHit]:
    merged: dict[str, SearchHit] = {}
    for field in request.fields or (None,):
        filters = Filters(field=field, since=request.since, until=request.until)
        for hit in search(store, backend, embedder, request.topic, filters=filters, k=depth, floor=floor).hits:
            if hit.paper_id not in merged or hit.relevance > merged[hit.paper_id].relevance:
                merged[hit.paper_id] = hit
    return sorted(merged.values(), key=lambda h: (-h.relevance, h.rank, h.paper_id))


def choose_sources(candidates: Sequence[Candidate], n: int, *, min_fields: int,
                   min_sources: int = MIN_SOURCES) -> list[Candidate]:
    """Up to ``n`` candidates in search order, holding the best of each of the first ``min_fields``
    fields (when the candidates have them) and at most FIELD_SHARE of ``n`` from any one field;
    none when fewer than ``min_sources`` candidates are on topic. Candidates are on topic (over the
    floor) already, so a field's place goes only to a paper that earned it."""
    if len(candidates) < min(min_sources, n):
        return []
    fields = list(dict.fromkeys(c.hit.field for c in candidates))
    cap = n if len(fields) < 2 else max(1, math.ceil(n * FIELD_SHARE))
    chosen = [next(c for c in candidates if c.hit.field == f) for f in fields[:min(min_fields, n)]]
    per_field = {f: 1 for f in fields[:min(min_fields, n)]}
    for candidate in candidates:
        if len(chosen) >= n:
            break
        if candidate in chosen or per_field.get(candidate.hit.field, 0) >= cap:
            continue
        chosen.append(candidate)
        per_field[candidate.hit.field] = per_field.get(candidate.hit.field, 0) + 1
    order = {c.hit.paper_id: i for i, c in enumerate(candidates)}
    return sorted(chosen, key=lambda c: order[c.hit.paper_id])


def number_sources(store: Store, chosen: Sequence[Candidate], *, abstract_chars: int) -> list[Source]:
    """The chosen papers as ``[1]..[n]``, abstracts cut to ``abstract_chars`` (what the writer sees
    is exactly what its claims are checked against)."""
    papers = read_papers(store.cursor(), [c.hit.paper_id for c in chosen])
    sources = []
    for candidate in chosen:
        paper = papers[candidate.hit.paper_id]
        sources.append(Source(
            number=len(sources) + 1, paper_id=paper.paper_id, title=paper.title, authors=paper.authors,
            field=paper.field, categories=paper.categories, source=paper.source,
            published=paper.published.date() if paper.published else None, url=paper.url, doi=paper.doi,
            abstract=cut(paper.abstract, abstract_chars), relevance=round(candidate.relevance, 4)))
    return sources


def cut(text: str, limit: int) -> str:
    """``text`` whole when short enough, else cut at the last sentence or word end before ``limit``."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    end = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    if end > limit // 2:
        return head[:end + 1]
    return head.rsplit(" ", 1)[0] + " …"

