"""Process-wide wiring for flows: settings, the store and the fetcher, built by factories.

Prefect environment defaults are set here, before Prefect is imported anywhere: telemetry
off, and Prefect's state kept under ``RADAR_HOME`` so a checkout stays self-contained.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from indexing.index import Progress as IndexProgress
from indexing.ingest import Listener, SilentListener
from indexing.sources.http import HttpFetcher
from indexing.store import Store, open_store
from radar.settings import Settings, load_settings

_listener: Listener = SilentListener()
_index_progress: IndexProgress | None = None


def prepare_prefect_environment(settings: Settings) -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if "PREFECT_HOME" not in os.environ:
        home = (settings.home / "prefect").resolve()
        home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(home)


def current_listener() -> Listener:
    return _listener


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Route progress of flows run inside this block to ``listener`` (the CLI's bars)."""
    global _listener
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous


def current_index_progress() -> IndexProgress | None:
    return _index_progress


@contextmanager
def reporting_index_progress(progress: IndexProgress) -> Iterator[None]:
    """Route indexing progress of flows run inside this block to ``progress``."""
    global _index_progress
    previous, _index_progress = _index_progress, progress
    try:
        yield
    finally:
        _index_progress = previous


@contextmanager
def resources(settings: Settings | None = None) -> Iterator[tuple[Settings, Store, HttpFetcher]]:
    settings = settings or load_settings()
    with open_store(settings.store_path) as store, HttpFetcher(settings.http, settings.user_agent) as fetcher:
        yield settings, store, fetcher
