"""Process-wide wiring for flows: settings, the store and the fetcher, built by factories.

Prefect environment defaults are set here, before Prefect is imported anywhere: telemetry
off, and Prefect's state kept under ``RADAR_HOME`` so a checkout stays self-contained.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from indexing.embeddings import Embedder, embedder_for
from indexing.search import build_backend
from indexing.search.base import SearchBackend
from indexing.store import Store, open_store
from radar.errors import ConfigError, IndexMismatchError, RadarError
from radar.settings import Settings, load_settings

if TYPE_CHECKING:  # imported where used: searching needs none of the ingest code (fast `radar search`)
    from indexing.index import Progress as IndexProgress
    from indexing.ingest import Listener
    from indexing.sources.http import HttpFetcher

T = TypeVar("T")


def retry_if_transient(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's retry_condition_fn hook
    """Retry a task only when it failed with a RadarError that says it is transient."""
    try:
        state.result()
    except RadarError as exc:
        return exc.transient
    except Exception:  # noqa: BLE001 - anything else is a bug, not worth a retry
        return False
    return False


def prepare_prefect_environment(settings: Settings) -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if "PREFECT_HOME" not in os.environ:
        home = (settings.home / "prefect").resolve()
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"Cannot create Prefect's folder {home}: {exc.strerror or exc}. "
                              "Set RADAR_HOME (or PREFECT_HOME) to a folder you can write to.") from None
        os.environ["PREFECT_HOME"] = str(home)


class _Slot(Generic[T]):
    """A process-wide value, set for the length of a block. Prefect runs tasks in worker
    threads, which a context variable would not reach; the CLI runs one flow at a time."""

    def __init__(self, value: T) -> None:
        self.value = value

    @contextmanager
    def holding(self, value: T) -> Iterator[None]:
        previous, self.value = self.value, value
        try:
            yield
        finally:
            self.value = previous


_listener: _Slot[Listener | None] = _Slot(None)
_index_progress: _Slot[IndexProgress | None] = _Slot(None)


def current_listener() -> Listener:
    from indexing.ingest import SilentListener

    return _listener.value or SilentListener()


def listening(listener: Listener) -> AbstractContextManager[None]:
    """Route progress of flows run inside this block to ``listener`` (the CLI's bars)."""
    return _listener.holding(listener)


def current_index_progress() -> IndexProgress | None:
    return _index_progress.value


def reporting_index_progress(progress: IndexProgress) -> AbstractContextManager[None]:
    """Route indexing progress of flows run inside this block to ``progress``."""
    return _index_progress.holding(progress)


@dataclass(frozen=True, slots=True)
class Searching:
    """What answering a question needs: the store, its search backend and the embedder."""

    settings: Settings
    store: Store
    backend: SearchBackend
    embedder: Embedder


@contextmanager
def searching(settings: Settings | None = None, *, read_only: bool = True,
              backend: SearchBackend | None = None) -> Iterator[Searching]:
    """The store (read-only unless asked), the configured backend and embedder; closed after use.
    ``backend``: a long-lived one to use (and leave open) instead of building one for the block."""
    settings = settings or load_settings()
    embedder = embedder_for(settings)
    with open_store(settings.store_path, read_only=read_only, waits=settings.store) as store:
        own = backend is None
        backend = build_backend(settings, store) if own else backend
        try:
            if own:
                _check_model(backend, embedder)
            yield Searching(settings, store, backend, embedder)
        finally:
            if own:
                backend.close()


def _check_model(backend: SearchBackend, embedder: Embedder) -> None:
    """Vectors of two models are not comparable (even with the same size): refuse, don't mislead."""
    built_with = backend.model()
    if built_with is not None and built_with != embedder.name:
        raise IndexMismatchError(
            f"The search index was built with the embedding model {built_with!r}, but the configured one is "
            f"{embedder.name!r}: its vectors cannot be compared. Run `radar reindex` to rebuild the index for "
            f"{embedder.name!r}, or set RADAR_EMBEDDING_MODEL back to {built_with!r}.")


@contextmanager
def resources(settings: Settings | None = None) -> Iterator[tuple[Settings, Store, HttpFetcher]]:
    from indexing.sources.http import HttpFetcher

    settings = settings or load_settings()
    with open_store(settings.store_path, waits=settings.store) as store, HttpFetcher(settings.http, settings.user_agent) as fetcher:
        yield settings, store, fetcher
