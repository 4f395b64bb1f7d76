"""Indexing, as plain functions: papers from the store, embedded (cached), into a backend.

DuckDB is the truth and the index is derived: a paper's mark advances only once the
backend acknowledged its document, so a failed run is simply run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from indexing.embeddings import Embedder, document_text, text_hash
from indexing.search.base import IndexReport, SearchBackend, SearchDoc
from indexing.store import Store, utc_now
from indexing.store.search_state import (
    cached_vectors, clear_marks, count_marks, count_pending, mark_indexed, pending, save_vectors,
)
from radar.errors import SearchError, SearchUnavailableError


@dataclass(slots=True)
class IndexResult:
    backend: str
    pending: int = 0
    indexed: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    embedded: int = 0
    """Texts the model embedded in this run."""
    reused: int = 0
    """Vectors taken from the cache (the paper's text had not changed)."""
    total: int = 0
    """Documents in the index afterwards."""
    index_id: str = ""
    """The identity of the index written to; the papers' marks are keyed by it."""
    new_index: bool = False
    """The index holds nothing this store sent it (new alias, new cluster, lost or emptied index):
    every paper is pending."""


Progress = Callable[[int, int], None]  # (done, total)


def index_papers(store: Store, backend: SearchBackend, embedder: Embedder, *,
                 progress: Progress | None = None) -> IndexResult:
    """Send new and changed papers to the backend (incremental)."""
    backend.prepare(dims=embedder.dims, model=embedder.name)
    result = IndexResult(backend=backend.name)
    index_id = index_identity(store, backend, result)
    with store.transaction() as con:
        result.pending = count_pending(con, index_id)
        batches = list(pending(con, index_id))
    hashes: dict[str, str] = {}
    try:
        report = backend.index(_documents(store, embedder, batches, hashes, result, progress))
    except SearchUnavailableError as exc:
        if isinstance(exc.report, IndexReport):  # keep what the engine confirmed before it went away
            _mark(store, index_id, exc.report.indexed, hashes)
        raise
    backend.refresh()
    _mark(store, index_id, report.indexed, hashes)
    result.indexed, result.failed, result.total = len(report.indexed), report.failed, backend.count()
    return result


def index_identity(store: Store, backend: SearchBackend, result: IndexResult) -> str:
    """The live index's identity. One that holds none of what this store marked for it (new,
    or emptied behind Radar's back) is ``new_index``: every paper goes to it."""
    index_id = backend.identity()
    with store.transaction() as con:
        marked = count_marks(con, index_id)
    if marked and backend.count() == 0:
        with store.transaction() as con:
            clear_marks(con, index_id)
        marked = 0
    result.index_id, result.new_index = index_id, marked == 0
    return index_id


def _mark(store: Store, index_id: str, paper_ids: list[str], hashes: dict[str, str]) -> None:
    with store.transaction() as con:
        mark_indexed(con, index_id, {pid: hashes[pid] for pid in paper_ids}, utc_now())


def reindex_papers(store: Store, backend: SearchBackend, embedder: Embedder, *,
                   progress: Progress | None = None) -> IndexResult:
    """Build a fresh index of every paper and swap it in; search keeps working meanwhile."""
    result = IndexResult(backend=backend.name, new_index=True)
    try:
        old_id: str | None = backend.identity()
    except SearchError:  # no index yet (or none reachable: rebuild says so)
        old_id = None
    with store.transaction() as con:
        batches = list(pending(con, old_id or "", everything=True))
    result.pending = sum(map(len, batches))
    hashes: dict[str, str] = {}
    report = backend.rebuild(_documents(store, embedder, batches, hashes, result, progress),
                             dims=embedder.dims, model=embedder.name)
    result.index_id = backend.identity()
    with store.transaction() as con:
        for index_id in {old_id, result.index_id} - {None}:
            clear_marks(con, index_id)
    _mark(store, result.index_id, report.indexed, hashes)
    result.indexed, result.failed, result.total = len(report.indexed), report.failed, backend.count()
    return result


def _documents(store: Store, embedder: Embedder, batches: list[list[SearchDoc]], hashes: dict[str, str],
               result: IndexResult, progress: Progress | None) -> Iterator[SearchDoc]:
    done = 0
    for batch in batches:
        for doc, vector in zip(batch, embed_batch(store, embedder, batch, result), strict=True):
            hashes[doc.paper_id] = doc.content_hash
            yield replace(doc, vector=vector)
        done += len(batch)
        if progress:
            progress(done, result.pending)


def embed_batch(store: Store, embedder: Embedder, batch: list[SearchDoc], result: IndexResult) -> list:
    """Vectors for a batch: from the cache where the text is unchanged, else from the model (then cached)."""
    texts = [document_text(p.title, p.abstract) for p in batch]
    hashes = [text_hash(t) for t in texts]
    with store.transaction() as con:
        cached = cached_vectors(con, embedder.name, {p.paper_id: h for p, h in zip(batch, hashes, strict=True)})
    missing = [i for i, p in enumerate(batch) if p.paper_id not in cached]
    fresh = embedder.embed([texts[i] for i in missing])
    with store.transaction() as con:
        save_vectors(con, embedder.name, [batch[i].paper_id for i in missing], [hashes[i] for i in missing], fresh)
    result.embedded += len(missing)
    result.reused += len(batch) - len(missing)
    by_position = dict(zip(missing, fresh, strict=True))
    return [cached[p.paper_id] if p.paper_id in cached else by_position[i] for i, p in enumerate(batch)]
