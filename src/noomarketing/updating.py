"""New feedback every month: update a fitted model, find emerging segments, keep ids stable.

Two ways to take in a new batch, both keeping what a segment id means:

* :func:`update_model` (:meth:`SegmentModel.update <noomarketing.SegmentModel.update>`): the
  batch joins the existing segments by the usual nearest-centroid rule
  (:mod:`noomarketing.outliers`). Then the batch is clustered again, by the same kind of
  reducer and clusterer, together with the unassigned leftovers of earlier batches and a
  seeded reference sample of the rows seen before (``reference_``). A dense group made almost
  only of new rows (earlier rows under :data:`NOVELTY` of their share of the pool: the
  earlier feedback had no such group) whose centroid is unlike every existing one is an
  **emerging segment** with a new id. The old centroids never move, so an old id never
  changes meaning.
* :func:`follow_previous` (``SegmentModel.fit(..., previous=model)``): after a full refit the
  new segments are matched to the previous ones by centroid similarity with an optimal
  assignment (:func:`scipy.optimize.linear_sum_assignment`) and a similarity floor
  (:data:`MATCH_FLOOR`); unmatched new segments get ids above every previous id, unmatched
  previous ones are reported as gone (``gone_segments_``).

Ids are never reused: a gone segment keeps its id with a zero centroid, which no feedback is
similar to, so ``centroids_[i]`` is always segment ``i``. Each batch's rows per segment are
kept (``batch_counts_``, ``batch_unassigned_``, named by ``batches_``) together with the batch
each segment first appeared in (``first_batch_``), so every segment has a status from
:func:`noomarketing.over_time.share_trends` (:func:`segment_trends`). All of it is saved with
the model as arrays and JSON (:mod:`noomarketing.persistence`).
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone

from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.outliers import nearest_segments, own_similarity, unit_mean
from noomarketing.progress import step
from noomarketing.schema import UNASSIGNED, Feedback, NoomarketingError
from noomarketing.strategies import known_segments, per_customer_segments
from noomarketing.themes import extend_themes

if TYPE_CHECKING:
    from noomarketing.segmentation import SegmentModel

logger = logging.getLogger(__name__)

MATCH_FLOOR = 0.9
"""Cosine similarity two centroids need to be taken for the same idea in a refit with
``previous=`` (below it a new segment gets a new id)."""

SAME_IDEA = 0.95
"""A group found in an update whose centroid is at least this similar to a segment's is that
segment seen again, however few earlier rows it has."""

NOVELTY = 0.5
"""A group found in an update is new when its share of earlier rows (the reference sample) is
under this fraction of their share of the whole pool: where the earlier feedback was as
dense as the new, the group is an idea the model knows."""

REFERENCE_SIZE = 1_000
"""Rows seen before kept as a seeded sample (``reference_``) to tell new groups from old."""

MAX_LEFTOVERS = 5_000
"""Embeddings of unassigned rows the model keeps from earlier batches (the most recent ones):
a theme too small to be found in one batch can be found when the next batches add to it."""

LOW_QUANTILE = 0.05
"""An assigned row less similar to its segment's centroid than this share of the segment's
original members is clustered again with the unassigned rows: it may belong to a new idea."""

MIN_POOL = 10
"""Fewer rows than this to cluster again: no emerging segment is looked for."""

HISTORY_ARRAYS = ("batch_counts", "batch_unassigned", "first_batch", "segment_floor",
                  "leftovers", "leftover_batches", "reference")
"""The update state saved with a model (``<name>_`` on the model)."""


# ---------------------------------------------------------------------------- history
def start_history(model: SegmentModel) -> None:
    """Begin the update state of a freshly fitted ``model`` (no batch recorded yet)."""
    n = len(model.segment_ids_)
    model.batches_ = []
    model.batch_counts_ = np.zeros((0, n), dtype=np.int64)
    model.batch_unassigned_ = np.zeros(0, dtype=np.int64)
    model.first_batch_ = np.full(n, -1, dtype=np.int64)
    fit_labels = _fitted_labels(model)
    model.segment_floor_ = _floors(model.embeddings_, model.centroids_, fit_labels)
    unassigned = fit_labels == UNASSIGNED
    model.leftovers_ = np.asarray(model.embeddings_[unassigned][-MAX_LEFTOVERS:], np.float32)
    model.leftover_batches_ = np.zeros(len(model.leftovers_), dtype=np.int64)
    model.gone_segments_ = []
    rng = np.random.default_rng(model.random_state)
    size = min(REFERENCE_SIZE, len(model.embeddings_))
    rows = np.sort(rng.choice(len(model.embeddings_), size, replace=False))
    model.reference_ = np.asarray(model.embeddings_[rows], dtype=np.float32)


def _fitted_labels(model: SegmentModel) -> np.ndarray:
    """Labels of the rows in ``embeddings_`` (the fit sample, or all rows)."""
    sample = getattr(model, "sample_index_", None)
    return model.labels_ if sample is None else model.labels_[sample]


def _floors(embeddings: np.ndarray, centroids: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per segment, the :data:`LOW_QUANTILE` of its members' similarity to its centroid."""
    similarity = own_similarity(embeddings, centroids, labels)
    floors = np.zeros(len(centroids), dtype=np.float32)
    for segment in np.unique(labels[labels >= 0]):
        floors[segment] = np.quantile(similarity[labels == segment], LOW_QUANTILE)
    return floors


def record_batch(model: SegmentModel, labels: np.ndarray, name: str | None = None) -> None:
    """Append one batch's rows per segment to the history; set ``first_batch_`` of new ones."""
    n = len(model.segment_ids_)
    counts = np.bincount(labels[labels >= 0], minlength=n).astype(np.int64)
    history = model.batch_counts_
    if history.shape[1] < n:  # segments found since the last batch: none of their rows then
        history = np.pad(history, ((0, 0), (0, n - history.shape[1])))
    model.batch_counts_ = np.vstack([history, counts[None, :]])
    model.batch_unassigned_ = np.append(model.batch_unassigned_, int((labels < 0).sum()))
    first = np.pad(model.first_batch_, (0, n - len(model.first_batch_)), constant_values=-1)
    first[(first < 0) & (counts > 0)] = len(model.batches_)
    model.first_batch_ = first
    model.batches_ = [*model.batches_, name or str(len(model.batches_) + 1)]


def batch_counts(model: SegmentModel) -> pd.DataFrame:
    """Rows per batch (index: the batch names) and segment (columns; -1 = unassigned).

    Gone segments keep their column: their share is what tells they are gone.
    """
    frame = pd.DataFrame(model.batch_counts_, index=pd.Index(model.batches_, name="batch"),
                         columns=[int(s) for s in model.segment_ids_])
    frame[UNASSIGNED] = model.batch_unassigned_
    return frame


def segment_trends(model: SegmentModel, *, alpha: float = 0.05) -> pd.DataFrame:
    """Each segment's trend over the model's batches, with the batch it first appeared in.

    :func:`noomarketing.over_time.share_trends` of :func:`batch_counts` (columns
    ``first_period``, ``share_before``, ``share_last``, ``change``, ``p_value``, ``status``),
    plus ``first_batch``: the name of the batch each segment first had rows in.
    """
    from noomarketing.over_time import share_trends

    trends = share_trends(batch_counts(model), alpha=alpha)
    first = {int(s): model.batches_[b] if b >= 0 else None
             for s, b in zip(model.segment_ids_, model.first_batch_, strict=True)}
    return trends.assign(first_batch=[first.get(int(s)) for s in trends.index])


# ---------------------------------------------------------------------------- update
def update_model(
    model: SegmentModel,
    feedback: Feedback | FeedbackSource,
    embeddings: Any = None,
    batch: str | None = None,
) -> SegmentModel:
    """Take in a new batch of feedback; see :meth:`SegmentModel.update`."""
    model._check_fitted()
    feedback = as_feedback(feedback)
    if batch is not None and (not isinstance(batch, str) or not batch.strip()):
        raise NoomarketingError(f"a batch name must be a non-empty text, not {batch!r}")
    if batch is not None and batch in model.batches_:
        raise NoomarketingError(f"the model already has a batch named {batch!r}")
    given = model._given(feedback, embeddings)
    if given is not None and given.shape[1] != model.centroids_.shape[1]:
        raise NoomarketingError(
            f"got embeddings of {given.shape[1]} dimensions; the model's have "
            f"{model.centroids_.shape[1]}"
        )
    if model.language == "auto":
        model._detect(feedback)
    vectors = model._vectors(feedback, given)
    n_before = len(model.segment_ids_)
    if model.strategy_ == "per_customer":
        # a known customer keeps their segment; any other is new, however near a known one
        labels = known_segments(feedback, model.customer_segments_)
        _new_customers(model, feedback, vectors, labels)
    else:
        labels = np.asarray(model.predict(feedback, embeddings=vectors), dtype=np.int64)
        _emerging(model, vectors, labels)
    new = labels == UNASSIGNED
    if model.outliers != "keep" and new.any() and len(model.segment_ids_) > n_before:
        found, _ = nearest_segments(vectors[new], model.centroids_[n_before:],
                                    model.outlier_threshold)
        labels[new] = np.where(found >= 0, found + n_before, UNASSIGNED)
    _keep_leftovers(model, vectors[labels == UNASSIGNED])
    _refresh_reference(model, vectors)
    model.labels_ = labels
    model.cluster_labels_ = labels.copy()
    model.similarities_ = own_similarity(vectors, model.centroids_, labels)
    model.embeddings_, model.sample_index_, model.reduced_ = vectors, None, None
    model.fingerprint_ = feedback.fingerprint
    model._chosen_for = feedback.fingerprint
    model.segment_sizes_ = np.bincount(labels[labels >= 0], minlength=len(model.segment_ids_))
    model.unassigned_share_ = float(np.mean(labels == UNASSIGNED)) if len(labels) else 0.0
    model.themes_ = extend_themes(model.themes_, model.centroids_)
    record_batch(model, labels, batch)
    logger.info("batch %s: %d rows, %d new segment(s), %d unassigned", model.batches_[-1],
                len(labels), len(model.segment_ids_) - n_before, int(new.sum()))
    return model


def _emerging(model: SegmentModel, vectors: np.ndarray, labels: np.ndarray) -> None:
    """Cluster the batch with the leftovers and the reference sample; dense groups of new
    rows only become segments. ``labels`` is changed in place: rows of an emerging segment
    get its new id."""
    n_ref, kept = len(model.reference_), len(model.leftovers_)
    pool = np.vstack([model.reference_, model.leftovers_, vectors]).astype(np.float32)
    groups = _cluster(model, pool)
    ref_share = n_ref / len(pool)
    floors = model.segment_floor_[model.segment_floor_ > 0]
    cohesion = float(np.median(floors)) if len(floors) else 0.0  # as tight as segments' edges
    used_leftovers = np.zeros(kept, dtype=bool)
    found = [g for g in np.unique(groups) if g >= 0]
    found.sort(key=lambda g: -int((groups == g).sum()))
    for group in found:
        members = np.flatnonzero(groups == group)
        fresh = members[members >= n_ref]  # leftovers and this batch
        from_batch = fresh[fresh >= n_ref + kept] - n_ref - kept
        if len(from_batch) == 0 or (n_ref and (len(members) - len(fresh)) / len(members)
                                    >= NOVELTY * ref_share):
            continue  # the earlier feedback was as dense here: an idea the model knows
        centroid = unit_mean(pool[fresh])
        if float((model.centroids_ @ centroid).max(initial=-1.0)) >= SAME_IDEA:
            continue
        if float(np.median(pool[fresh] @ centroid)) < cohesion:
            continue
        new_id = len(model.segment_ids_)
        model.centroids_ = np.vstack([model.centroids_, centroid[None, :]])
        model.segment_ids_ = np.arange(new_id + 1, dtype=np.int64)
        labels[from_batch] = new_id
        used_leftovers[fresh[fresh < n_ref + kept] - n_ref] = True
        floor = np.quantile(pool[fresh] @ centroid, LOW_QUANTILE)
        model.segment_floor_ = np.append(model.segment_floor_, np.float32(floor))
    model.leftovers_ = model.leftovers_[~used_leftovers]
    model.leftover_batches_ = model.leftover_batches_[~used_leftovers]


def _refresh_reference(model: SegmentModel, vectors: np.ndarray) -> None:
    """Let the batch into the reference sample in proportion to its share of all rows seen."""
    if len(vectors) == 0:
        return
    seen = int(model.batch_counts_.sum() + model.batch_unassigned_.sum())
    rng = np.random.default_rng([model.random_state or 0, len(model.batches_)])
    reference = model.reference_
    room = min(REFERENCE_SIZE - len(reference), len(vectors))
    if room > 0:
        reference = np.vstack([reference, vectors[rng.choice(len(vectors), room, replace=False)]])
    swap = min(round(len(reference) * len(vectors) / (seen + len(vectors))), len(vectors))
    if swap > 0:
        reference = reference.copy()
        reference[rng.choice(len(reference), swap, replace=False)] = vectors[
            rng.choice(len(vectors), swap, replace=False)]
    model.reference_ = reference.astype(np.float32)


def _cluster(model: SegmentModel, pool: np.ndarray) -> np.ndarray:
    """Group labels of ``pool`` (-1 = no group) by the model's kind of reducer and clusterer."""
    if len(pool) < MIN_POOL:
        return np.full(len(pool), UNASSIGNED, dtype=np.int64)
    distinct, inverse = np.unique(pool, axis=0, return_inverse=True)
    if len(distinct) < MIN_POOL:
        return np.full(len(pool), UNASSIGNED, dtype=np.int64)
    reducer = (clone(model.reducer, safe=False) if model.reducer is not None
               else model._default_reducer(distinct, quick=True))
    with warnings.catch_warnings(), step("reducing new feedback (UMAP)", model.progress):
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        reduced = np.asarray(reducer.fit_transform(distinct))[inverse.reshape(-1)]
    if model.clusterer is not None:
        clusterer = clone(model.clusterer, safe=False)
    else:  # an emerging idea is often the one dense group of what is left: it may be the root
        clusterer = model._default_clusterer(len(reduced), update=True)
        clusterer.allow_single_cluster = True
    with step("clustering new feedback (HDBSCAN)", model.progress):
        return np.asarray(clusterer.fit_predict(reduced), dtype=np.int64)


def _new_customers(
    model: SegmentModel, feedback: Feedback, vectors: np.ndarray, labels: np.ndarray
) -> None:
    """One segment per customer: each customer the model does not know (``labels`` -1) gets a
    new segment (an anonymous text is a customer of its own, as in the fit)."""
    rows = np.flatnonzero(labels == UNASSIGNED)
    if len(rows) == 0:
        return
    groups, known = per_customer_segments(feedback.subset(rows))
    start = len(model.segment_ids_)
    centroids = [unit_mean(vectors[rows[groups == g]]) for g in range(int(groups.max()) + 1)]
    model.centroids_ = np.vstack([model.centroids_, np.stack(centroids)])
    model.segment_ids_ = np.arange(start + len(centroids), dtype=np.int64)
    model.segment_floor_ = np.append(model.segment_floor_, np.zeros(len(centroids), np.float32))
    labels[rows] = groups + start
    model.customer_segments_.update({c: s + start for c, s in known.items()})


def _keep_leftovers(model: SegmentModel, unassigned: np.ndarray) -> None:
    """Add this batch's unassigned rows to the leftovers; keep the most recent ones."""
    batch = len(model.batches_)
    vectors = np.vstack([model.leftovers_, unassigned]).astype(np.float32)
    batches = np.append(model.leftover_batches_, np.full(len(unassigned), batch))
    model.leftovers_ = vectors[-MAX_LEFTOVERS:]
    model.leftover_batches_ = batches[-MAX_LEFTOVERS:].astype(np.int64)


# ---------------------------------------------------------------------------- full refit
def check_previous(previous: Any) -> None:
    """``previous`` is None or a fitted model (one line otherwise, before any work)."""
    if previous is None:
        return
    if not hasattr(previous, "centroids_") or not hasattr(previous, "batch_counts_"):
        raise NoomarketingError(
            f"previous= needs a fitted SegmentModel (e.g. SegmentModel.load(DIR)), got "
            f"{type(previous).__name__}"
        )

def match_segments(
    new: np.ndarray, old: np.ndarray, floor: float = MATCH_FLOOR
) -> dict[int, int]:
    """Pairs ``new index → old index`` of centroids, optimal in total cosine, each ≥ ``floor``.

    Zero rows of ``old`` (gone segments) are never matched.

    >>> eye = np.eye(3, dtype=np.float32)
    >>> match_segments(eye[[2, 0]], eye)
    {0: 2, 1: 0}
    """
    active = np.flatnonzero(np.linalg.norm(old, axis=1) > 0)
    if len(new) == 0 or len(active) == 0:
        return {}
    similarity = new @ old[active].T
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    return {int(r): int(active[c]) for r, c in zip(rows, cols, strict=True)
            if similarity[r, c] >= floor}


def follow_previous(model: SegmentModel, previous: SegmentModel) -> None:
    """Renumber a freshly fitted ``model`` so that its segments keep ``previous``'s ids.

    Matched segments (:func:`match_segments`) take the previous id; unmatched new ones get ids
    above every previous id; previous segments left unmatched are ``gone_segments_``. The
    batch history continues ``previous``'s, with this fit as its newest batch.
    """
    check_previous(previous)
    if previous.centroids_.shape[1] != model.centroids_.shape[1]:
        raise NoomarketingError(
            f"the previous model's embeddings have {previous.centroids_.shape[1]} dimensions, "
            f"this one's {model.centroids_.shape[1]}: fit both with the same embedding"
        )
    pairs = match_segments(model.centroids_, previous.centroids_)
    next_id = len(previous.segment_ids_)
    new_id = np.empty(len(model.segment_ids_), dtype=np.int64)
    for position in range(len(new_id)):
        if position in pairs:
            new_id[position] = pairs[position]
        else:
            new_id[position], next_id = next_id, next_id + 1
    centroids = np.zeros((next_id, model.centroids_.shape[1]), dtype=np.float32)
    centroids[new_id] = model.centroids_
    floors = np.zeros(next_id, dtype=np.float32)
    floors[new_id] = model.segment_floor_
    active = np.flatnonzero(np.linalg.norm(previous.centroids_, axis=1) > 0)
    model.gone_segments_ = sorted(int(s) for s in set(active.tolist()) - set(pairs.values()))
    model.labels_ = np.where(model.labels_ >= 0, new_id[np.maximum(model.labels_, 0)],
                             UNASSIGNED)
    model.customer_segments_ = {c: int(new_id[s]) for c, s in model.customer_segments_.items()}
    model.centroids_, model.segment_floor_ = centroids, floors
    model.segment_ids_ = np.arange(next_id, dtype=np.int64)
    model.segment_sizes_ = np.bincount(model.labels_[model.labels_ >= 0], minlength=next_id)
    for attr in ("batches_", "batch_counts_", "batch_unassigned_", "first_batch_"):
        setattr(model, attr, getattr(previous, attr))
    record_batch(model, model.labels_)
    logger.info("refit: %d segment(s) kept their id, %d new, %d gone", len(pairs),
                len(new_id) - len(pairs), len(model.gone_segments_))
