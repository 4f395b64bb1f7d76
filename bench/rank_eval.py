"""Ranking quality on our own judgments of the demo day: nDCG@10 and P@10 for the digest, search
and related papers, every ranker side by side in one run.

The judged set is bench/judgments/ (queries.tsv, judgments.tsv; its README says how it was made).
The store is the offline demo (demo/radar.toml), built through Radar's own ingest and index into
bench/out/rank-home on the first run (about 3 minutes on 2 cores), reused after that.

    .venv/bin/python bench/rank_eval.py            # the table
    .venv/bin/python bench/rank_eval.py --json
    .venv/bin/python bench/rank_eval.py --pool bench/out/pool.tsv   # unjudged pool, to judge

Rows: ``search hybrid (RRF)`` is hybrid search with its earlier fusion, reciprocal rank fusion
(k=60). ``digest (before)`` is the digest's earlier scorer, kept here so before and after come from
one run: the cosine between each paper and the profile description, plus 0.05 for a matching
category. ``digest`` is queries.digest as shipped. Unjudged papers in a top 10 count as not
relevant; the ``unjudged`` column says how many there were.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.metrics import ndcg_at  # noqa: E402

JUDGMENTS = REPO / "bench" / "judgments"
HOME = REPO / "bench" / "out" / "rank-home"
CONFIG = REPO / "demo" / "radar.toml"
DAY = date(2024, 11, 28)
"""The demo's arXiv day: every profile is ranked on it."""
POOL_DEPTH = 15
"""How deep each ranker's list goes into the pool to judge."""


@dataclass(frozen=True, slots=True)
class Query:
    query_id: str
    kind: str  # profile, search or related
    text: str


def load_queries(path: Path = JUDGMENTS / "queries.tsv") -> list[Query]:
    rows = [line.split("\t") for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    return [Query(*(part.strip() for part in row[:3])) for row in rows]


def load_judgments(path: Path = JUDGMENTS / "judgments.tsv") -> dict[str, dict[str, int]]:
    """query id → paper id → grade (0 off topic, 1 partly relevant, 2 relevant)."""
    grades: dict[str, dict[str, int]] = defaultdict(dict)
    if path.is_file():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                qid, pid, grade = line.split("\t")[:3]
                grades[qid][pid] = int(grade)
    return grades


def precision_at(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    """Share of the first k places (k, even when fewer are listed) held by a paper graded 1 or 2."""
    return sum(1 for pid in ranked[:k] if grades.get(pid, 0) > 0) / k


def ensure_demo_store() -> None:
    """Ingest and index the demo into HOME through the CLI, once."""
    if (HOME / "radar.duckdb").is_file() and (HOME / ".indexed").is_file():
        return
    HOME.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RADAR_HOME": str(HOME), "PYTHONPATH": str(REPO), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    for args in (["ingest", "--config", str(CONFIG)], ["index"]):
        print(f"building the demo store: radar {' '.join(args)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "flows.cli", *args], env=env, check=True, stdout=subprocess.DEVNULL)
    (HOME / ".indexed").write_text("ok\n")


class Rankers:
    """Every ranker the judged set is pooled from and scored on, over one open store."""

    def __init__(self) -> None:
        os.environ["RADAR_HOME"] = str(HOME)
        from flows.runtime import searching
        from radar.config import load_config
        from radar.settings import load_settings

        self.settings = load_settings()
        self._session = searching(self.settings)
        session = self._session.__enter__()
        self.store, self.backend, self.embedder = session.store, session.backend, session.embedder
        self.profiles = {p.name: p for p in load_config(CONFIG).profiles}

    def close(self) -> None:
        self._session.__exit__(None, None, None)

    def eligible(self, profile) -> set[str]:  # noqa: ANN001 - a ProfileSpec
        """The papers of the day the profile's digest may list (its revised / article-type policy)."""
        from indexing.store.papers import published_on, read_papers
        from queries.digest import left_out_because

        con = self.store.cursor()
        papers = read_papers(con, published_on(con, DAY))
        return {pid for pid, p in papers.items() if left_out_because(p, profile) is None}

    def profile(self, name: str, *, pool: bool) -> dict[str, list[str]]:
        from indexing.search.base import Filters
        from queries.digest import digest
        from queries.search import search

        spec = self.profiles[name]
        revised = spec.model_copy(update={"include_revised": True})
        runs = {
            "digest (before)": self.before_digest(spec),
            "digest": [e.paper_id for e in digest(self.store, self.backend, self.embedder, spec, day=DAY, k=POOL_DEPTH).entries],
            "digest (before) +revised": self.before_digest(revised),
            "digest +revised": [e.paper_id for e in
                                digest(self.store, self.backend, self.embedder, revised, day=DAY, k=POOL_DEPTH).entries],
        }
        if pool:
            day = Filters(since=DAY, until=DAY)
            for mode in ("bm25", "dense", "hybrid"):
                hits = search(self.store, self.backend, self.embedder, spec.description, mode=mode, filters=day,
                              k=POOL_DEPTH).hits
                runs[f"search {mode}"] = [h.paper_id for h in hits]
        return runs

    def before_digest(self, spec) -> list[str]:  # noqa: ANN001 - a ProfileSpec
        """The earlier scorer: cosine with the description, + 0.05 for a matching category."""
        import numpy as np

        from indexing.store.papers import read_papers
        from queries.related import paper_vectors

        papers = list(read_papers(self.store.cursor(), sorted(self.eligible(spec))).values())
        vectors, _ = paper_vectors(self.store, self.embedder, papers)
        target = self.embedder.embed([spec.description])[0]
        target = target / np.linalg.norm(target)
        wanted = {c.lower() for c in spec.categories}
        scores = {p.paper_id: float(vectors[p.paper_id] @ target / np.linalg.norm(vectors[p.paper_id]))
                  + 0.05 * any(c.lower() in wanted for c in p.categories) for p in papers}
        return sorted(scores, key=lambda pid: (-scores[pid], pid))[:POOL_DEPTH]

    def search(self, text: str) -> dict[str, list[str]]:
        import queries.search as search_module
        from queries.search import search

        runs = {f"search {mode}": [h.paper_id for h in search(self.store, self.backend, self.embedder, text, mode=mode,
                                                              k=POOL_DEPTH).hits]
                for mode in ("bm25", "dense", "hybrid")}
        # The earlier fusion, reciprocal rank fusion (k=60), so before and after come from one run.
        fused = search_module.convex_fusion
        search_module.convex_fusion = lambda rankings, found: search_module.reciprocal_rank_fusion(rankings)
        try:
            runs["search hybrid (RRF)"] = [
                h.paper_id for h in search(self.store, self.backend, self.embedder, text, mode="hybrid", k=POOL_DEPTH).hits]
        finally:
            search_module.convex_fusion = fused
        return runs

    def related(self, paper_id: str, *, pool: bool) -> dict[str, list[str]]:
        from indexing.search.base import Filters
        from queries.related import paper_vectors, related

        runs = {"related": [h.paper_id for h in related(self.store, self.backend, self.embedder, paper_id, k=10).hits]}
        if pool:
            from indexing.store.papers import read_papers

            paper = next(iter(read_papers(self.store.cursor(), [paper_id]).values()))
            vector = paper_vectors(self.store, self.embedder, [paper])[0][paper_id]
            near = self.backend.knn(vector, Filters(), POOL_DEPTH + 1)
            runs["nearest (dense)"] = [h.paper_id for h in near if h.paper_id != paper_id][:POOL_DEPTH]
        return runs

    def runs(self, query: Query, *, pool: bool = False) -> dict[str, list[str]]:
        if query.kind == "profile":
            return self.profile(query.text, pool=pool)
        if query.kind == "search":
            return self.search(query.text)
        return self.related(query.text, pool=pool)


def write_pool(rankers: Rankers, queries: list[Query], grades: dict[str, dict[str, int]], path: Path) -> int:
    """The unjudged papers of every ranker's top POOL_DEPTH, with title and abstract, to judge."""
    from indexing.store.papers import read_papers

    rows = []
    for query in queries:
        pooled = list(dict.fromkeys(pid for ranked in rankers.runs(query, pool=True).values()
                                    for pid in ranked[:POOL_DEPTH]))
        papers = read_papers(rankers.store.cursor(), [p for p in pooled if p not in grades.get(query.query_id, {})])
        for pid, paper in papers.items():
            abstract = " ".join(paper.abstract.split())[:400]
            rows.append(f"{query.query_id}\t{pid}\t?\t{paper.title}\t{', '.join(paper.categories) or paper.field}\t{abstract}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{row}\n" for row in rows))
    return len(rows)


def evaluate(rankers: Rankers, queries: list[Query], grades: dict[str, dict[str, int]]) -> dict[str, dict]:
    """ranker → mean nDCG@10, P@10, queries counted, unjudged papers in the top 10s."""
    per: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    skipped: dict[str, int] = defaultdict(int)
    for query in queries:
        judged = grades.get(query.query_id, {})
        for ranker, ranked in rankers.runs(query).items():
            relevant = judged
            if query.kind == "profile":  # the ideal list holds only papers this policy may list
                spec = rankers.profiles[query.text]
                spec = spec.model_copy(update={"include_revised": ranker.endswith("+revised")})
                allowed = rankers.eligible(spec)
                relevant = {pid: g for pid, g in judged.items() if pid in allowed}
            if not any(g > 0 for g in relevant.values()):
                skipped[ranker] += 1  # nothing relevant to find: nDCG is undefined
                continue
            unjudged = sum(1 for pid in ranked[:10] if pid not in judged)
            per[ranker].append((ndcg_at(ranked, relevant), precision_at(ranked, relevant), unjudged))
    return {ranker: {"ndcg@10": sum(r[0] for r in rows) / len(rows), "p@10": sum(r[1] for r in rows) / len(rows),
                     "queries": len(rows), "unjudged@10": sum(r[2] for r in rows), "no_relevant": skipped[ranker]}
            for ranker, rows in per.items()}


def floor_table(rankers: Rankers, queries: list[Query], grades: dict[str, dict[str, int]]) -> None:
    """For each candidate floor: how many judged profile papers clear it, the share of those graded
    1 or 2 (precision) and the share of all papers graded 1 or 2 that clear it (recall)."""
    from queries.digest import digest

    judged: list[tuple[int, float]] = []
    for query in (q for q in queries if q.kind == "profile"):
        spec = rankers.profiles[query.text].model_copy(update={"include_revised": True})
        listed = digest(rankers.store, rankers.backend, rankers.embedder, spec, day=DAY, k=5000, min_relevance=-1.0)
        relevance = {e.paper_id: e.relevance for e in listed.entries}
        judged += [(g, relevance[pid]) for pid, g in grades[query.query_id].items() if pid in relevance]
    wanted = sum(1 for g, _ in judged if g > 0)
    print(f"{'floor':>6} {'kept':>5} {'precision':>9} {'recall':>7}   (judged papers of the {len(judged)} profile pairs)")
    for step in range(25, 51, 2):
        floor = step / 100
        kept = [g for g, r in judged if r >= floor]
        hits = sum(1 for g in kept if g > 0)
        print(f"{floor:6.2f} {len(kept):5d} {hits / len(kept) if kept else 0:9.2f} {hits / wanted:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pool", type=Path, help="write the unjudged pool to this TSV instead of scoring")
    parser.add_argument("--floor", action="store_true", help="print how the digest's relevance floor sorts the judged papers")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ensure_demo_store()
    queries, grades = load_queries(), load_judgments()
    rankers = Rankers()
    try:
        if args.pool:
            print(f"{write_pool(rankers, queries, grades, args.pool)} unjudged pairs written to {args.pool}")
            return
        if args.floor:
            floor_table(rankers, queries, grades)
            return
        figures = evaluate(rankers, queries, grades)
    finally:
        rankers.close()
    judged = sum(len(g) for g in grades.values())
    if args.json:
        print(json.dumps({"day": DAY.isoformat(), "judged_pairs": judged, "results": figures}, indent=2))
        return
    print(f"Our judgments of the demo day {DAY} ({len(queries)} queries, {judged} judged pairs), "
          f"model {rankers.embedder.name}, backend {rankers.backend.name}")
    print(f"{'ranker':26} {'nDCG@10':>8} {'P@10':>6} {'queries':>8} {'unjudged@10':>12}")
    for ranker, f in figures.items():
        print(f"{ranker:26} {f['ndcg@10']:8.3f} {f['p@10']:6.3f} {f['queries']:8d} {f['unjudged@10']:12d}")
    empty = {r: f["no_relevant"] for r, f in figures.items() if f["no_relevant"]}
    if empty:
        print("queries with nothing relevant judged (left out of the means): "
              + ", ".join(f"{r} {n}" for r, n in empty.items()))


if __name__ == "__main__":
    main()
