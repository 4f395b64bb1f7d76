"""Paths a new user meets first end in a message that says what to do and an exit code, never a traceback
(the in-process runner fails a test on any exception the CLI did not turn into an exit code)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from indexing.search.local import LocalBackend
from indexing.store import open_store
from tests.flows.cli_runner import invoke

NOTHING_INDEXED = "Nothing is indexed yet: run `radar index`."


@pytest.fixture
def ingested(radar_env: Path, config_file: Path) -> Path:
    assert invoke("ingest", "--config", str(config_file)).exit_code == 0
    return radar_env


def _a_paper(home: Path) -> str:
    con = duckdb.connect(str(home / "radar.duckdb"), read_only=True)
    try:
        return con.execute("SELECT min(paper_id) FROM papers WHERE paper_id LIKE 'arxiv:%'").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_search_after_ingest_before_index_says_run_index(ingested: Path, mode: str) -> None:
    result = invoke("search", "protein folding", "--mode", mode)
    assert result.exit_code == 1
    assert NOTHING_INDEXED in result.stderr


def test_related_and_brief_after_ingest_before_index_say_run_index(ingested: Path) -> None:
    related = invoke("related", _a_paper(ingested))
    assert related.exit_code == 1 and NOTHING_INDEXED in related.stderr
    brief = invoke("brief", "protein folding")
    assert brief.exit_code == 1 and NOTHING_INDEXED in brief.stderr


def test_an_index_run_that_stopped_after_its_start_leaves_a_searchable_index_and_index_fills_it(
        ingested: Path) -> None:
    with open_store(ingested / "radar.duckdb") as store:  # what `radar index` leaves when killed after its start
        LocalBackend(store).prepare(dims=384, model="all-MiniLM-L6-v2")
    result = invoke("search", "immune response", "--mode", "bm25", "--json")  # the postings go with each batch:
    assert result.exit_code == 0 and json.loads(result.stdout)["hits"] == []  # nothing to rebuild, nothing yet
    assert invoke("index").exit_code == 0
    found = invoke("search", "immune response", "--mode", "bm25", "--json", "--all")
    assert found.exit_code == 0 and json.loads(found.stdout)["hits"]


def test_radar_home_that_is_a_file(radar_env: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = radar_env.parent / "home-file"
    home.write_text("not a folder")
    for where, why in ((home, "it is a file, not a folder"), (home / "sub", "Not a directory")):
        monkeypatch.setenv("RADAR_HOME", str(where))
        result = invoke("ingest", "--config", str(config_file))
        assert result.exit_code == 1
        assert why in result.stderr and "Set RADAR_HOME to a folder you can write to" in result.stderr
    assert home.read_text() == "not a folder"


def _unwritable(tmp_path: Path) -> Path:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.mkdir()
    except OSError:
        return folder / "home"
    probe.rmdir()  # root writes anyway: a read-only file system, where there is one
    if Path("/sys").is_dir():
        try:
            Path("/sys/radar-write-probe").mkdir()
        except OSError:
            return Path("/sys/radar-home")
        Path("/sys/radar-write-probe").rmdir()
    pytest.skip("no folder this process cannot write to")


def test_radar_home_that_cannot_be_written(radar_env: Path, config_file: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_HOME", str(_unwritable(tmp_path)))
    result = invoke("ingest", "--config", str(config_file))
    assert result.exit_code == 1
    assert "Cannot create the store's folder" in result.stderr
    assert "Set RADAR_HOME to a folder you can write to" in result.stderr


KILLED_RUN = """
import sys, time
from indexing.ingest import begin_run
from indexing.store import open_store
store = open_store(sys.argv[1])
print(begin_run(store), flush=True)
store.close()
time.sleep(60)
"""


def test_a_killed_run_shows_as_died_and_the_next_run_records_it(ingested: Path, config_file: Path) -> None:
    victim = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(ingested / "radar.duckdb")],
                              stdout=subprocess.PIPE, text=True,
                              env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    run_id = victim.stdout.readline().strip()
    assert json.loads(invoke("status", "--json").stdout)["last_run"]["status"] == "running"
    victim.kill()
    victim.wait()

    status = invoke("status", "--json")
    assert status.exit_code == 0
    last = json.loads(status.stdout)["last_run"]
    assert (last["run_id"], last["status"]) == (run_id, "died")
    assert "(died" in invoke("status").stdout

    assert invoke("ingest", "--config", str(config_file), "--only", "nature").exit_code == 0
    con = duckdb.connect(str(ingested / "radar.duckdb"), read_only=True)
    try:
        row = con.execute("SELECT status, finished_at IS NOT NULL FROM runs WHERE run_id = ?", [run_id]).fetchone()
    finally:
        con.close()
    assert row == ("died", True)


@pytest.mark.parametrize("args", [["search", "protein folding"], ["search", "protein folding", "--mode", "bm25"],
                                  ["related", "arxiv:2411.18568"]])
def test_an_index_built_with_another_embedding_model_is_refused_with_the_fix(corpus_home: Path,
                                                                             monkeypatch: pytest.MonkeyPatch,
                                                                             args: list[str]) -> None:
    monkeypatch.setenv("RADAR_EMBEDDING_MODEL", "paraphrase-multilingual-MiniLM-L12-v2")  # same 384 dimensions
    result = invoke(*args)
    assert result.exit_code == 1
    assert "built with the embedding model" in result.output and "radar reindex" in result.output
