"""Reading feedback from files and frames into validated :class:`Feedback`.

Every input row is accounted for: it becomes a :class:`FeedbackItem`, or it is listed in the
:class:`LoadReport` with the reason it was skipped. Kept rows that were read partially (an
unparseable date, a rating that is not a number, a missing customer id) get a note.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from noomarketing.schema import (
    Feedback,
    FeedbackItem,
    LoadReport,
    NoomarketingError,
    RowNote,
    SkippedRow,
)

logger = logging.getLogger(__name__)

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


def _to_frame(source: FeedbackSource, text: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True)
    if isinstance(source, str | Path):
        return read_table(source).reset_index(drop=True)
    if isinstance(source, Sequence):
        if all(isinstance(x, dict) for x in source):
            return pd.DataFrame(list(source))
        return pd.DataFrame({text: list(source)})
    raise NoomarketingError(
        f"cannot read feedback from {type(source).__name__}: "
        "give a DataFrame, a file path, a list of strings or a list of dicts"
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
        customer: column with the customer id; without it each row is its own customer.
        time: column with the feedback date/time.
        rating: column with a numeric rating (stars, NPS score...).
        id: column with a unique feedback id; rows repeating an earlier id are skipped.
        keep: other columns to carry along as ``attributes``.

    Example:
        >>> fb = load_feedback(["Late again!", "", "Great fit"])
        >>> len(fb), fb.report.skipped[0].reason
        (2, 'empty text')
    """
    frame = _to_frame(source, text)
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
        if is_missing(raw):
            skipped.append(SkippedRow(row=row, reason="missing text (NaN/None)"))
            continue
        value = str(raw)
        if not value.strip():
            skipped.append(SkippedRow(row=row, reason="empty text"))
            continue
        if ids is not None:
            key = "" if is_missing(ids[row]) else str(ids[row])
            if key and key in seen_ids:
                skipped.append(SkippedRow(row=row, reason=f"duplicate id {key!r}"))
                continue
            seen_ids.add(key)
        customer_id = f"row-{row}"
        if customers is not None:
            if is_missing(customers[row]) or not str(customers[row]).strip():
                notes.append(RowNote(row=row, note=f"missing customer id, using {customer_id!r}"))
            else:
                customer_id = as_id(customers[row])
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
            )
        )

    report = LoadReport(
        n_input_rows=len(frame), n_loaded=len(items), skipped=skipped, notes=notes
    )
    if not items:
        raise NoomarketingError(
            f"no usable feedback: all {len(frame)} row(s) were skipped. {report.summary()}"
        )
    if report.skipped or report.notes:
        logger.info("loading: %s", report.summary().replace("\n", "; "))
    return Feedback(items=items, report=report)


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


def as_feedback(data: Feedback | FeedbackSource, **columns: Any) -> Feedback:
    """Accept :class:`Feedback` as is, or load anything :func:`load_feedback` reads."""
    if isinstance(data, Feedback):
        return data
    return load_feedback(data, **columns)
