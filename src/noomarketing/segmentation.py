"""Stage 1a: group feedback into segments (embed → reduce → cluster).

The defaults are UMAP then HDBSCAN, as in the field; any object with ``fit_transform`` can
replace the reducer and any object with ``fit_predict`` the clusterer. With few texts the model
falls back to the method's "few clients: highlight each one's idea": one segment per customer.

New feedback is assigned to the segment whose centroid (mean unit embedding of its members) is
most similar, when that cosine similarity reaches ``outlier_threshold``. The same rule takes
HDBSCAN's noise points into segments when ``outliers="nearest"``. Because the rule needs only
the centroids, a saved model is a few arrays and a JSON file: no pickle.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import numpy as np
from safetensors.numpy import load_file, save_file
from threadpoolctl import threadpool_limits

from noomarketing.embedding import (
    DEFAULT_MODEL,
    MULTILINGUAL_MODEL,
    CachedEmbedder,
    available_cores,
    embedder_from_config,
    embedder_name,
    normalize_rows,
    resolve_embedder,
)
from noomarketing.languages import LanguageMix, auto_embedding, detect_languages, language_mix
from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.progress import show_progress, step
from noomarketing.schema import UNASSIGNED, Feedback, NoomarketingError

logger = logging.getLogger(__name__)

Strategy = Literal["auto", "clusters", "per_customer"]
OutlierPolicy = Literal["nearest", "keep"]
LanguagePolicy = Literal["auto", "off"]

FORMAT_VERSION = 1

UMAP_EXACT_LIMIT = 4096
"""From this many points UMAP would search neighbours with pynndescent, whose kernels numba
cannot cache on disk (they compile for ~40-90 s in every process); we give it exact cosine
neighbours instead (:func:`cosine_knn`)."""

LARGE_N_EPOCHS = 100
"""UMAP optimisation epochs from ``UMAP_EXACT_LIMIT`` points, unless ``n_epochs`` says
otherwise. UMAP itself spends 500 below 10,000 points and 200 above; the layout is the largest
cost of a warm run (~33 ms an epoch at 10k points here). On the clothing reviews, 100 epochs
gave the same segments' quality as 200 within seed noise (NMI vs department, 5 seeds: 0.375 vs
0.379 on all 22.6k; 0.376 vs 0.377 on 10k) in half the layout time."""

KNN_THREADS = min(4, available_cores())
"""Threads of :func:`cosine_knn`: the cores this process may use, at most 4 (memory)."""

ASSIGN_BATCH = 10_000
"""Rows embedded and assigned at a time when the rest of a large input joins the segments."""


def auto_min_cluster_size(n_texts: int) -> int:
    """HDBSCAN ``min_cluster_size`` that grows with the data: ~√n / 2, at least 8.

    >>> auto_min_cluster_size(100), auto_min_cluster_size(300), auto_min_cluster_size(10_000)
    (8, 9, 50)
    """
    return max(8, round(math.sqrt(n_texts) / 2))


def nearest_segments(
    embeddings: np.ndarray, centroids: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the most similar centroid per row (or -1 below ``threshold``) and its cosine.

    >>> idx, sim = nearest_segments(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), 0.5)
    >>> idx.tolist(), sim.tolist()
    ([0, 1], [1.0, 1.0])
    """
    if len(centroids) == 0 or len(embeddings) == 0:
        return np.full(len(embeddings), UNASSIGNED), np.zeros(len(embeddings), np.float32)
    sims = embeddings @ centroids.T
    best = sims.argmax(axis=1)
    best_sim = sims[np.arange(len(best)), best]
    return np.where(best_sim >= threshold, best, UNASSIGNED), best_sim


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


def seeded_sample(n_rows: int, size: int | None, random_state: int | None) -> np.ndarray | None:
    """Sorted positions of a seeded random sample of ``size`` rows; None when all rows fit.

    >>> seeded_sample(10, 3, 0).tolist(), seeded_sample(10, 50, 0)
    ([5, 6, 9], None)
    """
    if size is None or n_rows <= size:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def own_similarity(embeddings: np.ndarray, centroids: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cosine of each row to its segment's centroid (to the nearest one when unassigned).

    >>> own_similarity(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), np.array([1, -1]))
    array([0., 1.], dtype=float32)
    """
    if len(embeddings) == 0 or len(centroids) == 0:
        return np.zeros(len(embeddings), dtype=np.float32)
    sims = embeddings @ centroids.T
    own = sims[np.arange(len(labels)), np.maximum(labels, 0)]
    return np.where(labels >= 0, own, sims.max(axis=1)).astype(np.float32)


def _unit_mean(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm > 0 else mean).astype(np.float32)


class SegmentModel:
    """Segment customer feedback: embed, reduce (UMAP), cluster (HDBSCAN).

    Args:
        embedding: ``None`` lets ``language`` choose; else a registered name (``"default"``,
            ``"multilingual"``...), a sentence-transformers model name or folder, or any object
            with ``encode``. An explicit choice always wins.
        language: ``"auto"`` detects each text's language (``languages_``, ``language_mix_``)
            and, when ``embedding`` is None, picks the model from the mix: the bundled English
            all-MiniLM-L6-v2 when at least 90% of the texts whose language was detected are
            English, else the multilingual USE v3, so that a Polish and an English complaint
            about the same thing share a segment (see
            :func:`noomarketing.languages.auto_embedding`). ``"off"`` or ``None`` detects
            nothing and uses the default model unless ``embedding`` says otherwise.
        reducer: object with ``fit_transform`` (default: UMAP to ``n_components`` dims).
        clusterer: object with ``fit_predict`` (default: HDBSCAN).
        strategy: ``"auto"`` clusters when there are at least ``min_texts`` distinct texts and
            otherwise makes one segment per customer; ``"clusters"``/``"per_customer"`` force it.
        min_texts: below this many distinct texts ``"auto"`` uses one segment per customer.
        min_cluster_size: HDBSCAN's smallest segment (default grows with the data).
        min_samples: HDBSCAN's density smoothing (default: a fifth of ``min_cluster_size``).
        n_neighbors, n_components, min_dist: UMAP's parameters.
        n_epochs: UMAP's optimisation epochs; ``None``: ``LARGE_N_EPOCHS`` (100) from 4,096
            distinct texts, UMAP's own choice (500) below. More epochs, slower, rarely better
            segments.
        outliers: ``"nearest"`` puts noise points into the nearest segment when similar enough;
            ``"keep"`` leaves all of them unassigned. Either way ``unassigned_share_`` says how
            many stayed out.
        outlier_threshold: cosine similarity to a segment centroid needed to join it (for noise
            points and for :meth:`predict`).
        cache_dir: folder of the on-disk embedding cache (default ``~/.cache/noomarketing``);
            ``use_cache=False`` turns caching off.
        progress: progress bars for language detection, embedding, UMAP and HDBSCAN
            (default None: only when interactive, a terminal or a notebook; False: never).
        random_state: one seed for the whole pipeline (same seed → same segments).
        fit_sample_size: with more rows than this, UMAP and HDBSCAN learn the segments from a
            seeded random sample of this many rows and every other row joins the segment with
            the most similar centroid (the :meth:`predict` rule, ``outlier_threshold``
            included), embedded and assigned ``ASSIGN_BATCH`` rows at a time so their
            embeddings are never all in memory. ``None`` always fits on all rows. 50,000 rows
            keep UMAP under ~2 minutes and 1 GB here while a segment of 0.5% still has 250
            members in the sample.

    Attributes learned by :meth:`fit`: ``embeddings_`` (of the rows in ``sample_index_``),
    ``sample_index_`` (positions of the rows UMAP/HDBSCAN saw, or None for all rows),
    ``labels_`` (segment per item, -1 = unassigned), ``similarities_`` (cosine of each item to
    its segment centroid, or to the nearest one when unassigned), ``cluster_labels_`` (the
    clusterer's raw labels, for the sample), ``segment_ids_``,
    ``centroids_``, ``strategy_``, ``strategy_reason_``, ``unassigned_share_``,
    ``customer_segments_`` (per-customer strategy), ``embedder_``, ``reducer_``, ``clusterer_``,
    ``reduced_`` (the reducer's output for the rows in ``sample_index_``, None per customer),
    ``languages_`` (language code per item, None when detection is off), ``language_mix_``
    (:class:`~noomarketing.languages.LanguageMix`), ``embedding_choice_`` (the model and why).

    Example:
        >>> import noomarketing as nm
        >>> fb = nm.load_feedback(nm.example_feedback_path(), text="text", customer="customer_id")
        >>> model = nm.SegmentModel(random_state=0).fit(fb)
        >>> model.n_segments_ > 1
        True
    """

    def __init__(
        self,
        embedding: Any = None,
        reducer: Any = None,
        clusterer: Any = None,
        *,
        strategy: Strategy = "auto",
        min_texts: int = 50,
        min_cluster_size: int | None = None,
        min_samples: int | None = None,
        n_neighbors: int = 15,
        n_components: int = 5,
        min_dist: float = 0.0,
        n_epochs: int | None = None,
        outliers: OutlierPolicy = "nearest",
        outlier_threshold: float = 0.3,
        language: LanguagePolicy | None = "auto",
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
        progress: bool | None = None,
        random_state: int | None = 0,
        fit_sample_size: int | None = 50_000,
    ) -> None:
        self.embedding = embedding
        self.reducer = reducer
        self.clusterer = clusterer
        self.strategy = strategy
        self.min_texts = min_texts
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.min_dist = min_dist
        self.n_epochs = n_epochs
        self.outliers = outliers
        self.outlier_threshold = outlier_threshold
        self.language = language
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.progress = progress
        self.random_state = random_state
        self.fit_sample_size = fit_sample_size

    # ------------------------------------------------------------------ parameters
    def get_params(self) -> dict[str, Any]:
        """The constructor's keyword arguments, as given (scikit-learn style).

        >>> SegmentModel(n_epochs=50).get_params()["n_epochs"]
        50
        """
        return {name: getattr(self, name) for name in _PARAMS}

    def _check_params(self) -> None:
        if self.strategy not in ("auto", "clusters", "per_customer"):
            raise NoomarketingError(
                f"strategy must be 'auto', 'clusters' or 'per_customer', not {self.strategy!r}"
            )
        if self.outliers not in ("nearest", "keep"):
            raise NoomarketingError(f"outliers must be 'nearest' or 'keep', not {self.outliers!r}")
        if not -1.0 <= self.outlier_threshold <= 1.0:
            raise NoomarketingError("outlier_threshold is a cosine similarity: use -1..1")
        if self.min_cluster_size is not None and self.min_cluster_size < 2:
            raise NoomarketingError("min_cluster_size must be at least 2")
        if self.n_components < 1 or self.n_neighbors < 2:
            raise NoomarketingError("n_components must be ≥ 1 and n_neighbors ≥ 2")
        if self.n_epochs is not None and self.n_epochs < 1:
            raise NoomarketingError(f"n_epochs must be None or at least 1, not {self.n_epochs}")
        if self.language not in ("auto", "off", None):
            raise NoomarketingError(
                f"language must be 'auto', 'off' or None, not {self.language!r}"
            )
        if self.fit_sample_size is not None and self.fit_sample_size < self.min_texts:
            raise NoomarketingError(
                f"fit_sample_size must be None or at least min_texts={self.min_texts}"
            )

    # ------------------------------------------------------------------ embedding
    def _make_embedder(self, spec: Any = None) -> Any:
        embedder = resolve_embedder(self.embedding if spec is None else spec)
        if hasattr(embedder, "progress"):
            embedder.progress = show_progress(self.progress)
        return CachedEmbedder(embedder, self.cache_dir) if self.use_cache else embedder

    def _choose_embedder(self, feedback: Feedback, keep_embedder: bool = False) -> None:
        """Detect languages (unless off) and choose the embedder from them (see ``language``).

        Sets ``languages_``, ``language_mix_`` and, unless ``keep_embedder``, ``embedder_`` and
        ``embedding_choice_``.
        """
        self._check_params()
        texts = feedback.texts
        self.languages_: list[str | None] | None = None
        self.language_mix_: LanguageMix | None = None
        if self.language == "auto":
            # Past fit_sample_size rows, detect on the seeded fit sample only (detection reads
            # ~1-4k texts/s): the other rows get None and the mix is the sample's.
            sample = seeded_sample(len(texts), self.fit_sample_size, self.random_state)
            where = range(len(texts)) if sample is None else sample.tolist()
            with step("detecting languages", self.progress):
                guesses = detect_languages(
                    [texts[i] for i in where], cache_dir=self.cache_dir, use_cache=self.use_cache
                )
            self.languages_ = [None] * len(texts)
            for i, guess in zip(where, guesses, strict=True):
                self.languages_[i] = guess.code
            self.language_mix_ = language_mix([guess.code for guess in guesses])
        self._chosen_for = texts
        if keep_embedder:
            return
        if self.embedding is None and self.language_mix_ is not None:
            spec, why = auto_embedding(self.language_mix_)
            model = {"default": DEFAULT_MODEL, "multilingual": MULTILINGUAL_MODEL}[spec]
        else:
            spec, model = self.embedding, None
            why = "language detection is off" if self.embedding is None else "it was asked for"
        self.embedder_ = self._make_embedder(spec)
        model = model or embedder_name(self.embedder_) or type(self.embedder_).__name__
        self.embedding_choice_ = f"{model}: {why}"
        logger.info("embedding with %s", self.embedding_choice_)

    def embed(self, feedback: Feedback | FeedbackSource) -> np.ndarray:
        """Unit embeddings of the feedback texts with this model's embedder (cached on disk).

        Before the embedder is chosen (the first call, or :meth:`fit`), ``language="auto"``
        chooses it from the languages of ``feedback``.

        >>> SegmentModel().embed(["late delivery", "prices are too high"]).shape
        (2, 384)
        """
        feedback = as_feedback(feedback)
        if not hasattr(self, "embedder_"):
            self._choose_embedder(feedback)
        return self._encode(feedback.texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not hasattr(self, "embedder_"):
            self.embedder_ = self._make_embedder()
        vectors = np.asarray(self.embedder_.encode(texts), dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise NoomarketingError(
                f"the embedder returned shape {vectors.shape} for {len(texts)} texts"
            )
        if not np.isfinite(vectors).all():
            raise NoomarketingError("the embedder returned NaN or infinite values")
        return vectors

    # ------------------------------------------------------------------ fitting
    def fit(self, feedback: Feedback | FeedbackSource, embeddings: np.ndarray | None = None):
        """Learn the segments of ``feedback``; pass ``embeddings`` to skip embedding.

        Returns self, so ``SegmentModel().fit(fb).labels_`` reads naturally. Few texts (under
        ``min_texts``) make one segment per customer:

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> model.strategy_, model.labels_.tolist()
        ('per_customer', [0, 1, 2])
        """
        self._check_params()
        feedback = as_feedback(feedback)
        if getattr(self, "_chosen_for", None) != feedback.texts:
            # new data: detect its languages; given embeddings came from the current embedder
            given = embeddings is not None and hasattr(self, "embedder_")
            self._choose_embedder(feedback, keep_embedder=given)
        if embeddings is not None:
            embeddings = np.asarray(embeddings, dtype=np.float32)
            if embeddings.shape[0] != len(feedback):
                raise NoomarketingError(
                    f"got {embeddings.shape[0]} embeddings for {len(feedback)} feedback items"
                )
        sample = None
        if self.strategy != "per_customer":
            sample = seeded_sample(len(feedback), self.fit_sample_size, self.random_state)
        fit_feedback = feedback if sample is None else feedback.subset(sample)
        if sample is not None:
            logger.info("fitting on a seeded sample of %d of %d rows (fit_sample_size); the "
                        "others join the nearest segment", len(sample), len(feedback))
        if embeddings is None:
            fit_embeddings = self.embed(fit_feedback)
        else:
            fit_embeddings = embeddings if sample is None else embeddings[sample]
        self.fitted_rows_ = feedback.rows
        self.customer_segments_: dict[str, int] = {}
        n_distinct = len(np.unique(fit_embeddings.round(5), axis=0))
        strategy = self.strategy
        if strategy == "auto":
            strategy = "clusters" if n_distinct >= self.min_texts else "per_customer"
            self.strategy_reason_ = (
                f"{n_distinct} distinct texts ≥ min_texts={self.min_texts}: clustering"
                if strategy == "clusters"
                else f"only {n_distinct} distinct texts (< min_texts={self.min_texts}): "
                "one segment per customer"
            )
        else:
            self.strategy_reason_ = f"strategy={strategy!r} was asked for"
        if strategy == "clusters" and n_distinct < 3:
            raise NoomarketingError(
                f"cannot cluster {n_distinct} distinct text(s): use strategy='per_customer'"
            )
        self.strategy_ = strategy
        logger.info("strategy %s: %s", strategy, self.strategy_reason_)
        if strategy == "per_customer" and sample is not None:  # a sample has no use here
            sample, fit_feedback = None, feedback
            fit_embeddings = self.embed(feedback) if embeddings is None else embeddings
        self.embeddings_ = fit_embeddings
        self.sample_index_ = sample
        if strategy == "per_customer":
            self._fit_per_customer(fit_feedback, fit_embeddings)
        else:
            self._fit_clusters(fit_embeddings)
        self.similarities_ = own_similarity(fit_embeddings, self.centroids_, self.labels_)
        if sample is not None:
            self._assign_rest(feedback, sample, embeddings)
        counts = np.bincount(self.labels_[self.labels_ >= 0], minlength=len(self.segment_ids_))
        self.segment_sizes_ = counts
        self.unassigned_share_ = float(np.mean(self.labels_ == UNASSIGNED))
        return self

    def _assign_rest(
        self, feedback: Feedback, sample: np.ndarray, embeddings: np.ndarray | None
    ) -> None:
        """Rows outside the fitted sample join the nearest segment, a batch at a time."""
        labels = np.full(len(feedback), UNASSIGNED, dtype=np.int64)
        similarities = np.zeros(len(feedback), dtype=np.float32)
        labels[sample], similarities[sample] = self.labels_, self.similarities_
        rest = np.setdiff1d(np.arange(len(feedback)), sample)
        for start in range(0, len(rest), ASSIGN_BATCH):
            chunk = rest[start : start + ASSIGN_BATCH]
            vectors = (
                embeddings[chunk]
                if embeddings is not None
                else self._encode([feedback.items[i].text for i in chunk])
            )
            labels[chunk], similarities[chunk] = nearest_segments(
                vectors, self.centroids_, self.outlier_threshold
            )
        self.labels_, self.similarities_ = labels, similarities

    def fit_predict(self, feedback: Feedback | FeedbackSource, embeddings=None) -> np.ndarray:
        """Fit and return ``labels_``.

        >>> SegmentModel().fit_predict(["late delivery", "prices are too high"]).tolist()
        [0, 1]
        """
        return self.fit(feedback, embeddings).labels_

    def _fit_per_customer(self, feedback: Feedback, embeddings: np.ndarray) -> None:
        order = list(dict.fromkeys(feedback.customer_ids))
        self.customer_segments_ = {cid: i for i, cid in enumerate(order)}
        self.labels_ = np.array(
            [self.customer_segments_[c] for c in feedback.customer_ids], dtype=np.int64
        )
        self.cluster_labels_ = self.labels_.copy()
        self.segment_ids_ = np.arange(len(order), dtype=np.int64)
        self.centroids_ = np.stack(
            [_unit_mean(embeddings[self.labels_ == s]) for s in self.segment_ids_]
        )
        self.reducer_ = None
        self.clusterer_ = None
        self.reduced_ = None

    def _default_reducer(self, vectors: np.ndarray) -> Any:
        from noomarketing._numba import import_umap

        n_points = len(vectors)
        n_neighbors = max(2, min(self.n_neighbors, n_points - 1))
        knn, n_epochs = (None, None, None), self.n_epochs
        if n_points >= UMAP_EXACT_LIMIT:
            knn = (*cosine_knn(vectors, n_neighbors), None)
            n_epochs = n_epochs or LARGE_N_EPOCHS
        return import_umap().UMAP(
            n_neighbors=n_neighbors,
            precomputed_knn=knn,
            n_epochs=n_epochs,
            n_components=min(self.n_components, max(1, n_points - 2)),
            min_dist=self.min_dist,
            metric="cosine",
            random_state=self.random_state,
            low_memory=True,
            n_jobs=1 if self.random_state is not None else -1,
        )

    def _default_clusterer(self, n_points: int) -> Any:
        from hdbscan import HDBSCAN

        size = self.min_cluster_size or auto_min_cluster_size(n_points)
        size = max(2, min(size, n_points // 2))
        samples = self.min_samples or max(2, size // 5)
        return HDBSCAN(
            min_cluster_size=size,
            min_samples=samples,
            metric="euclidean",
            cluster_selection_method="eom",
            core_dist_n_jobs=1,
        )

    def _fit_clusters(self, embeddings: np.ndarray) -> None:
        # Reduce the distinct vectors only: spam and copy-paste make exact duplicates, which
        # UMAP handles badly and which add nothing to the manifold. Duplicates come back
        # afterwards, so HDBSCAN still sees their weight.
        distinct, inverse = np.unique(embeddings, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        self.reducer_ = self.reducer if self.reducer is not None else self._default_reducer(
            distinct
        )
        with warnings.catch_warnings(), step("reducing (UMAP)", self.progress):
            # we do not use UMAP's transform, so need no index
            warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
            reduced = np.asarray(self.reducer_.fit_transform(distinct))[inverse]
        self.clusterer_ = (
            self.clusterer if self.clusterer is not None else self._default_clusterer(len(reduced))
        )
        self.reduced_ = reduced
        with step("clustering (HDBSCAN)", self.progress):
            raw = np.asarray(self.clusterer_.fit_predict(reduced), dtype=np.int64)
        self.cluster_labels_ = raw
        found = [c for c in np.unique(raw) if c >= 0]
        if not found:  # nothing dense enough: keep everyone together rather than all noise
            self.strategy_reason_ += "; the clusterer found no dense group, so one segment"
            logger.info("the clusterer found no dense group: one segment for all")
            raw = np.zeros_like(raw)
            found = [0]
        # Segment 0 is the largest; ties go to the cluster seen first.
        sizes = {c: int((raw == c).sum()) for c in found}
        first = {c: int(np.argmax(raw == c)) for c in found}
        ordered = sorted(found, key=lambda c: (-sizes[c], first[c]))
        remap = {c: i for i, c in enumerate(ordered)}
        labels = np.array([remap.get(c, UNASSIGNED) for c in raw], dtype=np.int64)
        self.segment_ids_ = np.arange(len(ordered), dtype=np.int64)
        self.centroids_ = np.stack([_unit_mean(embeddings[labels == s]) for s in self.segment_ids_])
        if self.outliers == "nearest":
            noise = labels == UNASSIGNED
            nearest, _ = nearest_segments(
                embeddings[noise], self.centroids_, self.outlier_threshold
            )
            labels[noise] = nearest
        self.labels_ = labels

    # ------------------------------------------------------------------ using a fitted model
    @property
    def n_segments_(self) -> int:
        self._check_fitted()
        return len(self.segment_ids_)

    def _check_fitted(self) -> None:
        if not hasattr(self, "centroids_"):
            raise NoomarketingError("this SegmentModel is not fitted yet: call fit() first")

    def transform(self, feedback: Feedback | FeedbackSource, embeddings=None) -> np.ndarray:
        """Cosine similarity of each feedback item to each segment centroid, shape (n, k).

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> model.transform(["the parcel came a week late"]).argmax(axis=1).tolist()
        [0]
        """
        self._check_fitted()
        vectors = self.embed(feedback) if embeddings is None else np.asarray(embeddings)
        return vectors.astype(np.float32) @ self.centroids_.T

    def predict(self, feedback: Feedback | FeedbackSource, embeddings=None) -> np.ndarray:
        """Segment of each new feedback item (-1 when no segment is similar enough).

        In the per-customer strategy a known customer keeps their own segment. Given raw input
        (a list, frame or file rather than :class:`Feedback`), the result has one label per
        input row: rows loading skipped (blank, NaN) are -1 and keep their place.

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> model.predict(["the parcel came a week late", ""]).tolist()
        [0, -1]
        """
        self._check_fitted()
        given = feedback
        feedback = as_feedback(feedback)
        vectors = self.embed(feedback) if embeddings is None else np.asarray(embeddings)
        labels, _ = nearest_segments(
            vectors.astype(np.float32), self.centroids_, self.outlier_threshold
        )
        if self.customer_segments_:
            known = [self.customer_segments_.get(c, -2) for c in feedback.customer_ids]
            labels = np.where(np.array(known) >= 0, known, labels)
        if not isinstance(given, Feedback) and feedback.report is not None:
            per_row = np.full(feedback.report.n_input_rows, UNASSIGNED, dtype=np.int64)
            per_row[feedback.rows] = labels
            return per_row
        return labels.astype(np.int64)

    def predict_batches(
        self, texts: Iterable[str], batch_size: int = ASSIGN_BATCH
    ) -> Iterator[np.ndarray]:
        """Segments of a stream of texts: one label array per ``batch_size`` texts, in order.

        Only one batch of texts and embeddings is in memory at a time, so a stream of any
        length can be assigned (read it lazily, e.g. ``pandas.read_csv(..., chunksize=...)``).
        The rule is :meth:`predict`'s; blank texts get -1 (unassigned) and keep their place.

        Example:
            >>> import noomarketing as nm
            >>> fb = nm.load_feedback(nm.example_feedback_path(), **nm.EXAMPLE_COLUMNS)
            >>> model = nm.SegmentModel(random_state=0).fit(fb)
            >>> stream = (text for text in fb.texts)
            >>> sum(len(part) for part in model.predict_batches(stream, batch_size=100)) == len(fb)
            True
        """
        self._check_fitted()
        if batch_size < 1:
            raise NoomarketingError(f"batch_size must be at least 1, not {batch_size}")
        return self._predict_stream(iter(texts), batch_size)

    def _predict_stream(self, texts: Iterator[str], batch_size: int) -> Iterator[np.ndarray]:
        while batch := list(islice(texts, batch_size)):
            bad = next((t for t in batch if not isinstance(t, str)), None)
            if bad is not None:
                raise NoomarketingError(
                    f"predict_batches reads strings, got {type(bad).__name__}: {bad!r:.60}"
                )
            labels = np.full(len(batch), UNASSIGNED, dtype=np.int64)
            present = [i for i, text in enumerate(batch) if text.strip()]
            if present:
                vectors = self._encode([batch[i] for i in present])
                labels[present] = nearest_segments(
                    vectors, self.centroids_, self.outlier_threshold
                )[0]
            yield labels

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to a folder: ``config.json`` + ``arrays.safetensors``.

        No pickle: :meth:`load` reads it back, in another process or on another machine.

        >>> import tempfile
        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> folder = model.save(tempfile.mkdtemp())
        >>> SegmentModel.load(folder).predict(["my parcel is late"]).tolist()
        [0]
        """
        self._check_fitted()
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        params = {k: v for k, v in self.get_params().items() if _jsonable(v)}
        config = {
            "format_version": FORMAT_VERSION,
            "noomarketing_version": metadata.version("noomarketing"),
            "params": params,
            "embedder": getattr(self.embedder_, "get_config", lambda: None)(),
            "embedder_name": getattr(self.embedder_, "name", None),
            "custom_embedding": not _jsonable(self.embedding),
            "strategy_": self.strategy_,
            "strategy_reason_": self.strategy_reason_,
            "unassigned_share_": self.unassigned_share_,
            "customer_segments_": self.customer_segments_,
            "embedding_choice_": self.embedding_choice_,
            "language_mix_": (
                None if self.language_mix_ is None else self.language_mix_.model_dump()
            ),
        }
        arrays = {
            "centroids": np.ascontiguousarray(self.centroids_, dtype=np.float32),
            "segment_ids": self.segment_ids_.astype(np.int64),
            "labels": self.labels_.astype(np.int64),
            "cluster_labels": self.cluster_labels_.astype(np.int64),
            "segment_sizes": self.segment_sizes_.astype(np.int64),
        }
        if self.languages_ is not None:  # one code per row: an array, not a long JSON list
            codes = sorted({code for code in self.languages_ if code is not None})
            position = {code: i for i, code in enumerate(codes)}
            config["language_codes"] = codes
            arrays["languages"] = np.array(
                [position.get(code, -1) for code in self.languages_], dtype=np.int16
            )
        (folder / "config.json").write_text(json.dumps(config, indent=2, default=str))
        save_file(arrays, str(folder / "arrays.safetensors"))
        return folder

    @classmethod
    def load(cls, path: str | Path, embedding: Any = None) -> SegmentModel:
        """Load a model saved by :meth:`save`; pass ``embedding`` if it was a custom object.

        See :meth:`save` for an example.
        """
        folder = Path(path)
        config_path = folder / "config.json"
        if not config_path.exists():
            raise NoomarketingError(f"no saved SegmentModel in {folder} (config.json missing)")
        config = json.loads(config_path.read_text())
        if config.get("format_version") != FORMAT_VERSION:
            raise NoomarketingError(
                f"{folder} holds format {config.get('format_version')}, "
                f"this version reads {FORMAT_VERSION}"
            )
        params = dict(config["params"])
        if embedding is None and config.get("custom_embedding"):
            embedding = embedder_from_config(config.get("embedder"))
        if embedding is not None:
            params["embedding"] = embedding
        elif config.get("custom_embedding"):
            raise NoomarketingError(
                f"the model in {folder} was fitted with a custom embedder "
                f"({config.get('embedder')}); pass the same one as embedding= to load it"
            )
        model = cls(**params)
        arrays = load_file(str(folder / "arrays.safetensors"))
        model.centroids_ = arrays["centroids"]
        model.segment_ids_ = arrays["segment_ids"]
        model.labels_ = arrays["labels"]
        model.cluster_labels_ = arrays["cluster_labels"]
        model.segment_sizes_ = arrays["segment_sizes"]
        model.strategy_ = config["strategy_"]
        model.strategy_reason_ = config["strategy_reason_"]
        model.unassigned_share_ = config["unassigned_share_"]
        model.customer_segments_ = config["customer_segments_"]
        mix = config.get("language_mix_")
        model.language_mix_ = None if mix is None else LanguageMix.model_validate(mix)
        model.languages_ = config.get("languages_")  # files of 0.1 kept them in the JSON
        if "languages" in arrays:
            codes = config["language_codes"]
            model.languages_ = [None if i < 0 else codes[i] for i in arrays["languages"].tolist()]
        model.embedding_choice_ = config.get("embedding_choice_", "")
        chosen = None  # the model language="auto" chose: rebuild it from its saved config
        if params.get("embedding") is None and model.embedding_choice_:
            chosen = embedder_from_config(config.get("embedder"))
        model.embedder_ = model._make_embedder(chosen)
        saved_name = config.get("embedder_name")
        if saved_name and getattr(model.embedder_, "name", None) != saved_name:
            raise NoomarketingError(
                f"the model was fitted with embedder {saved_name!r}; pass embedding= to load it"
            )
        return model


_PARAMS = [
    "embedding", "reducer", "clusterer", "strategy", "min_texts", "min_cluster_size",
    "min_samples", "n_neighbors", "n_components", "min_dist", "n_epochs", "outliers",
    "outlier_threshold", "language", "cache_dir", "use_cache", "progress", "random_state",
    "fit_sample_size",
]


def _jsonable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | Path)
