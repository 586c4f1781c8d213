"""Past behaviour in stage 5: how customers reacted to offers of the same kind.

``behaviour(c, o)`` of :mod:`noomarketing.proposing`: with a Beta(a, b) prior, the posterior
mean of the reactions to offers of the same kind over the prior mean (1 with no history).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from noomarketing.offers import Offer
from noomarketing.reactions import beta_scores


def behaviour_factor(
    counts: Mapping[str, tuple[int, int]],
    offer: Offer,
    offers: Mapping[str, Offer],
    prior: tuple[float, float] = (1.0, 1.0),
    same_kind: bool = True,
) -> float:
    """Beta posterior mean over prior mean, from reactions to offers of the same kind.

    ``counts`` maps offer ids to ``(successes, trials)`` (:meth:`ReactionLog.counts`). With
    ``same_kind`` an offer counts when it is this offer or shares a tag with it; otherwise only
    this offer counts.

    >>> a = Offer(id="a", name="10% off", description="d", tags=["discount"])
    >>> b = Offer(id="b", name="Voucher", description="d", tags=["discount"])
    >>> behaviour_factor({"a": (3, 3)}, b, {"a": a, "b": b})  # (1 + 3) / (2 + 3) / 0.5
    1.6
    """
    successes = trials = 0
    tags = set(offer.tags)
    for item_id, (s, t) in counts.items():
        other = offers.get(item_id)
        if item_id == offer.id or (same_kind and other is not None and tags & set(other.tags)):
            successes += s
            trials += t
    posterior = beta_scores({offer.id: (successes, trials)}, [offer.id], prior=prior)[offer.id]
    return posterior / (prior[0] / (prior[0] + prior[1]))


class OfferBehaviour:
    """Past-behaviour factors per offer, from a reaction log (1 everywhere without one).

    >>> offers = [Offer(id="a", name="10% off", description="d", tags=["discount"])]
    >>> OfferBehaviour(None, offers, prior=(1.0, 1.0)).for_customer("c1", segment=0).tolist()
    [1.0]
    """

    def __init__(self, log: Any, offers: list[Offer], prior: tuple[float, float]) -> None:
        self.log = log
        self.offers = offers
        self.by_id = {o.id: o for o in offers}
        self.prior = prior
        self.reacted = (
            {r.customer_id for r in log.reactions(item_kind="offer")} if log is not None else set()
        )
        self._segments: dict[int | None, np.ndarray] = {}

    def _factors(self, counts: Mapping[str, tuple[int, int]], same_kind: bool) -> np.ndarray:
        return np.array([
            behaviour_factor(counts, o, self.by_id, self.prior, same_kind) for o in self.offers
        ])

    def for_segment(self, segment: int | None) -> np.ndarray:
        if segment not in self._segments:
            if self.log is None or segment is None:
                self._segments[segment] = np.ones(len(self.offers))
            else:
                counts = self.log.counts("offer", segment_id=segment)
                self._segments[segment] = self._factors(counts, same_kind=False)
        return self._segments[segment]

    def for_customer(self, customer: str, segment: int | None) -> np.ndarray:
        factors = self.for_segment(segment)
        if customer in self.reacted:
            factors = factors * self._factors(
                self.log.counts("offer", customer_id=customer), same_kind=True
            )
        return factors
