"""Seeding a profile from a library file: its entries that resolve to stored papers become the
profile's seed papers; those that do not but carry a title and an abstract become seed texts
(embedded like seed papers when the digest ranks); the rest are reported with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from indexing.store import Store
from queries.library.parse import LibraryEntry, LibraryFile, read_library
from queries.library.resolve import Resolution, resolve_library
from queries.profiles import Profile, edit, load
from radar.config import RadarConfig

MAX_SEED_TEXTS = 100
"""Most seed texts a profile keeps (each is embedded at every digest)."""
SEED_TEXT_CHARS = 2_000


@dataclass(slots=True)
class SeedReport:
    profile: str
    library: LibraryFile
    resolution: Resolution
    seeds_added: list[str]
    texts_added: int
    texts_left_out: int
    """Text seeds beyond MAX_SEED_TEXTS, not kept."""
    dry_run: bool


def seed_text(entry: LibraryEntry) -> str:
    """What a seed text embeds: the title and the abstract, as a paper's document text."""
    return f"{entry.title}. {entry.abstract}"[:SEED_TEXT_CHARS]


def seed_profile(store: Store, config: RadarConfig, name: str, data: bytes, now: datetime, *,
                 replace: bool = False, dry_run: bool = False) -> tuple[Profile, SeedReport]:
    """Read ``data`` (a library file), resolve it, and add (or with ``replace``, set) the profile's seeds and seed
    texts; ``dry_run`` changes nothing. ConfigError when there is no such profile."""
    profile = load(store, config).get(name)
    library = read_library(data)
    resolution = resolve_library(store, library.entries)
    seeds = [] if replace else list(profile.spec.seeds)
    added = [pid for pid in resolution.seed_ids if pid not in seeds]
    texts = [] if replace else list(profile.spec.seed_texts)
    fresh = [t for t in dict.fromkeys(seed_text(e) for e in resolution.text_seeds) if t not in texts]
    room = max(0, MAX_SEED_TEXTS - len(texts))
    report = SeedReport(profile=name, library=library, resolution=resolution, seeds_added=added,
                        texts_added=min(room, len(fresh)), texts_left_out=max(0, len(fresh) - room), dry_run=dry_run)
    if not dry_run and (replace or added or fresh[:room]):
        profile = edit(store, config, name, {"seeds": seeds + added, "seed_texts": texts + fresh[:room]}, now)
    return profile, report


def seed_json(report: SeedReport) -> dict[str, Any]:
    """`radar profile seed --json` (schema radar.seed/1)."""
    lib, res = report.library, report.resolution
    return {
        "schema": "radar.seed/1", "profile": report.profile, "dry_run": report.dry_run,
        "format": lib.format, "encoding": lib.encoding, "notes": lib.notes,
        "entries": len(lib.entries), "resolved": len(res.resolved), "unresolved": len(res.unresolved),
        "seeds_added": report.seeds_added, "seed_texts_added": report.texts_added,
        "seed_texts_left_out": report.texts_left_out,
        "matches": [{"entry": r.entry.label, "paper_id": r.paper_id, "by": r.by, "score": r.score}
                    for r in res.resolved],
        "not_resolved": [{"entry": u.entry.label, "title": u.entry.title, "reason": u.reason,
                          "seeds_by_text": u.text_seed} for u in res.unresolved],
        "problems": [{"where": p.where, "reason": p.reason} for p in lib.problems],
    }
