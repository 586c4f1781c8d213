"""A segment's mood, from -1 (unhappy) to 1 (happy): what stage 2's mood rule and the briefs read.

The customers' own verdict, their mean rating on the scale of the ratings, where there is one;
else the text sentiment less the score's neutral point (:data:`TEXT_NEUTRAL`).
``benchmarks/tactic_mood.py`` measures how the rule then keeps tactics for happy customers away
from unhappy ones.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from noomarketing.loading import RATING_TOPS
from noomarketing.schema import Idea, NoomarketingError

logger = logging.getLogger(__name__)

TEXT_NEUTRAL = 0.16
"""The text sentiment at which people-graded negative and positive tweets part best, on the
tweets the sentiment head was trained on (``benchmarks/sentiment_zero.py``): a mood read from
text is its sentiment less this, so mildly positive text counts as neither happy nor unhappy."""


def segment_mood(idea: Idea, rating_range: tuple[float, float] | None = (1.0, 5.0)) -> float:
    """How happy a segment is, from -1 to 1: its mean rating, else its text sentiment.

    The rating, the customers' own verdict, is mapped linearly from ``rating_range`` to -1..1.
    Without a rating (or with ``rating_range=None``) the mood is the text sentiment less
    :data:`TEXT_NEUTRAL`: the score reads text kindly, and shop reviews more so (segments of 1-2
    star clothing reviews score about +0.05 to +0.25, because such reviews praise as they
    complain: "beautiful, but poor fit").

    >>> from noomarketing.schema import Idea
    >>> idea = Idea(segment_id=0, label="late", keywords=[], quotes=[], size=3, share=1.0,
    ...             sentiment=0.2, mean_rating=2.0)
    >>> segment_mood(idea), segment_mood(idea, rating_range=None)
    (-0.5, 0.04)
    """
    if rating_range is None or idea.mean_rating is None:
        return round(float(np.clip(idea.sentiment - TEXT_NEUTRAL, -1.0, 1.0)), 6)
    low, high = check_rating_range(rating_range, [idea.mean_rating])
    return round(2.0 * (idea.mean_rating - low) / (high - low) - 1.0, 6)


def rating_scale(ratings: Sequence[float | None]) -> tuple[float, float] | None:
    """The scale ratings were most likely given on: 1 to 5 stars, else 0 to 5, 10 or 100.

    The smallest that holds them all (``load_feedback`` has already left empty the ratings
    outside the scale it guessed); their own range when none does, None without ratings.

    >>> rating_scale([1, 4, 5, None]), rating_scale([0, 7, 10]), rating_scale([None])
    ((1.0, 5.0), (0.0, 10.0), None)
    """
    given = np.array([r for r in ratings if r is not None], dtype=float)
    if not len(given):
        return None
    low, high = float(given.min()), float(given.max())
    if low >= 1.0 and high <= 5.0:
        return (1.0, 5.0)
    for top in RATING_TOPS:
        if low >= 0.0 and high <= top:
            return (0.0, float(top))
    return (low, high) if low < high else None


def resolve_rating_range(
    rating_range: tuple[float, float] | str | None, ratings: Sequence[float | None]
) -> tuple[float, float] | None:
    """The scale the mood reads ``ratings`` on: ``"auto"`` guesses it (:func:`rating_scale`,
    logged), a ``(low, high)`` is checked against them (:func:`check_rating_range`), ``None``
    (the mood from the text alone) stays None.

    >>> resolve_rating_range("auto", [0, 7, 10]), resolve_rating_range((1, 10), [2, 9])
    ((0.0, 10.0), (1.0, 10.0))
    """
    if isinstance(rating_range, str) and rating_range == "auto":
        scale = rating_scale(ratings)
        if scale is not None:
            logger.info("ratings read on a scale of %g to %g", *scale)
        return scale
    return None if rating_range is None else check_rating_range(rating_range, ratings)


def check_rating_range(
    rating_range: tuple[float, float], ratings: Sequence[float | None]
) -> tuple[float, float]:
    """``(low, high)`` of the rating scale, refused in one line when ``ratings`` leave it.

    >>> check_rating_range((1, 5), [4, None, 5])
    (1.0, 5.0)
    >>> check_rating_range((1, 5), [2, 9, 10])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: the ratings run from 2 to 10, outside the scale 1 to 5...
    """
    try:
        low, high = (float(v) for v in rating_range)
    except (TypeError, ValueError):
        raise NoomarketingError(
            f"rating_range must be (low, high), two numbers, not {rating_range!r}") from None
    if not (np.isfinite([low, high]).all() and low < high):
        raise NoomarketingError(f"rating_range must be (low, high) with low < high: {rating_range}")
    given = [float(r) for r in ratings if r is not None]
    if given and not low <= min(given) <= max(given) <= high:
        ratings_are = (f"the rating {given[0]:g} lies" if min(given) == max(given)
                       else f"the ratings run from {min(given):g} to {max(given):g},")
        raise NoomarketingError(
            f"{ratings_are} outside the scale {low:g} to {high:g} that the mood reads "
            f"them on: give their scale, e.g. --rating-range 0 10 (rating_range=(0, 10) in "
            f"Python)"
        )
    return low, high
