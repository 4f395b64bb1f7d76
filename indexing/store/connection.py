"""The DuckDB store: opening it, waiting for it, transactions. The one owner of DuckDB.

DuckDB lets one process hold the file read-write, and no read-only process may open it
meanwhile (nor a writer while readers hold it). So nobody holds it for long: a ``Store``
is a handle that opens a connection per unit of work (a read) and closes it right after.
Opening a busy file is retried, jittered, within a bound (``RADAR_STORE__WRITE_WAIT`` for
writers, ``RADAR_STORE__READ_WAIT`` for readers); after it, ``StoreBusyError`` names the
process holding the file. ``cursor()`` keeps one read-only connection for the command it
serves, until ``close()`` or a transaction.

A writer keeps its read-write connection between back-to-back transactions (opening the
file, replaying its log and checkpointing it on close cost more than a batch's writes), but
only while nobody else wants the file: a process that finds it busy touches
``<store>.readers-waiting``, and the writer, once it has had the file for ``WRITER_TURN``,
lets go before its next transaction, or at once if it is between transactions (a watcher
thread); it also lets go after ``HOLD_IDLE`` seconds without a transaction. Letting go for someone who waits skips DuckDB's checkpoint unless the log has
grown past ``WAL_FOR_READERS``: replaying a small log costs a reader less than waiting for
a checkpoint, whose cost grows with the whole store.
"""

from __future__ import annotations

import atexit
import os
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

HOLD_IDLE = 1.0
"""Seconds a writer keeps the file after its last transaction when nobody waits for it."""

WRITER_TURN = 0.25
"""Seconds a writer keeps the file once it has it, even when someone waits (unless it idles):
a reader that polls would otherwise get the file back after every single transaction."""

WAL_FOR_READERS = 4 << 20
"""Bytes of write-ahead log a writer leaves for others to replay when it lets go for them
(each reader that opens the file replays it: about 20 ms a MB on a busy machine); above it,
the writer checkpoints first."""

WRITER_CHECKPOINT = "1GB"
"""DuckDB's checkpoint threshold while a writer holds the file: checkpoints happen when it
lets go, not every few batches (each one rewrites the tables' indexes whole)."""

_handles: weakref.WeakSet[Store] = weakref.WeakSet()
"""Every handle in this process, so a transaction can close their read-only connections first."""


class Store:
    """A DuckDB file holding everything Radar knows, opened per unit of work.

    Reads use a read-only connection, so any number of reading processes share the file.
    Writes are serialised by one lock (feeds fetched in parallel threads write one
    transaction at a time); the read-write connection is kept between transactions until
    another process waits for the file (it then gets its turn before the next transaction)
    or the writer has been idle for ``HOLD_IDLE`` seconds."""

    def __init__(self, path: Path, read_only: bool, waits: StoreSettings | None = None) -> None:
        self.path = path
        self.read_only = read_only
        self.waits = waits or StoreSettings()
        self._lock = threading.RLock()
        self._held: duckdb.DuckDBPyConnection | None = None
        self._writer: duckdb.DuckDBPyConnection | None = None
        self._writer_used = 0.0
        self._writer_since = 0.0
        self._watching = False
        _handles.add(self)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the file. The handle stays usable: it opens the file again when needed."""
        with self._lock:
            self._close_reader()
            self._release_writer(for_waiting=False)

    def _close_reader(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection this handle keeps until ``close()`` or its next transaction."""
        with self._lock:
            if self._held is None:
                # A kept connection reads read-only, beside other readers: a writer's kept
                # read-write one is let go first (in-process it would be opened read-write).
                self._release_writer(for_waiting=False)
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
            if self._writer is not None and self._turn_over():
                self._release_writer(for_waiting=True)
            kept = self._writer or self._held
            if kept is not None:  # a writer reads through its own connection
                cursor = kept.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
                    if kept is self._writer:
                        self._writer_used = time.monotonic()
                return
            self._held = self._open(read_only=True)
            try:
                yield self._held
            finally:
                self._close_reader()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: everything inside commits together or not at all, and bumps
        the store's change counter (see ``changes``). Cursors taken before it are closed."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        with self._lock:
            _close_readers(self.path)
            con = self._writer_connection()
            try:
                con.execute("BEGIN TRANSACTION")
                try:
                    yield con
                    con.execute("UPDATE store_changes SET counter = counter + 1")
                except BaseException:
                    try:
                        con.execute("ROLLBACK")
                    except duckdb.Error:  # the connection itself failed: open a fresh one next time
                        self._release_writer(for_waiting=False)
                    raise
                con.execute("COMMIT")
            except duckdb.Error:
                self._release_writer(for_waiting=False)
                raise
            finally:
                self._writer_used = time.monotonic()

    def _writer_connection(self) -> duckdb.DuckDBPyConnection:
        """The kept read-write connection; opened (again) when there is none or someone waits."""
        if self._writer is not None and self._turn_over():
            self._release_writer(for_waiting=True)
        if self._writer is None:
            self._adopt_writer(self._open(read_only=False))
        return self._writer

    def _adopt_writer(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"SET checkpoint_threshold = '{WRITER_CHECKPOINT}'")
        self._writer = con
        self._writer_used = self._writer_since = time.monotonic()
        if not self._watching:
            self._watching = True
            threading.Thread(target=_watch, args=(weakref.ref(self),), name=f"store-writer {self.path.name}",
                             daemon=True).start()

    def _release_writer(self, *, for_waiting: bool) -> None:
        """Close the kept read-write connection. For someone waiting, leave a small log to
        replay rather than make them wait for a checkpoint; otherwise DuckDB checkpoints."""
        con, self._writer = self._writer, None
        if con is None:
            return
        try:
            if for_waiting:
                if _size(self._wal) > WAL_FOR_READERS:
                    con.execute("CHECKPOINT")
                con.execute("PRAGMA disable_checkpoint_on_shutdown")
        except duckdb.Error:
            pass  # closing is what matters; DuckDB replays the log on the next open
        finally:
            con.close()

    @property
    def _wal(self) -> Path:
        return self.path.with_name(self.path.name + ".wal")

    def changes(self) -> int:
        """A counter that every committed write transaction bumps: a long-running reader
        compares it with the one it saw to know whether its caches are stale."""
        with self.reading() as con:
            return con.execute("SELECT counter FROM store_changes").fetchone()[0]

    @property
    def _waiting_marker(self) -> Path:
        return self.path.with_name(self.path.name + ".readers-waiting")

    def _signal_waiting(self) -> None:
        """Tell the writer holding the file that this process waits for it (reader or writer):
        it keeps its connection between transactions only while nobody waits."""
        with suppress(OSError):  # a read-only folder: waiting processes just get no priority
            self._waiting_marker.write_text(str(os.getpid()))

    def _someone_waits(self) -> bool:
        """Whether another process signalled, in the last moments, that it waits for the file."""
        try:
            age = time.time() - self._waiting_marker.stat().st_mtime
        except OSError:
            return False
        if age > 4 * self.waits.retry_interval:
            return False
        try:
            return self._waiting_marker.read_text() != str(os.getpid())
        except OSError:
            return True

    def _turn_over(self) -> bool:
        """Whether the writer should let go now: someone waits, and it has had its turn."""
        return time.monotonic() - self._writer_since >= WRITER_TURN and self._someone_waits()

    def _let_waiting_readers_in(self, deadline: float) -> None:
        """Before a write, give processes that signalled in the last moments their turn
        (for up to READER_TURN seconds)."""
        until = min(time.monotonic() + READER_TURN, deadline)
        while time.monotonic() < until and self._someone_waits():
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
                self._signal_waiting()
            except duckdb.ConnectionException as exc:
                if "different configuration" not in str(exc):
                    raise StoreError(f"Cannot open store {self.path}: {exc}") from None
                if read_only:
                    read_only = False  # this process writes the file right now: read through its instance
                    continue
                # A writer while this process still reads the file read-only (another thread's
                # handle, a web request not yet torn down): let those readers go, try again
                # within the same wait.
                _close_readers(self.path, but=self)
                if time.monotonic() >= deadline:
                    raise busy(self.path, f"a read-only connection in this process ({os.getpid()})", wait,
                               read_only) from None
            except duckdb.Error as exc:
                raise StoreError(f"Cannot open store {self.path}: {exc}") from None
            else:
                con.execute("SET TimeZone = 'UTC'")
                return con
            pause = min(pause * 2, self.waits.retry_interval)
            time.sleep(random.uniform(pause / 2, pause))  # noqa: S311 - jitter, not cryptography


def _close_readers(path: Path, *, but: Store | None = None) -> None:
    """Close the kept read-only connections of every handle on ``path`` in this process (each after
    its current read): DuckDB refuses a read-write connection beside read-only ones in one process."""
    for other in list(_handles):
        if other.path == path and other is not but:
            with other._lock:
                other._close_reader()


def _watch(ref: weakref.ref[Store]) -> None:
    """While a handle keeps a read-write connection: let go of it when someone waits for the
    file or the writer has been idle for HOLD_IDLE seconds (its transactions check too)."""
    while (store := ref()) is not None:
        interval = store.waits.retry_interval
        del store
        time.sleep(interval)
        if (store := ref()) is None:
            return
        with store._lock:
            if store._writer is None:
                store._watching = False
                return
            if store._turn_over():
                store._release_writer(for_waiting=True)
            elif time.monotonic() - store._writer_used > HOLD_IDLE:
                store._release_writer(for_waiting=False)
        del store


@atexit.register
def _close_all() -> None:
    """Checkpoint and let go of every kept connection when the process ends."""
    for store in list(_handles):
        with suppress(Exception):
            store.close()


def _forget_in_child() -> None:
    """A forked child never uses, nor closes (checkpoints), its parent's connections."""
    for store in list(_handles):
        store._writer = store._held = None
        store._watching = False
        store._lock = threading.RLock()


os.register_at_fork(after_in_child=_forget_in_child)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


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
        except BaseException:
            con.close()
            raise
        with store._lock:
            store._adopt_writer(con)
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
