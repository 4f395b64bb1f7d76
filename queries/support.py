"""Provisional: replaced by the support branch."""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexing.embeddings import Embedder


@dataclass(frozen=True, slots=True)
class Support:
    lexical: float
    semantic: float
    score: float
    supported: bool


def is_cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def support(embedder: Embedder, claims: list[str], cited: list[list[str]], *, threshold: float) -> list[Support]:
    out = []
    for claim, texts in zip(claims, cited, strict=True):
        vectors = embedder.embed([claim, *texts])
        best = float(max(vectors[1:] @ vectors[0])) if texts else 0.0
        out.append(Support(0.0, best, best, best >= threshold))
    return out
