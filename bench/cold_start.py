"""Cold-process wall time of the commands a user types, before and after, side by side in one run.

Each command runs in a fresh process (``radar ...`` of the shared virtualenv), once untimed to warm
the OS file cache and any one-time cache (the ONNX export), then ``--runs`` times; the table shows
the median wall time and the median CPU time (user + system of the child: steadier than wall time
on a shared machine). "before" imports the code at ``--before`` (a checkout of the old code, e.g.
``git worktree add /tmp/radar-before <commit>``),
"after" this checkout, through PYTHONPATH.

The store is built once from the demo snapshot (``demo/radar.toml``: ingest, then index with torch,
as the old code embeds) in a temporary RADAR_HOME and copied for each version. A run that fails
(the old code's temporary Prefect server times out under load) still counts, and is reported.
``radar ingest`` is timed into a fresh, empty RADAR_HOME each time (the demo's first step).

    .venv/bin/python bench/cold_start.py [--runs 5] --before /tmp/radar-before [--from-home DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RADAR = Path(sys.executable).parent / "radar"
DEMO = REPO / "demo" / "radar.toml"
QUERY = "diffusion models for MRI segmentation"

COMMANDS: dict[str, list[str]] = {
    "radar --help": ["--help"],
    "radar status": ["status"],
    "radar search --mode bm25": ["search", "--mode", "bm25", QUERY, "-k", "5"],
    "radar search (hybrid)": ["search", QUERY, "-k", "5"],
    "radar ingest (demo)": ["ingest", "--config", str(DEMO)],
}
GOALS = {"radar --help": 1.0, "radar status": 1.0, "radar search --mode bm25": 1.5, "radar search (hybrid)": 4.0}


def environment(code: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RADAR_", "PREFECT_"))}
    env.update(PYTHONPATH=str(code), RADAR_HOME=str(home), HF_HUB_OFFLINE="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def run(args: list[str], env: dict[str, str], *, check: bool = True) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one ``radar ARGS`` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(RADAR), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=900)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if check and done.returncode != 0:
        raise SystemExit(f"radar {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    if done.returncode != 0:
        print(f"radar {' '.join(args)} exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}",
              file=sys.stderr, flush=True)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.returncode


def reuse_store(home: Path, work: Path) -> tuple[Path, Path]:
    """A demo store already built (``--from-home``): its file for both versions, its ONNX export for the new one."""
    old_home, new_home = work / "before", work / "after"
    for target in (old_home, new_home):
        target.mkdir()
        shutil.copy2(home / "radar.duckdb", target / "radar.duckdb")
    if (home / "models").is_dir():
        shutil.copytree(home / "models", new_home / "models")
    return old_home, new_home


def build_store(before: Path, after: Path, work: Path) -> tuple[Path, Path]:
    """The demo snapshot ingested and indexed (torch vectors, as the old code embeds) by the new code,
    which needs no Prefect server for it; a copy for each version (the old code reads the newer schema)."""
    old_home, new_home = work / "before", work / "after"
    print("building the demo store (ingest + index)...", file=sys.stderr, flush=True)
    run(["ingest", "--config", str(DEMO)], environment(after, new_home))
    run(["index"], environment(after, new_home) | {"RADAR_EMBEDDING_BACKEND": "torch"})
    old_home.mkdir()
    shutil.copy2(new_home / "radar.duckdb", old_home / "radar.duckdb")
    return old_home, new_home


def measure(versions: dict[str, tuple[Path, Path]], runs: int, work: Path) -> dict[str, dict[str, list]]:
    figures: dict[str, dict[str, list]] = {name: {v: [] for v in versions} for name in COMMANDS}
    for name, args in COMMANDS.items():
        for version, (code, home) in versions.items():  # warm-up: file cache, ONNX export
            run(args, environment(code, _fresh(work) if "ingest" in name else home), check=False)
        for _ in range(runs):
            for version, (code, home) in versions.items():  # interleaved: both see the same load
                target = _fresh(work) if "ingest" in name else home
                figures[name][version].append(run(args, environment(code, target), check=False))
        print(table({name: figures[name]}, runs).splitlines()[-1], file=sys.stderr, flush=True)
    return figures


def _fresh(work: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=work, prefix="ingest-"))


def table(figures: dict[str, dict[str, list]], runs: int) -> str:
    lines = [f"| command (median of {runs}) | before wall / CPU s | after wall / CPU s | goal |", "|---|---|---|---|"]
    for name, by_version in figures.items():
        cells = []
        for samples in by_version.values():
            wall = statistics.median(w for w, _, _ in samples)
            cpu = statistics.median(c for _, c, _ in samples)
            failed = sum(code != 0 for _, _, code in samples)
            cells.append(f"{wall:.2f} / {cpu:.2f}" + (f" ({failed} of {len(samples)} failed)" if failed else ""))
        goal = f"<= {GOALS[name]:g} s" if name in GOALS else ""
        lines.append(f"| `{name}` | {cells[0]} | {cells[1]} | {goal} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, required=True,
                        help="a checkout of the old code (git worktree add /tmp/radar-before <commit>)")
    parser.add_argument("--from-home", type=Path, help="a RADAR_HOME holding the demo store, ingested and indexed "
                        "(saves building it, which takes minutes on a busy machine)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (args.before / "flows" / "cli.py").is_file():
        raise SystemExit(f"--before {args.before} is not a Radar checkout")
    with tempfile.TemporaryDirectory(prefix="radar-cold-") as tmp:
        work = Path(tmp)
        old_home, new_home = (reuse_store(args.from_home, work) if args.from_home
                              else build_store(args.before, REPO, work))
        figures = measure({"before": (args.before, old_home), "after": (REPO, new_home)}, args.runs, work)
    load = os.getloadavg()
    if args.json:
        print(json.dumps({"runs": args.runs, "loadavg": load, "figures": figures}, indent=2))
        return
    print(table(figures, args.runs))
    print(f"\n{os.cpu_count()} CPUs; load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")


if __name__ == "__main__":
    main()
