"""Ideas over time: each segment's share per period, its trend, and customers whose idea moved.

Retention "is an endless process": feedback keeps coming, ideas emerge and fade, and a
customer's idea moves on. This module reads a history of assignments and says

* :func:`share_trends` — per segment, whether its share of the latest period is ``"new"``,
  ``"growing"``, ``"stable"``, ``"fading"`` or ``"gone"`` against the earlier periods, with a
  significance test so that noise on a small segment is not called a trend.
"""

from __future__ import annotations

import logging
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, fisher_exact

from noomarketing.schema import UNASSIGNED, NoomarketingError

logger = logging.getLogger(__name__)

STATUSES = ("new", "growing", "stable", "fading", "gone")
"""Every value the ``status`` column of :func:`share_trends` can take."""

TREND_COLUMNS = ["first_period", "share_before", "share_last", "change", "p_value", "status"]
"""Columns of :func:`share_trends` (index: ``segment``)."""


def _checked_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` as non-negative integers with integer segment columns, unassigned left out."""
    if not isinstance(counts, pd.DataFrame):
        raise NoomarketingError(
            f"share_trends needs a DataFrame of counts (one row per period), got "
            f"{type(counts).__name__}"
        )
    if counts.shape[0] == 0:
        raise NoomarketingError("share_trends needs at least one period (row) of counts")
    if counts.index.has_duplicates:
        dup = counts.index[counts.index.duplicated()][0]
        raise NoomarketingError(f"period {dup!r} appears twice in the counts: one row per period")
    try:
        segments = [int(c) for c in counts.columns]
    except (TypeError, ValueError):
        raise NoomarketingError(
            f"the count columns must be segment ids (integers), got {list(counts.columns)[:5]}"
        ) from None
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(values).all() or (values < 0).any() or (values != np.round(values)).any():
        raise NoomarketingError("counts must be whole numbers of rows, 0 or more, with no gaps")
    table = pd.DataFrame(values.astype(np.int64), index=counts.index, columns=segments)
    return table.drop(columns=[UNASSIGNED], errors="ignore")


def _status(before: int, last: int, n_periods: int, p_value: float, change: float,
            alpha: float) -> str:
    if last == 0:
        return "gone"
    if n_periods == 1:
        return "stable"
    if before == 0:
        return "new"
    if p_value < alpha:
        return "growing" if change > 0 else "fading"
    return "stable"


def share_trends(
    counts: pd.DataFrame,
    *,
    alpha: float = 0.05,
    correction: Literal["bh", "none"] = "bh",
) -> pd.DataFrame:
    """Each segment's trend: its share in the last period against its pooled earlier share.

    ``counts`` has one row per period or batch, oldest first (index: the period's label), and
    one column per segment id holding how many rows it got; a ``-1`` (unassigned) column may be
    there and is left out of the shares. Each share is the segment's rows over the assigned
    rows of the same periods.

    The status of a segment is

    * ``"gone"`` — no rows in the last period (also a segment with no rows at all);
    * ``"new"`` — rows in the last period and none before it;
    * ``"growing"`` / ``"fading"`` — its last share differs from its earlier share by Fisher's
      exact test on the 2x2 table (segment / other segments × earlier / last), at ``alpha``
      after the Benjamini–Hochberg correction over the segments tested (``correction="none"``
      tests each segment alone): with many segments, some would cross ``alpha`` by chance;
    * ``"stable"`` — otherwise. With a single period there is nothing to compare with, so every
      segment that has rows is ``"stable"`` (none is ``"new"``).

    Returns one row per segment (index ``segment``, ascending) with ``first_period`` (label of
    the first period with rows, None if none), ``share_before`` (0.0 with one period),
    ``share_last``, ``change`` (last minus before), ``p_value`` (the corrected p-value, NaN
    where no test ran) and ``status``.

    >>> counts = pd.DataFrame({0: [500, 480, 300], 1: [500, 520, 700], 2: [0, 0, 40]},
    ...                       index=["2024-01", "2024-02", "2024-03"])
    >>> trends = share_trends(counts)
    >>> trends["status"].to_dict()
    {0: 'fading', 1: 'growing', 2: 'new'}
    >>> trends["share_last"].round(3).tolist()
    [0.288, 0.673, 0.038]
    """
    if not 0 < alpha < 1:
        raise NoomarketingError(f"alpha must be between 0 and 1, got {alpha}")
    if correction not in ("bh", "none"):
        raise NoomarketingError(f"correction must be 'bh' or 'none', got {correction!r}")
    table = _checked_counts(counts)
    n_periods = table.shape[0]
    last = table.iloc[-1]
    before = table.iloc[:-1].sum(axis=0)
    n_last, n_before = int(last.sum()), int(before.sum())
    share_last = last / n_last if n_last else last * 0.0
    share_before = before / n_before if n_before else before * 0.0
    p_raw = pd.Series(np.nan, index=table.columns)
    for seg in table.columns:
        if n_periods > 1 and last[seg] > 0 and before[seg] > 0:
            grid = [[last[seg], n_last - last[seg]], [before[seg], n_before - before[seg]]]
            p_raw[seg] = fisher_exact(grid).pvalue
    tested = p_raw.dropna()
    p_value = p_raw.copy()
    if correction == "bh" and len(tested):
        p_value[tested.index] = false_discovery_control(tested.to_numpy(), method="bh")
    seen = table.gt(0)
    first = [table.index[seen[seg].to_numpy()][0] if seen[seg].any() else None
             for seg in table.columns]
    change = share_last - share_before
    status = [
        _status(int(before[s]), int(last[s]), n_periods, float(p_value[s]), float(change[s]),
                alpha)
        for s in table.columns
    ]
    out = pd.DataFrame(
        {
            "first_period": pd.Series(first, index=table.columns, dtype=object),
            "share_before": share_before.astype(float),
            "share_last": share_last.astype(float),
            "change": change.astype(float),
            "p_value": p_value.astype(float),
            "status": status,
        },
        index=table.columns,
    ).sort_index()
    out.index.name = "segment"
    logger.debug("share trends over %d period(s): %s", n_periods,
                 out["status"].value_counts().to_dict())
    return out
