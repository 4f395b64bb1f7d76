"""Effective interest profiles: the config's imported into a real DuckDB store, the store's own,
edits, deletions, conflicts and their resolution, and star / dismiss feedback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from indexing.store import Store, open_store
from indexing.store.profiles import stored_profiles
from queries import profiles
from queries.profiles import Conflict, reconcile
from radar.config import ProfileSpec, RadarConfig
from radar.errors import ConfigError, QueryError
from tests.corpus import copy_corpus

NOW = datetime(2026, 12, 1, 12, 0)
BIO = ProfileSpec(name="bio", description="Machine learning for proteins", categories=["q-bio.BM"])
QC = ProfileSpec(name="qc", description="Quantum error correction")
CONFIG = RadarConfig(profiles=[BIO, QC])


def with_config(*specs: ProfileSpec) -> RadarConfig:
    return RadarConfig(profiles=list(specs))


def test_without_a_store_the_config_profiles_are_the_profiles() -> None:
    loaded = profiles.load(None, CONFIG)
    assert loaded.names == ["bio", "qc"] and not loaded.conflicts
    assert all(p.source == "config" and p.in_config and not p.edited for p in loaded.profiles)


def test_a_new_store_lists_the_config_profiles_before_any_import(store: Store) -> None:
    assert profiles.load(store, CONFIG).names == ["bio", "qc"]
    assert stored_profiles(store.cursor()) == {}


def test_a_write_imports_the_config_and_keeps_profiles_removed_from_it_later(store: Store) -> None:
    profiles.add(store, CONFIG, ProfileSpec(name="mine", description="Graph neural networks"), NOW)
    assert set(stored_profiles(store.cursor())) == {"bio", "qc", "mine"}
    later = with_config(QC)  # bio left the config file: never lost
    loaded = profiles.load(store, later)
    assert loaded.names == ["qc", "bio", "mine"]
    bio = loaded.get("bio")
    assert bio.spec == BIO and not bio.in_config and bio.source == "config"
    assert loaded.get("mine").source == "store"


def test_an_untouched_config_profile_follows_the_config(store: Store) -> None:
    profiles.add(store, CONFIG, ProfileSpec(name="x", description="anything at all"), NOW)
    changed = BIO.model_copy(update={"description": "Deep learning for protein design"})
    loaded = profiles.load(store, with_config(changed, QC))
    assert loaded.get("bio").spec == changed and not loaded.conflicts and not loaded.get("bio").edited


def test_an_edit_in_the_store_wins_while_the_config_is_unchanged(store: Store) -> None:
    edited = profiles.edit(store, CONFIG, "bio", {"categories": ["q-bio.BM", "q-bio.GN"]}, NOW)
    assert edited.edited and edited.spec.categories == ["q-bio.BM", "q-bio.GN"]
    assert edited.spec.description == BIO.description
    assert profiles.load(store, CONFIG).get("bio").spec.categories == ["q-bio.BM", "q-bio.GN"]


def test_edited_here_and_changed_in_the_config_is_a_conflict_until_resolved(store: Store) -> None:
    profiles.edit(store, CONFIG, "bio", {"description": "Protein language models"}, NOW)
    changed_config = with_config(BIO.model_copy(update={"description": "Genomics with transformers"}), QC)
    loaded = profiles.load(store, changed_config)
    [conflict] = loaded.conflicts
    assert conflict.name == "bio" and conflict.config.description == "Genomics with transformers"
    assert loaded.get("bio").spec.description == "Protein language models"  # never silently overridden
    assert "radar profile resolve bio --keep store" in conflict.message
    kept = profiles.resolve(store, changed_config, "bio", "config", NOW)
    assert kept is not None and kept.spec.description == "Genomics with transformers" and not kept.edited
    assert not profiles.load(store, changed_config).conflicts
    with pytest.raises(ConfigError, match="no conflict"):
        profiles.resolve(store, changed_config, "bio", "store", NOW)


def test_keeping_the_store_version_ends_the_conflict_and_keeps_the_edit(store: Store) -> None:
    profiles.edit(store, CONFIG, "qc", {"language": "zh"}, NOW)
    changed_config = with_config(BIO, QC.model_copy(update={"categories": ["quant-ph"]}))
    assert profiles.load(store, changed_config).conflict("qc") is not None
    kept = profiles.resolve(store, changed_config, "qc", "store", NOW)
    assert kept is not None and kept.spec.language == "zh" and kept.spec.categories == [] and kept.edited
    assert not profiles.load(store, changed_config).conflicts


def test_a_deleted_config_profile_stays_deleted_and_a_later_config_change_is_a_conflict(store: Store) -> None:
    gone = profiles.delete(store, CONFIG, "qc", NOW)
    assert gone.name == "qc" and gone.in_config
    assert profiles.load(store, CONFIG).names == ["bio"]
    changed_config = with_config(BIO, QC.model_copy(update={"description": "Quantum sensing"}))
    loaded = profiles.load(store, changed_config)
    assert loaded.names == ["bio"] and loaded.conflict("qc") is not None
    assert "deleted in Radar" in loaded.conflict("qc").message
    assert profiles.resolve(store, changed_config, "qc", "config", NOW).spec.description == "Quantum sensing"


def test_a_store_profile_and_a_config_profile_of_the_same_name_differing_conflict(store: Store) -> None:
    profiles.add(store, with_config(), ProfileSpec(name="bio", description="Bioinformatics pipelines"), NOW)
    loaded = profiles.load(store, CONFIG)
    assert loaded.get("bio").spec.description == "Bioinformatics pipelines"
    assert loaded.conflict("bio") is not None


def test_add_refuses_a_name_in_use_and_edit_validates_the_whole_profile(store: Store) -> None:
    with pytest.raises(ConfigError, match="exists already"):
        profiles.add(store, CONFIG, ProfileSpec(name="bio", description="Something else entirely"), NOW)
    with pytest.raises(ConfigError, match="language"):
        profiles.edit(store, CONFIG, "bio", {"language": "fr"}, NOW)
    with pytest.raises(ConfigError, match="name cannot change"):
        profiles.edit(store, CONFIG, "bio", {"name": "other"}, NOW)
    with pytest.raises(ConfigError, match="No profile named 'nope'. Known: bio, qc"):
        profiles.edit(store, CONFIG, "nope", {"description": "whatever it is"}, NOW)


def test_deleting_a_store_profile_forgets_it(store: Store) -> None:
    profiles.add(store, CONFIG, ProfileSpec(name="mine", description="Graph neural networks"), NOW)
    profiles.delete(store, CONFIG, "mine", NOW)
    assert "mine" not in profiles.load(store, CONFIG).names and "mine" not in stored_profiles(store.cursor())


def test_reconcile_is_pure_and_covers_the_rules() -> None:
    from indexing.store.profiles import StoredProfile

    def row(origin: str, spec: ProfileSpec | None, base: ProfileSpec | None) -> StoredProfile:
        dump = (lambda s: s.model_dump(mode="json") if s else None)
        return StoredProfile("bio", origin, dump(spec), dump(base), NOW, NOW)  # type: ignore[arg-type]

    other = BIO.model_copy(update={"description": "Other words here"})
    third = BIO.model_copy(update={"description": "Third words here"})
    assert reconcile(BIO, None) == (BIO, "config", False, None)
    assert reconcile(BIO, row("config", other, BIO))[:3] == (other, "config", True)
    assert reconcile(other, row("config", BIO, BIO))[:3] == (other, "config", False)
    assert reconcile(other, row("config", other, BIO))[:3] == (other, "config", False)
    spec, _, _, conflict = reconcile(third, row("config", other, BIO))
    assert spec == other and isinstance(conflict, Conflict)
    assert reconcile(None, row("config", other, BIO))[:2] == (other, "config")
    assert reconcile(None, row("store", other, None)) == (other, "store", False, None)


@pytest.fixture
def corpus_store(tmp_path: Path, fields_corpus_path: Path) -> Iterator[Store]:
    with open_store(copy_corpus(fields_corpus_path, tmp_path)) as s:
        yield s


def test_star_dismiss_and_unstar_a_paper(corpus_store: Store) -> None:
    starred, paper_id = profiles.feedback(corpus_store, CONFIG, "bio", "2411.17766v2", "star", NOW)
    assert paper_id == "arxiv:2411.17766" and starred.starred == ("arxiv:2411.17766",)
    dismissed, _ = profiles.feedback(corpus_store, CONFIG, "bio", "arxiv:2411.17766", "dismiss", NOW)
    assert dismissed.starred == () and dismissed.dismissed == ("arxiv:2411.17766",)
    cleared, _ = profiles.feedback(corpus_store, CONFIG, "bio", "arxiv:2411.17766", None, NOW)
    assert cleared.starred == cleared.dismissed == ()
    with pytest.raises(QueryError):
        profiles.feedback(corpus_store, CONFIG, "bio", "arxiv:9999.99999", "star", NOW)
    with pytest.raises(ConfigError):
        profiles.feedback(corpus_store, CONFIG, "nope", "arxiv:2411.17766", "star", NOW)
    profiles.feedback(corpus_store, CONFIG, "qc", "arxiv:2411.17766", "star", NOW)
    profiles.delete(corpus_store, CONFIG, "qc", NOW)
    assert profiles.feedback_list(corpus_store, "qc") == []
