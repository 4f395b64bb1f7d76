"""The daily digest of one interest profile: a day's new papers, ranked for the profile.

A day's papers are those whose ``published`` date (UTC) is that day, less those the profile
leaves out: revised papers (unless ``include_revised``) and journal news, comment, editorials,
corrections and retractions (unless named in ``article_types``). Each is scored by the
cosine between its vector and the profile's vector (the profile description's embedding,
averaged with the mean of its seed papers' vectors and seed texts'), plus a modest bonus when it carries one
of the profile's categories. Paper vectors come from the embeddings cache; papers not
indexed yet are embedded on the fly (and not cached: the store is read). Each entry lists its
related fields: the other broad fields among its nearest indexed neighbours.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import numpy as np

from indexing.embeddings import Embedder
from indexing.kinds import announce_kind
from indexing.records import Paper
from indexing.search.base import SearchBackend
from indexing.store import Store
from indexing.store.papers import latest_published_day, published_on, read_papers
from queries.citation import Cited, citation_of, kind_label
from queries.related import neighbour_fields, paper_vectors, resolve_paper_id
from radar.config import ProfileSpec
from radar.errors import QueryError
from radar.kinds import ARTICLE_TYPES, DIGEST_LEFT_OUT

if TYPE_CHECKING:
    from queries.feedback import DigestFeedback

DEFAULT_K = 25
CATEGORY_BONUS = 0.05
"""Added to the cosine of a paper in one of the profile's categories: it breaks near-ties,
it does not lift an off-topic paper over an on-topic one."""
SEED_WEIGHT = 0.5
"""Share of the seed papers' mean in the profile vector (the description has the rest)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestEntry(Cited):
    """One paper as a daily list shows it."""

    number: int
    abstract: str
    score: float
    similarity: float
    """Cosine between the paper and the profile."""
    matched_categories: list[str]
    related_fields: list[str]


@dataclass(slots=True)
class Digest:
    profile: str
    description: str
    day: date | None
    """The day shown; None when the store has no papers at all."""
    total: int = 0
    """Papers published that day."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Papers of the day the profile leaves out, by why: revised, or their article type."""
    entries: list[DigestEntry] = field(default_factory=list)
    seeds_used: list[str] = field(default_factory=list)
    seeds_missing: list[str] = field(default_factory=list)
    """Seed ids of the profile that are not in the store (ignored)."""
    embedded: int = 0
    """Papers of the day that had no cached vector and were embedded for this digest."""

    @property
    def shown(self) -> int:
        return len(self.entries)


def profile_vector(description: np.ndarray, seeds: np.ndarray | None, *, seed_weight: float = SEED_WEIGHT) -> np.ndarray:
    """The unit vector a profile ranks by: its description, blended with the mean of its seeds."""
    vector = _unit(np.asarray(description, dtype=np.float32))
    if seeds is not None and len(seeds):
        vector = (1 - seed_weight) * vector + seed_weight * _unit(np.asarray(seeds, dtype=np.float32).mean(axis=0))
    return _unit(vector)


def profile_scores(paper_vectors: np.ndarray, profile: np.ndarray, category_matches: np.ndarray, *,
                   bonus: float = CATEGORY_BONUS) -> np.ndarray:
    """Cosine of each (unit) paper vector with the profile, plus ``bonus`` where a category matches."""
    return np.asarray(paper_vectors, dtype=np.float32) @ _unit(profile) + bonus * np.asarray(category_matches, dtype=bool)


def matched_categories(paper: Paper, wanted: list[str]) -> list[str]:
    """The profile's categories this paper carries (case does not matter), in the paper's order."""
    lowered = {c.lower() for c in wanted}
    return [c for c in paper.categories if c.lower() in lowered]


def digest(store: Store, backend: SearchBackend, embedder: Embedder, profile: ProfileSpec, *,
           day: date | None = None, k: int = DEFAULT_K, feedback: DigestFeedback | None = None) -> Digest:
    """The ``k`` papers of ``day`` (default: the latest day with papers, not in the future) that
    best fit ``profile``; an empty digest when the day has none. ``feedback`` (queries/feedback.py:
    stars and dismissals) leaves papers out and adjusts the scores."""
    con = store.cursor()
    day = day or latest_published_day(con, not_after=datetime.now(UTC).date())
    result = Digest(profile=profile.name, description=profile.description, day=day)
    ids = published_on(con, day) if day else []
    result.total = len(ids)
    found = read_papers(con, ids)
    papers = []
    for paper in (found[i] for i in ids):
        reason = (feedback and feedback.left_out_because(paper)) or left_out_because(paper, profile)
        if reason is None:
            papers.append(paper)
        else:
            result.left_out[reason] = result.left_out.get(reason, 0) + 1
    if not papers:
        return result
    vectors, result.embedded = paper_vectors(store, embedder, papers)
    target = _profile_target(store, embedder, profile, result)
    matrix = np.vstack([_unit(vectors[p.paper_id]) for p in papers])
    matches = [matched_categories(p, profile.categories) for p in papers]
    scores = profile_scores(matrix, target, np.array([bool(m) for m in matches]))
    if feedback is not None:
        scores = feedback.adjust(matrix, scores)
    order = sorted(range(len(papers)), key=lambda i: (-scores[i], papers[i].paper_id))[:k]
    chosen = [papers[i] for i in order]
    fields = neighbour_fields(store, backend, embedder.name, chosen, vectors)
    result.entries = [_entry(n, papers[i], float(scores[i]), float(matrix[i] @ target), matches[i],
                             fields[papers[i].paper_id]) for n, i in enumerate(order, start=1)]
    return result


def left_out_because(paper: Paper, profile: ProfileSpec) -> str | None:
    """Why the profile's digest leaves ``paper`` out (``revised``, or its article type); None to list it."""
    if not profile.include_revised and announce_kind(paper.announce_type, paper.version) == "revised":
        return "revised"
    wanted = profile.article_types if profile.article_types is not None else \
        [t for t in ARTICLE_TYPES if t not in DIGEST_LEFT_OUT]
    if paper.article_type and paper.article_type not in wanted:
        return paper.article_type
    return None


def _profile_target(store: Store, embedder: Embedder, profile: ProfileSpec, result: Digest) -> np.ndarray:
    """The profile's vector; records which seeds were found and which were not."""
    con = store.cursor()
    for seed in profile.seeds:
        try:
            paper_id = resolve_paper_id(con, seed)
        except QueryError:
            result.seeds_missing.append(seed)
            continue
        if paper_id not in result.seeds_used:
            result.seeds_used.append(paper_id)
    seeds = read_papers(con, result.seeds_used)
    seed_vectors, _ = paper_vectors(store, embedder, [seeds[i] for i in result.seeds_used])
    description = embedder.embed([profile.description])[0]
    vectors = [seed_vectors[i] for i in result.seeds_used]
    if profile.seed_texts:  # papers of the reader's library that are not in the store (`radar profile seed`)
        vectors += list(embedder.embed(profile.seed_texts))
    stacked = np.vstack(vectors) if vectors else None
    return profile_vector(description, stacked)


def _entry(number: int, paper: Paper, score: float, similarity: float, matches: list[str],
           related: list[str]) -> DigestEntry:
    return DigestEntry(**citation_of(paper), number=number, abstract=paper.abstract, score=round(score, 4),
                       similarity=round(similarity, 4), matched_categories=matches, related_fields=related)


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def digest_json(d: Digest) -> dict:
    """The documented, stable JSON of a digest (`radar digest --json`, the digest flow's .json)."""
    return {
        "schema": "radar.digest/1",
        "profile": d.profile,
        "description": d.description,
        "day": d.day.isoformat() if d.day else None,
        "total": d.total,
        "shown": d.shown,
        "left_out": d.left_out,
        "seeds_used": d.seeds_used,
        "seeds_missing": d.seeds_missing,
        "embedded": d.embedded,
        "entries": [asdict(e) for e in d.entries],
    }


def digest_markdown(d: Digest) -> str:
    """The digest as a Markdown page: a numbered list, each paper with source and category,
    date, title, authors, abstract, link and related fields. Abstracts are data: characters
    that would make HTML or links in Markdown are escaped."""
    day = d.day.isoformat() if d.day else "no day"
    lines = [f"# Radar digest: {_md(d.profile)}, {day}", "", f"*{_md(d.description)}*", ""]
    if not d.entries:
        lines.append(empty_message(d))
        return "\n".join(lines) + "\n"
    lines += [f"{d.shown} of {d.total} papers published {day} (UTC), best first.", ""]
    if d.left_out:
        lines += [left_out_message(d), ""]
    if d.seeds_missing:
        lines += [f"Seed papers not in the store (ignored): {', '.join(map(_md, d.seeds_missing))}.", ""]
    for e in d.entries:
        where = " · ".join(x for x in (e.source, ", ".join(e.categories[:3]) or e.field) if x)
        lines += [f"## {e.number}. {_md(e.title)}", "",
                  f"**{_md(where)}** · {e.published or 'undated'} · {kind_label(e)} · score {e.score:.2f}"
                  + (f" · matches {', '.join(e.matched_categories)}" if e.matched_categories else ""), "",
                  f"*{_md(short_authors(e.authors))}*", "", _md(e.abstract), ""]
        link = f"[{_md(e.paper_id)}]({e.url.replace(')', '%29').replace(' ', '%20')})" if e.url else _md(e.paper_id)
        related = ", ".join(e.related_fields) or "none among its nearest papers"
        lines += [f"{link} · related fields: {related}", ""]
    return "\n".join(lines)


def empty_message(d: Digest) -> str:
    if d.day is None:
        return "The store has no papers yet: run `radar ingest` and `radar index` first."
    if d.total:
        return f"{left_out_message(d)} Nothing else was published on {d.day.isoformat()} (UTC)."
    return f"No papers were published on {d.day.isoformat()} (UTC); try another --date."


def left_out_message(d: Digest) -> str:
    """What the profile left out, e.g. 'Left out: 569 revised, 12 news (profile keys ...).'"""
    parts = ", ".join(f"{n} {why}" for why, n in sorted(d.left_out.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"Left out: {parts} (profile keys include_revised, article_types)."



def short_authors(authors: list[str], shown: int = 5) -> str:
    if not authors:
        return "authors not given"
    return ", ".join(authors[:shown]) + (f" and {len(authors) - shown} more" if len(authors) > shown else "")


def _md(text: str) -> str:
    """Text as Markdown shows it literally: no HTML, no links, one line."""
    return " ".join(text.split()).replace("<", "\\<").replace(">", "\\>").replace("[", "\\[").replace("]", "\\]")
