"""Interest profiles kept in the store, and the star / dismiss feedback given on papers for them.

The one owner of the ``profiles`` and ``profile_feedback`` tables. Specs are stored as JSON
objects (a profile's keys as the config file writes them); what they mean, and how a stored
profile and the config's are reconciled, is ``queries.profiles``'s business.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import duckdb

Origin = Literal["config", "store"]
Verdict = Literal["star", "dismiss"]
VERDICTS: tuple[Verdict, ...] = ("star", "dismiss")


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """One row of ``profiles``."""

    name: str
    origin: Origin
    """``config``: imported from the TOML config; ``store``: created in Radar."""
    spec: dict[str, Any] | None
    """The profile as it is now; None once deleted in Radar."""
    base: dict[str, Any] | None
    """For imported profiles: the config's version as last imported (or reconciled)."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Feedback:
    """One verdict on one paper for one profile."""

    profile: str
    paper_id: str
    verdict: Verdict
    given_at: datetime


def _loads(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text is not None else None


def _dumps(spec: dict[str, Any] | None) -> str | None:
    return json.dumps(spec, ensure_ascii=False, sort_keys=True) if spec is not None else None


def stored_profiles(con: duckdb.DuckDBPyConnection) -> dict[str, StoredProfile]:
    rows = con.execute("SELECT name, origin, spec, base, created_at, updated_at FROM profiles ORDER BY name")
    return {r[0]: StoredProfile(r[0], r[1], _loads(r[2]), _loads(r[3]), r[4], r[5]) for r in rows.fetchall()}


def save_profile(con: duckdb.DuckDBPyConnection, name: str, *, origin: Origin, spec: dict[str, Any] | None,
                 base: dict[str, Any] | None, now: datetime) -> None:
    """Insert or replace the row of ``name`` (its creation time is kept)."""
    con.execute("""
        INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (name) DO UPDATE SET origin = excluded.origin, spec = excluded.spec, base = excluded.base,
                                         updated_at = excluded.updated_at""",
                [name, origin, _dumps(spec), _dumps(base), now, now])


def remove_profile(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Forget the row of ``name`` and its feedback."""
    con.execute("DELETE FROM profiles WHERE name = ?", [name])
    con.execute("DELETE FROM profile_feedback WHERE profile = ?", [name])


def set_feedback(con: duckdb.DuckDBPyConnection, profile: str, paper_id: str, verdict: Verdict | None,
                 now: datetime) -> None:
    """Record ``verdict`` on ``paper_id`` for ``profile`` (replacing any earlier one); None clears it."""
    if verdict is None:
        con.execute("DELETE FROM profile_feedback WHERE profile = ? AND paper_id = ?", [profile, paper_id])
        return
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
    con.execute("""
        INSERT INTO profile_feedback VALUES (?, ?, ?, ?)
        ON CONFLICT (profile, paper_id) DO UPDATE SET verdict = excluded.verdict, given_at = excluded.given_at""",
                [profile, paper_id, verdict, now])


def clear_feedback(con: duckdb.DuckDBPyConnection, profile: str) -> None:
    con.execute("DELETE FROM profile_feedback WHERE profile = ?", [profile])


def feedback_of(con: duckdb.DuckDBPyConnection, profile: str | None = None) -> list[Feedback]:
    """Every verdict (of one profile, or of all), oldest first."""
    sql = "SELECT profile, paper_id, verdict, given_at FROM profile_feedback"
    rows = con.execute(sql + (" WHERE profile = ?" if profile else "") + " ORDER BY given_at, paper_id",
                       [profile] if profile else [])
    return [Feedback(*r) for r in rows.fetchall()]
