"""Whether a segment's ratings or sentiment differ from the rest's more than chance would make.

``Idea.rating_impact`` and ``Idea.sentiment_impact`` are contrasts of means (:func:`impact`:
the overall mean less the mean without the segment); where segments are product types whose
ratings differ by hundredths of a star, most are within what chance gives any group of that
size. :func:`chance_of_impacts` says how likely chance alone is: the
Mann-Whitney U test of each segment's values against every other row's (two-sided, normal
approximation with the tie and continuity corrections, as :func:`scipy.stats.mannwhitneyu`'s
``method="asymptotic"``), adjusted for testing every segment at once (Benjamini-Hochberg,
:func:`scipy.stats.false_discovery_control`). All rows are ranked once, so a million rows and a
hundred segments cost one sort, not a hundred.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import false_discovery_control, norm, rankdata

CLEAR = 0.05
"""An adjusted p-value under this is an effect beyond chance (a false discovery rate of 5%)."""


def could_be_chance(q: float | None) -> bool:
    """Whether an impact with adjusted p-value ``q`` is within chance (``None``: untested).

    >>> could_be_chance(0.2), could_be_chance(0.001), could_be_chance(None)
    (True, False, False)
    """
    return q is not None and q >= CLEAR


def words_against_stars(
    sentiment_impact: float | None,
    sentiment_q: float | None,
    rating_impact: float | None,
    rating_q: float | None,
) -> int:
    """+1 where a segment's words read clearly happier than the others' while its ratings are
    clearly lower, -1 for the reverse, 0 otherwise (either impact missing, untested, within
    chance or zero, or the two agreeing).

    Customers who praise in words what they rate below the rest (or complain of what they
    still rate above it) tell something the mean of either figure hides.

    >>> words_against_stars(0.011, 0.001, -0.011, 0.0001)
    1
    >>> words_against_stars(0.011, 0.3, -0.011, 0.0001)  # the words' effect could be chance
    0
    """
    if sentiment_impact is None or rating_impact is None:
        return 0
    if sentiment_q is None or rating_q is None or max(sentiment_q, rating_q) >= CLEAR:
        return 0
    words, stars = int(np.sign(sentiment_impact)), int(np.sign(rating_impact))
    return words if words * stars < 0 else 0


def rank_test(values: np.ndarray, members: np.ndarray) -> float | None:
    """Two-sided p-value of the Mann-Whitney U test of ``values[members]`` against the other
    finite values; ``None`` when either side has none (a NaN is a missing value).

    >>> values = np.array([1.0, 1.0, 2.0, 5.0, 4.0, 5.0, 4.0, 5.0])
    >>> round(rank_test(values, np.array([0, 1, 2])), 4)
    0.0303
    """
    return _p_values(values, [members])[0]


def chance_of_impacts(
    values: np.ndarray, groups: Sequence[np.ndarray | None]
) -> list[float | None]:
    """Benjamini-Hochberg adjusted p-values of :func:`rank_test` for each group of rows
    (``None`` for a group that is ``None`` or cannot be tested), rounded to four decimals.

    >>> values = np.r_[np.full(20, 1.0), np.full(20, 5.0), np.arange(20) % 5 + 1.0]
    >>> chance_of_impacts(values, [np.arange(20), np.arange(40, 60), None])
    [0.0, 1.0, None]
    """
    p = _p_values(values, groups)
    tested = [i for i, value in enumerate(p) if value is not None]
    adjusted: list[float | None] = [None] * len(groups)
    if tested:
        q = false_discovery_control(np.array([p[i] for i in tested], dtype=float))
        for i, value in zip(tested, q, strict=True):
            adjusted[i] = round(float(value), 4)
    return adjusted


def _p_values(values: np.ndarray, groups: Sequence[np.ndarray | None]) -> list[float | None]:
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    n = int(finite.sum())
    ranks = np.full(len(values), np.nan)
    ranks[finite] = rankdata(values[finite])
    _, ties = np.unique(values[finite], return_counts=True)
    tie_term = float((ties.astype(float) ** 3 - ties).sum()) / (n * (n - 1)) if n > 1 else 0.0
    found: list[float | None] = []
    for group in groups:
        if group is None:
            found.append(None)
            continue
        own = ranks[np.asarray(group, dtype=np.int64)]
        own = own[np.isfinite(own)]
        n1, n2 = len(own), n - len(own)
        variance = n1 * n2 / 12.0 * ((n + 1) - tie_term)
        if n1 == 0 or n2 == 0 or variance <= 0:
            found.append(None)
            continue
        u1 = float(own.sum()) - n1 * (n1 + 1) / 2.0
        u = max(u1, n1 * n2 - u1)
        z = (u - n1 * n2 / 2.0 - 0.5) / np.sqrt(variance)
        found.append(float(min(2.0 * norm.sf(z), 1.0)))
    return found


def impact(values: np.ndarray, members: np.ndarray) -> float | None:
    """The overall mean of ``values`` minus their mean without ``members`` (NaN: no value);
    ``None`` when the rest has no value. Ratings and sentiment are read the same way.

    >>> impact(np.array([1.0, 5.0, np.nan]), np.array([0]))
    -2.0
    """
    rest = np.delete(values, members)
    if not np.isfinite(rest).any():
        return None
    return round(float(np.nanmean(values)) - float(np.nanmean(rest)), 4)


def mean_and_impact(
    values: np.ndarray, members: np.ndarray
) -> tuple[float | None, float | None]:
    """The mean of ``values`` over ``members`` (a segment's ratings) and their :func:`impact`;
    both ``None`` when the members have no value.

    >>> mean_and_impact(np.array([1.0, 5.0, np.nan]), np.array([0]))
    (1.0, -2.0)
    """
    own = values[members]
    if not np.isfinite(own).any():
        return None, None
    return round(float(np.nanmean(own)), 4), impact(values, members)
