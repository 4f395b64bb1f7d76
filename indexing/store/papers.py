"""Writing and reading papers: bulk upserts through Arrow, versions, sightings, aliases.

An upsert deduplicates its batch first (one record per paper, merged), resolves ids
through the alias table (an arXiv paper and its journal DOI are one paper), merges with
what is stored, and writes only rows that changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa

from indexing.merge import merge_all, merge_checked
from indexing.records import Paper, RawText

PAPER_COLUMNS = tuple(f.name for f in fields(Paper))
_TS = pa.timestamp("us")
PAPER_SCHEMA = pa.schema([
    ("paper_id", pa.string()), ("source", pa.string()), ("title", pa.string()), ("abstract", pa.string()),
    ("authors", pa.list_(pa.string())), ("categories", pa.list_(pa.string())),
    ("primary_category", pa.string()), ("field", pa.string()), ("doi", pa.string()),
    ("journal_ref", pa.string()), ("url", pa.string()), ("pdf_url", pa.string()), ("license", pa.string()),
    ("published", _TS), ("updated", _TS), ("version", pa.int32()), ("announce_type", pa.string()),
    ("section", pa.string()), ("venue", pa.string()), ("article_type", pa.string()),
])


@dataclass(slots=True)
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    """Papers whose stored text was kept against incoming text of lower quality (counted besides the above)."""

    def add(self, other: UpsertCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept += other.kept


@dataclass(frozen=True, slots=True)
class Sighting:
    """Feed ``feed`` listed ``paper`` (as this version, with this announce type) in run ``run_id``."""

    paper: Paper
    feed: str
    run_id: str
    raw: RawText | None = None
    """The text as the feed sent it, kept in ``versions``; None where the caller has no feed text."""


def upsert(con: duckdb.DuckDBPyConnection, sightings: list[Sighting], now: datetime) -> UpsertCounts:
    """Store a batch of sightings inside the caller's transaction; returns what changed."""
    if not sightings:
        return UpsertCounts()
    canonical, aliases = _resolve(con, {s.paper.paper_id: s.paper for s in sightings})
    grouped: dict[str, list[Paper]] = defaultdict(list)
    for s in sightings:
        paper_id = canonical[s.paper.paper_id]
        grouped[paper_id].append(s.paper if paper_id == s.paper.paper_id else replace(s.paper, paper_id=paper_id))
    existing = read_papers(con, list(grouped))
    counts, changed = UpsertCounts(), []
    for paper_id, records in grouped.items():
        incoming = merge_all(records)
        stored = existing.get(paper_id)
        merged = merge_checked(stored, incoming) if stored is not None else None
        result = incoming if merged is None else merged.paper
        if merged is not None and merged.kept:
            counts.kept += 1
        if stored is None:
            counts.new += 1
        elif result is stored:
            counts.unchanged += 1
            continue
        else:
            counts.updated += 1
        changed.append(result)
    _write_papers(con, changed, {p.paper_id for p in changed} - set(existing), now)
    _write_aliases(con, aliases)
    _write_versions(con, sightings, canonical, now)
    _write_sightings(con, sightings, canonical, now)
    return counts


def _resolve(con: duckdb.DuckDBPyConnection, papers: dict[str, Paper]) -> tuple[dict[str, str], dict[str, str]]:
    """incoming id → stored id, and the aliases to add.

    An id the store knows keeps its paper. A new record joins the paper its DOI names (an
    arXiv preprint and its journal article are one paper), except that two arXiv papers never
    become one: a DOI that several arXiv ids carry belongs to the one stored first, or, within
    one batch, to the lowest id; the others stay papers of their own.
    """
    dois = {f"doi:{p.doi}" for p in papers.values() if p.doi}
    known = _aliases_of(con, set(papers) | dois)
    held = _holding_an_arxiv_id(con, {known[d] for d in dois if d in known})
    resolved: dict[str, str] = {}
    added: dict[str, str] = {}
    for paper_id in sorted(papers, key=lambda i: (not i.startswith("arxiv:"), i)):
        paper, is_arxiv = papers[paper_id], paper_id.startswith("arxiv:")
        found = known.get(paper_id)
        if is_arxiv and found and found.startswith("arxiv:") and found != paper_id:
            found = None  # an alias an older Radar wrote when it joined two arXiv papers by DOI
        if found is None and paper.doi and (owner := known.get(f"doi:{paper.doi}")):
            found = None if is_arxiv and (owner.startswith("arxiv:") or owner in held) else owner
        target = resolved[paper_id] = found or paper_id
        if is_arxiv:
            held.add(target)
        for alias in (paper_id, f"doi:{paper.doi}" if paper.doi else None):
            if alias and alias not in known:
                known[alias] = added[alias] = target
        if known.get(paper_id) != target:  # the repaired alias of an arXiv id
            known[paper_id] = added[paper_id] = target
    return resolved, added


def _aliases_of(con: duckdb.DuckDBPyConnection, keys: set[str]) -> dict[str, str]:
    con.register("wanted_aliases", pa.table({"alias": sorted(keys)}, schema=pa.schema([("alias", pa.string())])))
    known = dict(con.execute(
        "SELECT alias, paper_id FROM paper_aliases WHERE alias IN (SELECT alias FROM wanted_aliases)"
    ).fetchall())
    con.unregister("wanted_aliases")
    return known


def _holding_an_arxiv_id(con: duckdb.DuckDBPyConnection, paper_ids: set[str]) -> set[str]:
    """The papers among ``paper_ids`` that are, or have joined, an arXiv paper."""
    held = {p for p in paper_ids if p.startswith("arxiv:")}
    others = sorted(paper_ids - held)
    if others:
        con.register("doi_owners", pa.table({"paper_id": others}))
        held |= {pid for (pid,) in con.execute(
            "SELECT DISTINCT paper_id FROM paper_aliases WHERE alias LIKE 'arxiv:%' "
            "AND paper_id IN (SELECT paper_id FROM doi_owners)").fetchall()}
        con.unregister("doi_owners")
    return held


def read_papers(con: duckdb.DuckDBPyConnection, paper_ids: list[str]) -> dict[str, Paper]:
    """The stored papers among ``paper_ids``."""
    if not paper_ids:
        return {}
    columns = ", ".join(PAPER_COLUMNS)
    # One joined string, not a registered Arrow table (registering imports pyarrow.dataset: a slow cold start)
    # nor a list parameter (DuckDB converts a list element by element, at ~0.5 ms each). Ids hold no
    # control characters, so the unit separator cannot occur in one.
    table = con.execute(
        f"SELECT {columns} FROM papers WHERE paper_id IN (SELECT unnest(string_split(?, chr(31))))",
        ["\x1f".join(paper_ids)],
    ).to_arrow_table()
    return {row["paper_id"]: _paper(row) for row in table.to_pylist()}


def _paper(row: dict) -> Paper:
    for name in ("published", "updated"):
        if row[name] is not None:
            row[name] = row[name].replace(tzinfo=UTC)
    row["authors"] = tuple(row["authors"])
    row["categories"] = tuple(row["categories"])
    return Paper(**row)


def _naive(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC).replace(tzinfo=None) if value is not None else None


def _write_papers(con: duckdb.DuckDBPyConnection, papers: list[Paper], new_ids: set[str], now: datetime) -> None:
    if not papers:
        return
    columns = {name: [getattr(p, name) for p in papers] for name in PAPER_COLUMNS}
    columns["published"] = [_naive(v) for v in columns["published"]]
    columns["updated"] = [_naive(v) for v in columns["updated"]]
    columns["new"] = [p.paper_id in new_ids for p in papers]
    con.register("changed_papers", pa.table(columns, schema=PAPER_SCHEMA.append(pa.field("new", pa.bool_()))))
    names = ", ".join(PAPER_COLUMNS)
    # New papers are appended (a plain INSERT is several times cheaper than a replace); an update
    # replaces the row, and first_seen survives it: the stored value is carried over.
    con.execute(f"INSERT INTO papers ({names}, first_seen, last_changed) "
                f"SELECT {names}, $now, $now FROM changed_papers WHERE new", {"now": now})
    if len(new_ids) < len(papers):
        con.execute(f"""
            INSERT OR REPLACE INTO papers ({names}, first_seen, last_changed)
            SELECT {", ".join(f"c.{n}" for n in PAPER_COLUMNS)}, coalesce(p.first_seen, $now), $now
            FROM changed_papers c LEFT JOIN papers p USING (paper_id) WHERE NOT c.new
        """, {"now": now})
    con.unregister("changed_papers")


def _write_aliases(con: duckdb.DuckDBPyConnection, aliases: dict[str, str]) -> None:
    if not aliases:
        return
    con.register("new_aliases", pa.table({"alias": list(aliases), "paper_id": list(aliases.values())}))
    con.execute("INSERT OR REPLACE INTO paper_aliases SELECT alias, paper_id FROM new_aliases")
    con.unregister("new_aliases")


def _write_versions(con: duckdb.DuckDBPyConnection, sightings: list[Sighting], canonical: dict[str, str],
                    now: datetime) -> None:
    """One row per (paper, version), version 0 for sources without versions: the dates and title first
    seen, and the raw text of the first sighting that carried it."""
    rows: dict[tuple[str, int], Sighting] = {}
    for s in sightings:
        key = (canonical[s.paper.paper_id], s.paper.version or 0)
        if key not in rows or (rows[key].raw is None and s.raw is not None):
            rows[key] = s
    raws = [s.raw or RawText(None, None, ()) for s in rows.values()]
    table = pa.table({
        "paper_id": [k[0] for k in rows], "version": pa.array([k[1] for k in rows], pa.int32()),
        "title": [s.paper.title for s in rows.values()],
        "published": pa.array([_naive(s.paper.published) for s in rows.values()], _TS),
        "updated": pa.array([_naive(s.paper.updated) for s in rows.values()], _TS),
        "raw_title": pa.array([r.title for r in raws], pa.string()),
        "raw_abstract": pa.array([r.abstract for r in raws], pa.string()),
        "raw_authors": pa.array([list(r.authors) if r.authors else None for r in raws], pa.list_(pa.string())),
    })
    con.register("new_versions", table)
    con.execute("""
        INSERT INTO versions (paper_id, version, title, published, updated, first_seen,
                              raw_title, raw_abstract, raw_authors)
        SELECT paper_id, version, title, published, updated, $now, raw_title, raw_abstract, raw_authors
        FROM new_versions
        ON CONFLICT DO UPDATE SET raw_title = coalesce(versions.raw_title, excluded.raw_title),
                                  raw_abstract = coalesce(versions.raw_abstract, excluded.raw_abstract),
                                  raw_authors = coalesce(versions.raw_authors, excluded.raw_authors)
    """, {"now": now})
    con.unregister("new_versions")


def _write_sightings(con: duckdb.DuckDBPyConnection, sightings: list[Sighting], canonical: dict[str, str],
                     now: datetime) -> None:
    table = pa.table({
        "paper_id": [canonical[s.paper.paper_id] for s in sightings],
        "feed": [s.feed for s in sightings],
        "announce_type": [s.paper.announce_type or "" for s in sightings],
        "version": pa.array([s.paper.version or 0 for s in sightings], pa.int32()),
        "run_id": [s.run_id for s in sightings],
    })
    con.register("new_sightings", table)
    con.execute("INSERT OR IGNORE INTO sightings SELECT DISTINCT ON (paper_id, feed, announce_type, version) *, "
                "$now FROM new_sightings", {"now": now})
    con.unregister("new_sightings")


def canonical_ids(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, str]:
    """id → the stored paper it names, through the alias table; ids it does not know are left out."""
    if not ids:
        return {}
    con.register("alias_lookup", pa.table({"alias": list(dict.fromkeys(ids))}))
    found = dict(con.execute(
        "SELECT alias, paper_id FROM paper_aliases WHERE alias IN (SELECT alias FROM alias_lookup)").fetchall())
    stored = {pid for (pid,) in con.execute(
        "SELECT paper_id FROM papers WHERE paper_id IN (SELECT alias FROM alias_lookup)").fetchall()}
    con.unregister("alias_lookup")
    return {i: found.get(i, i) for i in ids if i in found or i in stored}


def stored_fields(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The broad fields the store holds papers of, most papers first."""
    return [f for (f,) in con.execute("SELECT field FROM papers GROUP BY field ORDER BY count(*) DESC, field").fetchall()]


def published_on(con: duckdb.DuckDBPyConnection, day: date) -> list[str]:
    """Ids of the papers published on ``day`` (UTC), in id order."""
    return [pid for (pid,) in con.execute(
        "SELECT paper_id FROM papers WHERE CAST(published AS DATE) = ? ORDER BY paper_id", [day]).fetchall()]


def latest_published_day(con: duckdb.DuckDBPyConnection, *, not_after: date) -> date | None:
    """The most recent day (UTC) on or before ``not_after`` that has papers; None for an empty store."""
    row = con.execute("SELECT max(CAST(published AS DATE)) FROM papers WHERE CAST(published AS DATE) <= ?",
                      [not_after]).fetchone()
    return row[0] if row else None
