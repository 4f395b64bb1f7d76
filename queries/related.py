"""Related papers across fields: the nearest papers to one paper, chosen for diversity.

Candidates come from one unfiltered k-NN query and one per other broad field in the store,
so close work from another field is found even when the paper's own field fills its
nearest neighbours. Similarities are recomputed as cosines of the stored vectors (backends
score differently), candidates under a similarity floor are dropped, and k are chosen by
maximal marginal relevance with a per-field quota. Each hit says why: its similarity and the
rare terms both papers use.

Group order: the paper's own field first, then the other fields by their closest hit;
within a group, the most similar paper first.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from indexing.embeddings import Embedder, document_text
from indexing.normalise import ARXIV_ID, normalise_doi, url_id
from indexing.records import Paper
from indexing.search.base import Filters, SearchBackend
from indexing.store import Store
from indexing.store.papers import canonical_ids, read_papers, stored_fields
from indexing.store.search_state import vectors_of
from queries.citation import Cited, citation_of
from queries.diversity import LAMBDA, mmr, own_field_quota
from queries.key_terms import document_frequencies, shared_terms, spellings, terms
from radar.errors import QueryError

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

__all__ = ["FieldGroup", "RelatedHit", "RelatedResult", "group_by_field", "id_forms", "mmr", "neighbour_fields",
           "paper_vectors", "related", "related_json", "resolve_paper_id"]

DEFAULT_K = 10
MIN_SIMILARITY = 0.3
"""Cosine under which a paper is not related enough to show, whatever field it would add
(all-MiniLM-L6-v2: unrelated abstracts score about 0.0-0.2, close work 0.5 and above)."""
FILLER_FLOOR = 0.45
"""Cosine a paper needs to be picked for diversity (another field's place, or novelty) rather than
for being among the k closest: a quota is never filled with weak hits (an MCTS reasoning paper's
"related" surgical phase recognition at 0.37). all-MiniLM-L6-v2: close work scores 0.5 and above."""
NEIGHBOURS = 30
"""Depth of the unfiltered k-NN query (at least 3k)."""
PER_FIELD = 10
"""Depth of each per-field k-NN query (at least k)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RelatedHit(Cited):
    """A related paper with its citation data and why it is related."""

    similarity: float
    """Cosine between the two papers' vectors."""
    shared_terms: list[str]
    reason: str


@dataclass(frozen=True, slots=True)
class FieldGroup:
    field: str
    hits: list[RelatedHit]


@dataclass(slots=True)
class RelatedResult:
    paper_id: str
    title: str
    field: str
    backend: str
    k: int
    groups: list[FieldGroup] = field(default_factory=list)
    candidates: int = 0
    """Papers considered (above the similarity floor) before the diverse choice."""
    took_ms: float = 0.0

    @property
    def hits(self) -> list[RelatedHit]:
        return [hit for group in self.groups for hit in group.hits]


def id_forms(text: str) -> list[str]:
    """The store ids ``text`` may stand for, most specific first: ``arxiv:X`` for any arXiv id
    (with or without prefix or version, or an arxiv.org URL), ``doi:x`` for a DOI, ``url:…``
    for a paper URL, and the text itself (any alias)."""
    text = text.strip()
    forms = [text]
    lowered = text.lower()
    bare = lowered.removeprefix("arxiv:")
    if lowered.startswith("doi:") or lowered.startswith("10.") or "doi.org/" in lowered:
        doi = normalise_doi(text)
        if doi:
            forms.append(f"doi:{doi}")
    else:
        match = ARXIV_ID.fullmatch(bare) if bare == lowered or lowered.startswith("arxiv:") else None
        if match is None and "arxiv.org/" in lowered:
            match = ARXIV_ID.search(lowered.split("arxiv.org/", 1)[1])
        if match:
            number = f"{match.group('archive')}/{match.group('number')}" if match.group("archive") else match.group("id")
            forms.append(f"arxiv:{number}")
    if lowered.startswith(("http://", "https://")):
        forms.append(url_id(text))
    return list(dict.fromkeys(forms))


def resolve_paper_id(con: DuckDBPyConnection, text: str) -> str:
    """The stored paper id that ``text`` names (any accepted form or alias); QueryError if none."""
    if not text.strip():
        raise QueryError("Give a paper id, e.g. arxiv:2411.17766 or doi:10.1101/2024.01.01.123456.")
    forms = id_forms(text)
    found = canonical_ids(con, forms)
    for form in forms:
        if form in found:
            return found[form]
    raise QueryError(f"No paper {text.strip()!r} in the store. Paper ids look like arxiv:2411.17766 or "
                     "doi:10.1101/…; find them with `radar search \"some words\"` (each hit shows its id).")


def paper_vectors(store: Store, embedder: Embedder, papers: list[Paper]) -> tuple[dict[str, np.ndarray], int]:
    """Each paper's vector from the embeddings cache, else embedded now from its text (not
    saved: the store may be open read-only; `radar index` caches it); and how many were embedded."""
    cached = vectors_of(store.cursor(), embedder.name, [p.paper_id for p in papers])
    missing = [p for p in papers if p.paper_id not in cached]
    if missing:
        fresh = embedder.embed([document_text(p.title, p.abstract) for p in missing])
        cached.update(zip((p.paper_id for p in missing), fresh, strict=True))
    return cached, len(missing)


def related(store: Store, backend: SearchBackend, embedder: Embedder, paper_id: str, *, k: int = DEFAULT_K,
            lam: float = LAMBDA, max_per_field: int | None = None,
            min_similarity: float = MIN_SIMILARITY, filler_floor: float = FILLER_FLOOR) -> RelatedResult:
    """The ``k`` papers most related to ``paper_id`` across fields, grouped by field.
    ``max_per_field`` (default: half of k, rounded up) caps any one field while other fields
    have papers above ``filler_floor``; places they cannot fill go back to the closest papers.
    Every paper shown is at least ``min_similarity`` close; one that is not among the k closest
    (picked for diversity) at least ``filler_floor``."""
    if k < 1:
        raise QueryError("k must be at least 1.")
    started = time.perf_counter()
    con = store.cursor()
    (paper,) = read_papers(con, [resolve_paper_id(con, paper_id)]).values()
    vectors, _ = paper_vectors(store, embedder, [paper])
    vector = _unit(vectors[paper.paper_id])
    candidates = _candidates(store, backend, paper, vector, k)
    cand_vectors, _ = paper_vectors(store, embedder, candidates)
    matrix = np.vstack([_unit(cand_vectors[c.paper_id]) for c in candidates] or [np.zeros((0, len(vector)))])
    sims = matrix @ vector
    closest = sorted((i for i in range(len(candidates)) if sims[i] >= min_similarity),
                     key=lambda i: (-sims[i], candidates[i].paper_id))
    keep = closest[:k] + [i for i in closest[k:] if sims[i] >= filler_floor]
    kept = [candidates[i] for i in keep]
    picks = mmr(sims[keep], matrix[keep], [c.field for c in kept], k, lam=lam,
                max_per_field=max_per_field or own_field_quota(k), fill=True)
    hits = _explain(paper, [kept[i] for i in picks], [float(sims[keep][i]) for i in picks], candidates)
    result = RelatedResult(paper_id=paper.paper_id, title=paper.title, field=paper.field, backend=backend.name, k=k,
                           groups=group_by_field(hits, paper.field), candidates=len(kept))
    result.took_ms = (time.perf_counter() - started) * 1000
    return result


def _candidates(store: Store, backend: SearchBackend, paper: Paper, vector: np.ndarray, k: int) -> list[Paper]:
    """Nearest papers overall and in each other field, resolved to stored papers, the paper itself out."""
    con = store.cursor()
    found = [h.paper_id for h in backend.knn(vector, Filters(), max(NEIGHBOURS, 3 * k) + 1)]
    for other in stored_fields(con):
        if other != paper.field:
            found += [h.paper_id for h in backend.knn(vector, Filters(field=other), max(PER_FIELD, k))]
    canonical = canonical_ids(con, found)
    ids = list(dict.fromkeys(canonical[i] for i in found if i in canonical and canonical[i] != paper.paper_id))
    papers = read_papers(con, ids)
    return [papers[i] for i in ids if i in papers]


def _explain(paper: Paper, picked: list[Paper], sims: list[float], candidates: list[Paper]) -> list[RelatedHit]:
    """Hits with their reason; term rarity is measured over the paper and every candidate."""
    text = document_text(paper.title, paper.abstract)
    mine, shown = terms(text), spellings(text)
    theirs = {c.paper_id: terms(document_text(c.title, c.abstract)) for c in candidates}
    df, total = document_frequencies([mine, *theirs.values()])
    hits = []
    for other, sim in zip(picked, sims, strict=True):
        shared = [shown[t] for t in shared_terms(mine, theirs[other.paper_id], df, total)]
        reason = f"similarity {sim:.2f}; " + (f"shared terms: {', '.join(shared)}" if shared else "no shared key terms")
        hits.append(RelatedHit(**citation_of(other), similarity=round(sim, 4), shared_terms=shared, reason=reason))
    return hits


def group_by_field(hits: list[RelatedHit], own_field: str) -> list[FieldGroup]:
    """Own field first, then the others by their closest hit; most similar first inside each."""
    by_field: dict[str, list[RelatedHit]] = {}
    for hit in hits:
        by_field.setdefault(hit.field, []).append(hit)
    order = sorted(by_field, key=lambda f: (f != own_field, -max(h.similarity for h in by_field[f]), f))
    return [FieldGroup(f, sorted(by_field[f], key=lambda h: (-h.similarity, h.paper_id))) for f in order]


def neighbour_fields(store: Store, backend: SearchBackend, model: str, papers: list[Paper],
                     vectors: dict[str, np.ndarray], *, depth: int = 10,
                     min_similarity: float = MIN_SIMILARITY) -> dict[str, list[str]]:
    """For each paper, the other broad fields among its ``depth`` nearest neighbours that are at
    least ``min_similarity`` close, closest field first: one k-NN query per paper and one read
    for all neighbours. Neighbours without a cached vector of ``model`` are skipped."""
    con = store.cursor()
    near = {p.paper_id: [h.paper_id for h in backend.knn(_unit(vectors[p.paper_id]), Filters(), depth + 1)]
            for p in papers}
    wanted = list(dict.fromkeys(i for ids in near.values() for i in ids))
    fields = {pid: p.field for pid, p in read_papers(con, wanted).items()}
    neighbour_vectors = vectors_of(con, model, wanted)
    result: dict[str, list[str]] = {}
    for paper in papers:
        vector = _unit(vectors[paper.paper_id])
        best: dict[str, float] = {}
        for other in near[paper.paper_id]:
            if other == paper.paper_id or other not in fields or other not in neighbour_vectors:
                continue
            sim = float(_unit(neighbour_vectors[other]) @ vector)
            if fields[other] != paper.field and sim >= min_similarity:
                best[fields[other]] = max(best.get(fields[other], -1.0), sim)
        result[paper.paper_id] = sorted(best, key=lambda f: (-best[f], f))
    return result


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def related_json(result: RelatedResult) -> dict:
    """The documented, stable JSON of `radar related --json`."""
    return {
        "schema": "radar.related/1",
        "paper": {"paper_id": result.paper_id, "title": result.title, "field": result.field},
        "backend": result.backend,
        "k": result.k,
        "candidates": result.candidates,
        "took_ms": round(result.took_ms, 1),
        "groups": [{"field": g.field, "hits": [asdict(h) for h in g.hits]} for g in result.groups],
    }
