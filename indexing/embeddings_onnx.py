"""Sentence embeddings through ONNX: the same vectors as :class:`indexing.embeddings.Embedder`, faster on CPU.

A sentence-transformers model folder (``Transformer`` -> ``Pooling`` -> optional ``Normalize``) is
exported to ONNX once, with ``torch.onnx.export`` of its Hugging Face encoder, and by default
quantised to int8 with ``onnxruntime.quantization.quantize_dynamic`` (weights per output channel;
only the weight matrices, never the attention scores). The files are kept in a cache folder and
reused by every later process. At run time only numpy, ``tokenizers`` and the runtime are needed:
the model's own ``tokenizer.json`` (truncated at the model's ``max_seq_length``), the ONNX encoder,
then pooling and L2 normalisation in numpy exactly as the model's ``1_Pooling`` config says.

Runtimes:

* ``onnxruntime`` (default), int8 (``quantize=True``) or fp32 (``quantize=False``);
* ``openvino`` (optional package), on the fp32 export. OpenVINO picks its own inference precision:
  bf16 on CPUs with AMX/AVX512-BF16, fp32 elsewhere.

Texts are embedded in order of token length so batches carry little padding; rows come back in
the caller's order.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from radar.errors import ConfigError

Runtime = Literal["onnxruntime", "openvino"]

EXPORT_FORMAT = 1
"""Bumped whenever the export or quantisation recipe changes, so old caches are rebuilt."""

FP32_FILE = "model.onnx"
INT8_FILE = "model-int8.onnx"
MANIFEST_FILE = "manifest.json"
SUPPORTED_POOLING = ("cls", "max", "mean", "mean_sqrt_len_tokens")
_LEGACY_POOLING_KEYS = {  # sentence-transformers' order of concatenation
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
CHUNK = 4096
"""Texts tokenised (and length-sorted) at a time; bounds memory on very large inputs."""


# --------------------------------------------------------------------------- pure functions


def pool(hidden: np.ndarray, mask: np.ndarray, modes: Sequence[str] = ("mean",)) -> np.ndarray:
    """Pool token vectors ``hidden`` (batch, seq, dim) under ``mask`` (batch, seq) as sentence-transformers does.

    Several modes are concatenated in the order given. Padding positions never count.
    """
    hidden = np.asarray(hidden, dtype=np.float32)
    mask_f = np.asarray(mask, dtype=np.float32)[..., None]
    out = []
    for mode in modes:
        if mode == "cls":
            first = np.asarray(mask).astype(np.int32).argmax(axis=1)
            out.append(hidden[np.arange(hidden.shape[0]), first])
        elif mode == "max":
            out.append(np.where(mask_f > 0, hidden, -np.inf).max(axis=1))
        elif mode in ("mean", "mean_sqrt_len_tokens"):
            total = (hidden * mask_f).sum(axis=1)
            count = np.clip(mask_f.sum(axis=1), 1e-9, None)
            out.append(total / (count if mode == "mean" else np.sqrt(count)))
        else:
            raise ConfigError(f"Pooling mode {mode!r} is not supported by the ONNX embedder "
                              f"(supported: {', '.join(SUPPORTED_POOLING)}).")
    return out[0] if len(out) == 1 else np.concatenate(out, axis=1)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (all-zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Indices into ``lengths`` grouped in batches of similar length, longest first (stable)."""
    order = np.argsort(-np.asarray(lengths, dtype=np.int64), kind="stable")
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask) as int64 arrays, right-padded to the longest sequence."""
    width = max((len(s) for s in sequences), default=0)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(sequences), width), dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, :len(seq)] = seq
        mask[row, :len(seq)] = 1
    return ids, mask


# --------------------------------------------------------------------------- the model folder


@dataclass(frozen=True)
class ModelSpec:
    """What the ONNX embedder needs to know about a sentence-transformers folder."""

    root: Path                 # the sentence-transformers folder (modules.json)
    transformer: Path          # the Hugging Face model + tokenizer folder (module 0)
    max_seq_length: int
    do_lower_case: bool
    pooling: tuple[str, ...]
    dims: int

    @classmethod
    def read(cls, folder: str | Path) -> ModelSpec:
        root = Path(folder)
        if not (root / "modules.json").is_file():
            raise ConfigError(f"{root} is not a sentence-transformers model folder (no modules.json); "
                              "the ONNX embedder needs a local folder.")
        modules = _read_json(root / "modules.json")
        kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
            raise ConfigError(f"The ONNX embedder supports Transformer -> Pooling [-> Normalize] models; "
                              f"{root} has {' -> '.join(kinds)}.")
        transformer = root / modules[0].get("path", "")
        st_config = _read_json(transformer / "sentence_bert_config.json", {})
        hf_config = _read_json(transformer / "config.json")
        positions = int(hf_config.get("max_position_embeddings") or 512)
        max_len = min(int(st_config.get("max_seq_length") or positions), positions)
        pooling_config = _read_json(root / modules[1]["path"] / "config.json")
        modes = _pooling_modes(pooling_config)
        if pooling_config.get("include_prompt") is False:
            raise ConfigError(f"{root}: pooling with include_prompt=false is not supported by the ONNX embedder.")
        st_model_config = _read_json(root / "config_sentence_transformers.json", {})
        if st_model_config.get("default_prompt_name"):
            raise ConfigError(f"{root}: models with a default prompt are not supported by the ONNX embedder.")
        dim = pooling_config.get("embedding_dimension") or pooling_config.get("word_embedding_dimension") \
            or hf_config.get("hidden_size")
        if not (transformer / "tokenizer.json").is_file():
            raise ConfigError(f"{transformer} has no tokenizer.json (a fast tokenizer); the ONNX embedder needs one.")
        return cls(root=root, transformer=transformer, max_seq_length=int(max_len),
                   do_lower_case=bool(st_config.get("do_lower_case", False)), pooling=modes,
                   dims=int(dim) * len(modes))

    def fingerprint(self) -> str:
        """Changes when the model's weights or configuration change (cheap: sizes, not contents, of weights)."""
        digest = hashlib.sha256(f"format={EXPORT_FORMAT}".encode())
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            rel = path.relative_to(self.root).as_posix()
            if path.suffix in (".json", ".txt"):
                digest.update(rel.encode() + path.read_bytes())
            elif path.suffix in (".safetensors", ".bin"):
                digest.update(f"{rel}:{path.stat().st_size}".encode())
        return digest.hexdigest()[:32]


def _read_json(path: Path, default: Any = None) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if default is not None:
            return default
        raise ConfigError(f"Missing model file {path}.") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read model file {path}: {exc}") from None


def _pooling_modes(config: dict[str, Any]) -> tuple[str, ...]:
    mode = config.get("pooling_mode")
    if mode is None:
        modes = tuple(name for key, name in _LEGACY_POOLING_KEYS.items() if config.get(key)) or ("mean",)
    else:
        modes = (mode,) if isinstance(mode, str) else tuple(mode)
    unsupported = [m for m in modes if m not in SUPPORTED_POOLING]
    if unsupported:
        raise ConfigError(f"Pooling mode(s) {', '.join(unsupported)} are not supported by the ONNX embedder "
                          f"(supported: {', '.join(SUPPORTED_POOLING)}).")
    return modes


# --------------------------------------------------------------------------- export + quantise (once)


def ensure_export(spec: ModelSpec, cache_dir: Path, *, quantize: bool = True) -> Path:
    """The ONNX file for ``spec`` in ``cache_dir``, exported (and quantised) on the first call only.

    Safe against concurrent processes: one exports under a lock file, every file is written under a
    temporary name and renamed into place, and the manifest (written last) says the set is complete.
    """
    wanted = cache_dir / (INT8_FILE if quantize else FP32_FILE)
    fingerprint = spec.fingerprint()
    if _cache_valid(cache_dir, fingerprint, wanted):
        return wanted
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the ONNX model cache {cache_dir}: {exc}") from None
    with _file_lock(cache_dir / ".export.lock"):
        if _cache_valid(cache_dir, fingerprint, wanted):  # another process finished while we waited
            return wanted
        (cache_dir / MANIFEST_FILE).unlink(missing_ok=True)
        fp32 = cache_dir / FP32_FILE
        _atomic_write(fp32, lambda tmp: export_onnx(spec, tmp))
        _atomic_write(cache_dir / INT8_FILE, lambda tmp: quantize_int8(fp32, tmp))
        manifest = {"format": EXPORT_FORMAT, "fingerprint": fingerprint, "source": str(spec.root),
                    "max_seq_length": spec.max_seq_length, "pooling": list(spec.pooling), "dims": spec.dims,
                    "files": [FP32_FILE, INT8_FILE], "versions": _versions()}
        _atomic_write(cache_dir / MANIFEST_FILE,
                      lambda tmp: tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8"))
    return wanted


def _cache_valid(cache_dir: Path, fingerprint: str, wanted: Path) -> bool:
    try:
        manifest = json.loads((cache_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("fingerprint") == fingerprint and wanted.is_file()


def _atomic_write(target: Path, write: Callable[[Path], Any]) -> None:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)  # mkstemp makes owner-only files; the cache is ordinary data
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: temp files + rename still keep the cache consistent
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("torch", "transformers", "onnx", "onnxruntime"):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    return found


def export_onnx(spec: ModelSpec, target: Path) -> None:
    """Export the model's encoder (token vectors, ``last_hidden_state``) to ONNX with dynamic batch and length."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ConfigError(f"Exporting the embedding model to ONNX needs torch and transformers ({exc}).") from None
    import inspect

    # Eager attention traces to plain MatMul/Softmax, which onnxruntime fuses and quantises well.
    try:
        model = AutoModel.from_pretrained(str(spec.transformer), attn_implementation="eager")
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot load {spec.transformer} for ONNX export: {exc}") from None
    model.eval()
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(model.forward).parameters:
        names.append("token_type_ids")

    class Encoder(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, inputs, strict=True))).last_hidden_state

    ids = torch.tensor([[101, 2023, 2003, 1037, 7099, 102], [101, 7099, 102, 0, 0, 0]], dtype=torch.int64)
    ids = ids.clamp(max=model.config.vocab_size - 1)
    mask = (ids != 0).to(torch.int64)
    sample = (ids, mask, torch.zeros_like(ids))[:len(names)]
    axes = {name: {0: "batch", 1: "sequence"} for name in [*names, "last_hidden_state"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer and exporter chatter; the export is checked below
        try:
            torch.onnx.export(Encoder(model).eval(), sample, str(target), input_names=names,
                              output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17,
                              dynamo=False)
        except Exception as exc:  # noqa: BLE001 - any exporter failure is a configuration problem here
            raise ConfigError(f"ONNX export of {spec.root} failed: {exc}") from None
    _check_export(model, names, target)


def _check_export(model: Any, names: list[str], path: Path) -> None:
    """The exported graph must match PyTorch on a batch of another shape than the traced one."""
    import onnxruntime as ort
    import torch

    model.eval()
    rng = np.random.default_rng(0)
    ids = rng.integers(1000, min(model.config.vocab_size, 20000), size=(3, 17), dtype=np.int64)
    mask = np.ones_like(ids)
    mask[1, 9:] = 0
    mask[2, 4:] = 0
    ids[mask == 0] = 0
    feeds = dict(zip(names, (ids, mask, np.zeros_like(ids)), strict=False))
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    with torch.no_grad():
        want = model(**{k: torch.from_numpy(v) for k, v in feeds.items()}).last_hidden_state.numpy()
    error = float(np.abs((got - want) * mask[..., None]).max())
    if not error < 1e-3:
        raise ConfigError(f"ONNX export does not match PyTorch (max difference {error:.2g}); not using it.")


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weight MatMuls (per output channel; attention scores stay fp32)."""
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.quantization.shape_inference import quant_pre_process
    except ImportError as exc:
        raise ConfigError(f"int8 quantisation needs the packages onnx and onnxruntime ({exc}).") from None
    with _quiet_root_logger(), tempfile.TemporaryDirectory(dir=target.parent, prefix=".quantize.") as work:
        prepared = Path(work) / "prepared.onnx"
        # Shape inference + constant folding first, as onnxruntime recommends before quantising.
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        graph = onnx.load(str(prepared), load_external_data=False).graph
        weights = {init.name for init in graph.initializer}
        activations_only = [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] not in weights]
        quantize_dynamic(str(prepared), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"], nodes_to_exclude=activations_only,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """onnxruntime.quantization logs through the root logger (configuring it on the way): undo that."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


# --------------------------------------------------------------------------- the embedder


def available_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class OnnxEmbedder:
    """Turns texts into L2-normalised float32 vectors with an ONNX export of a sentence-transformers model.

    Same interface as :class:`indexing.embeddings.Embedder`. ``cache_dir`` holds the export (for
    example ``$RADAR_HOME/models/all-minilm-l6-v2-onnx/``); it is made on first use.
    """

    def __init__(self, name: str, batch_size: int = 64, cache_dir: str | Path | None = None, *,
                 quantize: bool = True, runtime: Runtime = "onnxruntime", threads: int | None = None) -> None:
        if runtime not in ("onnxruntime", "openvino"):
            raise ConfigError(f"Unknown ONNX runtime {runtime!r} (onnxruntime or openvino).")
        if cache_dir is None:
            raise ConfigError("OnnxEmbedder needs a cache folder for its ONNX export.")
        self.name = name
        self.batch_size = batch_size
        self.cache_dir = Path(cache_dir)
        self.quantize = quantize and runtime == "onnxruntime"  # OpenVINO runs the fp32 graph at its own precision
        self.runtime = runtime
        self.threads = threads or available_cpus()
        self.backend = "openvino" if runtime == "openvino" else ("onnx-int8" if self.quantize else "onnx-fp32")
        self._spec: ModelSpec | None = None
        self._tokenizer = None
        self._run: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None
        self._inputs: list[str] = []
        self._lock = threading.Lock()

    @property
    def spec(self) -> ModelSpec:
        if self._spec is None:
            from indexing.embeddings import model_location

            self._spec = ModelSpec.read(model_location(self.name))
        return self._spec

    @property
    def dims(self) -> int:
        return self.spec.dims

    @property
    def model(self) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
        """The loaded runtime (exported on first use); touching it warms the embedder up."""
        with self._lock:
            if self._run is None:
                self._load()
            assert self._run is not None
            return self._run

    def _load(self) -> None:
        spec = self.spec
        path = ensure_export(spec, self.cache_dir, quantize=self.quantize)
        self._tokenizer = self._make_tokenizer(spec)
        if self.runtime == "openvino":
            self._run, self._inputs = self._openvino(path)
        else:
            self._run, self._inputs = self._onnxruntime(path)

    def _make_tokenizer(self, spec: ModelSpec):  # noqa: ANN202 - tokenizers.Tokenizer
        try:
            from tokenizers import Tokenizer
        except ImportError:
            raise ConfigError("The ONNX embedder needs the package tokenizers.") from None
        tokenizer = Tokenizer.from_file(str(spec.transformer / "tokenizer.json"))
        tokenizer.no_padding()  # tokenizer.json may pin a fixed padding; batches are padded here
        tokenizer.enable_truncation(max_length=spec.max_seq_length)
        config = _read_json(spec.transformer / "tokenizer_config.json", {})
        pad = config.get("pad_token")
        pad = pad.get("content") if isinstance(pad, dict) else pad
        pad_id = tokenizer.token_to_id(pad) if pad else None
        self._pad_id = int(pad_id) if pad_id is not None else 0
        return tokenizer

    def _onnxruntime(self, path: Path) -> tuple[Callable[[dict[str, np.ndarray]], np.ndarray], list[str]]:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ConfigError("The ONNX embedder needs the package onnxruntime.") from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Busy-waiting threads only steal CPU from the rest of the process (and from neighbours).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - a corrupt or incompatible cache file
            raise ConfigError(f"Cannot load {path} ({exc}); delete {self.cache_dir} to export again.") from None
        inputs = [i.name for i in session.get_inputs()]
        return (lambda feeds: session.run(None, feeds)[0]), inputs

    def _openvino(self, path: Path) -> tuple[Callable[[dict[str, np.ndarray]], np.ndarray], list[str]]:
        try:
            import openvino as ov
        except ImportError:
            raise ConfigError("The openvino runtime needs the package openvino.") from None
        core = ov.Core()
        compiled = core.compile_model(str(path), "CPU", {"INFERENCE_NUM_THREADS": self.threads,
                                                         "PERFORMANCE_HINT": "LATENCY"})
        request = compiled.create_infer_request()
        inputs = [port.get_any_name() for port in compiled.inputs]
        busy = threading.Lock()  # an infer request serves one call at a time

        def run(feeds: dict[str, np.ndarray]) -> np.ndarray:
            with busy:
                return np.array(request.infer(feeds)[0])

        return run, inputs

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts`` (one row each); ``progress`` hears how many are done after each batch."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not len(texts):
            return out
        run = self.model
        done = 0
        for start in range(0, len(texts), CHUNK):
            chunk = [str(t) for t in texts[start:start + CHUNK]]
            if self.spec.do_lower_case:
                chunk = [t.lower() for t in chunk]
            ids = [e.ids for e in self._tokenizer.encode_batch(chunk)]
            for batch in length_sorted_batches([len(s) for s in ids], self.batch_size):
                input_ids, mask = pad_batch([ids[i] for i in batch], self._pad_id)
                feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
                hidden = run({k: feeds[k] for k in self._inputs})
                out[start + batch] = l2_normalise(pool(hidden, mask, self.spec.pooling))
                done += len(batch)
                if progress:
                    progress(done)
        return out
