"""An embedder that remembers what it embedded during one brief: the extractive writer and the
support check embed many of the same sentences, and each costs a model call."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from indexing.embeddings import Embedder


class MemoEmbedder:
    """Same ``name`` and ``embed`` as the wrapped embedder, each distinct text embedded once."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.name = embedder.name
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def model(self):  # noqa: ANN201 - the wrapped model, loaded on first use
        return self.inner.model

    @property
    def dims(self) -> int:
        return self.inner.dims

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self.inner.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, self.inner.dims), dtype=np.float32)
        return np.vstack([self._vectors[t] for t in texts])
