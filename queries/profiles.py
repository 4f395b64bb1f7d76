"""Interest profiles as Radar uses them: the config file's, imported into the store, and the
ones created in Radar (CLI or web), with the star / dismiss feedback given for each.

The effective profiles are reconciled from two sides, the TOML config and the store:

- a config profile nobody touched in Radar is the config's, and follows the config when it changes;
- a config profile edited (or deleted) in Radar keeps its edit while the config still says what it
  said when it was imported (the row's ``base``);
- edited in Radar *and* changed in the config since is a **conflict**: Radar keeps its own version,
  never silently overrides either side, and reports it until ``resolve(..., keep="store"|"config")``;
- a profile that leaves the config file is never lost once imported: it lives on in the store;
- a profile created in Radar is the store's; one of the same name appearing in the config with other
  keys is a conflict too.

Every write (``add``, ``edit``, ``delete``, ``resolve``, feedback) first imports the config's
profiles (``import_config``), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import duckdb

from indexing.store import Store
from indexing.store.profiles import (Feedback, StoredProfile, Verdict, clear_feedback, feedback_of, remove_profile,
                                     save_profile, set_feedback, stored_profiles)
from queries.related import resolve_paper_id
from radar.config import ProfileSpec, RadarConfig, profile_spec
from radar.errors import ConfigError

Source = Literal["config", "store"]
Keep = Literal["store", "config"]

__all__ = ["Conflict", "Profile", "Profiles", "add", "delete", "edit", "feedback", "import_config", "load",
           "profile_json", "profiles_json", "reconcile", "resolve"]


@dataclass(frozen=True, slots=True)
class Profile:
    """One effective profile: what digests and briefs use."""

    spec: ProfileSpec
    source: Source
    """Where it was defined first: the config file, or Radar (CLI, web)."""
    in_config: bool
    """The config file holds a profile of this name now."""
    edited: bool
    """It differs from the config file's version (edited in Radar)."""
    starred: tuple[str, ...] = ()
    dismissed: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True, slots=True)
class Conflict:
    """A profile edited (or deleted) in Radar and changed in the config file since."""

    name: str
    store: ProfileSpec | None
    """Radar's version (what is used until resolved); None when it was deleted in Radar."""
    config: ProfileSpec

    @property
    def message(self) -> str:
        what = "deleted" if self.store is None else "edited"
        return (f"Profile {self.name!r} was {what} in Radar and changed in the config file since. Radar keeps its "
                f"own version until you choose: `radar profile resolve {self.name} --keep store` (Radar's) or "
                f"`--keep config` (the config file's).")


@dataclass(slots=True)
class Profiles:
    """The effective profiles (config order first, then the store's by name) and the open conflicts."""

    profiles: list[Profile] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def get(self, name: str) -> Profile:
        """The profile called ``name``; a ConfigError listing the known ones otherwise."""
        for profile in self.profiles:
            if profile.name == name:
                return profile
        known = ", ".join(p.name for p in self.profiles) or \
            "none (add one with `radar profile add`, or a [[profiles]] table in the config)"
        raise ConfigError(f"No profile named {name!r}. Known: {known}.")

    def conflict(self, name: str) -> Conflict | None:
        return next((c for c in self.conflicts if c.name == name), None)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.profiles]


def canonical(spec: ProfileSpec) -> dict[str, Any]:
    """A profile's keys as stored and compared (JSON types, every key with its default)."""
    return spec.model_dump(mode="json")


def _spec(data: dict[str, Any] | None, name: str) -> ProfileSpec | None:
    """A stored spec as a ProfileSpec; keys this version of Radar does not know are ignored."""
    if data is None:
        return None
    known = {k: v for k, v in data.items() if k in ProfileSpec.model_fields}
    return profile_spec({**known, "name": name}, origin=f"stored profile {name!r}")


def reconcile(config: ProfileSpec | None, row: StoredProfile | None
              ) -> tuple[ProfileSpec | None, Source, bool, Conflict | None]:
    """The effective spec of one name (None: no such profile), where it comes from, whether it is edited
    in Radar, and the conflict, if any. Pure: the rules of the module docstring."""
    if row is None:
        return config, "config", False, None
    current = _spec(row.spec, row.name)
    if row.origin == "store":
        if config is None or current is None or canonical(current) == canonical(config):
            return (current or config), "store", False, None
        return current, "store", True, Conflict(row.name, current, config)
    base = _spec(row.base, row.name)
    if config is None:
        return current, "config", current is not None, None
    same = (lambda a, b: (a is None) == (b is None) and (a is None or canonical(a) == canonical(b)))
    if same(current, config):
        return current, "config", False, None
    if same(config, base):
        return current, "config", current is not None, None
    if same(current, base):
        return config, "config", False, None
    return current, "config", current is not None, Conflict(row.name, current, config)


def load(store: Store | None, config: RadarConfig) -> Profiles:
    """The effective profiles of ``config`` and the store (None: no store yet, the config's alone)."""
    return _load(store.cursor() if store is not None else None, config)


def _load(con: duckdb.DuckDBPyConnection | None, config: RadarConfig) -> Profiles:
    rows = stored_profiles(con) if con is not None else {}
    verdicts = feedback_of(con) if con is not None else []
    configured = {p.name: p for p in config.profiles}
    result = Profiles()
    for name in [*configured, *sorted(n for n in rows if n not in configured)]:
        spec, source, edited, conflict = reconcile(configured.get(name), rows.get(name))
        if conflict is not None:
            result.conflicts.append(conflict)
        if spec is None:
            continue
        mine = [f for f in verdicts if f.profile == name]
        result.profiles.append(Profile(
            spec=spec, source=source, in_config=name in configured, edited=edited,
            starred=tuple(f.paper_id for f in mine if f.verdict == "star"),
            dismissed=tuple(f.paper_id for f in mine if f.verdict == "dismiss")))
    return result


def import_config(con: duckdb.DuckDBPyConnection, config: RadarConfig, now: datetime) -> list[str]:
    """Bring the config's profiles into the store (within the caller's transaction ``con``): new ones are
    imported, untouched ones follow the config; edits made in Radar and conflicts are left as they are.
    Returns the names imported or updated."""
    rows = stored_profiles(con)
    changed = []
    for spec in config.profiles:
        row, mine = rows.get(spec.name), canonical(spec)
        if row is None:
            save_profile(con, spec.name, origin="config", spec=mine, base=mine, now=now)
        elif row.origin != "config" or row.base == mine:
            continue
        elif row.spec == row.base:
            save_profile(con, spec.name, origin="config", spec=mine, base=mine, now=now)
        elif row.spec == mine:
            save_profile(con, spec.name, origin="config", spec=row.spec, base=mine, now=now)
        else:
            continue
        changed.append(spec.name)
    return changed


@contextmanager
def _writing(store: Store, config: RadarConfig, now: datetime) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write transaction that first imports the config's profiles."""
    with store.transaction() as con:
        import_config(con, config, now)
        yield con


def add(store: Store, config: RadarConfig, spec: ProfileSpec, now: datetime) -> Profile:
    """Create a profile in Radar; a ConfigError when one of that name exists."""
    with _writing(store, config, now) as con:
        existing = stored_profiles(con).get(spec.name)
        if spec.name in _load(con, config).names:
            raise ConfigError(f"A profile named {spec.name!r} exists already: change it with "
                              f"`radar profile edit {spec.name}`, or choose another name.")
        if existing is not None and existing.origin == "config":  # deleted here: back, as an edit of the config's
            save_profile(con, spec.name, origin="config", spec=canonical(spec), base=existing.base, now=now)
        else:
            save_profile(con, spec.name, origin="store", spec=canonical(spec), base=None, now=now)
    return load(store, config).get(spec.name)


def edit(store: Store, config: RadarConfig, name: str, changes: dict[str, Any], now: datetime) -> Profile:
    """Change some keys of a profile (``name`` cannot change); the result is validated as a whole."""
    if "name" in changes and changes["name"] != name:
        raise ConfigError("A profile's name cannot change: add a new profile and delete this one.")
    with _writing(store, config, now) as con:
        current = _load(con, config).get(name)
        spec = profile_spec({**canonical(current.spec), **changes}, origin=f"profile {name!r}")
        row = stored_profiles(con)[name]
        save_profile(con, name, origin=row.origin, spec=canonical(spec), base=row.base, now=now)
    return load(store, config).get(name)


def delete(store: Store, config: RadarConfig, name: str, now: datetime) -> Profile:
    """Delete a profile and its feedback. A config profile stays deleted while the config keeps it as it was
    (a change there later is a conflict, reported); returns what was deleted."""
    with _writing(store, config, now) as con:
        gone = _load(con, config).get(name)
        row = stored_profiles(con)[name]
        in_config = next((canonical(p) for p in config.profiles if p.name == name), None)
        if row.origin == "store" and in_config is None:
            remove_profile(con, name)
        else:  # a tombstone, or the config's profile would come back at the next import
            save_profile(con, name, origin="config", spec=None, base=in_config or row.base, now=now)
            clear_feedback(con, name)
    return gone


def resolve(store: Store, config: RadarConfig, name: str, keep: Keep, now: datetime) -> Profile | None:
    """End the conflict on ``name``: keep Radar's version (``store``) or the config file's (``config``)."""
    with _writing(store, config, now) as con:
        found = _load(con, config).conflict(name)
        if found is None:
            raise ConfigError(f"Profile {name!r} has no conflict to resolve; `radar profile list` shows conflicts.")
        theirs = canonical(found.config)
        if keep == "config":
            save_profile(con, name, origin="config", spec=theirs, base=theirs, now=now)
        elif keep == "store":
            save_profile(con, name, origin="config", spec=canonical(found.store) if found.store else None,
                         base=theirs, now=now)
        else:
            raise ConfigError(f"--keep must be store or config, not {keep!r}")
    profiles = load(store, config)
    return next((p for p in profiles.profiles if p.name == name), None)


def feedback(store: Store, config: RadarConfig, name: str, paper: str, verdict: Verdict | None,
             now: datetime) -> tuple[Profile, str]:
    """Star or dismiss ``paper`` (any id form) for profile ``name``, or clear the verdict (None).
    Returns the profile after it and the paper's stored id."""
    with _writing(store, config, now) as con:
        _load(con, config).get(name)
        paper_id = resolve_paper_id(con, paper)
        set_feedback(con, name, paper_id, verdict, now)
    return load(store, config).get(name), paper_id


def profile_json(profile: Profile, conflict: Conflict | None = None) -> dict[str, Any]:
    """One profile as `radar profile show --json` prints it (schema radar.profile/1)."""
    return {"schema": "radar.profile/1", **canonical(profile.spec), "source": profile.source,
            "in_config": profile.in_config, "edited": profile.edited, "starred": list(profile.starred),
            "dismissed": list(profile.dismissed), "conflict": conflict_json(conflict) if conflict else None}


def conflict_json(conflict: Conflict) -> dict[str, Any]:
    return {"name": conflict.name, "store": canonical(conflict.store) if conflict.store else None,
            "config": canonical(conflict.config), "message": conflict.message}


def profiles_json(profiles: Profiles) -> dict[str, Any]:
    """Every effective profile and open conflict (schema radar.profiles/1, `radar profile list --json`)."""
    return {"schema": "radar.profiles/1",
            "profiles": [{k: v for k, v in profile_json(p, profiles.conflict(p.name)).items() if k != "schema"}
                         for p in profiles.profiles],
            "conflicts": [conflict_json(c) for c in profiles.conflicts]}


def feedback_list(store: Store, name: str) -> list[Feedback]:
    return feedback_of(store.cursor(), name)
