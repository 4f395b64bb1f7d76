"""The DuckDB store, Radar's system of record (the search index is derived from it)."""

from indexing.store.connection import Store, open_store, utc_now

__all__ = ["Store", "open_store", "utc_now"]
