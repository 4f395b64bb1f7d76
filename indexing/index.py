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
    cached_vectors, clear_marks, count_marks, count_papers, documents, mark_indexed, pending_ids, save_vectors,
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
    already: int = 0
    """Papers already indexed when the run began (a run killed midway resumes after them)."""


Progress = Callable[[int, int], None]  # (done, total)

DEFAULT_BATCH = 256


def index_papers(store: Store, backend: SearchBackend, embedder: Embedder, *,
                 progress: Progress | None = None, batch_size: int = DEFAULT_BATCH) -> IndexResult:
    """Send new and changed papers to the backend (incremental), ``batch_size`` at a time: each
    batch's vectors, documents and marks are committed before the next, so a killed run loses
    at most one batch and a rerun resumes. The store is held only for short reads and writes."""
    backend.prepare(dims=embedder.dims, model=embedder.name)
    result = IndexResult(backend=backend.name)
    index_id = index_identity(store, backend, result)
    with store.reading() as con:
        ids = pending_ids(con, index_id)
        result.already = count_papers(con) - len(ids)
    result.pending = len(ids)
    for done, batch in _batches(ids, batch_size):
        docs = embedded_documents(store, embedder, batch, result)
        hashes = {d.paper_id: d.content_hash for d in docs}
        try:
            report = backend.index(docs)
        except SearchUnavailableError as exc:
            if isinstance(exc.report, IndexReport):  # keep what the engine confirmed before it went away
                _mark(store, index_id, exc.report.indexed, hashes)
            raise
        _mark(store, index_id, report.indexed, hashes)
        result.indexed += len(report.indexed)
        result.failed.update(report.failed)
        if progress:
            progress(done, result.pending)
    backend.refresh()
    result.total = backend.count()
    return result


def index_identity(store: Store, backend: SearchBackend, result: IndexResult) -> str:
    """The live index's identity. One that holds none of what this store marked for it (new,
    or emptied behind Radar's back) is ``new_index``: every paper goes to it."""
    index_id = backend.identity()
    with store.reading() as con:
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
                   progress: Progress | None = None, batch_size: int = DEFAULT_BATCH) -> IndexResult:
    """Build a fresh index of every paper and swap it in; search keeps working meanwhile.
    Vectors are cached batch by batch, so a killed rebuild starts again without embedding again."""
    result = IndexResult(backend=backend.name, new_index=True)
    try:
        old_id: str | None = backend.identity()
    except SearchError:  # no index yet (or none reachable: rebuild says so)
        old_id = None
    with store.reading() as con:
        ids = pending_ids(con, old_id or "", everything=True)
    result.pending = len(ids)
    sent: dict[str, str] = {}
    report = backend.rebuild(_all_documents(store, embedder, ids, batch_size, sent, result, progress),
                             dims=embedder.dims, model=embedder.name)
    result.index_id = backend.identity()
    with store.transaction() as con:
        for index_id in {old_id, result.index_id} - {None}:
            clear_marks(con, index_id)
    _mark(store, result.index_id, report.indexed, sent)
    result.indexed, result.failed, result.total = len(report.indexed), report.failed, backend.count()
    return result


def _batches(ids: list[str], size: int) -> Iterator[tuple[int, list[str]]]:
    for start in range(0, len(ids), size):
        batch = ids[start:start + size]
        yield start + len(batch), batch


def _all_documents(store: Store, embedder: Embedder, ids: list[str], batch_size: int, sent: dict[str, str],
                   result: IndexResult, progress: Progress | None) -> Iterator[SearchDoc]:
    for done, batch in _batches(ids, batch_size):
        docs = embedded_documents(store, embedder, batch, result)
        for doc in docs:
            sent[doc.paper_id] = doc.content_hash
            yield doc
        if progress:
            progress(done, result.pending)


def embedded_documents(store: Store, embedder: Embedder, paper_ids: list[str], result: IndexResult) -> list[SearchDoc]:
    """The papers as documents with their vectors: from the cache where the text is unchanged,
    else from the model (embedding happens outside any store connection; then cached)."""
    with store.reading() as con:
        batch = documents(con, paper_ids)
        texts = [document_text(p.title, p.abstract) for p in batch]
        hashes = [text_hash(t) for t in texts]
        cached = cached_vectors(con, embedder.name, {p.paper_id: h for p, h in zip(batch, hashes, strict=True)})
    missing = [i for i, p in enumerate(batch) if p.paper_id not in cached]
    fresh = embedder.embed([texts[i] for i in missing])
    if missing:
        with store.transaction() as con:
            save_vectors(con, embedder.name, [batch[i].paper_id for i in missing], [hashes[i] for i in missing],
                         fresh)
    result.embedded += len(missing)
    result.reused += len(batch) - len(missing)
    by_position = dict(zip(missing, fresh, strict=True))
    return [replace(p, vector=cached[p.paper_id] if p.paper_id in cached else by_position[i])
            for i, p in enumerate(batch)]
