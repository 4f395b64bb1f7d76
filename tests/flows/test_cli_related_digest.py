"""`radar related` and `radar digest`: JSON schemas, human output and exit codes, on a real indexed corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import app
from tests.corpus import REPO
from tests.flows.cli_runner import invoke, runner

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")


@pytest.mark.parametrize("command", ["related", "digest"])
def test_help_explains_every_option(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output
    for option in (["-k", "--json"] + (["--date", "--config"] if command == "digest" else [])):
        assert option in result.output


def test_related_json(corpus_home: Path) -> None:
    result = invoke("related", "2411.17766v2", "-k", "6", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "radar.related/1" and data["paper"]["paper_id"] == "arxiv:2411.17766"
    hits = [h for g in data["groups"] for h in g["hits"]]
    assert len(hits) == 6 and len(data["groups"]) >= 2
    assert all(h["reason"].startswith("similarity ") for h in hits)


def test_related_table_shows_fields_and_reasons(corpus_home: Path) -> None:
    result = invoke("related", "arxiv:2411.17766", "-k", "4")
    assert result.exit_code == 0, result.output
    assert "Computer Science" in result.stdout and "similarity 0." in result.stdout


def test_related_unknown_paper_exits_2_and_says_how_to_find_ids(corpus_home: Path) -> None:
    result = invoke("related", "arxiv:9999.99999")
    assert result.exit_code == 2 and "radar search" in result.stderr


def test_related_before_any_ingest_exits_1(radar_env: Path) -> None:
    result = invoke("related", "arxiv:2411.17766")
    assert result.exit_code == 1 and "radar ingest" in result.stderr


def test_digest_json(corpus_home: Path) -> None:
    result = invoke("digest", "quantum-computing", "--date", "2024-11-28", "-k", "5", "--config", DEMO_CONFIG,
                    "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "radar.digest/1" and data["profile"] == "quantum-computing"
    assert data["day"] == "2024-11-28" and data["shown"] == 5 and data["total"] > 100
    assert [e["number"] for e in data["entries"]] == [1, 2, 3, 4, 5]
    assert "quant-ph" in data["entries"][0]["categories"]
    assert set(data["entries"][0]) >= {"title", "authors", "abstract", "source", "categories", "published", "url",
                                       "score", "relevance", "related_fields"}
    assert data["floor"] == 0.33 and all(e["relevance"] >= 0.33 for e in data["entries"])
    assert data["above_floor"] >= 5 and data["above_floor"] + data["below_floor"] <= data["total"]


def test_digest_prints_a_numbered_daily_list(corpus_home: Path) -> None:
    result = invoke("digest", "llm-reasoning", "-k", "3", "-c", DEMO_CONFIG)
    assert result.exit_code == 0, result.output
    assert "Radar digest: llm-reasoning, 2024-11-28" in result.stdout
    assert "1." in result.stdout and "3." in result.stdout and "related fields" in result.stdout
    said = " ".join(result.stdout.split())
    assert "3 papers for you" in said and "relevance floor 0.33" in said


def test_digest_of_an_empty_day_says_so_and_succeeds(corpus_home: Path) -> None:
    result = invoke("digest", "llm-reasoning", "--date", "2020-01-01", "-c", DEMO_CONFIG)
    assert result.exit_code == 0 and "No papers were published on 2020-01-01" in result.stdout


def test_digest_unknown_profile_exits_2_with_the_configured_ones(corpus_home: Path) -> None:
    result = invoke("digest", "astrology", "-c", DEMO_CONFIG)
    assert result.exit_code == 2
    assert "No profile named 'astrology'" in result.stderr and "llm-reasoning" in result.stderr


def test_digest_bad_date_exits_2(corpus_home: Path) -> None:
    assert runner.invoke(app, ["digest", "llm-reasoning", "--date", "yesterday", "-c", DEMO_CONFIG]).exit_code == 2
