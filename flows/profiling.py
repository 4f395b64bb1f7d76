"""Wiring for interest profiles, shared by the CLI, the flows and the web app: settings and the
config in, the effective profiles (``queries.profiles``) out, or a store to change them in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from indexing.store import Store, open_store
from queries.profiles import Profile, Profiles, load
from radar.config import RadarConfig, configured
from radar.settings import Settings


def current_profiles(settings: Settings, config: Path | None = None, store: Store | None = None) -> Profiles:
    """The effective profiles: the config's and the store's (the config's alone while there is no store)."""
    loaded = configured(settings, config)
    if store is not None:
        return load(store, loaded)
    if not settings.store_path.exists():
        return load(None, loaded)
    with open_store(settings.store_path, read_only=True, waits=settings.store) as opened:
        return load(opened, loaded)


def profile_named(settings: Settings, name: str, config: Path | None = None, store: Store | None = None) -> Profile:
    """One effective profile; a ConfigError listing the known ones otherwise."""
    return current_profiles(settings, config, store).get(name)


@contextmanager
def changing_profiles(settings: Settings, config: Path | None = None) -> Iterator[tuple[Store, RadarConfig]]:
    """The store, writable (created and migrated when needed), and the config, to change profiles with."""
    loaded = configured(settings, config)
    with open_store(settings.store_path, waits=settings.store) as store:
        yield store, loaded
