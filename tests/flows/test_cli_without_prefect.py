"""Commands run the flows' bodies without Prefect unless a Prefect API is configured; the store
records the same runs either way; commands that need no model or Prefect do not import them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from tests.flows.cli_runner import invoke

HEAVY = ("torch", "sentence_transformers", "prefect", "litellm", "transformers", "onnxruntime", "openvino")


def _flow_runs() -> list[str]:
    with get_client(sync_client=True) as client:
        return [str(run.id) for run in client.read_flow_runs(limit=200)]


def _runs(home: Path) -> list[tuple]:
    con = duckdb.connect(str(home / "radar.duckdb"), read_only=True)
    try:
        feeds = con.execute("SELECT feed, status, fetched, new, updated, unchanged, rejected, error FROM run_feeds "
                            "ORDER BY feed").fetchall()
        runs = con.execute("SELECT status, finished_at IS NOT NULL, pid, hostname FROM runs").fetchall()
        return [runs, feeds]
    finally:
        con.close()


def test_ingest_without_a_prefect_api_starts_no_flow_run(radar_env: Path, config_file: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = _flow_runs()
    result = invoke("ingest", "--config", str(config_file), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "partial"
    assert _flow_runs() == before  # nothing went through the (running) test server
    runs, feeds = _runs(radar_env)
    assert runs == [("partial", True, os.getpid(), socket.gethostname())]
    assert [(f[0], f[1], f[3]) for f in feeds] == [("arxiv-cs-ai", "ok", 7), ("gone", "failed", 0), ("nature", "ok", 75)]


def test_with_a_configured_api_ingest_and_index_run_as_prefect_flows_and_record_the_same(
        radar_env: Path, config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain_home = tmp_path / "plain"
    monkeypatch.setenv("RADAR_HOME", str(plain_home))
    assert invoke("ingest", "--config", str(config_file)).exit_code == 0

    monkeypatch.setenv("RADAR_HOME", str(radar_env))
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    before = len(_flow_runs())
    assert invoke("ingest", "--config", str(config_file)).exit_code == 0
    assert len(_flow_runs()) == before + 1
    assert _runs(radar_env) == _runs(plain_home)


def test_a_configured_but_unreachable_api_names_the_variable_and_exits_1(
        radar_env: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{port}/api")
    for command in (["ingest", "--config", str(config_file)], ["index"]):
        result = invoke(*command)
        assert result.exit_code == 1
        assert "PREFECT_API_URL" in result.stderr and f"127.0.0.1:{port}" in result.stderr
    assert not (radar_env / "radar.duckdb").exists()  # nothing started


def test_an_api_in_the_active_prefect_profile_counts_too(radar_env: Path, config_file: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_HOME", raising=False)
    monkeypatch.delenv("PREFECT_PROFILES_PATH", raising=False)
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    profiles = radar_env / "prefect" / "profiles.toml"
    profiles.parent.mkdir(parents=True)
    profiles.write_text('active = "team"\n[profiles.team]\nPREFECT_API_URL = "http://127.0.0.1:9/api"\n')
    result = invoke("ingest", "--config", str(config_file))
    assert result.exit_code == 1
    assert "profile 'team'" in result.stderr and "PREFECT_API_URL" in result.stderr


PROBE = textwrap.dedent("""
    import sys
    from flows.cli import app
    try:
        app(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    heavy = [m for m in {heavy!r} if m in sys.modules]
    print("RESULT", code, ",".join(heavy), file=sys.stderr)
""")


def _imports_of(*args: str) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True,
                          timeout=120, env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    line = [ln for ln in done.stderr.splitlines() if ln.startswith("RESULT")][-1].split(" ")
    return int(line[1]), (line[2] if len(line) > 2 else "")


DEMO_CONFIG = str(Path(__file__).resolve().parents[2] / "demo" / "radar.toml")


@pytest.mark.parametrize("args", [["--help"], ["status"], ["search", "--mode", "bm25", "protein folding"],
                                  ["ingest", "--config", DEMO_CONFIG, "--only", "nature"]])
def test_commands_without_a_model_import_neither_torch_nor_prefect(corpus_home: Path, args: list[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    code, heavy = _imports_of(*args)
    assert code == 0
    assert heavy == ""
