"""What the store holds: counts by source, field and day, and each feed's last run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from indexing.store import Store
from indexing.store.runs import process_gone


@dataclass(frozen=True, slots=True)
class FeedStatus:
    feed: str
    kind: str
    last_run_id: str
    last_run_at: datetime
    status: str
    fetched: int
    new: int
    updated: int
    unchanged: int
    rejected: int
    error: str | None
    last_success: datetime | None


@dataclass(frozen=True, slots=True)
class StoreStatus:
    store: str
    papers: int
    sightings: int
    versions: int
    rejects: int
    by_source: dict[str, int] = field(default_factory=dict)
    by_field: dict[str, int] = field(default_factory=dict)
    by_day: dict[date, int] = field(default_factory=dict)
    feeds: list[FeedStatus] = field(default_factory=list)
    last_run: dict[str, object] | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["by_day"] = {d.isoformat(): n for d, n in self.by_day.items()}
        for feed in data["feeds"]:
            for key in ("last_run_at", "last_success"):
                feed[key] = feed[key].isoformat() + "Z" if feed[key] else None
        if self.last_run:
            data["last_run"] = {k: (v.isoformat() + "Z" if isinstance(v, datetime) else v) for k, v in self.last_run.items()}
        return data


def store_status(store: Store, *, days: int = 14) -> StoreStatus:
    con = store.cursor()
    count = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    grouped = lambda sql: dict(con.execute(sql).fetchall())  # noqa: E731
    feeds = [FeedStatus(*row) for row in con.execute("""
        SELECT r.feed, r.kind, r.run_id, r.started_at, r.status, r.fetched, r.new, r.updated, r.unchanged,
               r.rejected, r.error, s.last_success
        FROM run_feeds r LEFT JOIN feed_state s USING (feed)
        QUALIFY row_number() OVER (PARTITION BY r.feed ORDER BY r.started_at DESC, r.run_id DESC) = 1
        ORDER BY r.feed
    """).fetchall()]
    last = con.execute("SELECT run_id, started_at, finished_at, status, pid, hostname FROM runs "
                       "ORDER BY started_at DESC, run_id DESC LIMIT 1").fetchone()
    if last and last[3] == "running" and process_gone(last[4], last[5]):
        last = (*last[:3], "died", *last[4:])  # the store may be read-only here; the next run records it
    return StoreStatus(
        store=str(store.path),
        papers=count("SELECT count(*) FROM papers"),
        sightings=count("SELECT count(*) FROM sightings"),
        versions=count("SELECT count(*) FROM versions WHERE version > 0"),
        rejects=count("SELECT count(*) FROM rejects"),
        by_source=grouped("SELECT source, count(*) FROM papers GROUP BY ALL ORDER BY 2 DESC, 1"),
        by_field=grouped("SELECT field, count(*) FROM papers GROUP BY ALL ORDER BY 2 DESC, 1"),
        by_day=grouped(f"""
            SELECT published::DATE AS day, count(*) FROM papers WHERE published IS NOT NULL
            GROUP BY ALL ORDER BY day DESC LIMIT {int(days)}"""),
        feeds=feeds,
        last_run=dict(zip(("run_id", "started_at", "finished_at", "status"), last[:4], strict=True)) if last else None,
    )
