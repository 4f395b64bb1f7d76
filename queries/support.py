"""The automatic support check: does a cited text back a sentence of a brief?

Two signals per (sentence, cited text): word overlap (the share of the sentence's content words
that the text contains, stemmed) and meaning (the best cosine between the sentence and the
text's own sentences or the whole text). Their weighted mean is the score; a sentence is
supported when one of its cited texts scores at least the threshold. The weight and the
threshold were measured on SciFact claims against their evidence abstracts, topically close
non-evidence abstracts and random ones (bench/support_threshold.py).

It checks topical support, not entailment: an abstract that contradicts a claim on the same
finding scores like one that supports it, and about a quarter of same-topic abstracts that are not
the evidence pass. The embedding model is English-only: a Chinese sentence is judged mostly by its
Latin terms and numbers (gene names, model names, figures) found in the cited text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexing.embeddings import Embedder
from queries.text import content_words, is_cjk, split_sentences

__all__ = ["LEXICAL_WEIGHT", "Evidence", "Support", "clean_claim", "combine", "is_cjk", "lexical_overlap", "measure",
           "support"]

# Weight of word overlap in the score, chosen with the threshold on SciFact train
# (bench/support_threshold.py); meaning gets the rest.
LEXICAL_WEIGHT = 0.55

_BATCH = 16
_CITATION = re.compile(r"\s*\[\s*\d+(?:\s*[,;–—-]\s*\d+)*\s*\]")
_MARKDOWN = re.compile(r"\*\*|__|(?<!\w)[_*]|[_*](?!\w)|`|^\s*(?:#{1,6}|[-*+]|\d+[.)])\s+")


@dataclass(frozen=True, slots=True)
class Support:
    """How well the best of a sentence's cited texts backs it."""

    lexical: float    # share of the sentence's content words found in the cited text, 0..1
    semantic: float   # best cosine between the sentence and the cited text's sentences or whole text
    score: float      # combine(lexical, semantic): what the threshold applies to
    supported: bool
    source: int | None = None  # index, among the sentence's cited texts, of the best one


@dataclass(frozen=True, slots=True)
class Evidence:
    """The raw signals for one (sentence, cited text) pair; ``lexical`` is None when the sentence
    has no countable words (e.g. a Chinese sentence without Latin terms or numbers)."""

    lexical: float | None
    semantic: float


def clean_claim(text: str) -> str:
    """The sentence without citation markers ([3], [1, 4], [2-4]) or light Markdown."""
    return " ".join(_MARKDOWN.sub("", _CITATION.sub("", text)).split())


def combine(lexical: float | None, semantic: float, lexical_weight: float = LEXICAL_WEIGHT) -> float:
    """The score: a weighted mean of word overlap and meaning, in 0..1 for non-negative cosines;
    meaning alone when the sentence has no countable words."""
    if lexical is None:
        return semantic
    return lexical_weight * lexical + (1 - lexical_weight) * semantic


def lexical_overlap(claim_words: set[str], text_words: set[str]) -> float | None:
    """Share of the claim's content words that the text contains (None: nothing to count)."""
    return len(claim_words & text_words) / len(claim_words) if claim_words else None


def support(embedder: Embedder, claims: list[str], cited: list[list[str]], *, threshold: float,
            lexical_weight: float = LEXICAL_WEIGHT) -> list[Support]:
    """claims[i] is checked against the texts cited[i] (one or more sources, each 'title. abstract');
    supported when score >= threshold for at least one cited text (report the best one)."""
    return [_best(row, threshold, lexical_weight) for row in measure(embedder, claims, cited)]


def _best(row: list[Evidence], threshold: float, lexical_weight: float) -> Support:
    if not row:
        return Support(0.0, 0.0, 0.0, False)
    scores = [combine(e.lexical, e.semantic, lexical_weight) for e in row]
    best = int(np.argmax(scores))
    return Support(row[best].lexical or 0.0, row[best].semantic, scores[best], scores[best] >= threshold, best)


def measure(embedder: Embedder, claims: list[str], cited: list[list[str]]) -> list[list[Evidence]]:
    """The signals of every (claims[i], cited[i][j]) pair, with one embedding call for all the
    distinct texts involved. An empty claim (or text) yields no evidence, never an error."""
    if len(claims) != len(cited):
        raise ValueError(f"{len(claims)} claims but {len(cited)} lists of cited texts")
    cleaned = [clean_claim(c) for c in claims]
    units = {text: _units(text) for row in cited for text in row}
    vectors = _embed_distinct(embedder, [*cleaned, *(u for parts in units.values() for u in parts)])
    text_words = {text: set(content_words(text)) for text in units}
    out: list[list[Evidence]] = []
    for claim, row in zip(cleaned, cited):
        if not claim:
            out.append([])
            continue
        words = set(content_words(claim))
        out.append([Evidence(lexical_overlap(words, text_words[text]),
                             max(float(vectors[claim] @ vectors[u]) for u in units[text]))
                    for text in row if units[text]])
    return out


def _units(text: str) -> list[str]:
    """What a cited text is compared by: each of its sentences, and the whole text."""
    whole = " ".join(text.split())
    return list(dict.fromkeys([*split_sentences(whole), whole])) if whole else []


def _embed_distinct(embedder: Embedder, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Each distinct text embedded once, in small batches of similar length: on 2 CPU cores,
    115 abstract sentences took 620 ms in batches of 16 against 970 ms in batches of 64."""
    distinct = sorted({t for t in texts if t}, key=len)
    chunks = [distinct[i:i + _BATCH] for i in range(0, len(distinct), _BATCH)]
    return dict(zip(distinct, np.vstack([embedder.embed(chunk) for chunk in chunks]))) if distinct else {}
