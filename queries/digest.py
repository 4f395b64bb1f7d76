"""The daily digest of one interest profile: a day's new papers, ranked for the profile.

A day's papers are those whose ``published`` date (UTC) is that day, less those the profile
leaves out: revised papers (unless ``include_revised``), journal news, comment, editorials,
corrections and retractions (unless named in ``article_types``), the profile's own seed papers
(never news to it), and what its feedback hides (queries/feedback.py: starred, dismissed).

Each paper is ranked by lexical and dense evidence, both measured against the day (z-scores over
the day's candidates, so a backend's BM25 scale or a model's cosine scale does not matter):

- dense: the cosine with the profile's vector (its description, blended with its seed papers and
  seed texts),
  and the best cosine with one *facet* of the description ("Reasoning, interpretability and
  evaluation of large language models" is three facets: reasoning of large language models, ...)
  or with one seed (paper or text); the feedback's dismissed papers push their neighbours down;
- lexical: for each facet, BM25 of the facet's own words AND of the words its items share (a
  paper about LLM tokenization matches "large language models" but not "reasoning": the weaker
  of the two counts), acronyms of three-word terms added (large language models: LLM);
- a bonus when it carries one of the profile's categories.

The listed papers are those whose **relevance** (the best cosine with the profile, a facet or a
seed: 0-1, the same scale for every day) clears a floor calibrated on our judgments of the demo
day (bench/judgments, bench/rank_eval.py), so a quiet day honestly lists few papers. Paper vectors
come from the embeddings cache; papers not indexed yet are embedded on the fly (and not cached:
the store is read). Each entry lists its related fields: the other broad fields among its
nearest indexed neighbours.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import numpy as np

from indexing.embeddings import Embedder
from indexing.kinds import announce_kind
from indexing.records import Paper
from indexing.search.base import Filters, SearchBackend
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
CATEGORY_BONUS = 0.5
"""Added to the score (in standard deviations of the day) of a paper in one of the profile's
categories: it breaks near-ties, it does not lift an off-topic paper over an on-topic one."""
LEXICAL_WEIGHT = 0.5
"""Weight of a facet's lexical evidence beside its dense evidence (chosen on our judgments)."""
SEED_WEIGHT = 0.5
"""Share of the seed papers' mean in the profile vector (the description has the rest)."""
MIN_RELEVANCE = 0.33
"""The floor: a paper is listed only if its relevance (best cosine with the profile, a facet or a
seed) is at least this. On the judged pools of the demo profiles, 0.33 keeps 98% of the papers
graded relevant or partly relevant, and 72% of what it keeps is (bench/rank_eval.py --floor)."""
_PREPOSITION = re.compile(r"\s(of|for|in|on|with|about)\s", re.IGNORECASE)
_ACRONYM_STOP = frozenset("a an and for in of on or the to with about".split())


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestEntry(Cited):
    """One paper as a daily list shows it."""

    number: int
    abstract: str
    score: float
    """What the list is ordered by: dense and lexical evidence, in standard deviations of the day."""
    similarity: float
    """Cosine between the paper and the profile's vector."""
    relevance: float = 0.0
    """Best cosine with the profile, one of its facets or one of its seeds (0-1); the floor applies to it
    (0.0 in entries made by hand)."""
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
    floor: float = MIN_RELEVANCE
    """The relevance a paper needs to be listed."""
    above_floor: int = 0
    """Papers of the day the profile could list that clear the floor (``shown`` is at most ``k`` of them)."""
    below_floor: int = 0
    """Papers of the day the profile could list that are under the floor."""

    @property
    def shown(self) -> int:
        return len(self.entries)


def profile_vector(description: np.ndarray, seeds: np.ndarray | None, *, seed_weight: float = SEED_WEIGHT) -> np.ndarray:
    """The unit vector a profile ranks by: its description, blended with the mean of its seeds."""
    vector = _unit(np.asarray(description, dtype=np.float32))
    if seeds is not None and len(seeds):
        vector = (1 - seed_weight) * vector + seed_weight * _unit(np.asarray(seeds, dtype=np.float32).mean(axis=0))
    return _unit(vector)


def facets(description: str) -> list[tuple[str, str | None]]:
    """The facets of a description that enumerates interests, as (item, shared words): "Reasoning,
    interpretability and evaluation of large language models" → ("Reasoning", "large language
    models"), ("interpretability", ...), ("evaluation", ...); "Machine learning for proteins,
    genomics and molecular biology" → ("proteins", "Machine learning"), ...; a list without shared
    words gives its items alone; a description that is no list is one facet."""
    items = [x.strip() for x in re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", description) if x.strip()]
    if len(items) < 2:
        return [(description.strip(), None)]
    first, last = items[0], items[-1]
    tail, head = _PREPOSITION.search(last), _PREPOSITION.search(first)
    if tail and not any(_PREPOSITION.search(x) for x in items[:-1]):
        shared = last[tail.end():].strip()
        return [(x, shared) for x in items[:-1]] + [(last[:tail.start()].strip(), shared)]
    if head and not any(_PREPOSITION.search(x) for x in items[1:]):
        shared = first[:head.start()].strip()
        return [(first[head.end():].strip(), shared)] + [(x, shared) for x in items[1:]]
    return [(x, None) for x in items]


def facet_text(item: str, shared: str | None) -> str:
    """A facet as one phrase to embed: "reasoning of large language models"."""
    return f"{item} of {shared}" if shared else item


def acronym(phrase: str) -> str | None:
    """The acronym of a term of three or more words (large language models → LLM), else None."""
    words = [w for w in re.findall(r"[A-Za-z]+", phrase) if w.lower() not in _ACRONYM_STOP]
    return "".join(w[0] for w in words).upper() if len(words) >= 3 else None


def lexical_query(phrase: str) -> str:
    """The words BM25 looks for: the phrase, and its acronym when it has one."""
    short = acronym(phrase)
    return f"{phrase} {short}" if short else phrase


def standardise(values: np.ndarray) -> np.ndarray:
    """Each value in standard deviations from the mean of ``values`` (zeros when they do not vary)."""
    values = np.asarray(values, dtype=np.float64)
    spread = float(values.std()) if len(values) else 0.0
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def profile_scores(whole: np.ndarray, facet_dense: np.ndarray, facet_lexical: np.ndarray,
                   category_matches: np.ndarray, *, lexical_weight: float = LEXICAL_WEIGHT,
                   bonus: float = CATEGORY_BONUS) -> np.ndarray:
    """The digest's score of each paper. ``whole``: its cosine with the profile vector;
    ``facet_dense`` / ``facet_lexical``: one column per facet (or seed) of cosines / lexical
    evidence already standardised over the day. The score is the standardised cosine with the
    profile plus the best facet's standardised cosine and weighted lexical evidence, plus
    ``bonus`` where a category matches."""
    dense = np.column_stack([standardise(c) for c in np.asarray(facet_dense, dtype=np.float64).T])
    best = (dense + lexical_weight * np.asarray(facet_lexical, dtype=np.float64)).max(axis=1)
    return standardise(whole) + best + bonus * np.asarray(category_matches, dtype=bool)


def matched_categories(paper: Paper, wanted: list[str]) -> list[str]:
    """The profile's categories this paper carries (case does not matter), in the paper's order."""
    lowered = {c.lower() for c in wanted}
    return [c for c in paper.categories if c.lower() in lowered]


def digest(store: Store, backend: SearchBackend, embedder: Embedder, profile: ProfileSpec, *,
           day: date | None = None, k: int = DEFAULT_K, min_relevance: float = MIN_RELEVANCE,
           feedback: DigestFeedback | None = None) -> Digest:
    """The ``k`` papers of ``day`` (default: the latest day with papers, not in the future) that
    best fit ``profile`` and whose relevance is at least ``min_relevance``; an empty digest when
    the day has none. ``feedback`` (queries/feedback.py: stars and dismissals) leaves papers out
    and adjusts the scores."""
    con = store.cursor()
    day = day or latest_published_day(con, not_after=datetime.now(UTC).date())
    result = Digest(profile=profile.name, description=profile.description, day=day, floor=min_relevance)
    ids = published_on(con, day) if day else []
    result.total = len(ids)
    _resolve_seeds(store, profile, result)
    seeds = set(result.seeds_used)
    found = read_papers(con, ids)
    papers = []
    for paper in (found[i] for i in ids):
        reason = (feedback and feedback.left_out_because(paper)) or \
            ("seed" if paper.paper_id in seeds else left_out_because(paper, profile))
        if reason is None:
            papers.append(paper)
        else:
            result.left_out[reason] = result.left_out.get(reason, 0) + 1
    if not papers:
        return result
    vectors, result.embedded = paper_vectors(store, embedder, papers)
    matrix = np.vstack([_unit(vectors[p.paper_id]) for p in papers])
    target, facet_vectors = _profile_targets(store, embedder, profile, result)
    whole = matrix @ target
    facet_cosines = matrix @ facet_vectors.T
    lexical = _lexical_evidence(backend, profile, day, papers, n_seeds=len(facet_vectors) - len(facets(profile.description)))
    matches = [matched_categories(p, profile.categories) for p in papers]
    scores = profile_scores(whole, facet_cosines, lexical, np.array([bool(m) for m in matches]))
    if feedback is not None:  # its penalty is in cosines; the score is in standard deviations of the day's cosines
        penalty = scores - feedback.adjust(matrix, scores)
        scores = scores - penalty / max(float(whole.std()), 1e-6)
    relevance = np.maximum(whole, facet_cosines.max(axis=1))
    listed = [i for i in range(len(papers)) if relevance[i] >= min_relevance]
    result.above_floor, result.below_floor = len(listed), len(papers) - len(listed)
    order = sorted(listed, key=lambda i: (-scores[i], papers[i].paper_id))[:k]
    chosen = [papers[i] for i in order]
    fields = neighbour_fields(store, backend, embedder.name, chosen, vectors)
    result.entries = [_entry(n, papers[i], float(scores[i]), float(whole[i]), float(relevance[i]), matches[i],
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


def _resolve_seeds(store: Store, profile: ProfileSpec, result: Digest) -> None:
    """Records which seeds were found (as stored ids) and which were not."""
    con = store.cursor()
    for seed in profile.seeds:
        try:
            paper_id = resolve_paper_id(con, seed)
        except QueryError:
            result.seeds_missing.append(seed)
            continue
        if paper_id not in result.seeds_used:
            result.seeds_used.append(paper_id)


def _profile_targets(store: Store, embedder: Embedder, profile: ProfileSpec,
                     result: Digest) -> tuple[np.ndarray, np.ndarray]:
    """The profile's vector, and one unit vector per facet of its description and per seed paper."""
    seeds = read_papers(store.cursor(), result.seeds_used)
    seed_vectors, _ = paper_vectors(store, embedder, [seeds[i] for i in result.seeds_used])
    texts = [profile.description, *(facet_text(item, shared) for item, shared in facets(profile.description))]
    embedded = np.asarray(embedder.embed(texts), dtype=np.float32)
    vectors = [seed_vectors[i] for i in result.seeds_used]
    if profile.seed_texts:  # papers of the reader's library that are not in the store (`radar profile seed`)
        vectors += list(embedder.embed(profile.seed_texts))
    stacked = np.vstack([_unit(v) for v in vectors]) if vectors else None
    rows = [_unit(v) for v in embedded[1:]] + ([] if stacked is None else list(stacked))
    return profile_vector(embedded[0], stacked), np.vstack(rows)


def _lexical_evidence(backend: SearchBackend, profile: ProfileSpec, day: date, papers: list[Paper], *,
                      n_seeds: int) -> np.ndarray:
    """One column per facet (then zeros for each seed): BM25 of the facet's item and of its shared
    words over the day, standardised, the weaker of the two (both must be there)."""
    depth = len(papers)
    window = Filters(since=day, until=day)
    cache: dict[str, np.ndarray] = {}

    def evidence(phrase: str) -> np.ndarray:
        if phrase not in cache:
            found = {h.paper_id: h.score for h in backend.bm25(lexical_query(phrase), window, depth)}
            cache[phrase] = standardise(np.array([found.get(p.paper_id, 0.0) for p in papers]))
        return cache[phrase]

    columns = [np.minimum(evidence(item), evidence(shared)) if shared else evidence(item)
               for item, shared in facets(profile.description)]
    columns += [np.zeros(len(papers)) for _ in range(n_seeds)]
    return np.column_stack(columns)


def _entry(number: int, paper: Paper, score: float, similarity: float, relevance: float, matches: list[str],
           related: list[str]) -> DigestEntry:
    return DigestEntry(**citation_of(paper), number=number, abstract=paper.abstract, score=round(score, 4),
                       similarity=round(similarity, 4), relevance=round(relevance, 4), matched_categories=matches,
                       related_fields=related)


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
        "floor": d.floor,
        "above_floor": d.above_floor,
        "below_floor": d.below_floor,
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
    lines += [f"{shown_message(d)} Best first.", ""]
    if d.left_out:
        lines += [left_out_message(d), ""]
    if d.seeds_missing:
        lines += [f"Seed papers not in the store (ignored): {', '.join(map(_md, d.seeds_missing))}.", ""]
    for e in d.entries:
        where = " · ".join(x for x in (e.source, ", ".join(e.categories[:3]) or e.field) if x)
        lines += [f"## {e.number}. {_md(e.title)}", "",
                  f"**{_md(where)}** · {e.published or 'undated'} · {kind_label(e)} · relevance {e.relevance:.2f}"
                  + (f" · matches {', '.join(e.matched_categories)}" if e.matched_categories else ""), "",
                  f"*{_md(short_authors(e.authors))}*", "", _md(e.abstract), ""]
        link = f"[{_md(e.paper_id)}]({e.url.replace(')', '%29').replace(' ', '%20')})" if e.url else _md(e.paper_id)
        related = ", ".join(e.related_fields) or "none among its nearest papers"
        lines += [f"{link} · related fields: {related}", ""]
    return "\n".join(lines)


def shown_message(d: Digest) -> str:
    """'3 papers for you: 3 of the 1,504 published 2024-11-28 (UTC) clear the relevance floor 0.35.'"""
    day = d.day.isoformat() if d.day else "no day"
    head = f"{d.shown} paper{'s' if d.shown != 1 else ''} for you: {d.above_floor:,} of the {d.total:,} published {day} (UTC)"
    tail = f" clear the relevance floor {d.floor:.2f}"
    return head + tail + (f"; the best {d.shown} are shown (-k for more)." if d.above_floor > d.shown else ".")


def empty_message(d: Digest) -> str:
    if d.day is None:
        return "The store has no papers yet: run `radar ingest` and `radar index` first."
    if d.below_floor:
        return (f"Nothing for you on {d.day.isoformat()} (UTC): none of the {d.below_floor:,} papers the profile "
                f"could list clears the relevance floor {d.floor:.2f}.")
    if d.total:
        return f"{left_out_message(d)} Nothing else was published on {d.day.isoformat()} (UTC)."
    return f"No papers were published on {d.day.isoformat()} (UTC); try another --date."


FEEDBACK_REASONS = frozenset({"seed", "starred", "dismissed"})
"""Left-out reasons that come from the reader (seeds, stars, dismissals), not from profile keys."""


def left_out_message(d: Digest) -> str:
    """What the profile left out, e.g. 'Left out: 569 revised, 12 news (profile keys ...).'"""
    parts = ", ".join(f"{n} {why}" for why, n in sorted(d.left_out.items(), key=lambda kv: (-kv[1], kv[0])))
    keys = " (profile keys include_revised, article_types)" if set(d.left_out) - FEEDBACK_REASONS else ""
    return f"Left out: {parts}{keys}."



def short_authors(authors: list[str], shown: int = 5) -> str:
    if not authors:
        return "authors not given"
    return ", ".join(authors[:shown]) + (f" and {len(authors) - shown} more" if len(authors) > shown else "")


def _md(text: str) -> str:
    """Text as Markdown shows it literally: no HTML, no links, one line."""
    return " ".join(text.split()).replace("<", "\\<").replace(">", "\\>").replace("[", "\\[").replace("]", "\\]")
