"""Which kind of business the tactics are for, and guessing it from the offer catalogue.

A tactic lists the kinds of business it suits (``Tactic.businesses``); stage 2 offers a segment
only the tactics of the business it serves, so a bank's debt-collection complaints never get a
clothing shop's "sustainable collection". :func:`infer_business` guesses the kind from what
the business sells: each offer (name and description) is embedded and compared with a short
description of each kind (:data:`BUSINESS_DESCRIPTIONS`); the kind closest on average wins.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from noomarketing.embedding import normalize_rows, resolve_embedder
from noomarketing.generation.catalogue import ANY_BUSINESS, BUSINESSES
from noomarketing.schema import NoomarketingError

logger = logging.getLogger(__name__)

BUSINESS_DESCRIPTIONS = {
    "retail": "A shop selling clothes, shoes, cosmetics, home goods and other products online "
    "or in stores: orders, parcels, delivery, sizes, returns, exchanges and discounts. Offers "
    "such as free shipping, loyalty points, gift cards, a new collection, a size guide or a "
    "discount on the next order.",
    "subscription": "A subscription service paid every month: plans and tariffs for mobile, "
    "internet, streaming, software or memberships, with renewals, upgrades and cancellations. "
    "Offers such as a cheaper plan, more data, a free month, a family plan or cancelling "
    "without a fee.",
    "finance": "A bank, lender or insurer: current accounts, cards, loans, credit, mortgages, "
    "payments, transfers, fees, interest, debt collection, insurance claims. Offers such as "
    "lower interest, no annual fee, cashback on the card or fee-free transfers.",
    "services": "A service business working by appointment: restaurants, hairdressers, beauty "
    "salons, clinics, repairs, cleaning, travel, bookings and visits. Offers such as a free "
    "visit, priority booking or a discount on the next appointment.",
}
"""What each bundled kind of business is and what it offers, in the words its offers would
use: an offer reads like the offers of its kind more than like a description of the kind, so
without the second sentence a shop's "Free shipping over 50" read as a subscription's
(``benchmarks/business.py``)."""


def check_business(business: str | None, known: Sequence[str] = BUSINESSES) -> str | None:
    """``business`` normalised (lower case), or a one-line error naming the kinds known.

    >>> check_business(" Finance "), check_business(None)
    ('finance', None)
    """
    if business is None:
        return None
    if not isinstance(business, str) or not business.strip():
        raise NoomarketingError(f"business must be a word such as 'retail', got {business!r}")
    word = " ".join(business.lower().split())
    allowed = {*known, *BUSINESSES, ANY_BUSINESS}
    if word not in allowed:
        raise NoomarketingError(
            f"unknown business kind {business!r}; use one of {', '.join(sorted(allowed))}"
        )
    return word


def infer_business(
    offers: Sequence[str],
    embedder: Any = None,
    descriptions: dict[str, str] | None = None,
) -> tuple[str, dict[str, float]]:
    """The kind of business whose description is closest, on average, to the offers.

    Args:
        offers: the offers as text (e.g. ``[offer.text for offer in load_offers(...)]``).
        embedder: ``None`` for the bundled model, a name/path, or any object with ``encode``.
        descriptions: kind → description (default :data:`BUSINESS_DESCRIPTIONS`).

    Returns the kind and the mean cosine of every kind (best first); the choice is logged at
    INFO.

    Example:
        >>> kind, scores = infer_business(["Mortgage with a fixed rate",  # doctest: +SKIP
        ...                                "Credit card without an annual fee"])
        >>> kind  # doctest: +SKIP
        'finance'
    """
    texts = [" ".join(str(t).split()) for t in offers if str(t).strip()]
    if not texts:
        raise NoomarketingError("inferring the kind of business needs at least one offer")
    kinds = dict(descriptions or BUSINESS_DESCRIPTIONS)
    if not kinds:
        raise NoomarketingError("no business kinds to choose from")
    model = resolve_embedder(embedder)
    vectors = normalize_rows(np.asarray(model.encode(texts + list(kinds.values()))))
    if vectors.shape[0] != len(texts) + len(kinds):
        raise NoomarketingError(
            f"the embedder returned {vectors.shape[0]} vectors for {len(texts) + len(kinds)} texts"
        )
    sims = vectors[: len(texts)] @ vectors[len(texts):].T
    means = sims.mean(axis=0)
    order = np.argsort(-means, kind="stable")
    scores = {list(kinds)[i]: round(float(means[i]), 4) for i in order}
    best = next(iter(scores))
    logger.info(
        "kind of business inferred from %d offer(s): %s (mean similarity %s); pass "
        "business= (--business) to choose it yourself",
        len(texts), best, ", ".join(f"{k} {v:.2f}" for k, v in scores.items()),
    )
    return best, scores
