"""What star / dismiss feedback does to a profile's digest, on our own judgments of the demo day.

A simulated reader looks at the first 10 papers of each bundled profile's digest (demo/radar.toml,
28 Nov 2024, the digest as shipped) and gives feedback from the judgments (bench/judgments/): a star
for every paper graded 2 (relevant), a dismissal for every paper graded 0 (off topic). The digest is
ranked again with that feedback (queries/feedback.py). Starred and dismissed papers are no longer
listed, so both rankings are scored on the papers left (the baseline with those papers removed):
nDCG@10 and P@10 on the rest of the day, before and after, side by side, and the digest's time
with and without feedback. Unjudged papers count as not relevant (the ``unjudged`` column).

    .venv/bin/python bench/feedback.py

The store is rank_eval's (bench/out/rank-home, built from the demo on the first run).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.metrics import ndcg_at  # noqa: E402
from bench.rank_eval import CONFIG, DAY, HOME, ensure_demo_store, load_judgments, load_queries, precision_at  # noqa: E402

DEPTH = 25
"""How deep each digest is ranked: the first 10 get feedback, the next ones fill the rest of the day's first 10."""


def main() -> None:
    ensure_demo_store()
    os.environ["RADAR_HOME"] = str(HOME)
    from flows.runtime import searching
    from indexing.store import open_store
    from queries.feedback import profile_digest
    from queries.profiles import Profile
    from radar.config import load_config
    from radar.settings import load_settings

    open_store(HOME / "radar.duckdb").close()  # migrate a store built by an older Radar
    grades = load_judgments()
    queries = {q.text: q.query_id for q in load_queries() if q.kind == "profile"}
    rows = []
    with searching(load_settings()) as s:
        for spec in load_config(CONFIG).profiles:
            qid = queries.get(spec.name)
            if qid is None:
                continue
            judged = grades[qid]
            plain = Profile(spec=spec, source="config", in_config=True, edited=False)
            started = time.perf_counter()
            before = [e.paper_id for e in profile_digest(s.store, s.backend, s.embedder, plain, day=DAY, k=DEPTH).entries]
            plain_ms = (time.perf_counter() - started) * 1000
            stars = tuple(p for p in before[:10] if judged.get(p) == 2)
            dismissals = tuple(p for p in before[:10] if judged.get(p) == 0)
            given = Profile(spec=spec, source="config", in_config=True, edited=False, starred=stars, dismissed=dismissals)
            started = time.perf_counter()
            after = [e.paper_id for e in profile_digest(s.store, s.backend, s.embedder, given, day=DAY, k=DEPTH).entries]
            feedback_ms = (time.perf_counter() - started) * 1000
            fed = set(stars) | set(dismissals)
            rest = {p: g for p, g in judged.items() if p not in fed}
            baseline = [p for p in before if p not in fed]
            rows.append((spec.name, len(stars), len(dismissals), ndcg_at(baseline, rest), ndcg_at(after, rest),
                         precision_at(baseline, rest), precision_at(after, rest),
                         sum(1 for p in baseline[:10] if p not in judged), sum(1 for p in after[:10] if p not in judged),
                         plain_ms, feedback_ms))
    print(f"Feedback from the judgments on each profile's top 10 (demo day {DAY}); scored on the papers left")
    print(f"{'profile':<20}{'stars':>6}{'dismissed':>10}{'nDCG@10 before':>16}{'after':>8}{'P@10 before':>13}"
          f"{'after':>8}{'unjudged b/a':>14}{'ms plain':>10}{'ms feedback':>13}")
    for name, st, di, nb, na, pb, pa, ub, ua, ms0, ms1 in rows:
        print(f"{name:<20}{st:>6}{di:>10}{nb:>16.3f}{na:>8.3f}{pb:>13.2f}{pa:>8.2f}{f'{ub}/{ua}':>14}{ms0:>10.0f}{ms1:>13.0f}")


if __name__ == "__main__":
    main()
