"""`radar index` on an index that holds nothing from this store says so and sends every paper."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.feedmaker import feed, item
from tests.flows.cli_runner import invoke

TITLES = ["Diffusion models for MRI segmentation", "Quantum error correction with surface codes",
          "Graph neural networks for molecules"]


def words(text: str) -> str:
    return " ".join(text.split())  # the console wraps long lines


def test_a_lost_index_is_announced_and_filled_again(radar_env: Path, tmp_path: Path) -> None:
    source = tmp_path / "feed.xml"
    source.write_bytes(feed(*(item(f"2411.0000{i}", title=t) for i, t in enumerate(TITLES))))
    config = tmp_path / "radar.toml"
    config.write_text(f'[[feeds]]\nname = "f"\nkind = "arxiv-rss"\nurl = "{source.as_uri()}"\n')
    assert invoke("ingest", "--config", str(config)).exit_code == 0

    first = invoke("index")
    assert first.exit_code == 0 and "holds nothing from this store" in words(first.stdout)
    assert "indexing all 3 papers" in words(first.stdout) and "3 of 3" in first.stdout
    again = invoke("index")
    assert again.exit_code == 0 and "holds nothing" not in words(again.stdout) and "0 of 0" in again.stdout

    with duckdb.connect(str(radar_env / "radar.duckdb")) as con:  # the index is lost behind Radar's back
        con.execute("DROP TABLE search_docs")
    lost = invoke("index", "--json")
    report = json.loads(lost.stdout)
    assert (report["new_index"], report["pending"], report["indexed"], report["total"]) == (True, 3, 3, 3)
    found = json.loads(invoke("search", "surface codes", "--mode", "bm25", "--json").stdout)
    assert found["hits"][0]["paper_id"] == "arxiv:2411.00001"
