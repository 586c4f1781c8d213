"""Stage 5: propose offers to each customer, explained, within a budget.

For a customer ``c`` in segment ``s`` and an offer ``o``::

    relevance = own(c, o) + lift(c) * max(segment(s, o) - own(c, o), 0)
    score     = max(relevance, 0) * behaviour(c, o)
    expected value = score * value(c)

* ``own(c, o)``: how well the customer's own feedback serves the offer, by meaning (cosine) and,
  with ``scoring="hybrid"`` (the default), by the rare words it shares with the offer (BM25);
  the best of their texts is the quote in the evidence. Hybrid also adds the votes of the
  customer's nearest neighbours in meaning (``neighbours`` other customers), each for the offer
  its own words serve best: "similar customers" in the evidence.
* ``segment(s, o)``: the stage-4 score of the offer for the segment's idea (hybrid: averaged
  with the cosine of the segment's centroid, plus the words of the idea's label, statement and
  keywords the offer shares). The segment lifts an offer its idea calls for towards that score,
  by ``lift(c)``: ``segment_weight`` with ``scoring="semantic"``; hybrid, ``segment_weight``
  times ``0.5 + typicality(c)`` (capped at 1), so a customer near the segment's centroid
  follows it more than one at its edge. The lift never pushes down what the customer asked
  for: a customer at the edge of a segment still gets what they themselves asked for.
  Customers in no segment are ranked on their own words and similar customers' alone.
  :mod:`noomarketing.hybrid` has the details.
* ``behaviour(c, o)``: past behaviour, from a reaction log (anything with
  ``counts(item_kind, *, segment_id=None, customer_id=None) -> {item_id: (successes, trials)}``).
  Reactions to offers *of the same kind* (the same offer, or one sharing a tag) count: with a
  Beta(a, b) prior the factor is the posterior mean over the prior mean, ``((a + s) / (a + b +
  t)) / (a / (a + b))``: 1 with no history, up to ``(a + b) / a`` when every offer of that kind
  was taken, towards 0 when all were refused ("customer A buys when given a discount"). The
  customer's factor multiplies the segment's factor for the same offer.
* ``value(c)``: what keeping the customer is worth (``customer_value``), 1 by default.

Offers scoring below ``min_score`` are not proposed. Without a budget every customer gets their
best ``per_customer`` offers. With a ``budget`` (the offers' ``cost`` per proposal), all
candidate proposals are taken greedily by expected value per unit of cost (free ones first,
then by expected value), skipping what no longer fits, at most ``per_customer`` per customer.
Greedy is not always optimal for a knapsack, but it is simple, explainable and close when costs
are small next to the budget.

A seeded ``control`` share of the customers is held out at random and gets nothing, so the
uplift of the campaign can be measured later (:func:`noomarketing.retention.uplift`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from noomarketing.behaviour import OfferBehaviour as _Behaviour
from noomarketing.behaviour import behaviour_factor
from noomarketing.changed_ideas import changed_only, with_previous_ideas
from noomarketing.embedding import encode_unit, normalize_rows
from noomarketing.hybrid import (
    FORMULA,
    LEXICAL_WEIGHT,
    NEIGHBOUR_WEIGHT,
    NEIGHBOURS,
    Scores,
    Scoring,
    Unit,
    check_scoring,
    customer_typicality,
    deciding_evidence,
    lexical_scores,
    neighbour_votes,
    score_units,
    segment_meaning,
    typicality,
)
from noomarketing.matching import MatchResult, default_embedder
from noomarketing.noise import set_aside
from noomarketing.offers import Offer
from noomarketing.proposal_result import (
    PROPOSAL_COLUMNS,
    ControlCustomer,
    Proposal,
    ProposalResult,
    Unserved,
)
from noomarketing.schema import UNASSIGNED, Feedback, Idea, NoomarketingError

__all__ = [
    "PROPOSAL_COLUMNS", "ControlCustomer", "Proposal", "ProposalResult", "Unserved",
    "behaviour_factor", "control_group", "customer_segments", "propose",
]  # the result models live in noomarketing.proposal_result and are importable from here


def customer_segments(feedback: Feedback, labels: Sequence[int] | np.ndarray) -> dict[str, int]:
    """Each customer's segment: the one most of their feedback is in (ties: the lower id).

    Customers whose feedback is all unassigned are left out.

    >>> from noomarketing.schema import FeedbackItem
    >>> fb = Feedback(items=[FeedbackItem(row=i, text="t", customer_id=c)
    ...                      for i, c in enumerate(["a", "a", "a", "b"])])
    >>> customer_segments(fb, [2, 1, 2, -1])
    {'a': 2}
    """
    labels = _check_labels(feedback, labels)
    votes: dict[str, Counter] = {}
    for item, label in zip(feedback.items, labels, strict=True):
        if label != UNASSIGNED:
            votes.setdefault(item.customer_id, Counter())[int(label)] += 1
    return {c: min(v, key=lambda s: (-v[s], s)) for c, v in votes.items()}


def _check_labels(feedback: Feedback, labels: Sequence[int] | np.ndarray) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (len(feedback),):
        raise NoomarketingError(
            f"got {labels.size} segment labels for {len(feedback)} feedback items"
        )
    return labels.astype(np.int64)


def control_group(customers: Sequence[str], share: float, random_state: int | None) -> set[str]:
    """A seeded random ``share`` of the customers (rounded), independent of their order.

    >>> sorted(control_group(["a", "b", "c", "d"], 0.5, random_state=0))
    ['c', 'd']
    """
    if not 0.0 <= share < 1.0:
        raise NoomarketingError(f"control must be a share in [0, 1), got {share}")
    pool = sorted(set(customers))
    n = round(share * len(pool))
    rng = np.random.default_rng(random_state)
    return {pool[i] for i in rng.choice(len(pool), size=n, replace=False)} if n else set()


def propose(
    feedback: Feedback,
    labels: Sequence[int] | np.ndarray,
    ideas: Sequence[Idea],
    matches: MatchResult,
    *,
    embeddings: np.ndarray | None = None,
    embedder: Any = None,
    generated: Sequence[Any] | None = None,
    reactions: Any = None,
    per: Literal["customer", "segment"] = "customer",
    scoring: Scoring = "hybrid",
    segment_weight: float = 0.5,
    lexical_weight: float = LEXICAL_WEIGHT,
    neighbours: int = NEIGHBOURS,
    neighbour_weight: float = NEIGHBOUR_WEIGHT,
    min_score: float = 0.3,
    per_customer: int = 3,
    budget: float | None = None,
    control: float = 0.0,
    customer_value: Mapping[str, float] | None = None,
    prior: tuple[float, float] = (1.0, 1.0),
    random_state: int | None = 0,
    noise: Sequence[str | None] | None = None,
    only_changed: bool = False,
    changes: pd.DataFrame | None = None,
) -> ProposalResult:
    """Stage 5: rank offers per customer (or per segment) and choose within a budget.

    Args:
        feedback: the customers' feedback (their own words are the evidence).
        labels: segment of each feedback item (``SegmentModel.labels_`` or ``.predict``).
        ideas: stage-1 ideas of those segments.
        matches: stage-4 result (its offers are the catalogue).
        embeddings: unit embeddings of ``feedback`` (e.g. ``model.embeddings_``); computed with
            ``embedder`` when not given. Use the embedder of the segmentation.
        embedder: any object with ``encode`` (default: bundled MiniLM with the disk cache).
        generated: stage-2 ideas; each proposal names the segment's generated idea closest to
            the offer.
        reactions: a reaction log (``ReactionLog``) with past reactions to offers.
        per: ``"customer"`` (default) or ``"segment"`` (one list per segment; a proposal's cost is
            the offer's cost times the segment's customers outside the control group).
        scoring: ``"hybrid"`` (default): the customer's words count by meaning and by the
            words they share with an offer (BM25), and the segment lifts a customer by how
            typical of it they are; ``"semantic"``: meaning only, the same lift for everyone
            (see :mod:`noomarketing.hybrid`).
        segment_weight: how far the segment's idea lifts an offer above the customer's own
            similarity to it (0: own words only, 1: up to the segment's score).
        lexical_weight: weight of the shared words beside the meaning (``"hybrid"`` only).
        neighbours: how many nearest other customers vote (``"hybrid"``, per customer; 0: none).
        neighbour_weight: weight of their votes, the share for each offer.
        min_score: proposals need at least this score.
        per_customer: at most this many proposals per customer (or segment).
        budget: total cost of all proposals; ``None`` for no limit.
        control: share of customers held out at random (seeded), who get nothing.
        customer_value: what keeping each customer is worth (e.g. their past spend); every
            customer must be in it when given. Default: 1 each.
        prior: the Beta prior of the past-behaviour factor.
        random_state: seed of the control group.
        noise: each item's :func:`~noomarketing.noise.noise_reason` (detected when not given):
            noise and segments flagged ``noise`` are set aside, their customers listed unserved.
        only_changed: propose only to customers whose idea changed (``changes``, by default
            :func:`~noomarketing.over_time.idea_changes` of ``feedback``, which then needs
            times), on their feedback in their new idea's segment; each proposal names their
            previous idea and when it changed (:mod:`noomarketing.changed_ideas`).
        changes: the :func:`~noomarketing.over_time.idea_changes` of the customers' history
            (or ``idea_changes.csv`` read back), for ``only_changed``.

    Example:
        >>> import noomarketing as nm
        >>> seg = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> embedder = seg.model.embedder_  # the model language="auto" chose
        >>> matched = nm.match_offers(seg.ideas, nm.example_offers_path(), embedder=embedder)
        >>> result = nm.propose(seg.feedback, seg.model.labels_, seg.ideas, matched,
        ...                     embeddings=seg.model.embeddings_, embedder=embedder,
        ...                     budget=200, control=0.1)
        >>> result.spent <= 200
        True
    """
    _check_settings(segment_weight, per_customer, budget, per, min_score)
    check_scoring(scoring, lexical_weight, neighbours, neighbour_weight)
    labels = _check_labels(feedback, labels)
    # feedback with nothing to act on (spam, "ok", a mostly-noise segment) gets no offer
    feedback, labels, embeddings, only_noise = set_aside(
        feedback, labels, ideas, embeddings, noise
    )
    moves, not_here = {}, []
    if only_changed:
        if per != "customer":
            raise NoomarketingError("only_changed targets customers: use per='customer'")
        feedback, labels, embeddings, moves, not_here = changed_only(
            feedback, labels, embeddings, changes)
    ideas_by_id = _ideas_by_segment([idea for idea in ideas if not idea.noise], labels, matches)
    offers = matches.offers
    embedder = default_embedder() if embedder is None else embedder
    offer_vectors = encode_unit(embedder, [o.text for o in offers])
    vectors = _feedback_vectors(feedback, embeddings, embedder, offer_vectors.shape[1])

    customers = list(dict.fromkeys(feedback.customer_ids))
    segment_of = customer_segments(feedback, labels)
    held_out = control_group(customers, control, random_state)
    treated = [c for c in customers if c not in held_out]
    values = _values(customer_value, treated)
    typical = typicality(vectors, labels) if scoring == "hybrid" else np.zeros(len(labels))
    units = _units(feedback, treated, segment_of, values, per, labels, typical)
    lexical, idea_lexical, bm25 = (
        lexical_scores(feedback.texts, list(ideas_by_id.values()), offers)
        if scoring == "hybrid" else (None, {}, None)
    )
    behaviour = _Behaviour(reactions, offers, prior)
    table = matches.score_table(words=False)  # the idea's words are weighed below
    if scoring == "hybrid":
        table = segment_meaning(table, vectors, labels, offer_vectors)
    item_sims, votes = vectors @ offer_vectors.T, None
    if scoring == "hybrid" and per == "customer" and neighbours and neighbour_weight:
        owners = np.unique(feedback.customer_ids, return_inverse=True)[1]
        votes = neighbour_votes(vectors, item_sims + lexical_weight * lexical, owners, neighbours)
    scores = score_units(
        units, item_sims, lexical, table, idea_lexical,
        (lambda unit: behaviour.for_customer(unit.customer, unit.segment)) if per == "customer"
        else (lambda unit: behaviour.for_segment(unit.segment)),
        per, segment_weight, lexical_weight, bm25, votes, neighbour_weight,
    )
    score = scores.score
    value = np.array([unit.value for unit in units])[:, None]
    audience = np.array([unit.audience for unit in units])[:, None]
    cost = np.array([offer.cost for offer in offers])[None, :] * audience
    chosen = _choose(score, score * value, cost, min_score, per_customer, budget)

    closest = _closest_generated(generated, offer_vectors, embedder)
    proposals = [
        _proposal(units[u], u, j, rank, scores, feedback, offers, ideas_by_id, value, cost,
                  closest)
        for u, picks in chosen.items()
        for rank, j in enumerate(sorted(picks, key=lambda j: (-score[u, j], j)), start=1)
    ]
    eligible = ((score >= min_score) & (score > 0)).any(axis=1)
    unserved = [
        Unserved(
            customer_id=unit.customer,
            segment_id=unit.segment,
            reason="budget spent before its turn" if eligible[u]
            else f"no offer scored ≥ min_score={min_score}",
        )
        for u, unit in enumerate(units)
        if u not in chosen
    ] + [Unserved(customer_id=c, segment_id=None, reason="feedback has nothing to act on (noise)")
         for c in only_noise] + not_here
    settings = {
        "segment_weight": segment_weight, "min_score": min_score, "per_customer": per_customer,
        "control": control, "prior": list(prior), "random_state": random_state,
        "only_changed": only_changed,
        "scoring": scoring, "lexical_weight": lexical_weight if scoring == "hybrid" else 0.0,
        "neighbours": neighbours if votes is not None else 0,
        "neighbour_weight": neighbour_weight if votes is not None else 0.0,
        "formula": FORMULA[scoring],
    }
    return ProposalResult(
        proposals=with_previous_ideas(proposals, moves, ideas),
        control=[ControlCustomer(customer_id=c, segment_id=segment_of.get(c))
                 for c in customers if c in held_out],
        unserved=unserved,
        budget=budget,
        spent=round(float(sum(cost[u, j] for u, picks in chosen.items() for j in picks)), 6),
        per=per,
        settings=settings,
    )


def _ideas_by_segment(
    ideas: Sequence[Idea], labels: np.ndarray, matches: MatchResult
) -> dict[int, Idea]:
    """The idea of each segment; every labelled segment needs one, and offer scores."""
    ideas_by_id = {idea.segment_id: idea for idea in ideas}
    unknown = sorted({int(s) for s in labels if s != UNASSIGNED} - set(ideas_by_id))
    if unknown:
        raise NoomarketingError(f"segment(s) {unknown} in labels have no idea: pass their ideas")
    missing_scores = sorted(set(ideas_by_id) - {p.segment_id for p in matches.pairs})
    if missing_scores:
        raise NoomarketingError(
            f"segment(s) {missing_scores} were not matched to offers: run match_offers on them"
        )
    return ideas_by_id


def _proposal(
    unit: Unit,
    u: int,
    j: int,
    rank: int,
    scores: Scores,
    feedback: Feedback,
    offers: Sequence[Offer],
    ideas_by_id: Mapping[int, Idea],
    value: np.ndarray,
    cost: np.ndarray,
    closest: Mapping[Any, tuple[Any, Any]],
) -> Proposal:
    """Offer ``j`` for unit ``u`` at ``rank``, with every part of its score."""
    item = feedback.items[int(scores.best_item[u, j])]
    seg = float(scores.seg_score[u, j])
    score = float(scores.score[u, j])
    title, similarity = closest.get((unit.segment, j), (None, None))
    return Proposal(
        customer_id=unit.customer,
        segment_id=unit.segment,
        segment_label=ideas_by_id[unit.segment].label if unit.segment is not None else None,
        offer_id=offers[j].id,
        offer_name=offers[j].name,
        rank=rank,
        score=round(score, 4),
        expected_value=round(score * float(value[u, 0]), 4),
        cost=round(float(cost[u, j]), 6),
        audience=unit.audience,
        relevance=round(float(scores.relevance[u, j]), 4),
        own_similarity=round(float(scores.own_best[u, j]), 4),
        segment_score=None if np.isnan(seg) else round(seg, 4),
        behaviour=round(float(scores.behaviour[u, j]), 4),
        own_lexical=round(float(scores.own_lexical[u, j]), 4),
        segment_lexical=None if np.isnan(seg) else round(float(scores.seg_lexical[u, j]), 4),
        typicality=round(float(unit.typicality), 4) if unit.segment is not None else None,
        similar_customers=(None if scores.similar is None
                           else round(float(scores.similar[u, j]), 4)),
        decided_by=deciding_evidence(scores, u, j),
        shared_words=scores.shared_words(item.text, u, j),
        quote_row=item.row,
        quote_text=item.text,
        generated_title=title,
        generated_similarity=similarity,
    )


def _units(
    feedback: Feedback,
    treated: list[str],
    segment_of: Mapping[str, int],
    values: Mapping[str, float],
    per: str,
    labels: np.ndarray,
    typical: np.ndarray,
) -> list[Unit]:
    items_of: dict[str, list[int]] = {}
    for index, item in enumerate(feedback.items):
        items_of.setdefault(item.customer_id, []).append(index)
    if per == "customer":
        return [
            Unit(c, segment_of.get(c), items_of[c], values[c], 1,
                 customer_typicality(items_of[c], segment_of.get(c), labels, typical))
            for c in treated
        ]
    members: dict[int, list[str]] = {}
    for customer in treated:
        if customer in segment_of:
            members.setdefault(segment_of[customer], []).append(customer)
    return [
        Unit(
            None, segment, [i for c in group for i in items_of[c]],
            sum(values[c] for c in group), len(group),
        )
        for segment, group in sorted(members.items())
    ]


def _choose(
    score: np.ndarray,
    expected: np.ndarray,
    cost: np.ndarray,
    min_score: float,
    per_customer: int,
    budget: float | None,
) -> dict[int, list[int]]:
    """Unit index → chosen offer indices (see the module docstring for the rule)."""
    units, offers = np.nonzero((score >= min_score) & (score > 0))
    ev = expected[units, offers]
    if budget is None:
        order = np.lexsort((offers, units, -ev))
    else:
        price = cost[units, offers]
        ratio = np.divide(ev, price, out=np.full_like(ev, np.inf), where=price > 0)
        order = np.lexsort((offers, units, -ev, -ratio))
    chosen: dict[int, list[int]] = {}
    spent = 0.0
    for k in order:
        u, j = int(units[k]), int(offers[k])
        mine = chosen.setdefault(u, [])
        if len(mine) >= per_customer:
            continue
        if budget is not None and spent + cost[u, j] > budget + 1e-9:
            continue
        mine.append(j)
        spent += float(cost[u, j])
    return {u: picks for u, picks in sorted(chosen.items()) if picks}


def _check_settings(
    segment_weight: float, per_customer: int, budget: float | None, per: str, min_score: float
) -> None:
    if not 0.0 <= segment_weight <= 1.0:
        raise NoomarketingError(f"segment_weight must be between 0 and 1, got {segment_weight}")
    if per_customer < 1:
        raise NoomarketingError(f"per_customer must be at least 1, got {per_customer}")
    if budget is not None and not budget >= 0:
        raise NoomarketingError(f"budget must be ≥ 0, got {budget}")
    if per not in ("customer", "segment"):
        raise NoomarketingError(f"per must be 'customer' or 'segment', not {per!r}")
    if not -1.0 <= min_score <= 1.0:
        raise NoomarketingError(f"min_score must be between -1 and 1, got {min_score}")


def _feedback_vectors(
    feedback: Feedback, embeddings: Any, embedder: Any, dimensions: int
) -> np.ndarray:
    if embeddings is None:  # no feedback left (e.g. only_changed and nobody changed): no vectors
        return (encode_unit(embedder, feedback.texts) if len(feedback)
                else np.zeros((0, dimensions), dtype=np.float32))
    vectors = np.asarray(embeddings, dtype=np.float32)
    if vectors.ndim != 2 or len(vectors) != len(feedback):
        raise NoomarketingError(
            f"got embeddings of shape {vectors.shape} for {len(feedback)} feedback items"
        )
    if vectors.shape[1] != dimensions:
        raise NoomarketingError(
            f"the embeddings have {vectors.shape[1]} dimensions but the embedder gives "
            f"{dimensions}: they come from another model. Pass the segmentation's embedder "
            "(embedder=model.embedder_), or no embeddings"
        )
    return normalize_rows(vectors)


def _closest_generated(
    generated: Sequence[Any] | None, offer_vectors: np.ndarray, embedder: Any
) -> dict[tuple[int, int], tuple[str, float]]:
    """(segment, offer index) → (title, similarity) of the segment's closest generated idea."""
    if not generated:
        return {}
    vectors = encode_unit(embedder, [f"{g.title}. {g.text}" for g in generated])
    sims = vectors @ offer_vectors.T
    closest: dict[tuple[int, int], tuple[str, float]] = {}
    for segment in {g.segment_id for g in generated}:
        rows = [i for i, g in enumerate(generated) if g.segment_id == segment]
        best = np.asarray(rows)[sims[rows].argmax(axis=0)]
        for j, i in enumerate(best):
            closest[(segment, j)] = (generated[int(i)].title, round(float(sims[i, j]), 4))
    return closest


def _values(customer_value: Mapping[str, float] | None, treated: list[str]) -> dict[str, float]:
    if customer_value is None:
        return dict.fromkeys(treated, 1.0)
    missing = [c for c in treated if c not in customer_value]
    if missing:
        raise NoomarketingError(
            f"customer_value lacks {len(missing)} customer(s), e.g. {missing[:3]}"
        )
    return {c: float(customer_value[c]) for c in treated}
