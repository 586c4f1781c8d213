"""The embedder interface: anything with ``encode(list[str]) -> ndarray`` works."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

import numpy as np

from noomarketing.schema import NoomarketingError


@runtime_checkable
class Embedder(Protocol):
    """What the pipeline needs from an embedding model.

    ``encode`` maps n texts to an ``(n, d)`` float array. An optional ``name`` attribute
    identifies the model for the on-disk embedding cache; embedders without one are not cached.
    """

    def encode(self, texts: list[str]) -> np.ndarray: ...


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    """L2-normalise rows as float32 (zero rows stay zero), so dot products are cosines.

    >>> normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2:
        raise ValueError(f"embeddings must be 2-d (n_texts, dim), got shape {vectors.shape}")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def apartness(vectors: np.ndarray, centroids: np.ndarray, position: int) -> np.ndarray:
    """How much nearer each unit vector is to centroid ``position`` than to any other centroid.

    The cosine to its own centroid less the highest cosine to another one: positive where
    the text picks its segment out among the others, negative where it is nearer another.

    >>> centroids = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> apartness(np.array([[0.8, 0.6], [0.6, 0.8]]), centroids, 0).round(2).tolist()
    [0.2, -0.2]
    """
    sims = vectors @ np.asarray(centroids).T
    if sims.shape[1] < 2:
        return np.zeros(len(sims))
    return sims[:, position] - np.delete(sims, position, axis=1).max(axis=1)


def encode_unit(embedder: Any, texts: list[str]) -> np.ndarray:
    """Unit float32 vectors of ``texts`` from any ``encode``; a bad result is a clear error.

    The one place an embedder's output is checked (shape, NaN) and normalised.

    >>> class Toy:
    ...     def encode(self, texts):
    ...         return [[3.0, 4.0] for _ in texts]
    >>> encode_unit(Toy(), ["a"]).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    vectors = np.asarray(embedder.encode(texts), dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(texts):
        raise NoomarketingError(
            f"the embedder returned shape {vectors.shape} for {len(texts)} texts"
        )
    if not np.isfinite(vectors).all():
        raise NoomarketingError("the embedder returned NaN or infinite values")
    return normalize_rows(vectors)


def embedder_name(embedder: object) -> str | None:
    """The cache identity of an embedder, or None when it has none."""
    name = getattr(embedder, "name", None)
    return name if isinstance(name, str) and name else None


def available_cores() -> int:
    """CPU cores this process may run on (respects taskset/cgroup affinity).

    >>> available_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextmanager
def logging_disabled(level: int = logging.WARNING) -> Iterator[None]:
    """``logging.disable(level)`` inside the block; the previous setting comes back after, and
    so do the root logger's handlers and level (some libraries call ``basicConfig``).

    >>> with logging_disabled():
    ...     logging.root.manager.disable
    30
    >>> logging.root.manager.disable
    0
    """
    before = logging.root.manager.disable
    handlers, root_level = logging.root.handlers[:], logging.root.level
    logging.disable(level)
    try:
        yield
    finally:
        logging.disable(before)
        logging.root.handlers[:] = handlers
        logging.root.setLevel(root_level)


@contextmanager
def quiet_transformers(progress: bool = False) -> Iterator[None]:
    """Hugging Face libraries log errors only (and, unless ``progress``, show no progress bars)
    inside the block; their previous settings come back after."""
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    if not progress:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        (hf_logging.enable_progress_bar if bars else hf_logging.disable_progress_bar)()
