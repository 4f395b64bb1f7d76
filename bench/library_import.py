"""Importing a researcher's library: a 10,000-entry BibTeX file read and resolved against the demo
store (time, and the share resolved, by kind of entry), and the digest's nDCG@10 on the ranking
judgments (bench/judgments/) with seeds imported from a library, side by side with no seeds.

    .venv/bin/python bench/library_import.py          # the tables
    .venv/bin/python bench/library_import.py --json

The store is rank_eval's demo store (demo/radar.toml ingested and indexed into bench/out/rank-home
on the first run, a few minutes on 2 cores). The 10,000 entries, written as BibTeX by Radar's own
exporter (as Zotero writes them: ids where the paper has them), are:

- ``with an id``: 1,000 papers of the store, with their ids (arXiv id, or a journal's or bioRxiv's DOI);
- ``title only``: 500 other papers of the store with no id and their titles changed as a
  reference manager might (lower case, punctuation and LaTeX braces gone, one word dropped);
- ``not in store``: the 5,183 SciFact abstracts (../shared/data/scifact/corpus.jsonl, titles and
  abstracts, no ids; $SCIFACT_DIR if set): nothing of them is in the store, so every match would be a false one
  (when ../shared/data is absent, made-up titles stand in, and the table says so);
- ``DOI only``: DOIs the store does not hold, up to 10,000 entries.

nDCG@10: for each profile of the judged set, the papers judged relevant (grade 2) are split by id
in two halves; one half becomes a BibTeX library, imported through ``radar profile seed``'s code
(read, resolved), and the digest ranks with those seeds; the other half is judged. Seed papers are
taken out of the ranking and the judgments alike. Rows: no seeds; the imported seed papers; the
same library as seed texts (title and abstract, as if its papers were not in the store).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.metrics import ndcg_at  # noqa: E402
from bench.rank_eval import DAY, JUDGMENTS, Rankers, ensure_demo_store, load_judgments, load_queries  # noqa: E402
from bench.scifact import DATA as SCIFACT_DIR  # noqa: E402 - $SCIFACT_DIR, else ../shared/data/scifact

SCIFACT = SCIFACT_DIR / "corpus.jsonl"
ENTRIES = 10_000
BY_ID, BY_TITLE = 1_000, 500


def perturbed(title: str, rng: random.Random) -> str:
    """A title as a reference manager may hold it: lower case, no punctuation, one word dropped."""
    words = "".join(c if c.isalnum() or c.isspace() else " " for c in title.lower()).split()
    if len(words) > 6:
        del words[rng.randrange(1, len(words) - 1)]
    return " ".join(words)


def library(papers: list, rng: random.Random) -> tuple[list, dict[str, str], dict[str, str], str]:
    """The 10,000 papers of the library, each one's kind, the stored paper each one is (title-only ones: the
    paper whose title was changed), and where the out-of-store titles came from."""
    demo = sorted(papers, key=lambda p: p.paper_id)
    rng.shuffle(demo)
    by_id = demo[:BY_ID]
    by_title = [replace(p, paper_id=f"doi:10.5555/renamed.{i}", doi=None, url=None, title=perturbed(p.title, rng))
                for i, p in enumerate(demo[BY_ID:BY_ID + BY_TITLE])]
    template = demo[0]
    if SCIFACT.is_file():
        rows = [json.loads(line) for line in SCIFACT.read_text(encoding="utf-8").splitlines() if line.strip()]
        origin = f"SciFact ({SCIFACT})"
    else:
        rows = [{"_id": str(i), "title": f"Made-up study number {i} of nothing in particular", "text": ""}
                for i in range(5_183)]
        origin = f"made-up titles (SciFact is absent: {SCIFACT}; set SCIFACT_DIR)"
    outside = [replace(template, paper_id=f"doi:10.5555/scifact.{r['_id']}", source="SciFact", doi=None, url=None,
                       title=r["title"], abstract=r.get("text", ""), authors=("A. Author",), categories=(),
                       primary_category=None) for r in rows]
    count = ENTRIES - len(by_id) - len(by_title) - len(outside)
    doi_only = [replace(template, paper_id=f"doi:10.5555/absent.{i}", source="Journal", doi=f"10.5555/absent.{i}",
                        url=None, title="", abstract="", authors=(), categories=(), primary_category=None)
                for i in range(max(0, count))]
    kinds = {**{p.paper_id: "with an id" for p in by_id}, **{p.paper_id: "title only" for p in by_title},
             **{p.paper_id: "not in store" for p in outside}, **{p.paper_id: "DOI only" for p in doi_only}}
    truth = {**{p.paper_id: p.paper_id for p in by_id},
             **{f"doi:10.5555/renamed.{i}": p.paper_id for i, p in enumerate(demo[BY_ID:BY_ID + BY_TITLE])}}
    return [*by_id, *by_title, *outside, *doi_only], kinds, truth, origin


def import_figures(rankers: Rankers) -> dict:
    from indexing.store.papers import read_papers
    from queries.exports import export
    from queries.exports.keys import cite_keys
    from queries.library.parse import read_library
    from queries.library.resolve import resolve_library

    con = rankers.store.cursor()
    stored = read_papers(con, [pid for (pid,) in con.execute("SELECT paper_id FROM papers").fetchall()])
    papers, kinds, truth, origin = library(list(stored.values()), random.Random(7))
    data = export(papers, "bibtex").encode("utf-8")
    started = time.perf_counter()
    parsed = read_library(data)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    resolution = resolve_library(rankers.store, parsed.entries)
    resolve_s = time.perf_counter() - started
    id_of_key = {key: pid for pid, key in cite_keys(papers).items()}
    rows = {kind: {"entries": sum(1 for k in kinds.values() if k == kind), "resolved": 0, "correct": 0, "by": {}}
            for kind in ("with an id", "title only", "not in store", "DOI only")}
    for r in resolution.resolved:
        pid = id_of_key[r.entry.label]
        row = rows[kinds[pid]]
        row["resolved"] += 1
        row["correct"] += truth.get(pid) == r.paper_id
        row["by"][r.by] = row["by"].get(r.by, 0) + 1
    return {"entries": len(parsed.entries), "bytes": len(data), "problems": len(parsed.problems),
            "read_s": round(read_s, 2), "resolve_s": round(resolve_s, 2), "total_s": round(read_s + resolve_s, 2),
            "resolved": len(resolution.resolved), "share_resolved": round(len(resolution.resolved) / len(parsed.entries), 4),
            "text_seeds": len(resolution.text_seeds), "out_of_store_titles": origin, "by_kind": rows}


def ndcg_figures(rankers: Rankers) -> dict | None:
    from indexing.store.papers import read_papers
    from queries.digest import digest
    from queries.exports import export
    from queries.library.parse import read_library
    from queries.library.resolve import resolve_library
    from queries.library.seed import seed_text

    grades = load_judgments()
    profiles = [q for q in load_queries() if q.kind == "profile" and grades.get(q.query_id)]
    if not profiles:
        return None
    rows: dict[str, list[float]] = {"no seeds": [], "imported seed papers": [], "imported as seed texts": []}
    per_profile = {}
    for query in profiles:
        spec = rankers.profiles[query.text]
        judged = grades[query.query_id]
        relevant = sorted(pid for pid, g in judged.items() if g >= 2)
        seed_half, held = relevant[::2], relevant[1::2]
        if not seed_half or not held:
            continue
        papers = read_papers(rankers.store.cursor(), seed_half)
        entries = read_library(export([papers[p] for p in seed_half if p in papers], "bibtex").encode()).entries
        resolution = resolve_library(rankers.store, entries)
        seeds = resolution.seed_ids
        kept = {pid: g for pid, g in judged.items() if pid not in seed_half}
        variants = {"no seeds": spec, "imported seed papers": spec.model_copy(update={"seeds": seeds}),
                    "imported as seed texts": spec.model_copy(update={"seed_texts": [seed_text(e) for e in entries]})}
        scores = {}
        for name, variant in variants.items():
            ranked = [e.paper_id for e in digest(rankers.store, rankers.backend, rankers.embedder, variant, day=DAY,
                                                 k=10 + len(seed_half)).entries if e.paper_id not in seed_half]
            scores[name] = round(ndcg_at(ranked, kept, 10), 4)
            rows[name].append(scores[name])
        per_profile[query.text] = {"seeds": len(seeds), "held_out_relevant": len(held), **scores}
    return {"profiles": per_profile,
            "mean": {name: round(sum(v) / len(v), 4) if v else None for name, v in rows.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    ensure_demo_store()
    rankers = Rankers()
    try:
        figures = {"import": import_figures(rankers),
                   "ndcg": ndcg_figures(rankers) if (JUDGMENTS / "judgments.tsv").is_file() else None}
    finally:
        rankers.close()
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    imp = figures["import"]
    print(f"Library import: {imp['entries']:,} BibTeX entries ({imp['bytes'] / 1e6:.1f} MB), {imp['problems']} problems")
    print(f"  read {imp['read_s']:.1f} s + resolve {imp['resolve_s']:.1f} s = {imp['total_s']:.1f} s; "
          f"resolved {imp['resolved']:,} ({imp['share_resolved']:.1%}); {imp['text_seeds']:,} could seed by text")
    print(f"  out-of-store titles: {imp['out_of_store_titles']}")
    print(f"  {'entries':<14}{'count':>7}{'resolved':>10}{'correctly':>11}  by")
    for kind, row in imp["by_kind"].items():
        by = ", ".join(f"{k} {v}" for k, v in sorted(row["by"].items())) or "-"
        print(f"  {kind:<14}{row['entries']:>7,}{row['resolved']:>10,}{row['correct']:>11,}  {by}")
    ndcg = figures["ndcg"]
    if ndcg is None:
        print("nDCG@10 with imported seeds: no judgments (bench/judgments/judgments.tsv)")
        return
    names = list(ndcg["mean"])
    print("\nDigest nDCG@10 on the held-out half of each profile's relevant papers")
    print(f"  {'profile':<20}{'seeds':>6}" + "".join(f"{n:>24}" for n in names))
    for profile, row in ndcg["profiles"].items():
        print(f"  {profile:<20}{row['seeds']:>6}" + "".join(f"{row[n]:>24.3f}" for n in names))
    print(f"  {'mean':<26}" + "".join(f"{ndcg['mean'][n]:>24.3f}" for n in names))


if __name__ == "__main__":
    main()
