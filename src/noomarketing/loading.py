"""Reading feedback from files and frames into validated :class:`Feedback`.

Every input row is accounted for: it becomes a :class:`FeedbackItem`, or it is listed in the
:class:`LoadReport` with the reason it was skipped. Kept rows that were read partially (an
unparseable date, a rating that is not a number, a missing customer id) get a note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from noomarketing.schema import (
    Feedback,
    FeedbackItem,
    LoadReport,
    NoomarketingError,
    RowNote,
    SkippedRow,
)

FeedbackSource = pd.DataFrame | str | Path | Sequence[str] | Sequence[dict[str, Any]]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read CSV (optionally gzipped), JSONL/JSON or Parquet into a DataFrame.

    >>> read_table("missing.csv")
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: input file not found: missing.csv
    """
    path = Path(path)
    if not path.exists():
        raise NoomarketingError(f"input file not found: {path}")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".gz", ".bz2", ".zip", ".xz"}:
        suffixes = suffixes[:-1]
    kind = suffixes[-1] if suffixes else ""
    try:
        if kind in {".csv", ".tsv", ".txt"}:
            return pd.read_csv(path, sep="\t" if kind == ".tsv" else ",", dtype=object)
        if kind in {".jsonl", ".ndjson"}:
            return pd.read_json(path, lines=True, dtype=False)
        if kind == ".json":
            return pd.read_json(path, dtype=False)
        if kind in {".parquet", ".pq"}:
            return pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise NoomarketingError(f"could not read {path}: {exc}") from exc
    raise NoomarketingError(
        f"unsupported input format {path.name!r}: use .csv, .tsv, .jsonl, .json or .parquet"
    )


def source_frame(source: Any, what: str, text: str | None = None) -> pd.DataFrame:
    """A table from a DataFrame, a file path or a list of dicts (or of strings, into ``text``).

    The one reader behind feedback, offers and activity; ``what`` names the table in errors.

    >>> source_frame([{"id": 1}], "offers").shape
    (1, 1)
    >>> source_frame(42, "offers")
    Traceback (most recent call last):
    ...
    noomarketing.schema.NoomarketingError: cannot read offers from int: give a DataFrame, \
a file path or a list of dicts
    """
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True)
    if isinstance(source, str | Path):
        return read_table(source).reset_index(drop=True)
    if isinstance(source, Sequence) and all(isinstance(x, dict) for x in source):
        return pd.DataFrame(list(source))
    if text is not None and isinstance(source, Sequence):
        return pd.DataFrame({text: list(source)})
    strings = "a list of strings or " if text is not None else ""
    raise NoomarketingError(
        f"cannot read {what} from {type(source).__name__}: "
        f"give a DataFrame, a file path or {strings}a list of dicts"
    )


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

    Example:
        >>> fb = load_feedback(["Late again!", "", "Great fit"])
        >>> len(fb), fb.report.skipped[0].reason
        (2, 'empty text')
    """
    frame = source_frame(source, "feedback", text)
    wanted = {"text": text, "customer": customer, "time": time, "rating": rating, "id": id}
    wanted.update({f"keep:{k}": k for k in keep})
    missing = [col for col in wanted.values() if col is not None and col not in frame.columns]
    if missing:
        available = ", ".join(map(str, frame.columns[:30]))
        raise NoomarketingError(
            f"column(s) {', '.join(map(repr, missing))} not found; available: {available}"
        )

    times = (
        pd.to_datetime(frame[time], errors="coerce", utc=True, format="mixed")
        if time is not None
        else None
    )
    ratings = pd.to_numeric(frame[rating], errors="coerce") if rating is not None else None

    items: list[FeedbackItem] = []
    skipped: list[SkippedRow] = []
    notes: list[RowNote] = []
    seen_ids: set[str] = set()
    texts = frame[text].tolist()
    customers = frame[customer].tolist() if customer is not None else None
    ids = frame[id].tolist() if id is not None else None
    kept = {k: frame[k].tolist() for k in keep}

    for row, raw in enumerate(texts):
        reason = _skip_reason(raw, None if ids is None else ids[row], seen_ids)
        if reason is not None:
            skipped.append(SkippedRow(row=row, reason=reason))
            continue
        value = str(raw)
        customer_id, anonymous = _customer(customers, row, notes)
        stamp = _parsed(times, frame, time, row, "time not parseable, left empty", notes)
        number = _parsed(ratings, frame, rating, row, "rating not a number, left empty", notes)
        attributes = {k: (None if is_missing(v[row]) else v[row]) for k, v in kept.items()}
        items.append(
            FeedbackItem.model_construct(
                row=row,
                text=value,
                customer_id=customer_id,
                time=None if stamp is None else stamp.to_pydatetime(),
                rating=None if number is None else float(number),
                attributes=attributes,
                anonymous=anonymous,
            )
        )

    report = LoadReport(
        n_input_rows=len(frame), n_loaded=len(items), skipped=skipped, notes=notes
    )
    if not items:
        raise NoomarketingError(
            f"no usable feedback: all {len(frame)} row(s) were skipped. {report.summary()}"
        )
    return Feedback(items=items, report=report)


def _skip_reason(raw: Any, feedback_id: Any, seen_ids: set[str]) -> str | None:
    """Why a row is skipped (no text, a blank one, an id seen before), or None to keep it."""
    if is_missing(raw):
        return "missing text (NaN/None)"
    if not str(raw).strip():
        return "empty text"
    key = "" if is_missing(feedback_id) else str(feedback_id)
    if key and key in seen_ids:
        return f"duplicate id {key!r}"
    seen_ids.add(key)
    return None


def _customer(customers: list[Any] | None, row: int, notes: list[RowNote]) -> tuple[str, bool]:
    """The row's customer id and whether it is anonymous (made up, as no id was given)."""
    made_up = f"row-{row}"
    if customers is None:
        return made_up, True
    if is_missing(customers[row]) or not str(customers[row]).strip():
        notes.append(RowNote(row=row, note=f"missing customer id, using {made_up!r}"))
        return made_up, True
    return as_id(customers[row]), False


def _parsed(
    parsed: pd.Series | None,
    frame: pd.DataFrame,
    column: str | None,
    row: int,
    note: str,
    notes: list[RowNote],
) -> Any:
    """The parsed value of one cell, or None; a cell given but not parseable gets ``note``."""
    if parsed is None or column is None:
        return None
    value = parsed.iloc[row]
    if pd.isna(value):
        if not is_missing(frame[column].iloc[row]):
            notes.append(RowNote(row=row, note=note))
        return None
    return value


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
    """Accept :class:`Feedback` as is, or load anything :func:`load_feedback` reads."""
    if isinstance(data, Feedback):
        return data
    return load_feedback(data, **columns)
