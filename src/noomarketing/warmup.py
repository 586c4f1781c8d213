"""Build, once per Python environment, what a first run would otherwise build while you wait.

Two things make a newcomer's first run slow: exporting the bundled model to int8 ONNX (~20 s)
and numba compiling UMAP's code (~30-60 s). :func:`warmup` does both into the environment's
own folder (:func:`~noomarketing.embedding.cache.environment_cache_dir`), where every later
process finds them whatever its ``HOME`` or ``$NOOMARKETING_CACHE``. ``make install`` runs it
(``noomarketing warmup``); after ``pip install noomarketing``, run it once yourself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from noomarketing.embedding.cache import default_cache_dir, environment_cache_dir

logger = logging.getLogger(__name__)

WARMUP_SIZES = (300, 4200)
"""Synthetic inputs fitted to compile UMAP's code: one below and one above
``segmentation.UMAP_EXACT_LIMIT`` (exact neighbours given to UMAP), so both paths are cached."""


class WarmupReport(BaseModel):
    """What :func:`warmup` built, where, and how long it took."""

    folder: str
    onnx_model: str | None
    onnx_s: float
    numba_folder: str
    numba_s: float

    def summary(self) -> str:
        """Two lines for the terminal."""
        onnx = (
            f"int8 ONNX model: {self.onnx_model} ({self.onnx_s:.1f} s)"
            if self.onnx_model
            else f"int8 ONNX model: not built ({self.onnx_s:.1f} s; the torch model is used)"
        )
        return f"{onnx}\nUMAP's compiled code: {self.numba_folder} ({self.numba_s:.1f} s)"


def writable_folder(preferred: Path) -> Path:
    """``preferred`` when it can be created and written, else the user's cache folder."""
    with contextlib.suppress(OSError):
        preferred.mkdir(parents=True, exist_ok=True)
    if os.access(preferred, os.W_OK):
        return preferred
    logger.warning("%s is not writable; warming up %s instead", preferred, default_cache_dir())
    return default_cache_dir()


def _blobs(n_points: int, seed: int = 0) -> np.ndarray:
    """Unit vectors around eight random centres: enough structure for UMAP and HDBSCAN."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(8, 384))
    vectors = centres[rng.integers(0, 8, n_points)] + 0.6 * rng.normal(size=(n_points, 384))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def warmup(folder: str | Path | None = None, onnx: bool = True) -> WarmupReport:
    """Export the int8 ONNX model and compile UMAP's code into ``folder``.

    ``folder`` defaults to the environment's folder (the user's cache when that is not
    writable). Running it again is quick: what exists is kept.

    >>> report = warmup()  # doctest: +SKIP
    >>> print(report.summary())  # doctest: +SKIP
    int8 ONNX model: .../var/cache/noomarketing/models/all-MiniLM-L6-v2-...-int8.onnx (21.0 s)
    UMAP's compiled code: .../var/cache/noomarketing/numba (41.2 s)
    """
    from noomarketing._numba import import_umap
    from noomarketing.embedding.onnx import onnx_model_file, onnx_unavailable
    from noomarketing.segmentation import SegmentModel

    target = writable_folder(Path(folder) if folder is not None else environment_cache_dir())
    start = time.perf_counter()
    model_file = None
    if onnx:
        reason = onnx_unavailable(target)
        if reason is None:
            model_file = str(onnx_model_file(target))
        else:
            logger.warning("no int8 ONNX model: %s", reason)
    onnx_s = time.perf_counter() - start

    start = time.perf_counter()
    numba_folder = target / "numba"
    import_umap(numba_folder, announce=False)
    for n_points in WARMUP_SIZES:
        vectors = _blobs(n_points)
        texts = [f"warm-up text {i}" for i in range(n_points)]
        model = SegmentModel(embedding="torch", language="off", use_cache=False, progress=False)
        model.fit(texts, embeddings=vectors)
    return WarmupReport(
        folder=str(target),
        onnx_model=model_file,
        onnx_s=onnx_s,
        numba_folder=str(numba_folder),
        numba_s=time.perf_counter() - start,
    )
