"""The ONNX embedder against the PyTorch one: a real export of the packaged all-MiniLM-L6-v2.

The export (and int8 quantisation) runs once per test session, into a temporary folder.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
pytest.importorskip("tokenizers")

from indexing import embeddings_onnx  # noqa: E402
from indexing.embeddings import Embedder  # noqa: E402
from indexing.embeddings_onnx import (  # noqa: E402
    INT8_FILE,
    MANIFEST_FILE,
    ModelSpec,
    OnnxEmbedder,
    l2_normalise,
    length_sorted_batches,
    pad_batch,
    pool,
)
from radar.errors import ConfigError  # noqa: E402

MODEL = "all-MiniLM-L6-v2"

# Varied on purpose: queries and titles, a long abstract (past the 256-token cut), other scripts,
# numbers, code, markup, a single word.
TEXTS = [
    "diffusion models for MRI segmentation",
    "quantum error correction",
    "Attention Is All You Need",
    "ALDH1 expression is associated with poorer prognosis for breast cancer primary tumors.",
    "1 in 5 million in UK have abnormal PrP positivity.",
    "COVID-19 vaccine efficacy in adults over 65: a randomised controlled trial",
    "Graph neural networks for molecular property prediction\nWe propose a message-passing network "
    "that predicts quantum-chemical properties of small molecules from their 3D structure.",
    "Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion "
    "tensor magnetic resonance imaging.\n" + "Alterations of the architecture of cerebral white matter in the "
    "developing human brain can affect cortical development and result in functional disabilities. " * 12,
    "Über die Elektrodynamik bewegter Körper",
    "Réseaux de neurones profonds pour la traduction automatique",
    "東京大学の研究者が新しい超伝導体を発見した",
    "Нейронные сети для распознавания речи",
    "p < 0.001; n = 1,024; 95% CI 1.2-3.4",
    "def attention(q, k, v): return softmax(q @ k.T / sqrt(d)) @ v",
    "<b>Bold</b> claims &amp; results in $\\mathbb{R}^n$",
    "photosynthesis",
    "The quick brown fox jumps over the lazy dog.",
    "Large language models hallucinate citations; we measure how often and why.",
    "Effects of soil microbiome on wheat yield under drought stress",
    "Topological insulators and Majorana zero modes in semiconductor nanowires",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache") / "all-minilm-l6-v2"


@pytest.fixture(scope="module")
def onnx_int8(cache: Path) -> OnnxEmbedder:
    return OnnxEmbedder(MODEL, 8, cache)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return Embedder(MODEL, 64).embed(TEXTS)


def test_int8_vectors_match_pytorch(onnx_int8: OnnxEmbedder, reference: np.ndarray,
                                    record_property: pytest.RecordProperty) -> None:
    vectors = onnx_int8.embed(TEXTS)
    cosine = (vectors * reference).sum(axis=1)
    record_property("min_cosine_int8", float(cosine.min()))
    print(f"int8 vs PyTorch cosine: min {cosine.min():.4f} mean {cosine.mean():.4f}")
    worst = int(cosine.argmin())
    assert cosine.min() >= 0.98, f"{TEXTS[worst]!r}: cosine {cosine[worst]:.4f}"


def test_fp32_export_reproduces_pytorch(cache: Path, onnx_int8: OnnxEmbedder, reference: np.ndarray) -> None:
    onnx_int8.embed(["make sure the export exists"])
    vectors = OnnxEmbedder(MODEL, 8, cache, quantize=False).embed(TEXTS)
    # Same tokeniser, truncation and pooling as sentence-transformers: only float rounding differs.
    assert (vectors * reference).sum(axis=1).min() > 0.9999


def test_output_is_normalised_float32_with_384_dims(onnx_int8: OnnxEmbedder) -> None:
    vectors = onnx_int8.embed(TEXTS[:5])
    assert onnx_int8.dims == 384
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input(cache: Path) -> None:
    vectors = OnnxEmbedder(MODEL, 8, cache).embed([])
    assert vectors.shape == (0, 384) and vectors.dtype == np.float32


def test_second_construction_reuses_the_export(cache: Path, onnx_int8: OnnxEmbedder,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    onnx_int8.embed(["make sure the export exists"])
    files = sorted(p for p in cache.iterdir() if p.is_file() and not p.name.startswith("."))
    assert {p.name for p in files} >= {INT8_FILE, MANIFEST_FILE, "model.onnx"}
    before = {p.name: p.stat().st_mtime_ns for p in files}

    def no_export(*_args: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(embeddings_onnx, "export_onnx", no_export)
    monkeypatch.setattr(embeddings_onnx, "quantize_int8", no_export)
    again = OnnxEmbedder(MODEL, 8, cache)
    assert again.embed(TEXTS[:2]).shape == (2, 384)
    assert {p.name: p.stat().st_mtime_ns for p in files} == before
    assert json.loads((cache / MANIFEST_FILE).read_text())["dims"] == 384


def test_concurrent_first_use_exports_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two embedders racing on an empty cache: one export, both get vectors (threads share the lock file)."""
    calls = []
    real_export = embeddings_onnx.export_onnx

    def counting_export(spec: ModelSpec, target: Path) -> None:
        calls.append(target)
        real_export(spec, target)

    monkeypatch.setattr(embeddings_onnx, "export_onnx", counting_export)
    cache = tmp_path / "race"
    results: list[np.ndarray] = []
    workers = [threading.Thread(target=lambda: results.append(OnnxEmbedder(MODEL, 8, cache).embed(TEXTS[:3])))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(calls) == 1 and len(results) == 2
    assert not [p for p in cache.iterdir() if p.name.endswith(".tmp")]


def test_order_is_preserved_although_batches_are_length_sorted(onnx_int8: OnnxEmbedder) -> None:
    # Batch size 8 and 20 texts of very different lengths: the sorted batches differ from input order.
    vectors = onnx_int8.embed(TEXTS)
    singles = np.vstack([onnx_int8.embed([text]) for text in TEXTS])
    similarity = vectors @ singles.T
    assert (similarity.argmax(axis=1) == np.arange(len(TEXTS))).all()
    assert np.diag(similarity).min() > 0.98  # int8 activations are quantised per batch: close, not equal
    # Reversed input, one batch each time: the same rows, reversed.
    whole = OnnxEmbedder(MODEL, 64, onnx_int8.cache_dir)
    np.testing.assert_allclose(whole.embed(TEXTS[::-1]), whole.embed(TEXTS)[::-1], atol=1e-5)


def test_progress_reports_running_totals(onnx_int8: OnnxEmbedder) -> None:
    seen: list[int] = []
    onnx_int8.embed(TEXTS, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == len(TEXTS) and len(seen) == 3


# --------------------------------------------------------------------------- pure parts


def test_mean_pooling_ignores_padding() -> None:
    hidden = np.array([[[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    np.testing.assert_allclose(pool(hidden, mask, ("mean",)), [[2.0, 3.0]])
    np.testing.assert_allclose(pool(hidden, mask, ("max",)), [[3.0, 4.0]])
    np.testing.assert_allclose(pool(hidden, mask, ("cls",)), [[1.0, 2.0]])
    np.testing.assert_allclose(pool(hidden, mask, ("mean_sqrt_len_tokens",)), [[4.0 / np.sqrt(2), 6.0 / np.sqrt(2)]])
    assert pool(hidden, mask, ("cls", "mean")).shape == (1, 4)


def test_l2_normalise_keeps_zero_rows() -> None:
    out = l2_normalise(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert out.dtype == np.float32


def test_length_sorted_batches_cover_every_index_once() -> None:
    batches = length_sorted_batches([3, 9, 1, 9, 5], 2)
    assert [b.tolist() for b in batches] == [[1, 3], [4, 0], [2]]


def test_pad_batch() -> None:
    ids, mask = pad_batch([[101, 7, 102], [101, 102]], pad_id=0)
    assert ids.tolist() == [[101, 7, 102], [101, 102, 0]] and mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert ids.dtype == np.int64


# --------------------------------------------------------------------------- configuration errors


def test_folder_without_modules_json_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="modules.json"):
        OnnxEmbedder(str(tmp_path), 8, tmp_path / "cache").embed(["x"])


def test_unsupported_pooling_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
    (tmp_path / "config.json").write_text(json.dumps({"hidden_size": 8}))
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_lasttoken": True}))
    with pytest.raises(ConfigError, match="lasttoken"):
        ModelSpec.read(tmp_path)


def test_unknown_module_chain_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]))
    with pytest.raises(ConfigError, match="Dense"):
        ModelSpec.read(tmp_path)


def test_missing_cache_folder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cache"):
        OnnxEmbedder(MODEL, 8, None)


def test_openvino_runtime_matches_pytorch(cache: Path, onnx_int8: OnnxEmbedder, reference: np.ndarray) -> None:
    pytest.importorskip("openvino")
    onnx_int8.embed(["make sure the export exists"])
    vectors = OnnxEmbedder(MODEL, 8, cache, runtime="openvino").embed(TEXTS)
    cosine = (vectors * reference).sum(axis=1)
    print(f"openvino vs PyTorch cosine: min {cosine.min():.4f}")
    assert cosine.min() >= 0.99
