"""Ideas over time: each segment's share per period, its trend, and customers whose idea moved.

Retention "is an endless process": feedback keeps coming, ideas emerge and fade, and a
customer's idea moves on. This module reads a history of assignments and says

* :func:`share_trends` — per segment, whether its share of the latest period is ``"new"``,
  ``"growing"``, ``"stable"``, ``"fading"`` or ``"gone"`` against the earlier periods, with a
  significance test so that noise on a small segment is not called a trend;
* :func:`ideas_over_time` — each segment's count and share per period, with that trend (long
  format, one row per period and segment, like BERTopic's ``topics_over_time``);
* :func:`customer_sequences` and :func:`idea_changes` — for customers with feedback in several
  periods, their segment in each period and the moments it changed (``idea_changes.csv``).

Periods come from the feedback's times (pandas periods of ``freq``, e.g. ``"M"``), or, when the
texts have no time, from the batches: pass one assignments frame per batch (a list, or a dict
from batch name to frame, oldest first), or one frame with a ``batch`` column. An assignments
frame is what ``assignments.csv`` holds (``row``, ``customer_id``, ``segment``, ``status``) or
simply each feedback item's segment label (``model.labels_``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, fisher_exact

from noomarketing.schema import UNASSIGNED, Feedback, Idea, NoomarketingError

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
    if last == 0 and before == 0:
        return "gone"
    if n_periods == 1:
        return "stable"
    if before == 0:
        return "new"
    if p_value < alpha:
        return "gone" if last == 0 else "growing" if change > 0 else "fading"
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

    * ``"new"`` — rows in the last period and none before it;
    * ``"gone"`` — no rows in the last period, and fewer than chance explains (the test
      below); a small segment that merely missed one period stays ``"stable"``. A segment with
      no rows at all is ``"gone"`` too;
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
        if n_periods > 1 and n_last > 0 and before[seg] > 0:
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


HISTORY_COLUMNS = ["batch", "row", "customer_id", "anonymous", "time", "segment"]
CHANGE_COLUMNS = ["customer_id", "from_period", "to_period", "from_segment", "to_segment"]
"""Columns of :func:`idea_changes` (``from_label``, ``to_label`` follow when ideas are given)."""


def _is_batch_list(assignments: Any) -> bool:
    return isinstance(assignments, Mapping) or (
        isinstance(assignments, list | tuple) and len(assignments) > 0
        and all(isinstance(a, pd.DataFrame) for a in assignments)
    )


def _batches(feedback: Any, assignments: Any) -> list[tuple[Any, Feedback | None, Any]]:
    """(batch label, feedback or None, assignments) per batch, oldest first."""
    if not _is_batch_list(assignments):
        if isinstance(feedback, list | tuple):
            raise NoomarketingError("got a list of feedback batches but one assignments table: "
                                    "pass one assignments table per batch")
        return [(None, feedback, assignments)]
    named = (list(assignments.items()) if isinstance(assignments, Mapping)
             else [(i, a) for i, a in enumerate(assignments, start=1)])
    if feedback is None or isinstance(feedback, Feedback):
        if isinstance(feedback, Feedback):
            raise NoomarketingError("got one Feedback for several assignments tables: pass one "
                                    "Feedback per batch (a list), or none")
        return [(name, None, a) for name, a in named]
    feedback = list(feedback.values()) if isinstance(feedback, Mapping) else list(feedback)
    if len(feedback) != len(named):
        raise NoomarketingError(
            f"got {len(feedback)} feedback batches for {len(named)} assignments tables"
        )
    return [(name, fb, a) for (name, a), fb in zip(named, feedback, strict=True)]


def _from_labels(feedback: Feedback | None, labels: Any) -> pd.DataFrame:
    if feedback is None:
        raise NoomarketingError("segment labels alone do not say whose feedback they are: pass "
                                "the feedback too, or an assignments table")
    labels = np.asarray(labels)
    if labels.shape != (len(feedback),):
        raise NoomarketingError(f"got {labels.size} segment labels for {len(feedback)} "
                                "feedback items")
    return pd.DataFrame({"row": feedback.rows, "segment": labels.astype(np.int64)})


def _from_table(frame: pd.DataFrame, feedback: Feedback | None) -> pd.DataFrame:
    """The rows of an assignments table that are feedback, with counted segment and time."""
    if not isinstance(frame, pd.DataFrame):
        frame = _from_labels(feedback, frame)
    needed = ["row", "segment"] + ([] if feedback is not None else ["customer_id"])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise NoomarketingError(f"the assignments table lacks column(s) {missing} (it is what "
                                "assignments.csv holds: row, customer_id, segment, status)")
    frame = frame.reset_index(drop=True)
    status = frame["status"] if "status" in frame else pd.Series("assigned", index=frame.index)
    frame, status = frame[status != "skipped"], status[status != "skipped"]
    segment = pd.to_numeric(frame["segment"], errors="coerce")
    rows = pd.to_numeric(frame["row"], errors="coerce")
    if rows.isna().any() or (rows != rows.round()).any():
        raise NoomarketingError("the assignments table's row column must hold the input row "
                                "numbers (whole numbers, none missing)")
    # the rows of a noise segment keep its segment, but are no customer's idea
    counted = (status != "noise") & segment.notna() & (segment != UNASSIGNED)
    out = pd.DataFrame({"row": rows.astype(np.int64).to_numpy(),
                        "segment": np.where(counted, segment.fillna(UNASSIGNED), UNASSIGNED)
                        .astype(np.int64)})
    if "batch" in frame:
        out["batch"] = frame["batch"].to_numpy()
    if feedback is None:
        ids = frame["customer_id"].fillna("").astype(str).to_numpy()
        out["customer_id"] = ids
        # an id loading made up for a row without one names no customer
        out["anonymous"] = (ids == "") | (ids == ("row-" + out["row"].astype(str)).to_numpy())
        out["time"] = frame["time"].to_numpy() if "time" in frame else None
        return out
    by_row = {item.row: item for item in feedback.items}
    unknown = sorted(set(out["row"]) - set(by_row))
    if unknown or len(by_row) != len(out):
        raise NoomarketingError(
            f"the assignments and the feedback do not describe the same rows (e.g. rows "
            f"{unknown[:5] or sorted(set(by_row) - set(out['row']))[:5]}): pass the feedback "
            "the assignments were made for"
        )
    items = [by_row[row] for row in out["row"]]
    out["customer_id"] = [item.customer_id for item in items]
    out["anonymous"] = [item.anonymous for item in items]
    out["time"] = [item.time for item in items]
    return out


def history(feedback: Any, assignments: Any) -> pd.DataFrame:
    """Every assigned or unassigned feedback row of every batch, oldest batch first.

    Columns: ``batch``, ``row``, ``customer_id``, ``anonymous``, ``time`` and ``segment``
    (``-1`` for unassigned and noise rows); skipped rows (no text) are not feedback.

    >>> from noomarketing.schema import FeedbackItem
    >>> fb = Feedback(items=[FeedbackItem(row=0, text="late", customer_id="a"),
    ...                      FeedbackItem(row=1, text="ok", customer_id="b")])
    >>> history(fb, [3, -1])[["customer_id", "segment"]].to_dict("list")
    {'customer_id': ['a', 'b'], 'segment': [3, -1]}
    """
    frames = []
    for name, fb, table in _batches(feedback, assignments):
        if fb is not None and not isinstance(fb, Feedback):
            raise NoomarketingError(f"feedback must be a Feedback, got {type(fb).__name__}")
        frame = _from_table(table, fb)
        if "batch" not in frame or name is not None:
            frame["batch"] = 1 if name is None else name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[HISTORY_COLUMNS]


def _with_periods(frame: pd.DataFrame, freq: str, by: str) -> pd.DataFrame:
    """``frame`` with ``period`` and its rank ``order``; rows without a time are left out."""
    if by not in ("auto", "time", "batch"):
        raise NoomarketingError(f"by must be 'auto', 'time' or 'batch', not {by!r}")
    times = pd.to_datetime(frame["time"], utc=True, errors="coerce", format="mixed")
    if by == "time" or (by == "auto" and times.notna().any()):
        if times.isna().all():
            raise NoomarketingError("the feedback has no times: follow it by batch (by='batch')")
        try:
            periods = times.dt.tz_localize(None).dt.to_period(freq)
        except (ValueError, TypeError):
            raise NoomarketingError(f"freq {freq!r} is not a pandas period frequency (e.g. "
                                    "'D', 'W', 'M', 'Q', 'Y')") from None
        untimed = frame.loc[times.isna(), "row"]
        if len(untimed):
            logger.warning("%d feedback row(s) have no time and are left out of the periods "
                           "(rows %s)", len(untimed), ", ".join(map(str, untimed[:10])))
        frame = frame.assign(period=periods)[times.notna()]
        order = {p: i for i, p in enumerate(sorted(frame["period"].unique()))}
    else:
        frame = frame.assign(period=frame["batch"])
        order = {p: i for i, p in enumerate(pd.unique(frame["period"]))}
    return frame.assign(order=frame["period"].map(order).astype(np.int64))


def _with_labels(frame: pd.DataFrame, ideas: Sequence[Idea] | None) -> pd.DataFrame:
    """``frame`` with each segment's ``label`` when ideas are given."""
    if ideas is None:
        return frame
    return frame.assign(label=frame["segment"].map({i.segment_id: i.label for i in ideas}))


def _periods(frame: pd.DataFrame) -> pd.Series:
    """Period rank (``order``) → period label."""
    return frame.drop_duplicates("order").set_index("order")["period"]


def period_counts(
    feedback: Any, assignments: Any, freq: str = "M", *, by: str = "auto"
) -> pd.DataFrame:
    """Rows per period (index, oldest first) and segment (columns; ``-1``: unassigned).

    The table :func:`share_trends` reads. See :func:`ideas_over_time` for the arguments.

    >>> period_counts(None, [pd.DataFrame({"row": [0, 1], "customer_id": ["a", "b"],
    ...                                    "segment": [0, 1]}),
    ...                      pd.DataFrame({"row": [0], "customer_id": ["a"], "segment": [1]})]
    ...              ).to_dict("index")  # batch → {segment: rows}
    {1: {0: 1, 1: 1}, 2: {0: 0, 1: 1}}
    """
    frame = _with_periods(history(feedback, assignments), freq, by)
    table = pd.crosstab(frame["order"], frame["segment"])
    periods = _periods(frame)
    table.index = pd.Index(periods[table.index].to_numpy(), name="period")
    return table.rename_axis(columns="segment")


def ideas_over_time(
    feedback: Any,
    assignments: Any,
    freq: str = "M",
    *,
    ideas: Sequence[Idea] | None = None,
    by: str = "auto",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each segment's count and share per period, with the segment's trend.

    Args:
        feedback: the :class:`Feedback` the assignments were made for (its items' ``time`` and
            ``anonymous``), a list of them (one per batch), or None (then an assignments table
            needs ``customer_id``; a ``time`` column is used when present).
        assignments: an ``assignments.csv`` frame (``row``, ``segment``, ``status``; a
            ``batch`` column marks batches, in the order they first appear), one segment
            label per item (``model.labels_``), or one of these per batch: a list (batches 1,
            2, ...) or a dict (name → frame), oldest first.
        freq: the period of the feedback times (a pandas period frequency: ``"W"``, ``"M"``,
            ``"Q"``...); rows without a time are left out, with a warning.
        ideas: the segments' ideas: adds their ``label``.
        by: ``"time"``, ``"batch"`` or ``"auto"`` (times when the feedback has any, else
            batches).
        alpha: the significance level of the trend (:func:`share_trends`).

    Returns one row per period (oldest first) and segment: ``period`` (a pandas ``Period``, or
    the batch), ``segment``, ``count``, ``share`` (of the period's assigned rows: the shares of
    a period sum to 1; unassigned and noise rows are in no share), ``label`` when ideas are
    given, and ``status``, the segment's trend in the last period (:func:`share_trends`).

    >>> import noomarketing as nm
    >>> fb = nm.load_feedback(nm.example_feedback_path(), **nm.EXAMPLE_COLUMNS)
    >>> labels = [len(text) % 2 for text in fb.texts]  # any labels: here by text length
    >>> table = ideas_over_time(fb, labels, freq="Q")
    >>> table.columns.tolist()
    ['period', 'segment', 'count', 'share', 'status']
    >>> table.groupby("period")["share"].sum().round(6).unique().tolist()
    [1.0]
    """
    counts = period_counts(feedback, assignments, freq, by=by)
    trends = share_trends(counts, alpha=alpha)
    assigned = counts.drop(columns=[UNASSIGNED], errors="ignore")
    totals = assigned.sum(axis=1).replace(0, np.nan)
    long = assigned.stack().rename("count").reset_index()
    long["share"] = (long["count"] / long["period"].map(totals).to_numpy()).fillna(0.0)
    long = _with_labels(long, ideas)
    long["status"] = long["segment"].map(trends["status"])
    return long.astype({"count": np.int64, "segment": np.int64})


def customer_sequences(
    feedback: Any,
    assignments: Any,
    freq: str = "M",
    *,
    ideas: Sequence[Idea] | None = None,
    by: str = "auto",
) -> pd.DataFrame:
    """Each named customer's segment in each period they wrote in, oldest first.

    A customer's segment in a period is the one most of their feedback of that period is in
    (ties: the lower id). Unassigned and noise rows say nothing about a customer's idea, and
    anonymous rows (no customer id) are never linked to anyone. Columns: ``customer_id``,
    ``period``, ``segment``, ``count`` (their rows in that segment that period), ``label``
    when ideas are given. Arguments as :func:`ideas_over_time`.

    >>> from noomarketing.schema import FeedbackItem
    >>> fb = Feedback(items=[FeedbackItem(row=i, text="t", customer_id=c, time=t)
    ...     for i, (c, t) in enumerate([("a", "2024-01-05"), ("a", "2024-02-01"),
    ...                                 ("b", "2024-01-09")])])
    >>> customer_sequences(fb, [0, 1, 0])[["customer_id", "segment"]].to_dict("list")
    {'customer_id': ['a', 'a', 'b'], 'segment': [0, 1, 0]}
    """
    frame = _with_periods(history(feedback, assignments), freq, by)
    frame = frame[~frame["anonymous"].astype(bool) & (frame["segment"] != UNASSIGNED)]
    votes = (frame.groupby(["customer_id", "order", "segment"], sort=True).size()
             .rename("count").reset_index())
    votes = votes.sort_values(["customer_id", "order", "count", "segment"],
                              ascending=[True, True, False, True], kind="stable")
    best = votes.drop_duplicates(["customer_id", "order"]).reset_index(drop=True)
    periods = _periods(frame)
    best.insert(1, "period", periods[best["order"]].to_numpy())
    best = best.drop(columns="order").astype({"segment": np.int64, "count": np.int64})
    return _with_labels(best, ideas)


def idea_changes(
    feedback: Any,
    assignments: Any,
    freq: str = "M",
    *,
    ideas: Sequence[Idea] | None = None,
    by: str = "auto",
) -> pd.DataFrame:
    """One row per moment a named customer's idea changed, between two periods they wrote in.

    Built on :func:`customer_sequences` (see there for how a customer's segment in a period is
    chosen; anonymous rows are never linked). Columns :data:`CHANGE_COLUMNS`, then
    ``from_label`` and ``to_label`` when ideas are given; ordered by customer, then time.

    >>> from noomarketing.schema import FeedbackItem
    >>> fb = Feedback(items=[FeedbackItem(row=i, text="t", customer_id=c, time=t)
    ...     for i, (c, t) in enumerate([("a", "2024-01-05"), ("a", "2024-02-01"),
    ...                                 ("b", "2024-01-09"), ("b", "2024-03-09")])])
    >>> changes = idea_changes(fb, [0, 1, 0, 0])
    >>> changes[["customer_id", "from_segment", "to_segment"]].to_dict("records")
    [{'customer_id': 'a', 'from_segment': 0, 'to_segment': 1}]
    >>> str(changes["to_period"][0])
    '2024-02'
    """
    seq = customer_sequences(feedback, assignments, freq, ideas=ideas, by=by)
    before = seq.groupby("customer_id", sort=False).shift(1)
    moved = before["segment"].notna() & (before["segment"] != seq["segment"])
    changes = pd.DataFrame({
        "customer_id": seq.loc[moved, "customer_id"],
        "from_period": before.loc[moved, "period"],
        "to_period": seq.loc[moved, "period"],
        "from_segment": before.loc[moved, "segment"].astype(np.int64),
        "to_segment": seq.loc[moved, "segment"],
    }, columns=CHANGE_COLUMNS)
    if ideas is not None:
        changes["from_label"] = before.loc[moved, "label"]
        changes["to_label"] = seq.loc[moved, "label"]
    return changes.reset_index(drop=True)


def write_idea_changes(changes: pd.DataFrame, path: str | Path) -> Path:
    """Write ``idea_changes.csv`` (periods as text, e.g. ``2024-02``); the path written.

    >>> import tempfile
    >>> empty = pd.DataFrame(columns=CHANGE_COLUMNS)
    >>> write_idea_changes(empty, Path(tempfile.mkdtemp()) / "c.csv").read_text().strip()
    'customer_id,from_period,to_period,from_segment,to_segment'
    """
    path = Path(path)
    changes.astype({"from_period": str, "to_period": str}).to_csv(path, index=False)
    return path
