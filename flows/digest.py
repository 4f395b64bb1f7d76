"""The ``digest`` flow: each interest profile's daily digest, written as Markdown and JSON to
``$RADAR_HOME/digests/<day>/<profile>.md`` and ``.json`` (scheduled after the daily index)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from flows.profiling import current_profiles, profile_named
from flows.runtime import searching
from queries.digest import Digest, digest_json, digest_markdown
from queries.feedback import profile_digest
from radar.errors import ConfigError
from radar.settings import load_settings


def write_digest(d: Digest, folder: Path) -> list[Path]:
    """Write ``d`` as ``folder/<day>/<profile>.md`` and ``.json``; nothing when the store had no day at all."""
    if d.day is None:
        return []
    day_folder = folder / d.day.isoformat()
    day_folder.mkdir(parents=True, exist_ok=True)
    markdown, data = day_folder / f"{d.profile}.md", day_folder / f"{d.profile}.json"
    markdown.write_text(digest_markdown(d), encoding="utf-8")
    data.write_text(json.dumps(digest_json(d), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [markdown, data]


@task(name="profile-digest", cache_policy=NO_CACHE)
def digest_task(profile: str, day: date | None, config: str | None) -> list[Path]:
    settings = load_settings()
    with searching(settings) as s:
        found = profile_named(settings, profile, Path(config) if config else None, s.store)
        result = profile_digest(s.store, s.backend, s.embedder, found, day=day)
    paths = write_digest(result, settings.home / "digests")
    get_run_logger().info("digest %s: %d of %d papers of %s", profile, result.shown, result.total, result.day)
    return paths


@flow(name="digest")
def digest(profile: str | None = None, day: str | None = None, config: str | None = None) -> list[Path]:
    """Write the digest of ``profile`` (default: every profile, the config's and the store's) for ``day``
    (YYYY-MM-DD, UTC; default: the latest day with papers); returns the files written."""
    settings = load_settings()
    known = current_profiles(settings, Path(config) if config else None)
    names = [known.get(profile).name] if profile else known.names
    try:
        wanted = date.fromisoformat(day) if day else None
    except ValueError:
        raise ConfigError(f"day must be a date as YYYY-MM-DD, not {day!r}") from None
    return [path for name in names for path in digest_task(name, wanted, config)]
