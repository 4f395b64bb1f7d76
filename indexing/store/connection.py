"""The DuckDB store: opening it, waiting for it, transactions. The one owner of DuckDB.

DuckDB lets one process hold the file read-write, and no read-only process may open it
meanwhile (nor a writer while readers hold it). So nobody holds it for long: a ``Store``
is a handle that opens a connection per unit of work (a write transaction, a read) and
closes it right after. Opening a busy file is retried, jittered, within a bound
(``RADAR_STORE__WRITE_WAIT`` for writers, ``RADAR_STORE__READ_WAIT`` for readers); after
it, ``StoreBusyError`` names the process holding the file. ``cursor()`` keeps one
read-only connection for the command it serves, until ``close()`` or a transaction.
"""

from __future__ import annotations

import random
import re
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from indexing.store import schema
from radar.errors import StoreBusyError, StoreError
from radar.settings import StoreSettings


def utc_now() -> datetime:
    """Now, as the naive UTC datetime the store's TIMESTAMP columns hold."""
    return datetime.now(UTC).replace(tzinfo=None)


READER_TURN = 1.0
"""Longest a writer defers to waiting readers before each transaction, in seconds."""

_handles: weakref.WeakSet[Store] = weakref.WeakSet()
"""Every handle in this process, so a transaction can close their read-only connections first."""


class Store:
    """A DuckDB file holding everything Radar knows, opened per unit of work.

    Reads use a read-only connection, so any number of reading processes share the file.
    Writes are serialised by one lock (feeds fetched in parallel threads write one
    transaction at a time); each opens the file read-write, commits and closes it, so other
    processes get their turn between two transactions."""

    def __init__(self, path: Path, read_only: bool, waits: StoreSettings | None = None) -> None:
        self.path = path
        self.read_only = read_only
        self.waits = waits or StoreSettings()
        self._lock = threading.RLock()
        self._held: duckdb.DuckDBPyConnection | None = None
        _handles.add(self)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the file. The handle stays usable: it opens the file again when needed."""
        with self._lock:
            if self._held is not None:
                self._held.close()
                self._held = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection this handle keeps until ``close()`` or its next transaction."""
        with self._lock:
            if self._held is None:
                self._held = self._open(read_only=True)
            return self._held

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for reads (from any thread), valid until ``close()`` or the next transaction."""
        return self.con.cursor()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one read: the kept one if any, else one opened for the block (and
        shared by reads nested in it) and closed after it."""
        with self._lock:
            if self._held is not None:
                cursor = self._held.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
                return
            self._held = self._open(read_only=True)
            try:
                yield self._held
            finally:
                self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: everything inside commits together or not at all, and bumps
        the store's change counter (see ``changes``). Cursors taken before it are closed."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        with self._lock:
            for other in list(_handles):  # DuckDB refuses read-write beside read-only in one process
                if other.path == self.path:
                    other.close()
            con = self._open(read_only=False)
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    con.execute("UPDATE store_changes SET counter = counter + 1")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
            finally:
                con.close()

    def changes(self) -> int:
        """A counter that every committed write transaction bumps: a long-running reader
        compares it with the one it saw to know whether its caches are stale."""
        with self.reading() as con:
            return con.execute("SELECT counter FROM store_changes").fetchone()[0]

    @property
    def _waiting_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".readers-waiting")

    def _signal_waiting_reader(self) -> None:
        """Tell writers a reader is waiting: a writer that commits batch after batch would
        otherwise reopen the file before a reader's next try."""
        with suppress(OSError):  # a read-only folder: readers just get no priority
            self._waiting_marker.touch()

    def _let_waiting_readers_in(self, deadline: float) -> None:
        """Before a write, give readers that signalled in the last moments their turn
        (for up to READER_TURN seconds)."""
        fresh = 4 * self.waits.retry_interval
        until = min(time.monotonic() + READER_TURN, deadline)
        while time.monotonic() < until:
            try:
                age = time.time() - self._waiting_marker.stat().st_mtime
            except OSError:
                return
            if age > fresh:
                return
            time.sleep(self.waits.retry_interval)

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        """Open the file, retrying while another process holds it, up to the configured wait."""
        wait = self.waits.read_wait if read_only else self.waits.write_wait
        deadline = time.monotonic() + wait
        if not read_only:
            self._let_waiting_readers_in(deadline)
        pause = 0.005
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as exc:
                holder = lock_holder(exc)
                if holder is None:
                    raise cannot_open(self.path, str(exc)) from None
                if time.monotonic() >= deadline:
                    raise busy(self.path, holder, wait, read_only) from None
                if read_only:
                    self._signal_waiting_reader()
            except duckdb.ConnectionException as exc:
                if not (read_only and "different configuration" in str(exc)):
                    raise StoreError(f"Cannot open store {self.path}: {exc}") from None
                read_only = False  # this process writes the file right now: read through its instance
                continue
            except duckdb.Error as exc:
                raise StoreError(f"Cannot open store {self.path}: {exc}") from None
            else:
                con.execute("SET TimeZone = 'UTC'")
                return con
            pause = min(pause * 2, self.waits.retry_interval)
            time.sleep(random.uniform(pause / 2, pause))  # noqa: S311 - jitter, not cryptography


def cannot_open(path: Path, message: str) -> StoreError:
    if "permission denied" in message.lower() or "read-only" in message.lower():
        return StoreError(f"Cannot write the store {path}: {message}. "
                          "Set RADAR_HOME to a folder you can write to, or fix its permissions.")
    return StoreError(f"Cannot open store {path}: {message}")


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "it is a file, not a folder" if folder.is_file() else exc.strerror or str(exc)
        raise StoreError(f"Cannot create the store's folder {folder}: {why}. "
                         "Set RADAR_HOME to a folder you can write to.") from None


_LOCK_PID = re.compile(r"PID (\d+)")


def lock_holder(exc: duckdb.IOException) -> str | None:
    """The process holding the file, from DuckDB's lock error ("" when it names none);
    None when the error is not a lock conflict."""
    message = str(exc)
    if "lock" not in message.lower():
        return None
    pid = _LOCK_PID.search(message)
    return pid.group(1) if pid else ""


def busy(path: Path, holder: str, waited: float, read_only: bool) -> StoreBusyError:
    who = f"process {holder}" if holder else "another process"
    setting = "RADAR_STORE__READ_WAIT" if read_only else "RADAR_STORE__WRITE_WAIT"
    return StoreBusyError(
        f"Store {path} is in use by {who} (waited {waited:g} s). It is probably a Radar run: let it finish "
        f"(`radar status`), or stop it (`kill {holder or '<pid>'}`) if it hangs, and try again. "
        f"{setting} sets how long to wait.")


def open_store(path: Path, *, read_only: bool = False, waits: StoreSettings | None = None) -> Store:
    """A handle on the store at ``path``; a writable one creates and migrates the file first."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"No store at {path} yet. Run `radar ingest` first.")
    _make_folder(path.parent)
    store = Store(path, read_only, waits)
    if not read_only:
        con = store._open(read_only=False)
        try:
            schema.migrate(con)
        finally:
            con.close()
    seen = _file_identity(path)
    if read_only and seen is not None and _current_schema.get(path) == seen:
        return store  # checked since the file last changed: a reader's first read opens it, not this check too
    with store.reading() as con:
        if schema.pending(con):
            raise StoreError(f"Store {path} has an older schema. Run `radar ingest` (or any writing command) "
                             "to migrate it.")
    if seen is not None:
        _current_schema[path] = seen
    return store


_current_schema: dict[Path, tuple[int, ...]] = {}
"""Store files whose schema was found current, with the file's identity then. A reader opens the
store per request or command; checking once per version of the file spares it one open of two
(the check on its own connection, then the reads on another). A migrated file stays current;
a file replaced by an older one has another identity (ctime changes with every write)."""


def _file_identity(path: Path) -> tuple[int, ...] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
