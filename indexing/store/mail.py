"""The mail log: one row of ``mail_log`` per attempt to mail a profile's digest of a day.

An attempt is written before the mail server is contacted (``sending``), moved to
``handing-over`` just before the message's bytes go to the server, and closed as ``sent``,
``failed`` (certainly not delivered: a retry is safe) or ``uncertain`` (the bytes went out and
no answer came: it may have been delivered). An attempt left open by a process that died is
closed by the next one: ``sending`` as failed, ``handing-over`` as uncertain.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from indexing.store.runs import process_gone

OPEN = ("sending", "handing-over")
"""Statuses of an attempt still under way (or whose process died)."""


@dataclass(frozen=True, slots=True)
class MailAttempt:
    """One row of ``mail_log``."""

    attempt_id: str
    profile: str
    day: date
    recipients: list[str]
    status: str
    """sending | handing-over | sent | failed | uncertain"""
    error: str | None
    message_id: str
    started_at: datetime
    finished_at: datetime | None


_COLUMNS = "attempt_id, profile, day, recipients, status, error, message_id, started_at, finished_at"


def _attempt(row: tuple) -> MailAttempt:
    return MailAttempt(*row[:3], list(row[3]), *row[4:])


def day_attempts(con: duckdb.DuckDBPyConnection, profile: str, day: date) -> list[MailAttempt]:
    """Every attempt at ``profile``'s message of ``day``, oldest first."""
    rows = con.execute(f"SELECT {_COLUMNS} FROM mail_log WHERE profile = ? AND day = ? ORDER BY started_at, attempt_id",
                       [profile, day]).fetchall()
    return [_attempt(r) for r in rows]


def recent_attempts(con: duckdb.DuckDBPyConnection, profile: str | None = None, limit: int = 50) -> list[MailAttempt]:
    """The newest attempts, of one profile or all, newest first."""
    rows = con.execute(f"SELECT {_COLUMNS} FROM mail_log WHERE $profile IS NULL OR profile = $profile "
                       "ORDER BY started_at DESC, attempt_id DESC LIMIT $limit",
                       {"profile": profile, "limit": limit}).fetchall()
    return [_attempt(r) for r in rows]


def close_dead_attempts(con: duckdb.DuckDBPyConnection, profile: str, day: date, now: datetime) -> list[str]:
    """Close the open attempts of ``profile`` and ``day`` whose process has ended: one that died
    before handing the message over failed; one that died while handing it over is uncertain."""
    rows = con.execute("SELECT attempt_id, status, pid, hostname FROM mail_log WHERE profile = ? AND day = ? "
                       "AND status IN ('sending', 'handing-over')", [profile, day]).fetchall()
    closed = []
    for attempt_id, status, pid, hostname in rows:
        if not process_gone(pid, hostname):
            continue
        if status == "sending":
            finish_attempt(con, attempt_id, "failed", now,
                           "the process sending it ended before the message was handed over")
        else:
            finish_attempt(con, attempt_id, "uncertain", now,
                           "the process sending it ended while handing the message over: it may have been delivered")
        closed.append(attempt_id)
    return closed


def begin_attempt(con: duckdb.DuckDBPyConnection, profile: str, day: date, recipients: list[str],
                  message_id: str, now: datetime) -> str:
    """Record a new attempt as ``sending`` by this process; returns its id."""
    attempt_id = now.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    con.execute("INSERT INTO mail_log (attempt_id, profile, day, recipients, status, error, message_id, started_at, "
                "finished_at, pid, hostname) VALUES (?, ?, ?, ?, 'sending', NULL, ?, ?, NULL, ?, ?)",
                [attempt_id, profile, day, recipients, message_id, now, os.getpid(), socket.gethostname()])
    return attempt_id


def mark_handing_over(con: duckdb.DuckDBPyConnection, attempt_id: str) -> None:
    """The message's bytes are about to go to the server: from here a crash leaves it uncertain."""
    con.execute("UPDATE mail_log SET status = 'handing-over' WHERE attempt_id = ?", [attempt_id])


def finish_attempt(con: duckdb.DuckDBPyConnection, attempt_id: str, status: str, now: datetime,
                   error: str | None = None) -> None:
    """Close an attempt as ``sent``, ``failed`` or ``uncertain``."""
    if status not in ("sent", "failed", "uncertain"):
        raise ValueError(f"an attempt ends sent, failed or uncertain, not {status!r}")
    con.execute("UPDATE mail_log SET status = ?, error = ?, finished_at = ? WHERE attempt_id = ?",
                [status, error, now, attempt_id])
