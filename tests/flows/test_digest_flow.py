"""The digest flow on a real (temporary) Prefect server: one Markdown and one JSON file per profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.digest import digest
from radar.errors import ConfigError
from tests.corpus import REPO

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")



def test_every_profile_gets_its_markdown_and_json(corpus_home: Path) -> None:
    paths = digest(day="2024-11-28", config=DEMO_CONFIG)
    folder = corpus_home / "digests" / "2024-11-28"
    assert sorted(paths) == sorted(folder / f"{name}.{ext}" for name in ("llm-reasoning", "ml-for-biology",
                                                                          "quantum-computing") for ext in ("md", "json"))
    data = json.loads((folder / "quantum-computing.json").read_text())
    assert data["schema"] == "radar.digest/1" and data["entries"][0]["number"] == 1
    assert data["shown"] == min(25, data["above_floor"]) >= 5  # the papers that clear the relevance floor
    markdown = (folder / "quantum-computing.md").read_text()
    assert markdown.startswith("# Radar digest: quantum-computing, 2024-11-28")
    assert f"## 1. {data['entries'][0]['title']}" in markdown


def test_one_profile_and_the_latest_day_by_default(corpus_home: Path) -> None:
    paths = digest(profile="llm-reasoning", config=DEMO_CONFIG)
    assert [p.name for p in paths] == ["llm-reasoning.md", "llm-reasoning.json"]
    assert paths[0].parent.name == "2024-11-28"


def test_bad_parameters_are_config_errors(corpus_home: Path) -> None:
    with pytest.raises(ConfigError, match="No profile named"):
        digest(profile="astrology", config=DEMO_CONFIG)
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        digest(day="28/11/2024", config=DEMO_CONFIG)
