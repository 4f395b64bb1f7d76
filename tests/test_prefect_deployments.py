"""prefect.yaml on a real Prefect server started from this environment, as the README deploys it.

A server subprocess on a free 127.0.0.1 port, a process work pool, `prefect --no-prompt deploy --all`
from the checkout and a process worker: the scheduler creates the daily job's runs, a triggered
ingest-and-index run completes with papers in the store and its counts in its logs, and a run in
which every feed failed ends Failed. Everything is polled within bounds; nothing is timed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import duckdb
import httpx
import pytest

from tests.feedserver import FeedServer, Response

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
PREFECT = Path(sys.executable).with_name("prefect")
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, probe: Callable[[], T | None], *, within: float, logs: list[Path]) -> T:
    """Poll ``probe`` until it returns something; fail with the processes' logs after ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}" for p in logs if p.exists())
    pytest.fail(f"gave up waiting for {what} after {within:.0f} s\n{tails}")


@dataclass
class Stack:
    api: str
    env: dict[str, str]
    home: Path
    logs: list[Path]

    def get(self, path: str) -> Any:  # noqa: ANN401 - JSON
        return self._call("GET", path)

    def post(self, path: str, body: dict) -> Any:  # noqa: ANN401 - JSON
        return self._call("POST", path, body)

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:  # noqa: ANN401 - JSON
        """One API call; a 503 (the server's database briefly busy, as a worker also writes) is tried
        again, a few times, as Prefect's own client does."""
        for _ in range(5):
            response = httpx.request(method, self.api + path, json=body, timeout=30)
            if response.status_code != 503:
                break
            time.sleep(1)
        return response.raise_for_status().json()

    def prefect(self, *args: str) -> str:
        done = subprocess.run([str(PREFECT), *args], cwd=REPO, env=self.env, capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def deployment(self, name: str) -> dict:
        return self.get(f"/deployments/name/{name}")

    def runs(self, deployment: dict, state: str) -> list[dict]:
        return self.post("/flow_runs/filter", {"deployments": {"id": {"any_": [deployment["id"]]}},
                                               "flow_runs": {"state": {"type": {"any_": [state]}}}})

    def run_to_the_end(self, deployment: str, parameters: dict | None = None) -> dict:
        run = self.post(f"/deployments/{self.deployment(deployment)['id']}/create_flow_run",
                        {"parameters": parameters or {}})

        def finished() -> dict | None:
            current = self.get(f"/flow_runs/{run['id']}")
            return current if current["state_type"] in FINAL else None

        return wait_for(f"flow run of {deployment} to finish", finished, within=420, logs=self.logs)

    def log_lines(self, run: dict) -> list[str]:
        logs = self.post("/logs/filter", {"logs": {"flow_run_id": {"any_": [run["id"]]}}, "limit": 200})
        return [entry["message"] for entry in logs]

    def log_line(self, run: dict, wanted: Callable[[str], bool]) -> str:
        """A line of the run's log that ``wanted`` accepts, waiting for it: workers ship logs in batches."""
        return wait_for("a log line", lambda: next(filter(wanted, self.log_lines(run)), None), within=60,
                        logs=self.logs)


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    """End the process and what it started (the worker's flow runs): its own process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def feeds(feed_bytes) -> Iterator[FeedServer]:  # noqa: ANN001 - the session fixture's reader
    server = FeedServer().start()
    server.route("/nature.rss", Response(feed_bytes("nature.rss")))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, feeds: FeedServer) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("prefect-stack")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RADAR_", "PREFECT_"))}
    env.update({
        "PREFECT_HOME": str(base / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    })
    logs = [base / "server.log", base / "worker.log"]
    server = start([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)], env, logs[0])
    worker = None
    try:
        stack = Stack(env["PREFECT_API_URL"], env, base / "radar-home", logs)

        def healthy() -> bool:
            try:
                return httpx.get(stack.api + "/health", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for("the Prefect server", healthy, within=180, logs=logs)
        # The README's recipe, word for word but for the interpreter's path.
        stack.prefect("work-pool", "create", "radar", "--type", "process", "--overwrite")
        stack.prefect("--no-prompt", "deploy", "--all")
        config = base / "radar.toml"
        config.write_text(f'[[feeds]]\nname = "nature"\nkind = "rss"\nurl = "{feeds.url("/nature.rss")}"\n'
                          f'source = "Nature"\nfield = "Multidisciplinary"\n\n'
                          f'[[feeds]]\nname = "gone"\nkind = "rss"\nurl = "{feeds.url("/gone.rss")}"\n')
        worker_env = {**env, "RADAR_HOME": str(stack.home), "RADAR_CONFIG": str(config),
                      "RADAR_HTTP__RETRIES": "0", "RADAR_HTTP__MIN_INTERVAL": "0", "RADAR_HTTP__TIMEOUT": "5",
                      "RADAR_INGEST__TASK_RETRIES": "0"}
        worker = start([str(PREFECT), "worker", "start", "--pool", "radar"], worker_env, logs[1])
        yield stack
    finally:
        if worker is not None:
            stop(worker)
        stop(server)


def test_the_scheduler_creates_the_daily_jobs_runs(stack: Stack) -> None:
    daily = stack.deployment("ingest-and-index/ingest-and-index-daily")
    runs = wait_for("a scheduled run of ingest-and-index-daily", lambda: stack.runs(daily, "SCHEDULED"),
                    within=120, logs=stack.logs)
    assert all(run["auto_scheduled"] for run in runs)
    starts = {datetime.fromisoformat(run["expected_start_time"]).astimezone(ZoneInfo("America/New_York"))
              for run in runs}
    assert {s.strftime("%H:%M") for s in starts} <= {"01:30", "13:30"}


def test_a_triggered_ingest_and_index_run_completes_with_papers_in_the_store(stack: Stack) -> None:
    run = stack.run_to_the_end("ingest-and-index/ingest-and-index-daily")
    assert run["state_type"] == "COMPLETED", run["state"]
    message = run["state"]["message"]
    assert "1 of 2 feeds failed: gone (HTTP 404" in message
    assert "1 of 2 feeds ingested: fetched 75, new 75" in message
    assert "75 of 75 pending papers indexed" in message
    with duckdb.connect(str(stack.home / "radar.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM papers").fetchone() == (75,)
    # The ingest subflow logs each feed's counts under its own run, the index task under the parent's.
    (ingest_run,) = stack.post("/flow_runs/filter", {"flow_runs": {"parent_flow_run_id": {"any_": [run["id"]]}}})
    assert stack.log_line(ingest_run, lambda line: line.startswith(
        "feed nature: ok; fetched 75, new 75, updated 0, unchanged 0, rejected 0"))
    assert stack.log_line(ingest_run, lambda line: line.startswith("feed gone: failed;") and "HTTP 404" in line)
    assert stack.log_line(run, lambda line: line.startswith("index ") and ": pending 75, " in line)


def test_a_run_in_which_every_feed_failed_ends_failed(stack: Stack, tmp_path: Path, feeds: FeedServer) -> None:
    config = tmp_path / "all-gone.toml"
    config.write_text("".join(f'[[feeds]]\nname = "{name}"\nkind = "rss"\nurl = "{feeds.url("/" + name)}"\n\n'
                              for name in ("gone-1", "gone-2")))
    run = stack.run_to_the_end("ingest/ingest-daily", {"config": str(config)})
    assert run["state_type"] == "FAILED", run["state"]
    assert run["state"]["message"].startswith("all 2 feeds failed: gone-1 (HTTP 404")
    assert stack.log_line(run, lambda line: line.startswith("feed gone-2: failed;"))
    # Prefect raises a failed run's data in the worker: it must be Radar's error, not a TypeError.
    assert "Unexpected result for failed state" not in stack.logs[1].read_text(errors="replace")


def test_inactive_schedules_create_no_runs(stack: Stack) -> None:
    # Runs after the others: the scheduler has looped many times since the deployments were made.
    assert stack.runs(stack.deployment("ingest/ingest-daily"), "SCHEDULED") == []
    assert stack.runs(stack.deployment("index/index"), "SCHEDULED") == []
