"""Exact cosine nearest neighbours, blocked and threaded, for UMAP on large inputs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from noomarketing.embedding import available_cores, normalize_rows

KNN_THREADS = min(4, available_cores())
"""Threads of :func:`cosine_knn`: the cores this process may use, at most 4 (memory)."""


def cosine_knn(
    vectors: np.ndarray, k: int, block: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``k`` nearest rows by cosine (self first) and their cosine distances.

    Blocked matrix products, one block per core (at most 4) at a time, each with one BLAS
    thread so that the top-k selection runs in parallel too: memory stays at
    ``threads × block × n`` floats; 10k rows take ~0.8 s here, 50k rows ~20 s. The result
    does not depend on the thread count.

    >>> idx, dist = cosine_knn(np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32), 2)
    >>> idx.tolist()
    [[0, 1], [1, 0], [2, 1]]
    """
    unit = normalize_rows(vectors)
    n, k = len(unit), min(k, len(unit))
    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k), dtype=np.float32)

    def one_block(start: int) -> None:
        sims = unit[start : start + block] @ unit.T
        part = np.argpartition(sims, n - k, axis=1)[:, n - k :]  # the k largest, unordered
        top = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-top, axis=1, kind="stable")
        indices[start : start + block] = np.take_along_axis(part, order, axis=1)
        distances[start : start + block] = 1.0 - np.take_along_axis(top, order, axis=1)

    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(KNN_THREADS) as pool:
        list(pool.map(one_block, range(0, n, block)))
    return indices, np.maximum(distances, 0.0)
