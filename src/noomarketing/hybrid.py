"""Stage 5's relevance: a customer's own words and their segment's idea, by meaning and by words.

For a customer ``c`` in segment ``s`` and an offer ``o`` (:func:`score_units`)::

    own(c, o)     = cosine(c's text, o) + lexical_weight * lexical(c's text, o)
    segment(s, o) = (stage-4 score(s, o) + cosine(s's centroid, o)) / 2
                    + lexical_weight * lexical(s's idea words, o)
    t(c)          = min(segment_weight * (0.5 + typicality(c)), 1)
    similar(c, o) = share of c's k nearest customers whose own best offer is o
    relevance     = own + t * max(segment - own, 0) + neighbour_weight * similar(c, o)

* ``lexical``: :func:`noomarketing.lexical.lexical_similarity`, BM25 of the text against the
  offers (name, description and tags) over each offer's own score, in ``[0, 1]``: the
  customer's rare words that an offer shares ("dress", "jeans") name it where meaning alone
  finds every clothing offer alike.
* ``segment(s, o)``: the segment's meaning is the stage-4 score of its idea averaged with the
  cosine of its members' centroid (what all of them wrote, not only the idea's words); its
  words are the idea's label, statement and keywords.
* ``typicality(c)``: how typical the customer is of their segment, the percentile of their
  cosine to the segment's centroid among its members (1 at the centroid, near 0 at its edge).
  A customer of median typicality is lifted by ``segment_weight``, as in the semantic rule; the
  most typical by half as much again, the one at the edge by half as much: they keep what their
  own words ask for.
* ``similar(c, o)``: the customer's nearest neighbours, the :data:`NEIGHBOURS` texts of other
  customers closest in meaning (exact cosine, :func:`noomarketing.neighbours.cosine_knn`), are
  a finer, local segment: each votes for the offer its own words serve best (``own``), and
  the share of votes an offer gets is added with ``neighbour_weight``. A customer whose own
  text is ambiguous ("this top") gets what customers who wrote alike asked for by name. A
  customer with several texts gets the mean of their texts' shares.
* The lift never lowers what the customer asked for (``max(…, 0)``): a customer with a rare
  request inside a segment keeps it. Customers in no segment are ranked on ``own`` and
  ``similar`` alone.

``scoring="semantic"`` is the earlier rule: no lexical term, no neighbours and
``t = segment_weight`` for every customer. The defaults
(``lexical_weight`` :data:`LEXICAL_WEIGHT`, :data:`NEIGHBOURS`, :data:`NEIGHBOUR_WEIGHT`,
typicality on) were chosen once on the shared labelled data (``benchmarks/proposals.py``) and
are not tuned per input.

Each proposal names the evidence that decided it (:func:`deciding_evidence`): the part of its
score that puts it furthest above the next offer down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from noomarketing.lexical import BM25, lexical_similarity
from noomarketing.neighbours import cosine_knn
from noomarketing.schema import UNASSIGNED, Idea, NoomarketingError

logger = logging.getLogger(__name__)

Scoring = Literal["hybrid", "semantic"]

LEXICAL_WEIGHT = 0.25
"""Weight of the lexical similarity beside the cosine, set once on ``benchmarks/proposals.py``
on the clothing catalogues: with 0 (meaning only) top-1 was 0.025 lower on both, with 0.5 and
1.0 up to 0.01 lower than with 0.25."""

NEIGHBOURS = 30
"""Customers in a customer's neighbourhood (``similar``), set once on the clothing catalogues
(``benchmarks/proposals.py --grid``): 10, 20 and 50 were within 0.003 top-1 of 30."""

NEIGHBOUR_WEIGHT = 0.3
"""Weight of the neighbours' votes, set with :data:`NEIGHBOURS`: 0.2 and 0.5 were within
0.004 top-1 of 0.3 on the clothing catalogues; 0 (no neighbours) 0.011-0.022 lower."""

EVIDENCE = (
    "own meaning",
    "own words",
    "segment meaning",
    "segment words",
    "similar customers",
    "past behaviour",
)
"""What can decide a proposal: the customer's text by meaning (cosine) or by shared words
(BM25), the segment's idea by meaning (stage-4 score) or by its words, the offers the
customer's nearest neighbours asked for, or past reactions."""


def offer_document(offer: Any) -> str:
    """What the lexical score reads of an offer: name, description and tags."""
    return " ".join([offer.name, offer.description, *offer.tags])


def idea_words(idea: Idea) -> str:
    """What the lexical score reads of an idea: label, statement and keywords (no quotes)."""
    return " ".join([idea.label, idea.statement or "", *(k.term for k in idea.keywords)])


def typicality(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each item's percentile of cosine to its segment's centroid among the segment's items.

    1 for the item nearest the centroid, ``1 / size`` for the farthest; 0 for unassigned items.

    >>> v = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]])
    >>> typicality(v, np.array([0, 0, 0, -1])).round(2).tolist()
    [0.67, 1.0, 0.33, 0.0]
    """
    result = np.zeros(len(labels))
    for segment in np.unique(labels[labels != UNASSIGNED]):
        members = np.flatnonzero(labels == segment)
        centroid = vectors[members].mean(axis=0)
        cosine = vectors[members] @ (centroid / max(float(np.linalg.norm(centroid)), 1e-12))
        result[members] = pd.Series(cosine).rank(pct=True, method="average").to_numpy()
    return result


def customer_typicality(
    items: list[int], segment: int | None, labels: np.ndarray, typical: np.ndarray
) -> float:
    """The mean typicality of a customer's items in their own segment (0 in none)."""
    mine = [i for i in items if labels[i] == segment]
    return float(np.mean(typical[mine])) if segment is not None and mine else 0.0


FORMULA = {
    "hybrid": "own = cosine + lexical_weight*lexical; segment = (stage-4 score + centroid "
    "cosine)/2 + lexical_weight*lexical(idea words); relevance = own + min(segment_weight*"
    "(0.5 + typicality), 1)*max(segment - own, 0) + neighbour_weight*similar; "
    "score = max(relevance, 0)*behaviour; expected_value = score*value",
    "semantic": "relevance = own + segment_weight*max(segment - own, 0); "
    "score = max(relevance, 0)*behaviour; expected_value = score*value",
}


def check_scoring(
    scoring: str,
    lexical_weight: float,
    neighbours: int = NEIGHBOURS,
    neighbour_weight: float = NEIGHBOUR_WEIGHT,
) -> None:
    if scoring not in FORMULA:
        raise NoomarketingError(f"scoring must be 'hybrid' or 'semantic', not {scoring!r}")
    if not 0.0 <= lexical_weight <= 1.0:
        raise NoomarketingError(f"lexical_weight must be between 0 and 1, got {lexical_weight}")
    if (
        isinstance(neighbours, bool)
        or not isinstance(neighbours, int | np.integer)
        or neighbours < 0
    ):
        raise NoomarketingError(f"neighbours must be a whole number ≥ 0, got {neighbours!r}")
    if not 0.0 <= neighbour_weight <= 1.0:
        raise NoomarketingError(f"neighbour_weight must be between 0 and 1, got {neighbour_weight}")


def neighbour_votes(
    vectors: np.ndarray, own: np.ndarray, owners: np.ndarray, k: int = NEIGHBOURS
) -> np.ndarray:
    """Per item, the share of its ``k`` nearest items of other customers whose best offer
    (highest ``own`` score) is each offer; rows of zeros where there are no other customers.

    Memory stays at a few blocks of rows by items (:func:`cosine_knn`, about 64 MB each up
    to 250,000 items), never items × items: 20,000 items take about 5 CPU seconds.

    >>> v = np.array([[1.0, 0.0], [0.9, 0.1], [0.8, 0.2], [0.0, 1.0]])
    >>> own = np.array([[0.5, 0.5], [0.9, 0.1], [0.8, 0.3], [0.1, 0.9]])
    >>> neighbour_votes(v, own, np.arange(4), k=2)[0].tolist()
    [1.0, 0.0]
    """
    n, m = own.shape
    votes = np.zeros((n, m))
    if n < 2 or k < 1:
        return votes
    owners = np.asarray(owners)
    extra = int(np.unique(owners, return_counts=True)[1].max())  # a customer's own other items
    block = max(64, min(1024, 2**24 // n))  # at most 64 MB of similarities per thread
    index, _ = cosine_knn(np.asarray(vectors, dtype=np.float32), min(n, k + extra), block)
    other = owners[index] != owners[:, None]
    keep = other & (np.cumsum(other, axis=1) <= k)
    rows = np.repeat(np.arange(n), keep.sum(axis=1))
    np.add.at(votes, (rows, own.argmax(axis=1)[index[keep]]), 1.0)
    return votes / np.maximum(keep.sum(axis=1, keepdims=True), 1)


@dataclass
class Scores:
    """Per unit × offer: the parts of the score and the item quoted as evidence."""

    relevance: np.ndarray
    own_best: np.ndarray
    own_lexical: np.ndarray
    seg_score: np.ndarray
    seg_lexical: np.ndarray
    lift: np.ndarray
    best_item: np.ndarray
    behaviour: np.ndarray
    lexical_weight: float
    per_segment: bool = False
    similar: np.ndarray | None = None
    neighbour_weight: float = 0.0
    bm25: BM25 | None = None
    _parts: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def score(self) -> np.ndarray:
        return np.maximum(self.relevance, 0.0) * self.behaviour

    def shared_words(self, text: str, u: int, j: int) -> list[str]:
        """The words of ``text`` (unit ``u``'s quote) that offer ``j`` shares, heaviest first."""
        if self.bm25 is None or self.own_lexical[u, j] <= 0:
            return []
        return self.bm25.shared(text, j)

    def parts(self, u: int) -> np.ndarray:
        """Unit ``u``'s score split by :data:`EVIDENCE` (rows) per offer (columns)."""
        if u in self._parts:
            return self._parts[u]
        own_meaning, own_words = self.own_best[u], self.lexical_weight * self.own_lexical[u]
        seg = np.nan_to_num(self.seg_score[u]) + self.lexical_weight * self.seg_lexical[u]
        if self.per_segment:  # a segment is ranked on its idea alone
            own_meaning = own_words = np.zeros_like(seg)
        own = own_meaning + own_words
        lifted = np.maximum(seg - own, 0.0) * self.lift[u]
        share = np.divide(
            self.lexical_weight * self.seg_lexical[u],
            seg,
            out=np.zeros_like(seg),
            where=np.abs(seg) > 1e-12,
        )
        share = np.clip(share, 0.0, 1.0)
        relevance = np.maximum(self.relevance[u], 0.0)
        similar = (
            np.zeros_like(seg)
            if self.similar is None or self.per_segment
            else self.neighbour_weight * self.similar[u]
        )
        self._parts[u] = np.vstack(
            [
                own_meaning,
                own_words,
                lifted * (1 - share),
                lifted * share,
                similar,
                relevance * (self.behaviour[u] - 1.0),
            ]
        )
        return self._parts[u]


@dataclass
class Unit:
    """Who a ranking is for: one customer, or one segment's treated customers."""

    customer: str | None
    segment: int | None
    items: list[int]
    value: float
    audience: int
    typicality: float = 0.0


def segment_meaning(
    table: pd.DataFrame, vectors: np.ndarray, labels: np.ndarray, offer_vectors: np.ndarray
) -> pd.DataFrame:
    """The stage-4 scores averaged with each segment centroid's cosine to the offers.

    Segments without items here (all set aside as noise) keep their stage-4 scores.
    """
    table = table.copy()
    for segment in table.index:
        members = labels == segment
        if members.any():
            centroid = vectors[members].mean(axis=0)
            centroid = centroid / max(float(np.linalg.norm(centroid)), 1e-12)
            table.loc[segment] = (table.loc[segment].to_numpy() + centroid @ offer_vectors.T) / 2
    return table


def lexical_scores(
    texts: Sequence[str], ideas: Sequence[Idea], offers: Sequence[Any]
) -> tuple[np.ndarray, dict[int, np.ndarray], BM25]:
    """Lexical similarity of every text and every idea (by segment id) to every offer."""
    bm25 = BM25().fit([offer_document(o) for o in offers])
    items = lexical_similarity(texts, bm25)
    by_idea = lexical_similarity([idea_words(i) for i in ideas], bm25) if ideas else []
    return items, {i.segment_id: row for i, row in zip(ideas, by_idea, strict=True)}, bm25


def score_units(
    units: Sequence[Unit],
    item_sims: np.ndarray,
    item_lexical: np.ndarray | None,
    table: pd.DataFrame,
    idea_lexical: dict[int, np.ndarray],
    factors: Callable[[Unit], np.ndarray],
    per: str,
    segment_weight: float,
    lexical_weight: float,
    bm25: BM25 | None = None,
    item_votes: np.ndarray | None = None,
    neighbour_weight: float = 0.0,
) -> Scores:
    """Relevance (see the module docstring) and past behaviour of each unit.

    ``item_votes`` are each item's :func:`neighbour_votes` (``None``: no neighbours); a
    customer's are the mean of their items'.
    """
    shape = (len(units), item_sims.shape[1])
    weight = lexical_weight if item_lexical is not None else 0.0
    lexical = item_lexical if item_lexical is not None else np.zeros_like(item_sims)
    scores = Scores(
        np.zeros(shape),
        np.zeros(shape),
        np.zeros(shape),
        np.full(shape, np.nan),
        np.zeros(shape),
        np.zeros(len(units)),
        np.zeros(shape, dtype=np.int64),
        np.ones(shape),
        weight,
        per_segment=per == "segment",
        bm25=bm25,
    )
    if item_votes is not None and per == "customer":
        scores.similar = np.zeros(shape)
        scores.neighbour_weight = neighbour_weight
    for u, unit in enumerate(units):
        hybrid = item_sims[unit.items] + weight * lexical[unit.items]
        best = hybrid.argmax(axis=0)  # the text whose words and meaning serve the offer best
        scores.best_item[u] = np.asarray(unit.items)[best]
        columns = np.arange(shape[1])
        scores.own_best[u] = item_sims[unit.items][best, columns]
        scores.own_lexical[u] = lexical[unit.items][best, columns]
        own = scores.own_best[u] + weight * scores.own_lexical[u]
        if unit.segment is not None:
            scores.seg_score[u] = table.loc[unit.segment].to_numpy()
            if weight:
                scores.seg_lexical[u] = idea_lexical.get(unit.segment, 0.0)
        segment = scores.seg_score[u] + weight * scores.seg_lexical[u]
        if per == "segment":
            scores.relevance[u] = segment
            scores.lift[u] = 1.0
        elif unit.segment is None:
            scores.relevance[u] = own
        else:
            scores.lift[u] = (
                min(segment_weight * (0.5 + unit.typicality), 1.0) if weight else segment_weight
            )
            scores.relevance[u] = own + scores.lift[u] * np.maximum(segment - own, 0.0)
        if scores.similar is not None and item_votes is not None:
            scores.similar[u] = item_votes[unit.items].mean(axis=0)
            scores.relevance[u] += neighbour_weight * scores.similar[u]
        scores.behaviour[u] = factors(unit)
    return scores


def deciding_evidence(scores: Scores, u: int, j: int) -> str:
    """The part of unit ``u``'s score that puts offer ``j`` furthest above the next one down.

    The next offer down is the best-scoring offer below ``j``; with none (``j`` is last), the
    largest part of ``j``'s own score decides.
    """
    parts = scores.parts(u)
    score = scores.score[u]
    below = np.flatnonzero((score < score[j]) | ((score == score[j]) & (np.arange(len(score)) > j)))
    if below.size == 0:
        return EVIDENCE[int(np.argmax(parts[:, j]))]
    runner_up = below[np.argmax(score[below])]
    return EVIDENCE[int(np.argmax(parts[:, j] - parts[:, runner_up]))]
