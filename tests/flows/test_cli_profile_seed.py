"""`radar profile seed PROFILE FILE`: a library file (here made by `radar export`, and a hand-written
one) seeds a profile on a copy of the real indexed corpus; the digest ranks with the seed papers and
the seed texts; what is not found is listed with the reason; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.corpus import REPO
from tests.flows.cli_runner import invoke

DEMO_CONFIG = str(REPO / "demo" / "radar.toml")
KNOWN = "arxiv:2411.17766"
QEC_TEXT = """@article{qec_review,
  title = {Quantum error correction with surface codes: a review of decoders for fault-tolerant qubits},
  abstract = {Quantum error correction protects logical qubits from noise. We review surface codes, stabilizer
              measurements, syndrome decoding and thresholds for fault-tolerant quantum computation on
              superconducting and trapped-ion quantum hardware.},
  author = {Doe, Jane},
  year = {2023},
}
@misc{gone, doi = {10.9999/not.in.store}}
"""


def test_seed_has_help_with_json() -> None:
    result = invoke("profile", "seed", "--help")
    assert result.exit_code == 0 and all(o in result.output for o in ("--json", "--dry-run", "--replace", "--config"))


def test_an_exported_paper_and_a_text_entry_seed_a_profile_and_its_digest(corpus_home: Path, tmp_path: Path) -> None:
    library = tmp_path / "library.bib"
    exported = invoke("export", "paper", KNOWN, "-o", str(library))
    assert exported.exit_code == 0, exported.output
    library.write_text(library.read_text(encoding="utf-8") + QEC_TEXT, encoding="utf-8")
    added = invoke("profile", "add", "mine", "-d", "New research papers", "-c", DEMO_CONFIG)
    assert added.exit_code == 0, added.output
    before = json.loads(invoke("digest", "mine", "--date", "2024-11-28", "-k", "5", "-c", DEMO_CONFIG, "--json").stdout)

    dry = invoke("profile", "seed", "mine", str(library), "--dry-run", "-c", DEMO_CONFIG, "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["seeds_added"] == [KNOWN]
    assert json.loads(invoke("profile", "show", "mine", "-c", DEMO_CONFIG, "--json").stdout)["seeds"] == []

    result = invoke("profile", "seed", "mine", str(library), "-c", DEMO_CONFIG, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema"] == "radar.seed/1" and report["format"] == "bibtex"
    assert (report["entries"], report["resolved"], report["unresolved"]) == (3, 1, 2)
    assert report["matches"] == [{"entry": report["matches"][0]["entry"], "paper_id": KNOWN, "by": "arxiv",
                                  "score": None}]
    reasons = {r["entry"]: (r["reason"], r["seeds_by_text"]) for r in report["not_resolved"]}
    assert reasons["gone"] == ("DOI 10.9999/not.in.store not in the store, and no title to match", False)
    assert reasons["qec_review"][0].startswith("no arXiv id or DOI, and no stored title") and reasons["qec_review"][1]
    assert report["seed_texts_added"] == 1

    profile = json.loads(invoke("profile", "show", "mine", "-c", DEMO_CONFIG, "--json").stdout)
    assert profile["seeds"] == [KNOWN] and profile["seed_texts"][0].startswith("Quantum error correction with")
    after = json.loads(invoke("digest", "mine", "--date", "2024-11-28", "-k", "5", "-c", DEMO_CONFIG, "--json").stdout)
    assert after["seeds_used"] == [KNOWN]
    exported = invoke("export", "digest", "mine", "--date", "2024-11-28", "-k", "5", "-c", DEMO_CONFIG, "-f", "csljson")
    assert [i["title"] for i in json.loads(exported.stdout)] == [e["title"] for e in after["entries"]]  # a store profile
    quantum = lambda d: sum("quant-ph" in e["categories"] for e in d["entries"])  # noqa: E731
    assert quantum(after) > quantum(before)  # the seed text pulls the digest towards quantum error correction

    again = json.loads(invoke("profile", "seed", "mine", str(library), "-c", DEMO_CONFIG, "--json").stdout)
    assert again["seeds_added"] == [] and again["seed_texts_added"] == 0  # seeding twice adds nothing


def test_the_table_lists_what_was_not_found(corpus_home: Path, tmp_path: Path) -> None:
    library = tmp_path / "ids.txt"
    library.write_text(f"{KNOWN}\n10.9999/not.in.store\nnot-an-id\n", encoding="utf-8")
    result = invoke("profile", "seed", "llm-reasoning", str(library), "-c", DEMO_CONFIG)
    assert result.exit_code == 0, result.output
    assert "2 entries read (ids): 1 found in the store, 1 not" in result.stdout
    assert "Not found in the store" in result.stdout and "10.9999/not.in.store" in result.stdout  # reasons: --json
    assert "skipped line 3" in result.stderr and "neither a DOI nor an arXiv id" in result.stderr


def test_errors_exit_with_codes_that_mean_something(corpus_home: Path, tmp_path: Path) -> None:
    missing = invoke("profile", "seed", "llm-reasoning", str(tmp_path / "nope.bib"), "-c", DEMO_CONFIG)
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    empty = tmp_path / "empty.bib"
    empty.write_text("@article{broken, title = {no end\n", encoding="utf-8")
    unreadable = invoke("profile", "seed", "llm-reasoning", str(empty), "-c", DEMO_CONFIG)
    assert unreadable.exit_code == 1 and "could not read this BibTeX entry" in unreadable.stderr
    unknown = invoke("profile", "seed", "astrology", str(empty), "-c", DEMO_CONFIG)
    assert unknown.exit_code == 2 and "llm-reasoning" in unknown.stderr
