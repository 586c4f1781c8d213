"""How a segmentation groups feedback: clusters, or one segment per customer.

With few texts the method falls back to "few clients: highlight each one's idea": one
segment per customer. Anonymous texts (no customer id given) are each a customer of their own.
"""

from __future__ import annotations

import numpy as np

from noomarketing.schema import UNASSIGNED, Feedback, NoomarketingError


def seeded_sample(n_rows: int, size: int | None, random_state: int | None) -> np.ndarray | None:
    """Sorted positions of a seeded random sample of ``size`` rows; None when all rows fit.

    >>> seeded_sample(10, 3, 0).tolist(), seeded_sample(10, 50, 0)
    ([5, 6, 9], None)
    """
    if size is None or n_rows <= size:
        return None
    rng = np.random.default_rng(random_state)
    return np.sort(rng.choice(n_rows, size=size, replace=False))


def choose_strategy(
    requested: str, n_distinct: int, min_texts: int, n_customers: int = 0
) -> tuple[str, str]:
    """The strategy a fit uses and why: ``"clusters"``, ``"per_customer"`` or, when few
    distinct texts come from more customers than there are texts (the same complaint sent by
    many), ``"per_text"``: one segment per distinct text, identical texts together.

    >>> choose_strategy("auto", 3, 50)
    ('per_customer', 'only 3 distinct texts (< min_texts=50): one segment per customer')
    >>> choose_strategy("auto", 1, 50, n_customers=2000)[0]
    'per_text'
    """
    if requested == "auto":
        if n_distinct >= min_texts:
            return "clusters", f"{n_distinct} distinct texts ≥ min_texts={min_texts}: clustering"
        if n_customers > n_distinct:
            return "per_text", (
                f"only {n_distinct} distinct text(s) from {n_customers} customers: "
                "one segment per distinct text, identical texts together"
            )
        return "per_customer", (
            f"only {n_distinct} distinct texts (< min_texts={min_texts}): "
            "one segment per customer"
        )
    if requested == "clusters" and n_distinct < 3:
        raise NoomarketingError(
            f"cannot cluster {n_distinct} distinct text(s): use strategy='per_customer'"
        )
    return requested, f"strategy={requested!r} was asked for"


def per_text_segments(embeddings: np.ndarray) -> np.ndarray:
    """One segment per distinct text (by its vector), the largest first.

    >>> per_text_segments(np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])).tolist()
    [1, 0, 0]
    """
    _, first, inverse, counts = np.unique(
        embeddings.round(5), axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    order = sorted(range(len(counts)), key=lambda g: (-counts[g], first[g]))
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    return remap[inverse.reshape(-1)]


def per_customer_segments(feedback: Feedback) -> tuple[np.ndarray, dict[str, int]]:
    """A segment per customer, in order of appearance, and the map of given ids to segments.

    Anonymous items get a segment each and stay out of the map: no later text can reach their
    segment through a made-up id.

    >>> from noomarketing.schema import FeedbackItem
    >>> fb = Feedback(items=[FeedbackItem(row=0, text="a", customer_id="ann"),
    ...                      FeedbackItem(row=1, text="b", customer_id="row-1", anonymous=True),
    ...                      FeedbackItem(row=2, text="c", customer_id="ann")])
    >>> labels, known = per_customer_segments(fb)
    >>> labels.tolist(), known
    ([0, 1, 0], {'ann': 0})
    """
    keys: list[tuple[bool, str]] = [
        (True, str(item.row)) if item.anonymous else (False, item.customer_id)
        for item in feedback.items
    ]
    segment_of = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    labels = np.array([segment_of[key] for key in keys], dtype=np.int64)
    known = {key[1]: segment for key, segment in segment_of.items() if not key[0]}
    return labels, known


def known_segments(feedback: Feedback, customer_segments: dict[str, int]) -> np.ndarray:
    """Each item's segment when its customer is known by an id the user gave, else -1:
    anonymous items never are (their made-up ids belong to no one).

    >>> from noomarketing.schema import FeedbackItem
    >>> fb = Feedback(items=[FeedbackItem(row=0, text="a", customer_id="ann"),
    ...                      FeedbackItem(row=1, text="b", customer_id="row-1", anonymous=True),
    ...                      FeedbackItem(row=2, text="c", customer_id="bob")])
    >>> known_segments(fb, {"ann": 0, "row-1": 1}).tolist()
    [0, -1, -1]
    """
    return np.array(
        [UNASSIGNED if item.anonymous else customer_segments.get(item.customer_id, UNASSIGNED)
         for item in feedback.items],
        dtype=np.int64,
    )
