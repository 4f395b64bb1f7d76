"""`radar profile ...` on a real indexed corpus: JSON, exit codes, and the digest and brief using
the effective profiles (the config's and the store's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.corpus import REPO
from tests.flows.cli_runner import invoke

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")


@pytest.mark.parametrize("command", ["list", "show", "add", "edit", "delete", "star", "dismiss", "unstar", "resolve",
                                     "import"])
def test_every_profile_command_has_help_with_json(command: str) -> None:
    result = invoke("profile", command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output and "--json" in result.output


def test_list_shows_the_config_profiles_before_any_store(radar_env: Path) -> None:
    result = invoke("profile", "list", "-c", DEMO_CONFIG, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "radar.profiles/1" and data["conflicts"] == []
    assert [p["name"] for p in data["profiles"]] == ["llm-reasoning", "ml-for-biology", "quantum-computing"]
    assert data["profiles"][0]["source"] == "config" and data["profiles"][0]["starred"] == []


def test_add_star_and_digest_a_store_profile(corpus_home: Path) -> None:
    added = invoke("profile", "add", "qec", "-d", "Quantum error correction codes and decoders",
                   "--category", "quant-ph", "-c", DEMO_CONFIG, "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["source"] == "store"
    again = invoke("profile", "add", "qec", "-d", "something else", "-c", DEMO_CONFIG)
    assert again.exit_code == 2 and "exists already" in again.stderr
    starred = invoke("profile", "star", "qec", "2411.17766v2", "-c", DEMO_CONFIG, "--json")
    assert starred.exit_code == 0, starred.output
    assert json.loads(starred.stdout)["starred"] == ["arxiv:2411.17766"]
    shown = json.loads(invoke("profile", "show", "qec", "-c", DEMO_CONFIG, "--json").stdout)
    assert shown["categories"] == ["quant-ph"] and shown["starred"] == ["arxiv:2411.17766"]
    digest = invoke("digest", "qec", "--date", "2024-11-28", "-k", "3", "-c", DEMO_CONFIG, "--json")
    assert digest.exit_code == 0, digest.output
    data = json.loads(digest.stdout)
    assert data["profile"] == "qec" and data["seeds_used"] == ["arxiv:2411.17766"]  # the star is a seed
    assert "arxiv:2411.17766" not in [e["paper_id"] for e in data["entries"]]
    listed = json.loads(invoke("profile", "list", "-c", DEMO_CONFIG, "--json").stdout)
    assert [p["name"] for p in listed["profiles"]][-1] == "qec"


def test_edit_a_config_profile_then_change_the_config_is_a_conflict_to_resolve(corpus_home: Path,
                                                                                  tmp_path: Path) -> None:
    config = tmp_path / "radar.toml"
    config.write_text('[[profiles]]\nname = "bio"\ndescription = "Machine learning for proteins"\n')
    edited = invoke("profile", "edit", "bio", "--category", "q-bio.BM,q-bio.GN", "-c", str(config), "--json")
    assert edited.exit_code == 0, edited.output
    assert json.loads(edited.stdout)["edited"] is True
    config.write_text('[[profiles]]\nname = "bio"\ndescription = "Genomics with deep learning"\n')
    listed = invoke("profile", "list", "-c", str(config))
    assert listed.exit_code == 0 and "conflict" in listed.stdout
    assert "radar profile resolve bio --keep store" in listed.stderr
    digest = invoke("digest", "bio", "-k", "1", "-c", str(config), "--json")
    assert json.loads(digest.stdout)["description"] == "Machine learning for proteins"  # not silently overridden
    resolved = invoke("profile", "resolve", "bio", "--keep", "config", "-c", str(config), "--json")
    assert resolved.exit_code == 0, resolved.output
    assert json.loads(resolved.stdout)["description"] == "Genomics with deep learning"
    assert json.loads(invoke("profile", "list", "-c", str(config), "--json").stdout)["conflicts"] == []


def test_errors_exit_2_and_say_what_to_do(corpus_home: Path) -> None:
    unknown = invoke("profile", "show", "astrology", "-c", DEMO_CONFIG)
    assert unknown.exit_code == 2 and "llm-reasoning" in unknown.stderr
    nothing = invoke("profile", "edit", "llm-reasoning", "-c", DEMO_CONFIG)
    assert nothing.exit_code == 2 and "--description" in nothing.stderr
    no_words = invoke("profile", "add", "x", "-c", DEMO_CONFIG)
    assert no_words.exit_code == 2 and "--description" in no_words.stderr
    bad_paper = invoke("profile", "star", "llm-reasoning", "arxiv:9999.99999", "-c", DEMO_CONFIG)
    assert bad_paper.exit_code == 2 and "radar search" in bad_paper.stderr
    bad_language = invoke("profile", "edit", "llm-reasoning", "-l", "fr", "-c", DEMO_CONFIG)
    assert bad_language.exit_code == 2 and "language" in bad_language.stderr


def test_delete_a_config_profile_keeps_it_deleted(corpus_home: Path) -> None:
    deleted = invoke("profile", "delete", "quantum-computing", "-c", DEMO_CONFIG)
    assert deleted.exit_code == 0 and "still in the config file" in deleted.stderr
    names = [p["name"] for p in json.loads(invoke("profile", "list", "-c", DEMO_CONFIG, "--json").stdout)["profiles"]]
    assert names == ["llm-reasoning", "ml-for-biology"]
    assert invoke("digest", "quantum-computing", "-c", DEMO_CONFIG).exit_code == 2
