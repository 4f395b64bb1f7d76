"""Run records know their process: a run whose process is gone is marked ``died`` by the next run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from indexing.store import open_store, utc_now
from indexing.store.runs import mark_dead_runs, process_gone, start_run


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_process_gone_only_for_an_ended_process_of_this_host() -> None:
    here = socket.gethostname()
    assert process_gone(_dead_pid(), here)
    assert not process_gone(os.getpid(), here)
    assert not process_gone(_dead_pid(), here + "-elsewhere")  # another host's run is not judged
    assert not process_gone(None, here)  # a run recorded before pids were


def test_a_new_run_records_its_process_and_marks_dead_runs(tmp_path: Path) -> None:
    here = socket.gethostname()
    with open_store(tmp_path / "r.duckdb") as store, store.transaction() as con:
        now = utc_now()
        con.execute("INSERT INTO runs VALUES ('dead', ?, NULL, 'running', ?, ?), ('alive', ?, NULL, 'running', ?, ?), "
                    "('remote', ?, NULL, 'running', 1, 'elsewhere'), ('old', ?, NULL, 'running', NULL, NULL)",
                    [now, _dead_pid(), here, now, os.getpid(), here, now, now])
        run_id = start_run(con, now)
        rows = dict(con.execute("SELECT run_id, status FROM runs").fetchall())
        mine = con.execute("SELECT pid, hostname FROM runs WHERE run_id = ?", [run_id]).fetchone()
        assert mark_dead_runs(con, now) == []  # nothing left to mark
    assert rows == {"dead": "died", "alive": "running", "remote": "running", "old": "running", run_id: "running"}
    assert mine == (os.getpid(), here)
