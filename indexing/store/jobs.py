"""Brief jobs: briefs asked for in the web app and written by a background process, one row each.

A job's row is written by the process that does the work (the server only reads), from
``running`` to ``done`` or ``failed``; a row left ``running`` by a process that died is marked
``failed`` by :func:`mark_dead_jobs` (the server calls it when it starts)."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from indexing.store.runs import process_gone

DIED = "The process writing this brief ended before it finished (the server stopped or it was killed)."


@dataclass(frozen=True, slots=True)
class JobRecord:
    job_id: str
    state: str
    stage: str | None
    progress: float
    error: str | None
    request: dict[str, Any]
    brief_id: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    pid: int | None
    hostname: str | None

    @property
    def gone(self) -> bool:
        """True when the row says running and its process has certainly ended."""
        return self.state == "running" and process_gone(self.pid, self.hostname)


_COLUMNS = ", ".join(JobRecord.__dataclass_fields__)


def start_job(con: duckdb.DuckDBPyConnection, job_id: str, request: dict[str, Any], created_at: datetime,
              now: datetime) -> None:
    """Record ``job_id`` as running in this process."""
    con.execute(f"INSERT INTO brief_jobs ({_COLUMNS}) VALUES (?, 'running', 'starting', 0, NULL, ?, NULL, ?, ?, "
                "NULL, ?, ?)", [job_id, json.dumps(request, ensure_ascii=False), created_at, now, os.getpid(),
                                socket.gethostname()])


def advance_job(con: duckdb.DuckDBPyConnection, job_id: str, stage: str, progress: float) -> None:
    con.execute("UPDATE brief_jobs SET stage = ?, progress = ? WHERE job_id = ?", [stage, progress, job_id])


def finish_job(con: duckdb.DuckDBPyConnection, job_id: str, now: datetime, *, state: str = "done",
               brief_id: str | None = None, error: str | None = None) -> None:
    """End a job: ``done`` (with its brief), ``empty`` (nothing found; ``error`` says so) or ``failed``."""
    con.execute("UPDATE brief_jobs SET state = ?, stage = NULL, progress = CASE WHEN ? THEN 1 ELSE progress END, "
                "error = ?, brief_id = ?, finished_at = ? WHERE job_id = ?",
                [state, state != "failed", error, brief_id, now, job_id])


def load_job(con: duckdb.DuckDBPyConnection, job_id: str) -> JobRecord | None:
    row = con.execute(f"SELECT {_COLUMNS} FROM brief_jobs WHERE job_id = ?", [job_id]).fetchone()
    return _record(row) if row else None


def recent_jobs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[JobRecord]:
    rows = con.execute(f"SELECT {_COLUMNS} FROM brief_jobs ORDER BY created_at DESC LIMIT ?", [limit]).fetchall()
    return [_record(row) for row in rows]


def running_jobs(con: duckdb.DuckDBPyConnection) -> list[JobRecord]:
    rows = con.execute(f"SELECT {_COLUMNS} FROM brief_jobs WHERE state = 'running'").fetchall()
    return [_record(row) for row in rows]


def mark_dead_jobs(con: duckdb.DuckDBPyConnection, now: datetime) -> list[str]:
    """Set jobs whose process is gone to ``failed``; returns their ids."""
    rows = con.execute("SELECT job_id, pid, hostname FROM brief_jobs WHERE state = 'running'").fetchall()
    dead = [job_id for job_id, pid, hostname in rows if process_gone(pid, hostname)]
    for job_id in dead:
        finish_job(con, job_id, now, state="failed", error=DIED)
    return dead


def _record(row: tuple) -> JobRecord:
    values = list(row)
    values[5] = json.loads(values[5])
    return JobRecord(*values)
