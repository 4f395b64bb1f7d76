"""The radar command line: help, JSON output, summaries and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import app
from tests.flows.cli_runner import invoke, runner


@pytest.mark.parametrize("command", [[], ["ingest"], ["status"], ["feeds"], ["settings"]])
def test_help_everywhere(command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_installed_entry_point_answers() -> None:
    radar = Path(sys.executable).parent / "radar"
    result = subprocess.run([str(radar), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("radar ")


def test_ingest_json_then_status_json(radar_env: Path, config_file: Path) -> None:
    result = invoke("ingest", "--config", str(config_file), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "partial"
    assert {f["feed"]: f["new"] for f in report["feeds"]} == {"arxiv-cs-ai": 7, "nature": 75, "gone": 0}

    status = json.loads(invoke("status", "--json").stdout)
    assert status["papers"] == 82
    assert status["by_source"] == {"Nature": 75, "arxiv": 7}
    assert status["by_field"]["Multidisciplinary"] == 75
    assert sum(status["by_day"].values()) == 82
    feeds = {f["feed"]: f for f in status["feeds"]}
    assert feeds["gone"]["status"] == "failed" and "HTTP 404" in feeds["gone"]["error"]
    assert feeds["nature"]["last_success"] is not None


def test_ingest_prints_a_summary_table(radar_env: Path, config_file: Path) -> None:
    result = invoke("ingest", "--config", str(config_file), "--only", "nature")
    assert result.exit_code == 0
    assert "nature" in result.stdout and "75" in result.stdout and "total" in result.stdout


def test_every_feed_failing_exits_1(radar_env: Path, config_file: Path) -> None:
    result = invoke("ingest", "--config", str(config_file), "--only", "gone")
    assert result.exit_code == 1
    assert "gone" in result.stdout and "failed" in result.stdout and "HTTP 404" in result.stdout  # the table


def test_config_errors_exit_2_with_the_reason(radar_env: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[feeds]]\nname = "x"\nkind = "gopher"\nurl = "gopher://x"\ncolour = "red"\n')
    result = invoke("ingest", "--config", str(bad))
    assert result.exit_code == 2
    assert "feeds[0].kind" in result.stderr and "colour" in result.stderr


def test_unknown_feed_name_exits_2(radar_env: Path, config_file: Path) -> None:
    result = invoke("ingest", "--config", str(config_file), "--only", "nope")
    assert result.exit_code == 2 and "No feed named nope" in result.stderr


def test_unknown_setting_exits_2(radar_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_HOMME", "/tmp")
    result = invoke("status")
    assert result.exit_code == 2 and "RADAR_HOME" in result.stderr


def test_status_before_any_ingest_says_what_to_do(radar_env: Path) -> None:
    result = invoke("status")
    assert result.exit_code == 1 and "radar ingest" in result.stderr


def test_busy_store_exits_3_after_the_wait_naming_the_holder(radar_env: Path, config_file: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("ingest", "--config", str(config_file), "--only", "nature")
    store = radar_env / "radar.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(store)!r}); "
                               "print('held', flush=True); time.sleep(600)"], stdout=subprocess.PIPE, text=True)
    monkeypatch.setenv("RADAR_STORE__READ_WAIT", "0.2")
    try:
        assert holder.stdout.readline().strip() == "held"
        result = invoke("status")
        assert result.exit_code == 3 and f"in use by process {holder.pid}" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_feeds_and_settings_listings(radar_env: Path, config_file: Path) -> None:
    feeds = json.loads(invoke("feeds", "--config", str(config_file), "--json").stdout)
    assert [f["name"] for f in feeds] == ["arxiv-cs-ai", "nature", "gone"]
    bundled = json.loads(invoke("feeds", "--json").stdout)
    assert len(bundled) == 9
    settings = {row["variable"]: row for row in json.loads(invoke("settings", "--json").stdout)}
    assert settings["RADAR_HTTP__TIMEOUT"]["value"] == 2.0
    assert all(row["description"] for row in settings.values())


def test_index_then_search(radar_env: Path, config_file: Path) -> None:
    assert invoke("ingest", "--config", str(config_file)).exit_code == 0
    indexed = invoke("index", "--json")
    assert indexed.exit_code == 0, indexed.output
    assert json.loads(indexed.stdout)["indexed"] == 82
    again = json.loads(invoke("index", "--json").stdout)
    assert (again["pending"], again["total"]) == (0, 82)

    found = invoke("search", "Shapley value interpretability for functional data", "--json", "-k", "3")
    assert found.exit_code == 0, found.output
    result = json.loads(found.stdout)
    assert result["schema"] == "radar.search/1" and result["backend"] == "local"
    assert result["hits"][0]["paper_id"] == "arxiv:2411.18575"
    assert set(result["hits"][0]) >= {"rank", "paper_id", "title", "authors", "field", "categories", "published",
                                      "score", "snippet", "highlights", "url", "doi", "matched_by"}
    only_nature = json.loads(invoke("search", "immune response", "--source", "Nature", "--json").stdout)
    assert only_nature["hits"] and {h["source"] for h in only_nature["hits"]} == {"Nature"}
    table = invoke("search", "Shapley value", "-k", "2")
    assert table.exit_code == 0 and "Functional relevance" in table.stdout and "relevance" in table.stdout
    assert 0 < result["hits"][0]["relevance"] <= 1 and result["nothing_relevant"] is False
    nothing = invoke("search", "coral reef bleaching ocean acidification")
    assert nothing.exit_code == 0 and "Nothing relevant" in nothing.stdout and "--all" in nothing.stdout
    shown = json.loads(invoke("search", "coral reef bleaching ocean acidification", "--all", "--json").stdout)
    assert shown["hits"] and all(h["relevance"] < shown["relevance_floor"] for h in shown["hits"])


@pytest.mark.parametrize(("args", "code"), [(["search", "?!?"], 2), (["search", "x", "--mode", "fuzzy"], 2),
                                            (["search", "x", "--since", "yesterday"], 2)])
def test_search_usage_errors(radar_env: Path, config_file: Path, args: list[str], code: int) -> None:
    invoke("ingest", "--config", str(config_file), "--only", "nature")
    result = runner.invoke(app, args)
    assert result.exit_code == code


def test_index_with_elasticsearch_down_is_a_clear_error_and_keeps_secrets(
        radar_env: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("ingest", "--config", str(config_file), "--only", "nature")
    monkeypatch.setenv("RADAR_SEARCH_BACKEND", "elasticsearch")
    monkeypatch.setenv("RADAR_ELASTICSEARCH_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RADAR_ELASTICSEARCH_PASSWORD", "hunter2-secret")
    monkeypatch.setenv("RADAR_ELASTICSEARCH_TIMEOUT", "1")
    result = runner.invoke(app, ["index"])
    assert result.exit_code == 1
    assert "not reachable" in result.stderr and "Traceback" not in result.output
    assert "hunter2-secret" not in result.output + result.stderr
    assert json.loads(invoke("status", "--json").stdout)["papers"] == 75
