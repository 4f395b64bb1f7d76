"""Process-wide wiring for flows: settings, the store and the fetcher, built by factories.

Prefect environment defaults are set here, before Prefect is imported anywhere: telemetry
off, and Prefect's state kept under ``RADAR_HOME`` so a checkout stays self-contained.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Generic, TypeVar

from indexing.index import Progress as IndexProgress
from indexing.ingest import Listener, SilentListener
from indexing.sources.http import HttpFetcher
from indexing.store import Store, open_store
from radar.settings import Settings, load_settings

T = TypeVar("T")


def prepare_prefect_environment(settings: Settings) -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if "PREFECT_HOME" not in os.environ:
        home = (settings.home / "prefect").resolve()
        home.mkdir(parents=True, exist_ok=True)
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


_listener: _Slot[Listener] = _Slot(SilentListener())
_index_progress: _Slot[IndexProgress | None] = _Slot(None)


def current_listener() -> Listener:
    return _listener.value


def listening(listener: Listener) -> AbstractContextManager[None]:
    """Route progress of flows run inside this block to ``listener`` (the CLI's bars)."""
    return _listener.holding(listener)


def current_index_progress() -> IndexProgress | None:
    return _index_progress.value


def reporting_index_progress(progress: IndexProgress) -> AbstractContextManager[None]:
    """Route indexing progress of flows run inside this block to ``progress``."""
    return _index_progress.holding(progress)


@contextmanager
def resources(settings: Settings | None = None) -> Iterator[tuple[Settings, Store, HttpFetcher]]:
    settings = settings or load_settings()
    with open_store(settings.store_path) as store, HttpFetcher(settings.http, settings.user_agent) as fetcher:
        yield settings, store, fetcher
