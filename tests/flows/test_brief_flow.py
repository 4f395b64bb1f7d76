"""The brief flow on a real (temporary) Prefect server: a stored brief written to a dated file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from flows.brief import brief
from radar.errors import ConfigError
from tests.corpus import REPO

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")


def test_a_profile_brief_is_written_and_stored(corpus_home: Path) -> None:
    path = brief(profile="ml-for-biology", days=None, config=DEMO_CONFIG, output_format="json")
    assert path.parent.parent == corpus_home / "briefs" and path.name.startswith("ml-for-biology-")
    data = json.loads(path.read_text())
    assert data["schema"] == "radar.brief/1" and data["request"]["profile"] == "ml-for-biology"
    con = duckdb.connect(str(corpus_home / "radar.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM briefs WHERE brief_id = ?", [data["brief_id"]]).fetchone()[0] == 1


def test_the_weekly_window_finds_nothing_in_an_old_snapshot_and_says_so(corpus_home: Path) -> None:
    path = brief(topic="protein design with diffusion models", days=7)
    assert "Nothing in the index matches" in path.read_text() and path.suffix == ".md"


def test_an_unknown_profile_fails_the_flow_with_the_config_error(corpus_home: Path) -> None:
    with pytest.raises(ConfigError, match="No profile named 'nope'"):
        brief(profile="nope", config=DEMO_CONFIG)
