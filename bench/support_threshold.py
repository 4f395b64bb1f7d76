"""The support check's weight and threshold, measured on SciFact (claims against abstracts).

SciFact claims are one-sentence scientific statements; the qrels mark the abstracts that hold
their evidence, the closest public stand-in for "a brief's sentence against the abstract it cites".

- positives: (claim, each of its evidence abstracts);
- hard negatives: (claim, the best-ranked non-evidence abstract by dense similarity over the
  5,183 abstracts): the same topic, not the evidence;
- random negatives: (claim, a random non-evidence abstract).

Each cited text is ``title. abstract``, as briefs pass it. The lexical weight and the threshold
are chosen on the train split by F0.5 (a claim wrongly shown as supported is the worse error;
F0.5 is nearly flat across weights, so the most even weight within 0.005 of the best wins);
the test split reports precision, recall, F1 and negative acceptance at that threshold and its
neighbours (precision assumes SciFact's mix, about one positive to two negatives; acceptance
rates do not), the AUC of each signal, the time to check 20 sentences against 12 abstracts,
and how the English-only model scores Chinese translations of supported claims.

    .venv/bin/python bench/support_threshold.py [--json]

Signals per pair are cached in bench/out/support-<split>.json (the first run embeds ~30,000
sentences: a few minutes on 2 cores); corpus vectors come from bench/embedding_throughput.py's cache.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.embedding_throughput import corpus_vectors, load_corpus  # noqa: E402
from bench.metrics import roc_auc  # noqa: E402
from bench.scifact import DATA, OUT, load_queries, require_scifact  # noqa: E402
from queries.support import Evidence, combine, measure, support  # noqa: E402

KINDS = ("positive", "hard", "random")
WEIGHTS = [round(w, 2) for w in np.arange(0, 1.001, 0.05)]
THRESHOLDS = [round(t, 3) for t in np.arange(0.2, 0.9, 0.005)]
NEIGHBOURS = (-0.10, -0.05, -0.02, 0.0, 0.02, 0.05, 0.10)
SEED = 7
TOLERANCE = 0.005
# Chinese translations of SciFact test claims (query id -> claim), checked against the claim's
# evidence abstract and against a random one.
CHINESE = {
    "1": "零维生物材料具有诱导特性。",
    "13": "5%的围产期死亡是由低出生体重导致的。",
    "36": "维生素B12缺乏会升高血液中的同型半胱氨酸水平。",
    "49": "ADAR1与Dicer结合以切割pre-miRNA。",
    "50": "AIRE在某些皮肤肿瘤中表达。",
    "53": "ALDH1表达与乳腺癌的较差预后相关。",
    "54": "AMPK激活会加重肺部与炎症相关的纤维化。",
    "70": "PPM1D的激活会抑制p53的功能。",
}


@dataclass(frozen=True, slots=True)
class Pair:
    qid: str
    doc: str
    kind: str
    lexical: float | None
    semantic: float


def cited_texts() -> dict[str, str]:
    return {d["_id"]: f"{d['title']}. {d['text']}" for d in map(json.loads, (DATA / "corpus.jsonl").read_text().splitlines())}


def make_pairs(split: str, embedder) -> list[tuple[str, str, str]]:
    """(query id, doc id, kind) for every positive and one hard and one random negative per claim."""
    claims, qrels = load_queries(split)
    ids, bodies = load_corpus(DATA)
    doc_vectors, _ = corpus_vectors("torch", embedder, ids, bodies)
    claim_ids = sorted(claims, key=int)
    similarity = embedder.embed([claims[q] for q in claim_ids]) @ doc_vectors.T
    rng = random.Random(SEED)
    pairs = []
    for row, qid in enumerate(claim_ids):
        relevant = {d for d, g in qrels[qid].items() if g > 0}
        pairs += [(qid, doc, "positive") for doc in sorted(relevant)]
        hard = next(ids[i] for i in np.argsort(-similarity[row]) if ids[i] not in relevant)
        pairs.append((qid, hard, "hard"))
        pairs.append((qid, next(d for d in iter(lambda: rng.choice(ids), None) if d not in relevant), "random"))
    return pairs


def signals(split: str, embedder) -> list[Pair]:
    cache = OUT / f"support-{split}.json"
    if cache.is_file():
        return [Pair(**row) for row in json.loads(cache.read_text())]
    claims, _ = load_queries(split)
    texts = cited_texts()
    pairs = make_pairs(split, embedder)
    started = time.perf_counter()
    evidence = measure(embedder, [claims[q] for q, _, _ in pairs], [[texts[d]] for _, d, _ in pairs])
    print(f"{split}: measured {len(pairs)} pairs in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    result = [Pair(q, d, kind, e[0].lexical, e[0].semantic) for (q, d, kind), e in zip(pairs, evidence)]
    OUT.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps([asdict(p) for p in result]))
    return result


def scores(pairs: list[Pair], weight: float) -> dict[str, np.ndarray]:
    return {kind: np.array([combine(p.lexical, p.semantic, weight) for p in pairs if p.kind == kind]) for kind in KINDS}


def at_threshold(by_kind: dict[str, np.ndarray], threshold: float) -> dict[str, float]:
    accepted = {kind: float((s >= threshold).sum()) for kind, s in by_kind.items()}
    true_pos, false_pos = accepted["positive"], accepted["hard"] + accepted["random"]
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / len(by_kind["positive"])
    f = lambda beta: (1 + beta**2) * precision * recall / (beta**2 * precision + recall) if precision + recall else 0.0  # noqa: E731
    return {"threshold": threshold, "precision": precision, "recall": recall, "f1": f(1), "f0.5": f(0.5),
            "hard_accepted": accepted["hard"] / len(by_kind["hard"]),
            "random_accepted": accepted["random"] / len(by_kind["random"])}


def best_threshold(pairs: list[Pair], weight: float) -> tuple[float, float]:
    """(threshold, F0.5) with the best F0.5 for one lexical weight."""
    by_kind = scores(pairs, weight)
    return max(((t, at_threshold(by_kind, t)["f0.5"]) for t in THRESHOLDS), key=lambda row: row[1])


def choose(pairs: list[Pair]) -> tuple[float, float, float, dict[float, tuple[float, float]]]:
    """(lexical weight, threshold, F0.5, the curve per weight). F0.5 is nearly flat across weights
    on SciFact, so among the weights within TOLERANCE of the best, the most even mix wins: SciFact
    claims reuse their abstract's words more than a model's paraphrase (or a Chinese sentence) does."""
    curve = {w: best_threshold(pairs, w) for w in WEIGHTS}
    top = max(f for _, f in curve.values())
    weight = min((w for w, (_, f) in curve.items() if f >= top - TOLERANCE), key=lambda w: (abs(w - 0.5), w))
    return weight, curve[weight][0], curve[weight][1], curve


def aucs(pairs: list[Pair], weight: float) -> dict[str, dict[str, float]]:
    signal = {"lexical": lambda p: p.lexical or 0.0, "semantic": lambda p: p.semantic,
              "combined": lambda p: combine(p.lexical, p.semantic, weight)}
    out = {}
    for name, value in signal.items():
        pos = [value(p) for p in pairs if p.kind == "positive"]
        out[name] = {against: roc_auc(pos, [value(p) for p in pairs if p.kind in kinds])
                     for against, kinds in (("all", ("hard", "random")), ("hard", ("hard",)), ("random", ("random",)))}
    return out


def timing(embedder, pairs: list[Pair], threshold: float, runs: int = 7) -> dict[str, float]:
    """Milliseconds to check 20 test claims against 12 abstracts (each claim cites two)."""
    claims, _ = load_queries("test")
    texts = cited_texts()
    positives = [p for p in pairs if p.kind == "positive"]
    abstracts = list(dict.fromkeys(texts[p.doc] for p in positives))[:12]
    sentences = [claims[p.qid] for p in positives[:20]]
    cited = [[abstracts[i % 12], abstracts[(i + 1) % 12]] for i in range(20)]
    support(embedder, sentences, cited, threshold=threshold)  # warm: model loaded
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        support(embedder, sentences, cited, threshold=threshold)
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times), "runs": runs}


def chinese(embedder, weight: float) -> list[dict[str, object]]:
    """Chinese translations of supported claims against their evidence and a random abstract."""
    claims, qrels = load_queries("test")
    texts = cited_texts()
    rng = random.Random(SEED)
    rows = []
    for qid, zh in CHINESE.items():
        evidence = texts[sorted(qrels[qid])[0]]
        unrelated = texts[rng.choice(sorted(texts))]
        got = measure(embedder, [claims[qid], zh, zh], [[evidence], [evidence], [unrelated]])
        rows.append({"qid": qid, "english_vs_evidence": _summary(got[0][0], weight),
                     "chinese_vs_evidence": _summary(got[1][0], weight), "chinese_vs_random": _summary(got[2][0], weight)})
    return rows


def _summary(evidence: Evidence, weight: float) -> dict[str, float | None]:
    return {"lexical": evidence.lexical, "semantic": round(evidence.semantic, 3),
            "score": round(combine(evidence.lexical, evidence.semantic, weight), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    require_scifact()

    from indexing.embeddings import Embedder

    embedder = Embedder("all-MiniLM-L6-v2")
    train, test = signals("train", embedder), signals("test", embedder)
    weight, threshold, train_f05, curve = choose(train)
    by_kind = scores(test, weight)
    report = {
        "model": embedder.name, "lexical_weight": weight, "threshold": threshold, "train_f0.5": train_f05,
        "train_curve": {str(w): {"threshold": t, "f0.5": f} for w, (t, f) in curve.items()},
        "pairs": {split: {k: sum(p.kind == k for p in pairs) for k in KINDS} for split, pairs in (("train", train), ("test", test))},
        "test": [at_threshold(by_kind, round(threshold + d, 3)) for d in NEIGHBOURS],
        "semantic_only": at_threshold(scores(test, 0.0), best_threshold(train, 0.0)[0]),
        "auc_test": aucs(test, weight),
        "timing_20x12": timing(embedder, test, threshold),
        "chinese": chinese(embedder, weight),
    }
    (OUT / "support_threshold.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2) if args.json else render(report))


def render(report: dict) -> str:
    lines = [f"SciFact support check, model {report['model']}; pairs {report['pairs']}",
             f"chosen on train (max F0.5): lexical weight {report['lexical_weight']}, threshold {report['threshold']} "
             f"(train F0.5 {report['train_f0.5']:.3f}; the most even weight within {TOLERANCE} of the best F0.5)",
             "train: lexical weight -> best threshold, F0.5: " + ", ".join(
                 f"{w}->{c['threshold']:.3f},{c['f0.5']:.3f}" for w, c in report["train_curve"].items() if round(float(w) * 100) % 10 == 0),
             "",
             "test split      precision  recall     F1   F0.5  hard acc.  random acc."]
    for row in report["test"]:
        mark = " <" if row["threshold"] == report["threshold"] else ""
        lines.append(f"threshold {row['threshold']:.3f} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} "
                     f"{row['f0.5']:6.3f} {row['hard_accepted']:10.3f} {row['random_accepted']:12.3f}{mark}")
    s = report["semantic_only"]
    lines += [f"semantic only @ {s['threshold']:.3f}: precision {s['precision']:.3f} recall {s['recall']:.3f} "
              f"F1 {s['f1']:.3f} hard acc. {s['hard_accepted']:.3f} random acc. {s['random_accepted']:.3f}", "",
              "AUC (test)   vs all   vs hard  vs random"]
    for name, row in report["auc_test"].items():
        lines.append(f"{name:10} {row['all']:8.3f} {row['hard']:9.3f} {row['random']:9.3f}")
    t = report["timing_20x12"]
    lines += ["", f"20 sentences x 12 abstracts: median {t['median_ms']:.0f} ms (min {t['min_ms']:.0f}, max {t['max_ms']:.0f}, "
              f"{t['runs']} runs)", "", "Chinese translations (semantic / score):  en vs evidence | zh vs evidence | zh vs random"]
    for row in report["chinese"]:
        cells = [f"{row[k]['semantic']:.3f}/{row[k]['score']:.3f}" for k in ("english_vs_evidence", "chinese_vs_evidence", "chinese_vs_random")]
        lines.append(f"  claim {row['qid']:>3}: " + " | ".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
