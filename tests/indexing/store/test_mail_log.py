"""The mail log on a real DuckDB file: attempts opened, moved, closed, and those of dead processes settled."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from indexing.store import Store, utc_now
from indexing.store.mail import (begin_attempt, close_dead_attempts, day_attempts, finish_attempt,
                                 mark_handing_over, recent_attempts)

DAY = date(2024, 11, 28)


def test_an_attempt_is_recorded_from_start_to_finish(store: Store) -> None:
    now = utc_now()
    with store.transaction() as con:
        attempt_id = begin_attempt(con, "bio", DAY, ["ada@example.org"], "<m1@example.org>", now)
    with store.transaction() as con:
        mark_handing_over(con, attempt_id)
    (row,) = day_attempts(store.cursor(), "bio", DAY)
    assert (row.status, row.recipients, row.message_id, row.finished_at) == (
        "handing-over", ["ada@example.org"], "<m1@example.org>", None)
    with store.transaction() as con:
        finish_attempt(con, attempt_id, "sent", now + timedelta(seconds=1))
    (row,) = day_attempts(store.cursor(), "bio", DAY)
    assert row.status == "sent" and row.error is None and row.finished_at == now + timedelta(seconds=1)
    assert day_attempts(store.cursor(), "bio", DAY + timedelta(days=1)) == []
    assert [a.attempt_id for a in recent_attempts(store.cursor(), "bio")] == [attempt_id]
    assert recent_attempts(store.cursor(), "other") == []


def test_an_attempt_ends_only_as_sent_failed_or_uncertain(store: Store) -> None:
    with store.transaction() as con:
        attempt_id = begin_attempt(con, "bio", DAY, ["a@example.org"], "<m@example.org>", utc_now())
        with pytest.raises(ValueError, match="sent, failed or uncertain"):
            finish_attempt(con, attempt_id, "sending", utc_now())


def test_attempts_of_a_dead_process_are_closed_by_where_it_died(store: Store) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead_pid = int(dead.stdout)
    now = utc_now()
    with store.transaction() as con:
        before = begin_attempt(con, "bio", DAY, ["a@example.org"], "<m@example.org>", now)
        during = begin_attempt(con, "bio", DAY, ["a@example.org"], "<m@example.org>", now)
        alive = begin_attempt(con, "bio", DAY, ["a@example.org"], "<m@example.org>", now)
        mark_handing_over(con, during)
        con.execute("UPDATE mail_log SET pid = ? WHERE attempt_id IN (?, ?)", [dead_pid, before, during])
        closed = close_dead_attempts(con, "bio", DAY, now)
    assert sorted(closed) == sorted([before, during])
    status = {a.attempt_id: (a.status, a.error) for a in day_attempts(store.cursor(), "bio", DAY)}
    assert status[before][0] == "failed" and "before the message was handed over" in status[before][1]
    assert status[during][0] == "uncertain" and "may have been delivered" in status[during][1]
    assert status[alive] == ("sending", None)  # this very process: still running
