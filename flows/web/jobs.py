"""Briefs as background jobs of the web app: a bounded pool of writer processes.

A brief takes seconds to minutes (retrieval, the model, the checks), longer than a reader waits
on a page, so ``POST /briefs`` hands it to :class:`BriefRunner` and answers at once. At most
``RADAR_WEB__BRIEF_WORKERS`` briefs are written at the same time, each by its own process
(``python -m flows.web.jobs``, running :func:`flows.briefing.run_brief_job`), and up to
``RADAR_WEB__BRIEF_QUEUE`` more wait in this server; beyond that :class:`TooBusy` (HTTP 429).

The writer processes hold the store only for their short write transactions, as every Radar
writer does, so the server itself never writes and its pages never lose a connection to a
writer in their own process. A job goes on when the reader closes the page; its row in
``brief_jobs`` (written by its process) carries its stage, progress, error and brief id. A row
left ``running`` by a process that died is marked failed when the server starts.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import threading
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.briefing import BriefOrder, order_from_json, order_json, run_brief_job
from indexing.store import open_store, utc_now
from indexing.store.jobs import mark_dead_jobs, running_jobs
from radar.errors import StoreError, TooBusy
from radar.settings import Settings

EARLY_FAILURES_KEPT = 50
START_WRITE_WAIT = 10.0
"""Seconds the server waits, when it starts, to mark dead jobs (and migrate) before it serves anyway."""
log = logging.getLogger("radar.web")


def mark_dead(settings: Settings) -> list[str]:
    """When the server starts, before it reads anything: jobs left running by a process that died
    are marked failed. A store busy for longer than
    START_WRITE_WAIT is left as it is; the pages then show such jobs as failed all the same."""
    waits = settings.store.model_copy(update={"write_wait": min(settings.store.write_wait, START_WRITE_WAIT),
                                              "read_wait": min(settings.store.read_wait, START_WRITE_WAIT)})
    try:
        with open_store(settings.store_path, read_only=True, waits=waits) as store:  # usually nothing to do
            if not any(job.gone for job in running_jobs(store.cursor())):
                return []
        with open_store(settings.store_path, waits=waits) as store, store.transaction() as con:
            return mark_dead_jobs(con, utc_now())
    except StoreError as exc:
        log.warning("could not mark brief jobs of a dead server as failed: %s", exc)
        return []


@dataclass(frozen=True, slots=True)
class Pending:
    job_id: str
    order: BriefOrder
    created_at: datetime


class BriefRunner:
    """The pool: queued jobs in memory, running ones as child processes."""

    def __init__(self, workers: int, queue_size: int) -> None:
        self.workers, self.queue_size = workers, queue_size
        self._lock = threading.Lock()
        self._queue: deque[Pending] = deque()
        self._running: dict[str, tuple[Pending, subprocess.Popen]] = {}
        self._ended_early: OrderedDict[str, tuple[Pending, str]] = OrderedDict()
        self._closed = False

    def submit(self, order: BriefOrder) -> str:
        """Start or queue a brief; its job id. Raises TooBusy when the pool and the queue are full."""
        pending = Pending(uuid.uuid4().hex[:12], order, utc_now())
        with self._lock:
            if len(self._running) >= self.workers and len(self._queue) >= self.queue_size:
                raise TooBusy(f"{len(self._running)} briefs are being written and {len(self._queue)} wait; "
                              "that is all this server takes. Try again in a minute.")
            if len(self._running) < self.workers:
                self._start(pending)
            else:
                self._queue.append(pending)
        return pending.job_id

    def view(self, job_id: str) -> dict[str, Any] | None:
        """What this server knows of a job its process has not recorded (yet): queued with its place
        in line, starting, or ended before it could record anything."""
        with self._lock:
            for position, pending in enumerate(self._queue, start=1):
                if pending.job_id == job_id:
                    return _memory_view(pending, "queued", position=position)
            if job_id in self._running:
                return _memory_view(self._running[job_id][0], "running", stage="starting")
            if job_id in self._ended_early:
                pending, why = self._ended_early[job_id]
                return _memory_view(pending, "failed", error=why)
        return None

    def waiting(self) -> list[dict[str, Any]]:
        with self._lock:
            return [_memory_view(p, "queued", position=i) for i, p in enumerate(self._queue, start=1)]

    @property
    def load(self) -> tuple[int, int]:
        """(running, queued)."""
        with self._lock:
            return len(self._running), len(self._queue)

    def close(self) -> None:
        """Stop: queued jobs are dropped, running ones stopped (their rows are marked failed on the next start)."""
        with self._lock:
            self._closed = True
            self._queue.clear()
            running = [process for _, process in self._running.values()]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    def _start(self, pending: Pending) -> None:
        """Start ``pending``'s process (the lock is held)."""
        log = tempfile.TemporaryFile()
        process = subprocess.Popen(
            [sys.executable, "-m", "flows.web.jobs", pending.job_id, json.dumps(order_json(pending.order)),
             pending.created_at.isoformat()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        self._running[pending.job_id] = (pending, process)
        threading.Thread(target=self._watch, args=(pending, process, log), daemon=True,
                         name=f"brief-job-{pending.job_id}").start()

    def _watch(self, pending: Pending, process: subprocess.Popen, log: Any) -> None:
        code = process.wait()
        with self._lock:
            self._running.pop(pending.job_id, None)
            if code != 0 and not self._closed:
                log.seek(0)
                tail = log.read()[-4000:].decode("utf-8", "replace").strip().splitlines()
                self._ended_early[pending.job_id] = (pending, tail[-1] if tail else f"exit status {code}")
                while len(self._ended_early) > EARLY_FAILURES_KEPT:
                    self._ended_early.popitem(last=False)
            if self._queue and not self._closed:
                self._start(self._queue.popleft())
        log.close()


def _memory_view(pending: Pending, state: str, *, position: int | None = None, stage: str | None = None,
                 error: str | None = None) -> dict[str, Any]:
    return {"job_id": pending.job_id, "state": state, "stage": stage, "progress": 0.0, "error": error,
            "request": order_json(pending.order), "brief_id": None, "created_at": pending.created_at,
            "started_at": None, "finished_at": None, "position": position}


def main(argv: list[str]) -> int:
    """``python -m flows.web.jobs JOB_ID ORDER_JSON CREATED_AT``: write one job's brief."""
    job_id, order, created_at = argv
    run_brief_job(job_id, order_from_json(json.loads(order)), datetime.fromisoformat(created_at))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
