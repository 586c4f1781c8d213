"""Offer catalogues: the goods and services a business can propose, read and checked.

A catalogue is a CSV, JSONL, JSON or Parquet file, a DataFrame or a list of dicts with ``id``,
``name`` and ``description``, and optionally ``cost``, ``price`` and ``tags``; stage 4
(:mod:`noomarketing.matching`) scores it against the segments' ideas. HTML that a shop's
product feed leaves in a name or description is read as text
(:func:`noomarketing.text.without_markup`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from noomarketing.loading import as_id, is_missing, source_frame
from noomarketing.reading import decimal_point
from noomarketing.schema import NoomarketingError
from noomarketing.text import without_markup

OFFER_COLUMNS = ("id", "name", "description")
"""Columns every offer catalogue must have; ``cost``, ``price`` and ``tags`` are optional."""

OfferSource = pd.DataFrame | str | Path | Sequence[dict[str, Any]]


class Offer(BaseModel):
    """One good or service the business can offer.

    ``cost`` is what proposing it costs (a voucher's value, an hour of a stylist); ``price`` is
    what the customer pays, when it applies. Extra catalogue columns are kept in ``attributes``.

    >>> Offer(id="o1", name="Free shipping", description="No delivery fee", tags=["delivery"]).text
    'Free shipping. No delivery fee'
    """

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    cost: float = Field(default=0.0, ge=0)
    price: float | None = Field(default=None, ge=0)
    tags: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @property
    def text(self) -> str:
        """What is embedded: name and description."""
        return f"{self.name}. {self.description}"


def _missing(value: Any) -> bool:
    """An empty cell, or a blank string (a tag or price of "  " means none)."""
    return is_missing(value) or (isinstance(value, str) and not value.strip())


def parse_tags(value: Any) -> list[str]:
    """Tags from a list or a ``"a;b"`` / ``"a,b"`` string, lower-case, in order, no repeats.

    >>> parse_tags("Delivery; shipping,delivery")
    ['delivery', 'shipping']
    """
    if isinstance(value, list | tuple | np.ndarray):
        parts = list(value)
    elif _missing(value):
        return []
    else:
        parts = re.split(r"[;,]", str(value))
    tags = [str(part).strip().lower() for part in parts if not _missing(part)]
    return list(dict.fromkeys(tag for tag in tags if tag))


def _number(value: Any, row: int, column: str, required: bool) -> float | None:
    if _missing(value):
        if required:
            raise NoomarketingError(
                f"offer row {row}: {column} is empty (write 0 for an offer that costs nothing)"
            )
        return None
    try:
        number = float(decimal_point(value))
    except (TypeError, ValueError):
        raise NoomarketingError(f"offer row {row}: {column} {value!r} is not a number") from None
    if not math.isfinite(number) or number < 0:
        raise NoomarketingError(f"offer row {row}: {column} must be a number ≥ 0, got {value!r}")
    return number


def load_offers(source: OfferSource | Sequence[Offer]) -> list[Offer]:
    """Load an offer catalogue: CSV/JSONL/JSON/Parquet file, DataFrame or list of dicts.

    Required columns: ``id``, ``name``, ``description``. Optional: ``cost`` (what proposing it
    costs, default 0), ``price``, ``tags`` (a list, or one string split on ``;`` or ``,``).
    Every other column is kept in :attr:`Offer.attributes`. A missing column, an empty
    required value, a duplicate id or a cost that is not a number ≥ 0 is a one-line
    :class:`NoomarketingError` naming the row (0-based, as in the input).

    Example:
        >>> offers = load_offers([{"id": "v10", "name": "Voucher", "description": "10% off",
        ...                        "cost": 5, "tags": "discount;loyalty", "season": "winter"}])
        >>> offers[0].tags, offers[0].attributes
        (['discount', 'loyalty'], {'season': 'winter'})
    """
    if isinstance(source, Sequence) and source and all(isinstance(o, Offer) for o in source):
        offers = list(source)
    else:
        frame = source_frame(source, "offers")
        if frame.empty:
            raise NoomarketingError("the offer catalogue is empty")
        missing = [c for c in OFFER_COLUMNS if c not in frame.columns]
        if missing:
            raise NoomarketingError(
                f"offer catalogue lacks column(s) {', '.join(map(repr, missing))}; "
                f"it has: {', '.join(map(str, frame.columns[:30]))}"
            )
        offers = [_offer_from_row(row, record) for row, record in enumerate(_records(frame))]
    if not offers:
        raise NoomarketingError("the offer catalogue is empty")
    seen: dict[str, int] = {}
    for row, offer in enumerate(offers):
        if offer.id in seen:
            raise NoomarketingError(
                f"duplicate offer id {offer.id!r} (rows {seen[offer.id]} and {row})"
            )
        seen[offer.id] = row
    return offers


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).to_dict(orient="records")


def _offer_from_row(row: int, record: dict[str, Any]) -> Offer:
    for column in OFFER_COLUMNS:
        if _missing(record[column]):
            raise NoomarketingError(f"offer row {row}: {column} is empty")
    known = {*OFFER_COLUMNS, "cost", "price", "tags"}
    cost = _number(record["cost"], row, "cost", required=True) if "cost" in record else 0.0
    name, description = (without_markup(str(record[c])).strip() for c in ("name", "description"))
    for column, value in (("name", name), ("description", description)):
        if not value:
            raise NoomarketingError(f"offer row {row}: {column} holds only HTML markup")
    return Offer(
        id=as_id(record["id"]),
        name=name,
        description=description,
        cost=cost or 0.0,
        price=_number(record.get("price"), row, "price", required=False),
        tags=parse_tags(record.get("tags")),
        attributes={
            str(k): (None if _missing(v) else v) for k, v in record.items() if k not in known
        },
    )
