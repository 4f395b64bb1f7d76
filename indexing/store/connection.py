"""The DuckDB store: opening it, its write lock, transactions. The one owner of DuckDB."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from indexing.store import schema
from radar.errors import StoreBusyError, StoreError


def utc_now() -> datetime:
    """Now, as the naive UTC datetime the store's TIMESTAMP columns hold."""
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A DuckDB file holding everything Radar knows. Writes are serialised by one lock,
    so feeds fetched in parallel threads write one transaction at a time."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self.con = con
        self.path = path
        self.read_only = read_only
        self._write_lock = threading.RLock()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for reads from another thread."""
        return self.con.cursor()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: everything inside commits together or not at all."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        with self._write_lock:
            con = self.con.cursor()
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            else:
                con.execute("COMMIT")
            finally:
                con.close()


def open_store(path: Path, *, read_only: bool = False) -> Store:
    """Open (creating and migrating when writable) the store at ``path``."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"No store at {path} yet. Run `radar ingest` first.")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise _busy_or_broken(path, exc) from None
    except duckdb.Error as exc:
        raise StoreError(f"Cannot open store {path}: {exc}") from None
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        schema.migrate(con)
    elif schema.pending(con):
        con.close()
        raise StoreError(f"Store {path} has an older schema. Run `radar ingest` (or any writing command) to migrate it.")
    return Store(con, path, read_only)


def _busy_or_broken(path: Path, exc: duckdb.IOException) -> StoreError:
    message = str(exc)
    if "lock" in message.lower():
        pid = re.search(r"PID (\d+)", message)
        holder = f" (process {pid.group(1)})" if pid else ""
        return StoreBusyError(f"Store {path} is in use by another Radar process{holder}. Wait for it to finish and try again.")
    return StoreError(f"Cannot open store {path}: {message}")
