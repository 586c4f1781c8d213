"""How a :class:`~noomarketing.segmentation.SegmentModel` finds its clusters: the default
reducer (UMAP) and clusterer (HDBSCAN) at the model's settings, and the cluster step of a fit
(reduce the distinct vectors, cluster them, order the segments by size, place the outliers).

The functions take the model and set its learned state (``reducer_``, ``clusterer_``,
``reduced_``, ``cluster_labels_``, ``segment_ids_``, ``centroids_``, ``labels_``), as the
model's own ``fit`` would.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

import numpy as np

from noomarketing.layout_cache import layout_key, load_layout, store_layout
from noomarketing.neighbours import cosine_knn
from noomarketing.outliers import nearest_segments, vote_noise
from noomarketing.outliers import unit_mean as _unit_mean
from noomarketing.progress import step
from noomarketing.schema import UNASSIGNED

logger = logging.getLogger(__name__)


UMAP_EXACT_LIMIT = 4096
"""From this many points UMAP would search neighbours with pynndescent, whose kernels numba
cannot cache on disk (they compile for ~40-90 s in every process); we give it exact cosine
neighbours instead (:func:`cosine_knn`)."""


LARGE_N_EPOCHS = 200
"""UMAP optimisation epochs from ``UMAP_EXACT_LIMIT`` points, unless ``n_epochs`` says
otherwise. UMAP itself spends 500 below 10,000 points and 200 above; the layout is the largest
cost of a warm run (~33 ms an epoch at 10k points here). 100 epochs gave the same NMI as 200
but segments that moved more with the seed; 500 were no steadier than 100 (clothing reviews,
5 seeds on the same vectors: ``benchmarks/stability.py``)."""


LARGE_N_NEIGHBORS = 50
"""UMAP neighbours from ``LARGE_NEIGHBORS_FROM`` points, unless ``n_neighbors`` says
otherwise (UMAP's own 15 below). With 15, segments moved with the seed on 1,000 and 5,000
clothing reviews (pairwise ARI 0.72 and 0.48; 50: 0.89 and 0.92; ``benchmarks/stability.py``);
NMI stays about the same on the default vectors, 0.015 lower on the torch vectors at 10,000
reviews (``benchmarks/default_quality.py``)."""

LARGE_NEIGHBORS_FROM = 1000
"""Distinct texts from which UMAP gets ``LARGE_N_NEIGHBORS``: below, 50 neighbours are a
large share of the points, and the bundled example (94 distinct texts) read better with 15."""


def auto_n_neighbors(n_points: int, update: bool = False) -> int:
    """UMAP's neighbours for ``n_points`` points when ``n_neighbors`` is ``None``. An
    ``update``'s pool (its batch with a sample of earlier rows) keeps 15 at any size: it looks
    for small new groups, which 50 neighbours merged into the segments the model knew (of the
    three classes ``benchmarks/updating.py`` brings in late, 50 found one, 15 two).

    >>> auto_n_neighbors(300), auto_n_neighbors(5_000), auto_n_neighbors(5_000, update=True)
    (15, 50, 15)
    """
    if update or n_points < LARGE_NEIGHBORS_FROM:
        return 15
    return LARGE_N_NEIGHBORS


def auto_min_cluster_size(n_texts: int) -> int:
    """HDBSCAN ``min_cluster_size`` that grows with the data: ~√n / 2, at least 8.

    >>> auto_min_cluster_size(100), auto_min_cluster_size(300), auto_min_cluster_size(10_000)
    (8, 9, 50)
    """
    return max(8, round(math.sqrt(n_texts) / 2))


def auto_min_samples(min_cluster_size: int, update: bool = False) -> int:
    """HDBSCAN ``min_samples`` when it is ``None``: half of ``min_cluster_size`` (segments that
    move less with the seed: on 10,000 clothing reviews a pairwise ARI of 0.936 between five
    random states against 0.911 at a fifth, NMI vs class 0.421 against 0.420). An ``update``'s
    pool keeps a fifth, as it keeps UMAP's 15 neighbours: the small new groups it looks for
    need the lighter smoothing (at half, ``benchmarks/updating.py`` found two of its three
    late classes, at a fifth all three).

    >>> auto_min_samples(50), auto_min_samples(50, update=True), auto_min_samples(3)
    (25, 10, 2)
    """
    return max(2, min_cluster_size // (5 if update else 2))


def reducer_settings(model: Any, n_points: int, quick: bool = False) -> dict[str, Any]:
    """The default UMAP's settings for ``n_points`` points, and ``exact_knn``: whether its
    neighbours come from :func:`cosine_knn` (from ``UMAP_EXACT_LIMIT`` points, or ``quick``).

    >>> from noomarketing import SegmentModel
    >>> settings = reducer_settings(SegmentModel(), 10_000)
    >>> settings["exact_knn"], settings["n_epochs"], settings["n_neighbors"], settings["metric"]
    (True, 200, 50, 'cosine')
    """
    exact = n_points >= UMAP_EXACT_LIMIT or quick
    return {
        "n_neighbors": max(2, min(model.n_neighbors or auto_n_neighbors(n_points, quick),
                                  n_points - 1)),
        "n_epochs": (model.n_epochs or LARGE_N_EPOCHS) if exact else model.n_epochs,
        "n_components": min(model.n_components, max(1, n_points - 2)),
        "min_dist": model.min_dist,
        "metric": "cosine",
        "random_state": model.random_state,
        "exact_knn": exact,
    }


def default_reducer(model: Any, vectors: np.ndarray, quick: bool = False) -> Any:
    """UMAP for ``vectors``; ``quick`` (an update's few thousand rows): exact neighbours
    and ``LARGE_N_EPOCHS`` at any size, so no numba compilation and a short layout."""
    from noomarketing._numba import import_umap

    settings = reducer_settings(model, len(vectors), quick)
    exact = settings.pop("exact_knn")
    knn = (*cosine_knn(vectors, settings["n_neighbors"]), None) if exact else (None, None, None)
    return import_umap().UMAP(
        **settings,
        precomputed_knn=knn,
        low_memory=True,
        n_jobs=1 if model.random_state is not None else -1,
    )


def default_clusterer(
    model: Any, n_points: int, selection: str = "eom", update: bool = False
) -> Any:
    """HDBSCAN for ``n_points`` at the model's ``min_cluster_size`` (or the automatic one) and
    ``min_samples`` (or :func:`auto_min_samples`; ``update``: an update's pool), with
    ``selection`` excess-of-mass or leaf."""
    from hdbscan import HDBSCAN

    size = model.min_cluster_size or auto_min_cluster_size(n_points)
    size = max(2, min(size, n_points // 2))
    samples = model.min_samples or auto_min_samples(size, update)
    return HDBSCAN(
        min_cluster_size=size,
        min_samples=samples,
        metric="euclidean",
        cluster_selection_method=selection,
        core_dist_n_jobs=1,
    )


def leaf_fallback(model: Any, reduced: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """HDBSCAN's excess-of-mass selection can keep only the one or two biggest branches
    of the cluster tree (vectors whose themes overlap make one big, long-lived branch):
    then the tree's leaves are the segments, when they are more."""
    n_eom = len(set(raw.tolist()) - {UNASSIGNED})
    leaf = default_clusterer(model, len(reduced), selection="leaf")
    labels = np.asarray(leaf.fit_predict(reduced), dtype=np.int64)
    n_leaf = len(set(labels.tolist()) - {UNASSIGNED})
    if n_leaf <= n_eom:
        return raw
    model.clusterer_ = leaf
    model.strategy_reason_ += (
        f"; excess-of-mass selection kept {n_eom} cluster(s), so the cluster tree's "
        f"{n_leaf} leaves are the segments"
    )
    return labels


def reduce_distinct(model: Any, distinct: np.ndarray) -> np.ndarray:
    """The layout of ``distinct`` vectors: the model's own ``reducer`` fitted, or the default
    UMAP's, read from the layout cache when the same vectors were laid out at the same settings
    before (:mod:`noomarketing.layout_cache`; then ``reducer_`` is ``None`` and
    ``layout_cached_`` true: UMAP is neither imported nor run)."""
    model.layout_cached_ = False
    key = None
    if model.reducer is None and model.use_cache and model.random_state is not None:
        settings = reducer_settings(model, len(distinct))
        key = layout_key(distinct, settings)
        cached = load_layout(key, (len(distinct), settings["n_components"]), model.cache_dir)
        if cached is not None:
            model.reducer_ = None
            model.layout_cached_ = True
            return cached
    model.reducer_ = (
        model.reducer if model.reducer is not None else default_reducer(model, distinct)
    )
    with warnings.catch_warnings(), step("reducing (UMAP)", model.progress):
        # we do not use UMAP's transform, so need no index
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        reduced = np.asarray(model.reducer_.fit_transform(distinct))
    if key is not None:
        store_layout(key, reduced, model.cache_dir)
    return reduced


def fit_clusters(model: Any, embeddings: np.ndarray) -> None:
    # Reduce the distinct vectors only: spam and copy-paste make exact duplicates, which
    # UMAP handles badly and which add nothing to the manifold. Duplicates come back
    # afterwards, so HDBSCAN still sees their weight.
    distinct, inverse = np.unique(embeddings, axis=0, return_inverse=True)
    reduced = reduce_distinct(model, distinct)[inverse.reshape(-1)]
    model.clusterer_ = (
        model.clusterer if model.clusterer is not None else default_clusterer(model, len(reduced))
    )
    model.reduced_ = reduced
    with step("clustering (HDBSCAN)", model.progress):
        raw = np.asarray(model.clusterer_.fit_predict(reduced), dtype=np.int64)
    if model.clusterer is None and len(set(raw.tolist()) - {UNASSIGNED}) <= 2:
        raw = leaf_fallback(model, reduced, raw)
    model.cluster_labels_ = raw
    found = [c for c in np.unique(raw) if c >= 0]
    if not found:  # nothing dense enough: keep everyone together rather than all noise
        model.strategy_reason_ += "; the clusterer found no dense group, so one segment"
        logger.info("the clusterer found no dense group: one segment for all")
        raw = np.zeros_like(raw)
        found = [0]
    # Segment 0 is the largest; ties go to the cluster seen first.
    sizes = {c: int((raw == c).sum()) for c in found}
    first = {c: int(np.argmax(raw == c)) for c in found}
    ordered = sorted(found, key=lambda c: (-sizes[c], first[c]))
    remap = {c: i for i, c in enumerate(ordered)}
    labels = np.array([remap.get(c, UNASSIGNED) for c in raw], dtype=np.int64)
    model.segment_ids_ = np.arange(len(ordered), dtype=np.int64)
    model.centroids_ = np.stack([_unit_mean(embeddings[labels == s]) for s in model.segment_ids_])
    if model.outliers == "vote":
        labels = vote_noise(labels, reduced)
    elif model.outliers == "nearest":
        labels = join_nearest(model, embeddings, labels, labels == UNASSIGNED)
    model.labels_ = labels


def join_nearest(
    model: Any, embeddings: np.ndarray, labels: np.ndarray, noise: np.ndarray
) -> np.ndarray:
    """``labels`` with the rows in ``noise`` moved to the segment with the most similar centroid,
    or -1 below ``outlier_threshold``: ``outliers="nearest"``, and the themes' basis."""
    joined = np.asarray(labels).copy()
    joined[noise] = nearest_segments(
        embeddings[noise], model.centroids_, model.outlier_threshold
    )[0]
    return joined


def theme_basis(model: Any, embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The segment of each fitted item that the themes are found from
    (:func:`noomarketing.themes.find_themes`): ``labels``, except that under
    ``outliers="vote"`` HDBSCAN's noise counts with its most similar centroid
    (:func:`join_nearest`), as under ``"nearest"``. Themes are measured in the embedding space,
    where a noise item placed by its layout neighbours can lie nearer another segment; counted
    so, they blurred the silhouette of the clothing reviews into far fewer themes, while the
    news themes stayed the same."""
    if getattr(model, "strategy_", None) != "clusters" or model.outliers != "vote":
        return labels
    return join_nearest(model, embeddings, labels, np.asarray(model.cluster_labels_) < 0)
