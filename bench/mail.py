"""Time to build and send the demo day's digest mail for the three demo profiles, to a real SMTP server
on 127.0.0.1 (aiosmtpd, STARTTLS and AUTH, as the tests start it), in one process.

For each run, a fresh copy of the demo store (so the mail log is empty and every profile is sent),
then per profile: "draft" (rank the day's papers for the profile, read its latest brief, build the
multipart message) and "send" (mail log, TLS handshake, login, delivery, log). A second pass over the
same store times the catch-up run that finds each profile already sent (the log is read before any
ranking, so it drafts nothing). The embedding model is loaded once,
before the runs (its load time is shown apart); paper vectors come from the store's cache.

The demo store is the demo snapshot (demo/radar.toml: 1,612 papers, 2024-11-28) ingested and indexed;
pass one with --from-home DIR, or let the script build it in a temporary folder (a few minutes).

    .venv/bin/python bench/mail.py [--runs 3] [--from-home DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEMO = REPO / "demo" / "radar.toml"
DAY = date(2024, 11, 28)


def build_demo_store(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RADAR_", "PREFECT_"))}
    env.update(RADAR_HOME=str(home), PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", RADAR_EMBEDDING_BACKEND="torch",
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    for args in (["ingest", "--config", str(DEMO)], ["index"]):
        print(f"building the demo store: radar {' '.join(args)}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "flows.cli", *args], env=env, cwd=REPO, check=True,
                       capture_output=True, timeout=3600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--from-home", type=Path, help="a RADAR_HOME holding the demo store, ingested and indexed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    for name in [n for n in os.environ if n.startswith("RADAR_")]:
        del os.environ[name]
    os.environ["HF_HUB_OFFLINE"] = "1"
    from flows.profiling import current_profiles
    from flows.runtime import searching
    from indexing.embeddings import embedder_for
    from queries.mail.send import draft_mail, send_draft, settled
    from radar.config import load_config
    from radar.settings import load_settings
    from tests.smtpserver import PASSWORD, USER, SmtpServer

    work = Path(tempfile.mkdtemp(prefix="radar-mail-bench-"))
    try:
        source = args.from_home
        if source is None:
            source = work / "demo"
            build_demo_store(source)
        names = [p.name for p in load_config(DEMO).profiles]
        server = SmtpServer(work, security="starttls").start()
        smtp = {"host": "127.0.0.1", "port": server.port, "security": "starttls", "user": USER, "password": PASSWORD,
                "ca_file": server.cert_path, "sender": "Radar <radar@example.org>"}
        settings = load_settings(home=work / "run", smtp=smtp, embedding_backend="torch")
        start = time.perf_counter()
        embedder_for(settings).embed(["warm up"])
        model_s = time.perf_counter() - start

        times: dict[str, dict[str, list[float]]] = {name: {"draft": [], "send": [], "again": []} for name in names}
        papers: dict[str, int] = {}
        totals: list[float] = []
        for _ in range(args.runs):
            shutil.rmtree(work / "run", ignore_errors=True)
            (work / "run").mkdir()
            shutil.copy2(source / "radar.duckdb", work / "run" / "radar.duckdb")
            run_start = time.perf_counter()
            with searching(settings, read_only=False) as s:
                profiles = current_profiles(settings, DEMO, s.store).profiles  # the effective ones
                for profile in profiles:
                    t0 = time.perf_counter()
                    draft = draft_mail(s.store, s.backend, s.embedder, profile, settings, day=DAY)
                    t1 = time.perf_counter()
                    outcome = send_draft(s.store, draft, settings.smtp)
                    t2 = time.perf_counter()
                    if outcome.status != "sent":
                        raise SystemExit(f"{profile.name}: {outcome.status}: {outcome.error}")
                    times[profile.name]["draft"].append(t1 - t0)
                    times[profile.name]["send"].append(t2 - t1)
                    papers[profile.name] = outcome.shown
                totals.append(time.perf_counter() - run_start)
                for profile in profiles:  # the catch-up run: the log settles it, nothing is drafted
                    t0 = time.perf_counter()
                    again = settled(s.store, profile.spec, DAY)
                    times[profile.name]["again"].append(time.perf_counter() - t0)
                    assert again is not None and again.status == "already-sent", again
        received = len(server.received)
        server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def ms(values: list[float]) -> float:
        return round(1000 * statistics.median(values), 1)

    rows = [{"profile": name, "papers": papers[name], "draft_ms": ms(t["draft"]), "send_ms": ms(t["send"]),
             "total_ms": ms([a + b for a, b in zip(t["draft"], t["send"], strict=True)]),
             "already_sent_run_ms": ms(t["again"])} for name, t in times.items()]
    result = {"runs": args.runs, "model_load_s": round(model_s, 2), "profiles": rows,
              "three_profiles_s": round(statistics.median(totals), 2), "messages_received": received}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"demo day {DAY}, {args.runs} runs (medians), model loaded once in {model_s:.1f} s; "
          f"{received} messages received by the SMTP server")
    print(f"{'profile':<20} {'papers':>6} {'draft ms':>9} {'send ms':>8} {'total ms':>9} {'2nd run ms':>11}")
    for r in rows:
        print(f"{r['profile']:<20} {r['papers']:>6} {r['draft_ms']:>9} {r['send_ms']:>8} {r['total_ms']:>9} "
              f"{r['already_sent_run_ms']:>11}")
    print(f"all three profiles, drafted and sent: {result['three_profiles_s']} s")


if __name__ == "__main__":
    main()
