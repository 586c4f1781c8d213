"""Reading feedback from files and frames into validated :class:`Feedback`.

Files and frames become tables in :mod:`noomarketing.reading` (its ``read_table`` and
``source_frame`` stay importable from here).

Every input row is accounted for: it becomes a :class:`FeedbackItem`, or it is listed in the
:class:`LoadReport` with the reason it was skipped. Kept rows that were read partially (an
unparseable date, a rating that is not a number, a missing customer id) get a note.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from noomarketing.privacy import mask_counts
from noomarketing.reading import decimal_point, source_frame
from noomarketing.reading import read_table as read_table  # importable from here, as before
from noomarketing.schema import (
    Feedback,
    FeedbackItem,
    LoadReport,
    NoomarketingError,
    RowNote,
    SkippedRow,
)
from noomarketing.text import tokenize, without_markup

logger = logging.getLogger(__name__)

FeedbackSource = pd.DataFrame | str | Path | Sequence[str] | Sequence[dict[str, Any]]


MAX_CHARS = 20_000
"""Default longest text kept (characters); longer texts are cut, with a note on their row. The
embedding models read only the beginning of a text (MiniLM: 256 word pieces, ~1,000 characters),
so this only bounds the memory and time of keyword extraction."""


def is_missing(value: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``pd.NaT``: a cell the user left empty.

    >>> is_missing(float("nan")), is_missing(0)
    (True, False)
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def load_feedback(
    source: FeedbackSource,
    *,
    text: str = "text",
    customer: str | None = None,
    time: str | None = None,
    rating: str | None = None,
    id: str | None = None,
    keep: Sequence[str] = (),
    mask_pii: bool = False,
    max_chars: int | None = MAX_CHARS,
    rating_range: tuple[float, float] | None = None,
    dayfirst: bool | None = None,
    encoding: str = "utf-8",
) -> Feedback:
    """Load and validate feedback; skipped rows are reported, never silently dropped.

    Args:
        source: a DataFrame, a path to CSV/TSV/JSONL/JSON/Parquet, a list of strings or dicts.
        text: column with the feedback text.
        customer: column with the customer id; without it (or where it is empty) a row is
            anonymous: its own customer, ``row-<n>``, known to no model.
        time: column with the feedback date/time.
        rating: column with a numeric rating (stars, NPS score...).
        id: column with a unique feedback id; rows repeating an earlier id are skipped.
        keep: other columns to carry along as ``attributes``.
        mask_pii: replace e-mails, phones, card numbers and IBANs in the texts (and in kept
            text attributes) by typed placeholders as they are loaded, so no later output sees
            them (:func:`noomarketing.privacy.mask_pii`); each masked row gets a note.
        max_chars: texts longer than this are cut to it, with a note on the row (None: keep).
        rating_range: ratings outside ``(low, high)`` are left empty with a note. None: the
            scale is guessed (0..5, 0..10 or 0..100: the smallest holding all ratings but far
            outliers) and ratings outside it are left empty with a note. Infinite ratings
            always are.
        dayfirst: how to read dates such as 05.01.2026 (ISO dates are always year-month-day).
            None guesses from the column (a day above 12 settles it; else dotted dates are
            day first, slashed ones month first) and notes each ambiguous row.
        encoding: the text encoding of CSV/JSON files.

    Example:
        >>> fb = load_feedback(["Late again!", "", "Great fit"])
        >>> len(fb), fb.report.skipped[0].reason
        (2, 'empty text')
    """
    _check_load_options(max_chars, rating_range)
    frame = source_frame(source, "feedback", text, encoding)
    wanted = {"text": text, "customer": customer, "time": time, "rating": rating, "id": id}
    wanted.update({f"keep:{k}": k for k in keep})
    missing = [col for col in wanted.values() if col is not None and col not in frame.columns]
    if missing:
        available = ", ".join(map(str, frame.columns[:30])) or "(none)"
        raise NoomarketingError(
            f"column(s) {', '.join(map(repr, missing))} not found; available: {available}"
        )
    notes: list[RowNote] = []
    times = parse_times(frame[time], dayfirst, notes) if time is not None else None
    ratings = _parse_ratings(frame[rating], rating_range, notes) if rating is not None else None

    items: list[FeedbackItem] = []
    skipped: list[SkippedRow] = []
    seen_ids: set[str] = set()
    customers = frame[customer].tolist() if customer is not None else None
    ids = frame[id].tolist() if id is not None else None
    kept = {k: frame[k].tolist() for k in keep}

    for row, raw in enumerate(frame[text].tolist()):
        value, reason = _text_of(raw, max_chars)
        if value is None:
            skipped.append(SkippedRow(row=row, reason=reason))
            continue
        if ids is not None:
            key = "" if is_missing(ids[row]) else str(ids[row])
            if key and key in seen_ids:
                skipped.append(SkippedRow(row=row, reason=f"duplicate id {key!r}"))
                continue
            seen_ids.add(key)
        if reason:
            notes.append(RowNote(row=row, note=reason))
        customer_id, anonymous = _customer(customers, row, notes)
        stamp = _value(times, row)
        number = _value(ratings, row)
        attributes = {k: (None if is_missing(v[row]) else v[row]) for k, v in kept.items()}
        if mask_pii:
            value, attributes = _masked(row, value, attributes, notes)
        items.append(
            FeedbackItem.model_construct(
                row=row,
                text=value,
                customer_id=customer_id,
                time=None if stamp is None else stamp.to_pydatetime(warn=False),
                rating=None if number is None else float(number),
                attributes=attributes,
                anonymous=anonymous,
            )
        )
    return _collected(items, skipped, notes, len(frame))


def _customer(customers: list[Any] | None, row: int, notes: list[RowNote]) -> tuple[str, bool]:
    """The row's customer id and whether it is anonymous (made up, as no id was given)."""
    made_up = f"row-{row}"
    if customers is None:
        return made_up, True
    if is_missing(customers[row]) or not str(customers[row]).strip():
        notes.append(RowNote(row=row, note=f"missing customer id, using {made_up!r}"))
        return made_up, True
    return as_id(customers[row]), False


def _check_load_options(max_chars: int | None, rating_range: Any) -> None:
    if max_chars is not None and (not isinstance(max_chars, int) or max_chars < 1):
        raise NoomarketingError(f"max_chars must be None or a positive integer, not {max_chars!r}")
    if rating_range is not None:
        low, high = rating_range
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise NoomarketingError(
                f"rating_range must be (low, high) with low < high, not {rating_range!r}"
            )


def _collected(
    items: list[FeedbackItem], skipped: list[SkippedRow], notes: list[RowNote], n_rows: int
) -> Feedback:
    loaded = {item.row for item in items}
    notes = sorted((n for n in notes if n.row in loaded), key=lambda n: n.row)
    report = LoadReport(n_input_rows=n_rows, n_loaded=len(items), skipped=skipped, notes=notes)
    if n_rows == 0:
        raise NoomarketingError("no usable feedback: the input has no rows")
    if not items:
        raise NoomarketingError(
            f"no usable feedback: all {n_rows} row(s) were skipped: "
            + "; ".join(report.summary().splitlines()[1:])
        )
    if report.skipped or report.notes:
        logger.info("loading: %s", report.summary().replace("\n", "; "))
    return Feedback(items=items, report=report)


_WORD = re.compile(r"[^\W_]", re.UNICODE)


def _text_of(raw: Any, max_chars: int | None) -> tuple[str | None, str]:
    """The text of a cell and a note, or None and the reason the row is skipped."""
    if is_missing(raw):
        return None, "missing text (NaN/None)"
    value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    if not value.strip():
        return None, "empty text"
    notes = []
    if "\x00" in value:
        value = value.replace("\x00", " ")
        notes.append("NUL characters replaced by spaces")
    plain = without_markup(value)
    if plain != value:
        if not plain.strip():
            return None, "only HTML markup, no text"
        value = plain
        notes.append("HTML markup read as text (tags taken out, entities such as &amp; decoded)")
    if max_chars is not None and len(value) > max_chars:
        notes.append(f"text of {len(value):,} characters cut to the first {max_chars:,}")
        value = value[:max_chars]
    if not _WORD.search(value):
        notes.append(
            "no letters or digits (emoji or symbols only): it embeds like other "
            "such texts and has no keywords"
        )
    elif not tokenize(value[:1000]):
        notes.append("only stop words or numbers: it has no keywords")
    return value, "; ".join(notes)


def _masked(
    row: int, value: str, attributes: dict[str, Any], notes: list[RowNote]
) -> tuple[str, dict[str, Any]]:
    value, counts = mask_counts(value)
    for key, attribute in attributes.items():
        if isinstance(attribute, str):
            attributes[key], more = mask_counts(attribute)
            counts.update(more)
    if counts:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        notes.append(RowNote(row=row, note=f"contact data masked: {kinds}"))
    return value, attributes


_ISO = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})([./-])(\d{1,2})\2\d{2,4}(?!\d)")


def parse_times(column: pd.Series, dayfirst: bool | None, notes: list[RowNote]) -> pd.Series:
    """Dates of a column: ISO year-month-day always; other dates day or month first, the
    same for the whole column (``dayfirst=None``: day first when a day above 12 says so, or
    when dots separate the parts, as in 05.01.2026), with a note in ``notes`` for each date
    that is not parseable or could be read either way."""
    text = [v if isinstance(v, str) else "" for v in column.tolist()]
    iso = pd.Series([bool(_ISO.match(v)) for v in text], index=column.index)
    pairs = [
        (m.group(1), m.group(2), m.group(3)) if m else None
        for m in (_DAY_MONTH.match(v) for v in text)
    ]
    guessed = dayfirst is None
    if guessed:
        days_first = any(p and int(p[0]) > 12 for p in pairs)
        months_first = any(p and int(p[2]) > 12 for p in pairs)
        dots = sum(1 for p in pairs if p and p[1] == ".")
        slashes = sum(1 for p in pairs if p and p[1] != ".")
        dayfirst = days_first if days_first != months_first else dots >= slashes
    # numbers are no dates (pandas would read 5 as 5 ns after 1970): only text and dates
    readable = pd.Series(
        [isinstance(v, str | datetime | date) for v in column.tolist()], index=column.index
    )
    parsed = pd.Series([pd.NaT] * len(column), index=column.index, dtype=object)
    for mask, first in ((iso, False), (~iso & readable, dayfirst)):
        if mask.any():
            values = pd.to_datetime(
                column[mask], errors="coerce", utc=True, format="mixed", dayfirst=first
            )
            parsed[mask] = [
                v if not pd.isna(v) and 1 <= v.year <= 9999 else pd.NaT for v in values
            ]  # Python's datetime holds years 1..9999
    _note_unparsed(column, parsed, "time not parseable, left empty", notes)
    if guessed:
        order = "day first" if dayfirst else "month first"
        for row, pair in enumerate(pairs):
            if pair and int(pair[0]) <= 12 and int(pair[2]) <= 12 and pair[0] != pair[2]:
                notes.append(
                    RowNote(
                        row=row,
                        note=f"date could be day or month first, read "
                        f"{order} (pass dayfirst= to choose)",
                    )
                )
    return parsed


def _parse_ratings(
    column: pd.Series, rating_range: tuple[float, float] | None, notes: list[RowNote]
) -> pd.Series:
    """Numbers of a column; infinite and out-of-range ratings become NaN with a note."""
    numbers = pd.to_numeric(column.map(_number_or_nan), errors="coerce").astype(float)
    _note_unparsed(column, numbers, "rating not a number, left empty", notes)
    finite = numbers[np.isfinite(numbers)]
    for row in np.flatnonzero(np.isinf(numbers.to_numpy())):
        notes.append(RowNote(row=int(row), note="rating is infinite, left empty"))
    numbers[np.isinf(numbers)] = np.nan
    if rating_range is None:
        rating_range = _guessed_scale(finite.to_numpy())
    if rating_range is not None:
        low, high = rating_range
        outside = np.flatnonzero(((numbers < low) | (numbers > high)).to_numpy())
        for row in outside:
            notes.append(
                RowNote(
                    row=int(row),
                    note=f"rating outside {low:g}..{high:g}, "
                    "left empty (pass rating_range= to change)",
                )
            )
        numbers.iloc[outside] = np.nan
    return numbers


RATING_TOPS = (5, 10, 100)
"""The tops of the rating scales guessed when none is given: 0..5, 0..10, 0..100."""


def _guessed_scale(ratings: np.ndarray) -> tuple[float, float] | None:
    """0..5, 0..10 or 0..100: the smallest holding every rating but far outliers (above five
    times the scale, or a few negatives); None when the ratings fit none of them.

    >>> _guessed_scale(np.array([1, 5, 4, 1000, -3])), _guessed_scale(np.array([0, 7, 10]))
    ((0, 5), (0, 10))
    """
    if not len(ratings) or (ratings >= 0).mean() < 0.8:
        return None
    for top in RATING_TOPS:
        usual = ratings[(ratings >= 0) & (ratings <= 5 * top)]
        if len(usual) and usual.max() <= top:
            return (0, top)
    return None


def _number_or_nan(value: Any) -> Any:
    """Booleans are not ratings; a decimal comma is read as a point ("4,5":
    :func:`~noomarketing.reading.decimal_point`); the rest is left to :func:`pandas.to_numeric`."""
    if isinstance(value, bool):
        return math.nan
    return decimal_point(value)


def _value(parsed: pd.Series | None, row: int) -> Any:
    """The parsed value of one cell, or None (not given, or not parseable: see the notes)."""
    if parsed is None:
        return None
    value = parsed.iloc[row]
    return None if pd.isna(value) else value


def _note_unparsed(column: pd.Series, parsed: pd.Series, note: str, notes: list[RowNote]) -> None:
    """A note on each cell that was given but could not be read."""
    given = ~column.map(is_missing).astype(bool)
    for row in np.flatnonzero((given & parsed.isna()).to_numpy()):
        notes.append(RowNote(row=int(row), note=note))


def as_id(value: Any) -> str:
    """An id as text; ids read as floats by pandas (``12.0``) come back as ``"12"``.

    >>> as_id(12.0), as_id(" c7 ")
    ('12', 'c7')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def per_input_row(given: Any, feedback: Feedback, values: np.ndarray, empty: Any) -> np.ndarray:
    """``values`` (one per item of ``feedback``) spread over the rows of the raw input
    ``given``; rows loading skipped get ``empty``. A :class:`Feedback` given keeps its items.

    >>> fb = load_feedback(["late", "", "pricey"])
    >>> per_input_row(["late", "", "pricey"], fb, np.array([3, 4]), -1).tolist()
    [3, -1, 4]
    """
    if isinstance(given, Feedback) or feedback.report is None:
        return values
    shape = (feedback.report.n_input_rows, *values.shape[1:])
    per_row = np.full(shape, empty, dtype=values.dtype)
    per_row[feedback.rows] = values
    return per_row


def as_feedback(data: Feedback | FeedbackSource, **columns: Any) -> Feedback:
    """Accept :class:`Feedback` as is, or load anything :func:`load_feedback` reads.

    ``mask_pii=True`` masks given :class:`Feedback` too (:func:`masked_feedback`).
    """
    if isinstance(data, Feedback):
        return masked_feedback(data) if columns.get("mask_pii") else data
    return load_feedback(data, **columns)


def masked_feedback(feedback: Feedback) -> Feedback:
    """``feedback`` with contact data masked in texts and text attributes, noted per row.

    >>> fb = masked_feedback(Feedback.from_texts(["write to jan@example.com"]))
    >>> fb.texts, fb.report.notes[0].note
    (['write to [email]'], 'contact data masked: 1 email')
    """
    report = feedback.report or LoadReport(n_input_rows=len(feedback), n_loaded=len(feedback))
    notes = list(report.notes)
    items = []
    for item in feedback.items:
        text, attributes = _masked(item.row, item.text, dict(item.attributes), notes)
        items.append(item.model_copy(update={"text": text, "attributes": attributes}))
    notes.sort(key=lambda n: n.row)
    return Feedback(items=items, report=report.model_copy(update={"notes": notes}))
