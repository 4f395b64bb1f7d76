"""Run records, per-feed results, feed state (conditional GET validators) and rejects."""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime

import duckdb

from indexing.records import Reject
from radar.redact import mask_url


@dataclass(frozen=True, slots=True)
class FeedState:
    feed: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_success: datetime | None = None
    last_error: str | None = None


@dataclass(slots=True)
class FeedResult:
    """What one feed did in one run; the row of ``run_feeds``."""

    feed: str
    kind: str
    url: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "ok"  # ok | not-modified | partial | failed
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error: str | None = None
    repaired: int = 0
    """Items stored with invalid bytes replaced by U+FFFD (each is also listed in ``rejects``)."""
    kept: int = 0
    """Papers whose stored text was kept because this run's text was of lower quality."""


def start_run(con: duckdb.DuckDBPyConnection, now: datetime) -> str:
    """Record a new run as ``running`` in this process; runs of processes that died are marked first."""
    mark_dead_runs(con, now)
    run_id = now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    con.execute("INSERT INTO runs (run_id, started_at, finished_at, status, pid, hostname) "
                "VALUES (?, ?, NULL, 'running', ?, ?)", [run_id, now, os.getpid(), socket.gethostname()])
    return run_id


def process_gone(pid: int | None, hostname: str | None) -> bool:
    """True when the process of a ``running`` run has certainly ended: it ran on this host and
    no process has its pid. A run of another host (or of an older store, without a pid) is not judged."""
    if pid is None or hostname != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, owned by someone else
        return False
    return False


def mark_dead_runs(con: duckdb.DuckDBPyConnection, now: datetime) -> list[str]:
    """Set runs whose process is gone to ``died`` (finished now); returns their ids."""
    rows = con.execute("SELECT run_id, pid, hostname FROM runs WHERE status = 'running'").fetchall()
    dead = [run_id for run_id, pid, hostname in rows if process_gone(pid, hostname)]
    for run_id in dead:
        con.execute("UPDATE runs SET status = 'died', finished_at = ? WHERE run_id = ?", [now, run_id])
    return dead


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, now: datetime) -> None:
    con.execute("UPDATE runs SET finished_at = ?, status = ? WHERE run_id = ?", [now, status, run_id])


def record_feed_result(con: duckdb.DuckDBPyConnection, run_id: str, result: FeedResult) -> None:
    con.execute(
        "INSERT OR REPLACE INTO run_feeds (run_id, feed, kind, url, started_at, finished_at, status, fetched, new, "
        "updated, unchanged, rejected, error, repaired, kept) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, result.feed, result.kind, mask_url(result.url), result.started_at, result.finished_at, result.status,
         result.fetched, result.new, result.updated, result.unchanged, result.rejected,
         mask_url(result.error) if result.error else None, result.repaired, result.kept],
    )


def read_feed_state(con: duckdb.DuckDBPyConnection, feed: str) -> FeedState | None:
    row = con.execute(
        "SELECT feed, url, etag, last_modified, last_success, last_error FROM feed_state WHERE feed = ?", [feed]
    ).fetchone()
    return FeedState(*row) if row else None


def save_feed_state(con: duckdb.DuckDBPyConnection, state: FeedState, now: datetime) -> None:
    con.execute(
        "INSERT OR REPLACE INTO feed_state VALUES (?, ?, ?, ?, ?, ?, ?)",
        [state.feed, mask_url(state.url), state.etag, state.last_modified, state.last_success, now,
         mask_url(state.last_error) if state.last_error else None],
    )


def save_rejects(con: duckdb.DuckDBPyConnection, feed: str, run_id: str, rejects: list[Reject], now: datetime) -> None:
    """Keep each distinct rejected item once per feed (a rerun adds nothing)."""
    if not rejects:
        return
    import pyarrow as pa  # here: `radar status` reads runs and never needs it

    unique = {hashlib.sha256(r.excerpt.encode()).hexdigest()[:32]: r for r in rejects}
    con.register("new_rejects", pa.table({
        "feed": [feed] * len(unique),
        "excerpt_hash": list(unique),
        "identifier": [r.identifier for r in unique.values()],
        "reason": [r.reason for r in unique.values()],
        "excerpt": [r.excerpt for r in unique.values()],
    }))
    con.execute("INSERT OR IGNORE INTO rejects SELECT *, $run, $now FROM new_rejects", {"run": run_id, "now": now})
    con.unregister("new_rejects")
