"""Retention metrics from a customer activity table (customer id, date, optional value).

For a period ``[start, end)`` (end excluded):

* ``S`` — customers at the start: active before ``start`` (only within ``lookback`` before it,
  when given);
* ``N`` — new customers: their first activity ever falls in the period;
* ``retained`` — customers of ``S`` active in the period; ``churned = S - retained``;
* ``E`` — customers at the end: ``retained + N``. Customers coming back after more than
  ``lookback`` away are counted as ``reactivated``, in neither ``S`` nor ``E``;
* ``CRR = (E - N) / S`` (the method's customer retention rate) and ``churn = churned / S``;
* ``repeat rate`` — share of the customers active in the period with at least two activities
  in it.

Every metric comes for all customers (``segment_id=None``) and per segment, given a mapping of
customers to segments (:func:`noomarketing.customer_segments`). :func:`cohort_table` gives the
share of each first-activity cohort active in each later period; :func:`uplift` compares the
retention of treated customers and a control group after a campaign.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from noomarketing.loading import as_id, is_missing, parse_times, source_frame
from noomarketing.reading import decimal_point
from noomarketing.schema import NoomarketingError, RowNote

logger = logging.getLogger(__name__)

ActivitySource = pd.DataFrame | str | Path | Sequence[dict[str, Any]]
Moment = str | datetime | pd.Timestamp


class RetentionRate(BaseModel):
    """Retention of one group of customers over one period (``segment_id=None``: everyone)."""

    segment_id: int | None
    start: datetime
    end: datetime
    customers_start: int
    customers_end: int
    new: int
    retained: int
    churned: int
    reactivated: int
    crr: float | None
    churn: float | None
    active: int
    repeat_rate: float | None
    value: float | None = None


class Uplift(BaseModel):
    """Retention of treated customers against the control group over one period.

    ``uplift = treated_rate - control_rate``; ``ci_low``/``ci_high`` is its 95 % normal
    approximation interval (None when a group is empty).
    """

    segment_id: int | None
    treated: int
    control: int
    treated_retained: int
    control_retained: int
    treated_rate: float | None
    control_rate: float | None
    uplift: float | None
    ci_low: float | None
    ci_high: float | None


def load_activity(
    source: ActivitySource,
    *,
    customer: str = "customer_id",
    time: str = "date",
    value: str | None = None,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read an activity table into columns ``customer_id`` (str), ``time``, ``value``.

    A missing column, an empty customer id, an unparseable date or a value that is not a number
    is a one-line :class:`NoomarketingError` naming the rows: metrics on silently shortened
    data would be wrong. Without a ``value`` column, ``value`` is empty (NaN). Dates are read
    as :func:`~noomarketing.load_feedback` reads them: ISO dates year-month-day, others day
    or month first for the whole column (``dayfirst``; ``None`` guesses, and 05.01.2026 is
    the 5th of January); a value may have a decimal comma ("4,50").

    Example:
        >>> load_activity([{"customer_id": 7, "date": "2026-01-05"}]).customer_id.tolist()
        ['7']
    """
    frame = source_frame(source, "activity")
    missing = [c for c in (customer, time, value) if c is not None and c not in frame.columns]
    if missing:
        raise NoomarketingError(
            f"activity table lacks column(s) {', '.join(map(repr, missing))}; "
            f"it has: {', '.join(map(str, frame.columns[:30]))}"
        )
    ids = frame[customer].map(_as_id)
    _refuse(ids.isna(), "empty customer id")
    notes: list[RowNote] = []
    times = pd.to_datetime(parse_times(frame[time], dayfirst, notes), utc=True)
    _refuse(times.isna(), "date missing or not parseable")
    if notes:  # every date parsed, so each note says it could be read either way, alike
        logger.info("activity: %d row(s): %s", len(notes), notes[0].note)
    out = pd.DataFrame({"customer_id": ids.astype(str), "time": times.dt.tz_localize(None)})
    if value is not None:
        values = pd.to_numeric(frame[value].map(decimal_point), errors="coerce")
        _refuse(values.isna(), "value missing or not a number")
        out["value"] = values.astype(float)
    else:
        out["value"] = np.nan
    return out


def _as_id(raw: Any) -> str | None:
    return None if is_missing(raw) else as_id(raw) or None


def _refuse(bad: pd.Series, what: str) -> None:
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
        raise NoomarketingError(f"activity table: {len(rows)} row(s) with {what} (rows {shown})")


def as_activity(activity: pd.DataFrame | ActivitySource) -> pd.DataFrame:
    """A table from :func:`load_activity` as is; anything else is read with the columns
    ``customer_id``, ``date`` and, when there is one, ``value``."""
    if (
        isinstance(activity, pd.DataFrame)
        and list(activity.columns) == ["customer_id", "time", "value"]
        and pd.api.types.is_datetime64_any_dtype(activity["time"])
    ):
        return activity
    frame = source_frame(activity, "activity")
    return load_activity(frame, value="value" if "value" in frame.columns else None)


def last_period(
    activity: pd.DataFrame | ActivitySource, length: str | pd.Timedelta = "90D"
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The last ``length`` of the activity, ending after its last day: ``(start, end)``.

    >>> last_period([{"customer_id": "a", "date": "2026-03-31 15:00"}], "30D")
    (Timestamp('2026-03-02 00:00:00'), Timestamp('2026-04-01 00:00:00'))
    """
    end = as_activity(activity)["time"].max().normalize() + pd.Timedelta(days=1)
    return end - pd.Timedelta(length), end


def _moment(value: Moment, name: str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise NoomarketingError(f"{name} is not a date: {value!r}")
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _groups(
    customers: Collection[str], segments: Mapping[str, int] | None
) -> list[tuple[int | None, set[str]]]:
    groups: list[tuple[int | None, set[str]]] = [(None, set(customers))]
    if segments:
        for segment in sorted(set(segments.values())):
            groups.append((int(segment), {c for c, s in segments.items() if s == segment}))
    return groups


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 6) if denominator else None


def retention_rates(
    activity: pd.DataFrame | ActivitySource,
    start: Moment,
    end: Moment,
    *,
    segments: Mapping[str, int] | None = None,
    lookback: str | pd.Timedelta | None = None,
) -> RateList:
    """CRR, churn and repeat rate over ``[start, end)``, for everyone and per segment.

    Args:
        activity: a table from :func:`load_activity` (or anything it reads with the default
            column names ``customer_id``, ``date``).
        start, end: the period; ``end`` is excluded.
        segments: customer id → segment id; customers not in it count only in the overall row.
        lookback: a customer counts at the start only if active within this long before
            ``start`` (e.g. ``"90D"``); ``None`` counts everyone seen before.

    Example:
        >>> table = [{"customer_id": c, "date": d} for c, d in
        ...          [("a", "2026-01-05"), ("b", "2026-01-09"), ("a", "2026-02-03"),
        ...           ("c", "2026-02-10")]]
        >>> rate = retention_rates(table, "2026-02-01", "2026-03-01")[0]
        >>> rate.customers_start, rate.new, rate.customers_end, rate.crr
        (2, 1, 2, 0.5)
    """
    data = as_activity(activity)
    begin, finish = _moment(start, "start"), _moment(end, "end")
    if finish <= begin:
        raise NoomarketingError(f"the period ends ({finish}) before it starts ({begin})")
    first = data.groupby("customer_id")["time"].min()
    before = data[data["time"] < begin]
    if lookback is not None:
        before = before[before["time"] >= begin - pd.Timedelta(lookback)]
    during = data[(data["time"] >= begin) & (data["time"] < finish)]
    counts = during.groupby("customer_id").size()
    has_value = bool(data["value"].notna().any())

    at_start, active = set(before["customer_id"]), set(counts.index)
    new = set(first[(first >= begin) & (first < finish)].index)
    rates = []
    for segment, members in _groups(first.index, segments):
        s, act, n = at_start & members, active & members, new & members
        retained = s & act
        repeaters = int((counts[sorted(act)] >= 2).sum()) if act else 0
        rates.append(
            RetentionRate(
                segment_id=segment,
                start=begin.to_pydatetime(),
                end=finish.to_pydatetime(),
                customers_start=len(s),
                customers_end=len(retained) + len(n),
                new=len(n),
                retained=len(retained),
                churned=len(s) - len(retained),
                reactivated=len(act - s - n),
                crr=_rate(len(retained), len(s)),
                churn=_rate(len(s) - len(retained), len(s)),
                active=len(act),
                repeat_rate=_rate(repeaters, len(act)),
                value=round(float(during.loc[during["customer_id"].isin(members), "value"].sum()),
                            6) if has_value else None,
            )
        )
    return RateList(rates)


def cohort_table(
    activity: pd.DataFrame | ActivitySource,
    *,
    freq: str = "M",
    segments: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Share of each cohort (customers by period of first activity) active k periods later.

    Rows are cohorts (``freq`` periods: ``"M"`` months, ``"Q"`` quarters, ``"W"`` weeks);
    column ``size`` is the cohort's customers and columns ``0, 1, 2, ...`` the share of them
    active that many periods after their first (column 0 is always 1; periods after the end of
    the data are empty, not 0). With ``segments`` the
    index is (segment, cohort) and customers without a segment are left out.

    Example:
        >>> table = [{"customer_id": c, "date": d} for c, d in
        ...          [("a", "2026-01-05"), ("b", "2026-01-09"), ("a", "2026-02-03")]]
        >>> float(cohort_table(table).loc["2026-01", 1])
        0.5
    """
    data = as_activity(activity)
    period = data["time"].dt.to_period(freq)
    first = period.groupby(data["customer_id"]).transform("min")
    frame = pd.DataFrame({
        "customer_id": data["customer_id"],
        "cohort": first.astype(str),
        "age": _periods_between(first, period),
    }).drop_duplicates()
    if segments is not None:
        frame["segment"] = frame["customer_id"].map(segments)
        frame = frame.dropna(subset=["segment"])
        frame["segment"] = frame["segment"].astype(int)
        keys = ["segment", "cohort"]
    else:
        keys = ["cohort"]
    active = frame.groupby([*keys, "age"])["customer_id"].nunique().unstack("age", fill_value=0)
    size = active[0]
    # periods after the end of the data are unknown, not zero
    last = period.max()
    cohorts = pd.PeriodIndex(active.index.get_level_values("cohort"), freq=last.freq)
    observable = last.ordinal - cohorts.asi8
    ages = range(int(observable.max()) + 1)
    table = active.reindex(columns=ages, fill_value=0).div(size, axis=0).round(6).astype(float)
    for age in ages:
        table.loc[observable < age, age] = np.nan
    table.insert(0, "size", size)
    table.columns.name = None
    return table.sort_index()


def _periods_between(first: pd.Series, later: pd.Series) -> np.ndarray:
    return later.array.asi8 - first.array.asi8


def uplift(
    activity: pd.DataFrame | ActivitySource,
    treated: Collection[str],
    control: Collection[str],
    start: Moment,
    end: Moment,
    *,
    segments: Mapping[str, int] | None = None,
) -> RateList:
    """Campaign uplift: share of treated vs control customers active in ``[start, end)``.

    ``treated`` are the customers who got proposals, ``control`` the held-out group
    (``ProposalResult.control``); both were customers when the campaign started, so a
    customer active in the period is retained. Per segment too, given ``segments``.

    Example:
        >>> table = [{"customer_id": c, "date": "2026-03-02"} for c in ["t1", "t2", "c1"]]
        >>> result = uplift(table, ["t1", "t2", "t3", "t4"], ["c1", "c2"],
        ...                 "2026-03-01", "2026-04-01")[0]
        >>> result.treated_rate, result.control_rate, result.uplift
        (0.5, 0.5, 0.0)
    """
    treated_set, control_set = set(map(str, treated)), set(map(str, control))
    both = treated_set & control_set
    if both:
        raise NoomarketingError(
            f"{len(both)} customer(s) are both treated and control, e.g. {sorted(both)[:3]}"
        )
    data = as_activity(activity)
    begin, finish = _moment(start, "start"), _moment(end, "end")
    if finish <= begin:
        raise NoomarketingError(f"the period ends ({finish}) before it starts ({begin})")
    during = data[(data["time"] >= begin) & (data["time"] < finish)]
    active = set(during["customer_id"])
    results = []
    for segment, members in _groups(treated_set | control_set, segments):
        t, c = treated_set & members, control_set & members
        t_kept, c_kept = len(t & active), len(c & active)
        t_rate, c_rate = _rate(t_kept, len(t)), _rate(c_kept, len(c))
        lift = low = high = None
        if t_rate is not None and c_rate is not None:
            lift = round(t_rate - c_rate, 6)
            se = math.sqrt(t_rate * (1 - t_rate) / len(t) + c_rate * (1 - c_rate) / len(c))
            low, high = round(lift - 1.96 * se, 6), round(lift + 1.96 * se, 6)
        results.append(
            Uplift(
                segment_id=segment,
                treated=len(t),
                control=len(c),
                treated_retained=t_kept,
                control_retained=c_kept,
                treated_rate=t_rate,
                control_rate=c_rate,
                uplift=lift,
                ci_low=low,
                ci_high=high,
            )
        )
    return RateList(results)


class RateList(list):
    """What :func:`retention_rates` and :func:`uplift` return: a list with a table view.

    >>> table = [{"customer_id": c, "date": d} for c, d in
    ...          [("a", "2026-01-05"), ("a", "2026-02-03"), ("b", "2026-02-09")]]
    >>> rates = retention_rates(table, "2026-02-01", "2026-03-01")
    >>> rates.to_frame()[["customers_start", "new", "crr"]].to_dict("records")
    [{'customers_start': 1, 'new': 1, 'crr': 1.0}]
    """

    def to_frame(self) -> pd.DataFrame:
        """One row per group (``segment`` empty = all customers)."""
        return rates_frame(self)

    def __repr__(self) -> str:
        kind = type(self[0]).__name__ if self else "rate"
        return f"RateList({len(self)} {kind} row(s): all customers and per segment)"

    def _repr_html_(self) -> str:
        from noomarketing.display import html_table

        return html_table(self.to_frame(), caption=repr(self))


def rates_frame(rates: Sequence[RetentionRate] | Sequence[Uplift]) -> pd.DataFrame:
    """Retention rates or uplifts as a DataFrame, one row per group (``segment`` empty = all)."""
    frame = pd.DataFrame([r.model_dump() for r in rates])
    frame = frame.rename(columns={"segment_id": "segment"})
    frame["segment"] = frame["segment"].astype("Int64")
    return frame
