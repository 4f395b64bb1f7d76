"""``RADAR_EMBEDDING_BACKEND=auto``: the fastest backend that loads on this machine, torch when none does."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from indexing.embeddings import Embedder, FallbackEmbedder, auto_order, get_embedder
from indexing.embeddings_onnx import OnnxEmbedder

MODEL = "all-MiniLM-L6-v2"
TEXTS = ["diffusion models for MRI segmentation", "quantum error correction with surface codes"]


def test_auto_prefers_openvino_only_where_the_cpu_has_bf16() -> None:
    assert auto_order({"avx2", "amx_bf16"})[0] == "openvino"
    assert auto_order({"avx512f", "avx512_bf16"})[0] == "openvino"
    assert auto_order({"avx2", "avx512f"})[0] == "onnx-int8"
    assert auto_order(set())[-1] == "torch"


def test_a_backend_that_cannot_load_falls_back_to_torch(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("the ONNX cache cannot be made under a file")
    embedder = FallbackEmbedder(MODEL, 16, [
        ("onnx-int8", lambda: OnnxEmbedder(MODEL, 16, blocked / "cache")),  # type: ignore[list-item]
        ("torch", lambda: Embedder(MODEL, 16)),
    ])
    with caplog.at_level(logging.WARNING, logger="indexing.embeddings"):
        vectors = embedder.embed(TEXTS)
    assert embedder.backend == "torch"
    assert "onnx-int8 unavailable" in caplog.text and "Cannot create the ONNX model cache" in caplog.text
    np.testing.assert_allclose(vectors, Embedder(MODEL, 16).embed(TEXTS), atol=1e-5)
    assert embedder.dims == 384


def test_auto_loads_the_first_backend_of_its_order_here_and_agrees_with_torch(tmp_path: Path) -> None:
    embedder = get_embedder(MODEL, 16, "auto", str(tmp_path))
    vectors = embedder.embed(TEXTS)
    assert embedder.backend == auto_order()[0]  # openvino and onnxruntime are installed with Radar
    cosines = np.sum(vectors * Embedder(MODEL, 16).embed(TEXTS), axis=1)
    assert cosines.min() > 0.99
