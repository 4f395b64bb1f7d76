"""Search backends behind one contract (``base.SearchBackend``): local DuckDB or Elasticsearch."""

from __future__ import annotations

from indexing.search.base import SearchBackend
from indexing.store import Store
from radar.settings import Settings


def build_backend(settings: Settings, store: Store) -> SearchBackend:
    """The backend the settings name (``RADAR_SEARCH_BACKEND``)."""
    if settings.search_backend == "elasticsearch":
        from indexing.search.elasticsearch import build_backend as build_elasticsearch

        return build_elasticsearch(settings)
    from indexing.search.local import LocalBackend

    return LocalBackend(store, title_boost=settings.search_title_boost)
