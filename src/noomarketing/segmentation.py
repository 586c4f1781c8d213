"""Stage 1a: group feedback into segments (embed → reduce → cluster).

The defaults are UMAP then HDBSCAN, as in the field; any object with ``fit_transform`` can
replace the reducer and any object with ``fit_predict`` the clusterer. With few texts the model
falls back to the method's "few clients: highlight each one's idea": one segment per customer.

New feedback is assigned to the segment whose centroid (mean unit embedding of its members) is
most similar, when that cosine similarity reaches ``outlier_threshold``; HDBSCAN's noise points
join by a vote of their neighbours in the UMAP layout (:mod:`noomarketing.outliers`).
A saved model is a few arrays and a JSON file, no pickle (:mod:`noomarketing.persistence`); the
embedder is chosen in :mod:`noomarketing.embedding_choice`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from noomarketing import clustering, updating
from noomarketing.clustering import (  # noqa: F401  (importable from here, as before)
    LARGE_N_EPOCHS,
    UMAP_EXACT_LIMIT,
    auto_min_cluster_size,
)
from noomarketing.embedding_choice import EmbedderChoice
from noomarketing.loading import FeedbackSource, as_feedback, per_input_row
from noomarketing.neighbours import cosine_knn
from noomarketing.outliers import assign_rest, assign_stream, nearest_segments, own_similarity
from noomarketing.outliers import unit_mean as _unit_mean
from noomarketing.params import check_segment_params
from noomarketing.persistence import FORMAT_VERSION, load_model, save_model
from noomarketing.schema import UNASSIGNED, Feedback, NoomarketingError
from noomarketing.strategies import (
    choose_strategy,
    known_segments,
    per_customer_segments,
    per_text_segments,
    seeded_sample,
)
from noomarketing.themes import find_themes

logger = logging.getLogger(__name__)

Strategy = Literal["auto", "clusters", "per_customer"]
OutlierPolicy = Literal["vote", "nearest", "keep"]
LanguagePolicy = Literal["auto", "off"]

ASSIGN_BATCH = 10_000
"""Rows embedded and assigned at a time when the rest of a large input joins the segments."""

# cosine_knn, nearest_segments, own_similarity and seeded_sample live in their own modules
# (neighbours, outliers, strategies) and stay importable from here
__all__ = ["FORMAT_VERSION", "ModelNotFittedError", "SegmentModel", "auto_min_cluster_size",
           "cosine_knn", "nearest_segments", "own_similarity", "seeded_sample"]


class ModelNotFittedError(NoomarketingError, NotFittedError):
    """A :class:`SegmentModel` used before :meth:`~SegmentModel.fit` (scikit-learn's
    ``NotFittedError`` too, so ``sklearn.utils.validation.check_is_fitted`` users catch it)."""


class SegmentModel(EmbedderChoice, BaseEstimator):
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
        clusterer: object with ``fit_predict`` (default: HDBSCAN with excess-of-mass
            selection, or the cluster tree's leaves when that keeps two clusters or fewer).
        strategy: ``"auto"`` clusters when there are at least ``min_texts`` distinct texts and
            otherwise makes one segment per customer; ``"clusters"``/``"per_customer"`` force it.
        min_texts: below this many distinct texts ``"auto"`` uses one segment per customer.
        min_cluster_size: HDBSCAN's smallest segment (default grows with the data).
        min_samples: HDBSCAN's smoothing (default: half of ``min_cluster_size``, an update's fifth).
        n_neighbors, n_components, min_dist: UMAP's parameters; ``n_neighbors=None``: 50 from
            1,000 distinct texts (segments that move less with the seed), UMAP's 15 below.
        n_epochs: UMAP's optimisation epochs; ``None``: ``LARGE_N_EPOCHS`` (200) from 4,096
            distinct texts, UMAP's own choice (500) below. Fewer epochs are faster but let the
            segments move more with ``random_state``.
        outliers: ``"vote"`` puts each noise point into the segment of most of its 15 nearest
            clustered neighbours in the UMAP layout; ``"nearest"`` into the segment with the
            most similar centroid, when similar enough; ``"keep"`` leaves them unassigned.
            ``unassigned_share_`` says how many stayed out.
        outlier_threshold: cosine similarity to a segment centroid needed to join it (for
            :meth:`predict`, rows outside a fit's sample, and noise points by ``"nearest"``).
        cache_dir: folder of the on-disk embedding cache (default ``~/.cache/noomarketing``),
            which also keeps UMAP layouts (:mod:`noomarketing.layout_cache`);
            ``use_cache=False`` turns both off.
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

    A scikit-learn estimator: ``get_params``/``set_params``, ``sklearn.base.clone``, a place in
    a ``Pipeline`` or ``GridSearchCV`` (score with a scorer such as
    ``make_scorer(normalized_mutual_info_score)``). Parameters are checked when :meth:`fit`
    runs; a bad one is a one-line :class:`~noomarketing.schema.NoomarketingError`. Using the
    model before :meth:`fit` raises :class:`ModelNotFittedError`.

    Texts without a customer id (plain strings, or rows whose customer cell is empty) are
    anonymous: they make their own segment in the per-customer strategy, but :meth:`predict`
    never maps new feedback to a segment through a customer id the user did not give.

    Attributes learned by :meth:`fit`: ``embeddings_`` (of the rows in ``sample_index_``),
    ``sample_index_`` (positions of the rows UMAP/HDBSCAN saw, or None for all rows),
    ``labels_`` (segment per item, -1 = unassigned), ``similarities_`` (cosine of each item to
    its segment centroid, or to the nearest one when unassigned), ``cluster_labels_`` (the
    clusterer's raw labels, for the sample), ``segment_ids_``,
    ``centroids_``, ``themes_`` (theme of each segment: segments grouped by their centroids,
    sized without labels, see :mod:`noomarketing.themes`; -1 for a segment an update found
    gone), ``strategy_``, ``strategy_reason_``, ``unassigned_share_``,
    ``customer_segments_`` (per-customer strategy: given customer id → segment),
    ``fingerprint_`` (:attr:`Feedback.fingerprint` of the fitted texts), ``embedder_``,
    ``reducer_`` (``None`` when the layout came from the cache), ``clusterer_``,
    ``layout_cached_`` (whether the default UMAP's layout was read from the cache folder
    instead of computed: the same vectors at the same settings and ``random_state``),
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
        n_neighbors: int | None = None,
        n_components: int = 5,
        min_dist: float = 0.0,
        n_epochs: int | None = None,
        outliers: OutlierPolicy = "vote",
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
    def validate(self) -> SegmentModel:
        """Check every parameter now (``fit`` does too): returns self or raises one line.

        >>> SegmentModel(random_state=-1).validate()
        Traceback (most recent call last):
        ...
        noomarketing.schema.NoomarketingError: random_state must be None or an integer \
from 0 to 4294967295, not -1
        """
        check_segment_params(self)
        return self

    def samples(self, n_rows: int) -> bool:
        """Whether :meth:`fit` learns from a sample of ``n_rows`` rows (``fit_sample_size``).

        >>> SegmentModel(fit_sample_size=100).samples(1000), SegmentModel().samples(1000)
        (True, False)
        """
        return (
            self.strategy != "per_customer"
            and self.fit_sample_size is not None
            and n_rows > self.fit_sample_size
        )

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        feedback: Feedback | FeedbackSource,
        y: Any = None,
        *,
        embeddings: np.ndarray | None = None,
        previous: SegmentModel | None = None,
    ) -> SegmentModel:
        """Learn the segments of ``feedback``; pass ``embeddings`` to skip embedding.

        ``y`` is ignored (scikit-learn's signature). Returns self, so
        ``SegmentModel().fit(fb).labels_`` reads naturally. ``previous`` (a model fitted
        before, with the same embedding) keeps its segment ids: the same idea keeps its id,
        a new one gets an id above every previous one, and ``gone_segments_`` lists those
        not found again (:func:`noomarketing.updating.follow_previous`). Few texts (under
        ``min_texts``) make one segment per customer:

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> model.strategy_, model.labels_.tolist()
        ('per_customer', [0, 1, 2])
        """
        self.validate()
        updating.check_previous(previous)
        feedback = as_feedback(feedback)
        if getattr(self, "_chosen_for", None) != feedback.fingerprint:
            if embeddings is not None and hasattr(self, "embedder_"):
                self._detect(feedback)  # given embeddings came from the current embedder
                self._chosen_for = feedback.fingerprint
            else:
                self._choose_embedder(feedback)
        embeddings = self._given(feedback, embeddings)
        sample = seeded_sample(len(feedback), self.fit_sample_size, self.random_state)
        if not self.samples(len(feedback)):
            sample = None
        fit_embeddings = self._rows(feedback, sample, embeddings)
        self.fingerprint_ = feedback.fingerprint
        self.customer_segments_: dict[str, int] = {}
        n_distinct = len(np.unique(fit_embeddings.round(5), axis=0))
        n_customers = len({(i.anonymous, i.row if i.anonymous else i.customer_id)
                           for i in (feedback.items if sample is None
                                     else (feedback.items[r] for r in sample))})
        self.strategy_, self.strategy_reason_ = choose_strategy(
            self.strategy, n_distinct, self.min_texts, n_customers
        )
        logger.info("strategy %s: %s", self.strategy_, self.strategy_reason_)
        if self.strategy_ == "per_customer" and sample is not None:  # a sample has no use here
            sample = None
            fit_embeddings = self._rows(feedback, None, embeddings)
        self.embeddings_ = fit_embeddings
        self.sample_index_ = sample
        if self.strategy_ == "per_customer":
            self._fit_per_customer(feedback, fit_embeddings)
        elif self.strategy_ == "per_text":
            self._fit_given(per_text_segments(fit_embeddings), fit_embeddings)
        else:
            clustering.fit_clusters(self, fit_embeddings)
        self.similarities_ = own_similarity(fit_embeddings, self.centroids_, self.labels_)
        if sample is not None:
            self.labels_, self.similarities_ = assign_rest(
                len(feedback), sample, (self.labels_, self.similarities_),
                lambda rows: self._rows(feedback, rows, embeddings),
                self.centroids_, self.outlier_threshold, ASSIGN_BATCH,
            )
        counts = np.bincount(self.labels_[self.labels_ >= 0], minlength=len(self.segment_ids_))
        self.segment_sizes_ = counts
        self.unassigned_share_ = float(np.mean(self.labels_ == UNASSIGNED))
        updating.start_history(self)
        if previous is not None:
            updating.follow_previous(self, previous)
        else:
            updating.record_batch(self, self.labels_)
        fitted_labels = self.labels_ if sample is None else self.labels_[sample]
        self.themes_ = find_themes(fit_embeddings, clustering.theme_basis(
            self, fit_embeddings, fitted_labels), len(self.segment_ids_), self.random_state)
        return self

    def update(
        self,
        new_feedback: Feedback | FeedbackSource,
        *,
        embeddings: np.ndarray | None = None,
        batch: str | None = None,
    ) -> SegmentModel:
        """Take in a new batch: rows join their segment, dense new groups become segments
        with new ids (one segment per customer: each customer the model does not know gets
        one); old ids keep their meaning (:mod:`noomarketing.updating`). Afterwards
        ``labels_``, ``similarities_`` and ``embeddings_`` describe the batch, named ``batch``
        (default: its number) in ``batches_``.

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> model.update(["the parcel came late"], batch="February").batches_
        ['1', 'February']
        """
        return updating.update_model(self, new_feedback, embeddings, batch)

    def _rows(
        self, feedback: Feedback, rows: np.ndarray | None, embeddings: np.ndarray | None
    ) -> np.ndarray:
        """Embeddings of the items at ``rows`` (all when None): given ones, or embedded now."""
        if embeddings is not None:
            return embeddings if rows is None else embeddings[rows]
        texts = feedback.texts
        return self._encode(texts if rows is None else [texts[i] for i in rows])

    def fit_predict(
        self, feedback: Feedback | FeedbackSource, y: Any = None, *, embeddings=None
    ) -> np.ndarray:
        """Fit and return ``labels_`` (one per loaded feedback item).

        >>> SegmentModel().fit_predict(["late delivery", "prices are too high"]).tolist()
        [0, 1]
        """
        return self.fit(feedback, embeddings=embeddings).labels_

    def fit_transform(
        self, feedback: Feedback | FeedbackSource, y: Any = None, *, embeddings=None
    ) -> np.ndarray:
        """Fit, then :meth:`transform` the same feedback: shape (n items, n segments).

        >>> SegmentModel().fit_transform(["late delivery", "prices are too high"]).shape
        (2, 2)
        """
        feedback = as_feedback(feedback)
        self.fit(feedback, embeddings=embeddings)
        if embeddings is None and self.sample_index_ is None:
            embeddings = self.embeddings_
        return self.transform(feedback, embeddings=embeddings)

    def _fit_per_customer(self, feedback: Feedback, embeddings: np.ndarray) -> None:
        labels, self.customer_segments_ = per_customer_segments(feedback)
        self._fit_given(labels, embeddings)

    def _fit_given(self, labels: np.ndarray, embeddings: np.ndarray) -> None:
        """Segments given as ``labels`` (0..k-1, none unassigned): no reducer, no clusterer."""
        self.labels_ = labels
        self.cluster_labels_ = self.labels_.copy()
        self.segment_ids_ = np.arange(self.labels_.max() + 1, dtype=np.int64)
        self.centroids_ = np.stack(
            [_unit_mean(embeddings[self.labels_ == s]) for s in self.segment_ids_]
        )
        self.reducer_ = None
        self.clusterer_ = None
        self.reduced_ = None
        self.layout_cached_ = False

    def _default_reducer(self, vectors: np.ndarray, quick: bool = False) -> Any:
        """UMAP for ``vectors`` at this model's settings (:func:`clustering.default_reducer`)."""
        return clustering.default_reducer(self, vectors, quick)

    def _default_clusterer(self, n_points: int, **options: Any) -> Any:
        """HDBSCAN at this model's settings (:func:`clustering.default_clusterer`)."""
        return clustering.default_clusterer(self, n_points, **options)

    # ------------------------------------------------------------------ using a fitted model
    @property
    def n_segments_(self) -> int:
        self._check_fitted()
        return len(self.segment_ids_)

    @property
    def n_themes_(self) -> int:
        """How many themes group the segments (:mod:`noomarketing.themes`).

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> 1 <= model.n_themes_ <= model.n_segments_
        True
        """
        self._check_fitted()
        return len(set(self.themes_.tolist()) - {UNASSIGNED})

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "centroids_")

    def _check_fitted(self) -> None:
        if not hasattr(self, "centroids_"):
            raise ModelNotFittedError("this SegmentModel is not fitted yet: call fit() first")

    @staticmethod
    def _given(feedback: Feedback, embeddings: Any) -> np.ndarray | None:
        """Embeddings the user gave, as float32, checked against ``feedback``."""
        if embeddings is None:
            return None
        vectors = np.asarray(embeddings, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(feedback):
            raise NoomarketingError(
                f"got embeddings of shape {vectors.shape} for {len(feedback)} feedback items"
            )
        return vectors

    def _vectors(self, feedback: Feedback, embeddings: Any) -> np.ndarray:
        vectors = self._given(feedback, embeddings)
        return self._encode(feedback.texts) if vectors is None else vectors

    def transform(self, feedback: Feedback | FeedbackSource, *, embeddings=None) -> np.ndarray:
        """Cosine similarity of each feedback item to each segment centroid, shape (n, k).

        ``n`` counts what was given: the items of a :class:`Feedback`, or every input row of
        raw input (a list, frame or file), where rows loading skipped (blank, NaN) are rows of
        NaN, as :meth:`predict` gives them -1. Column ``s`` is segment ``s``.

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> model.transform(["the parcel came a week late", ""]).shape
        (2, 3)
        """
        self._check_fitted()
        given, feedback = feedback, as_feedback(feedback)
        similarities = self._vectors(feedback, embeddings) @ self.centroids_.T
        return per_input_row(given, feedback, similarities.astype(np.float32), np.nan)

    def predict(self, feedback: Feedback | FeedbackSource, *, embeddings=None) -> np.ndarray:
        """Segment of each new feedback item (-1 when no segment is similar enough).

        The rule is the nearest centroid (:mod:`noomarketing.outliers`). In the per-customer
        strategy a customer the model knows by an id the user gave keeps their segment;
        anonymous texts never do. Rows are counted as in :meth:`transform`: raw input gets one
        label per input row, rows loading skipped are -1 and keep their place.

        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> labels = model.predict(["the parcel came a week late", ""])
        >>> len(labels), int(labels[1])
        (2, -1)
        """
        self._check_fitted()
        given, feedback = feedback, as_feedback(feedback)
        vectors = self._vectors(feedback, embeddings)
        labels, _ = nearest_segments(vectors, self.centroids_, self.outlier_threshold)
        labels = labels.astype(np.int64)
        if self.customer_segments_:
            known = known_segments(feedback, self.customer_segments_)
            labels = np.where(known == UNASSIGNED, labels, known)
        return per_input_row(given, feedback, labels, UNASSIGNED)

    def predict_batches(
        self, texts: Iterable[str], batch_size: int = ASSIGN_BATCH
    ) -> Iterator[np.ndarray]:
        """Segments of a stream of texts: one label array per ``batch_size`` texts, in order.

        Only one batch of texts and embeddings is in memory at a time, so a stream of any
        length can be assigned (read it lazily, e.g. ``pandas.read_csv(..., chunksize=...)``).
        The texts are anonymous, so the labels are :meth:`predict`'s for the same texts; blank
        texts get -1 (unassigned) and keep their place.

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
        return assign_stream(
            iter(texts), self._encode, self.centroids_, self.outlier_threshold, batch_size
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Write the fitted model to a folder: ``config.json`` + ``arrays.safetensors``.

        No pickle: :meth:`load` reads it back, in another process or on another machine.

        >>> import tempfile
        >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
        >>> folder = model.save(tempfile.mkdtemp())
        >>> loaded = SegmentModel.load(folder)
        >>> new = ["my parcel is late"]
        >>> bool((loaded.predict(new) == model.predict(new)).all())
        True
        """
        self._check_fitted()
        return save_model(self, path)

    @classmethod
    def load(
        cls, path: str | Path, embedding: Any = None, *, cache_dir: str | Path | None = None
    ) -> SegmentModel:
        """Load a model saved by :meth:`save`; pass ``embedding`` if it was a custom object.

        The folder is untrusted input: it is validated before anything is built from it
        (:mod:`noomarketing.model_schema`). ``cache_dir`` is this machine's embedding cache.
        See :meth:`save` for an example.
        """
        return load_model(cls, path, embedding, cache_dir)
