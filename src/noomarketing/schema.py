"""Typed data that flows between the stages.

Feedback comes in (:class:`FeedbackItem`, collected in :class:`Feedback` with a
:class:`LoadReport` of what was skipped), segments come out of stage 1 as :class:`Idea`.
Later stages define their own output models next to the code that makes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

UNASSIGNED = -1
"""Segment id of feedback that no segment took (HDBSCAN noise kept as such)."""


class NoomarketingError(ValueError):
    """A problem with what the user gave us, explained in one line."""


class FeedbackItem(BaseModel):
    """One piece of customer feedback.

    ``row`` is the 0-based position of the row in the user's input, so every output can be
    joined back to it. ``anonymous`` is True when the user gave no customer id for the row:
    ``customer_id`` is then made up from the row (``row-<n>``) and names no real customer.

    >>> FeedbackItem(row=0, text="Delivery was late", customer_id="c1").text
    'Delivery was late'
    """

    model_config = ConfigDict(frozen=True)

    row: int = Field(ge=0)
    text: str = Field(min_length=1)
    customer_id: str
    time: datetime | None = None
    rating: float | None = Field(default=None, allow_inf_nan=False)
    attributes: dict[str, Any] = Field(default_factory=dict)
    anonymous: bool = False

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank")
        return value


class SkippedRow(BaseModel):
    """An input row that did not become a :class:`FeedbackItem`, and why."""

    row: int
    reason: str


class RowNote(BaseModel):
    """An input row that was kept but changed or read partially (e.g. unparseable date)."""

    row: int
    note: str


class LoadReport(BaseModel):
    """What loading did with every input row: nothing is dropped without a trace."""

    n_input_rows: int
    n_loaded: int
    skipped: list[SkippedRow] = Field(default_factory=list)
    notes: list[RowNote] = Field(default_factory=list)

    def summary(self) -> str:
        """One paragraph a person can read: counts per reason, with the first row numbers."""
        lines = [f"loaded {self.n_loaded} of {self.n_input_rows} rows"]
        for title, pairs in (
            ("skipped", [(s.reason, s.row) for s in self.skipped]),
            ("note", [(n.note, n.row) for n in self.notes]),
        ):
            by_reason: dict[str, list[int]] = {}
            for reason, row in pairs:
                by_reason.setdefault(reason, []).append(row)
            for reason, rows in by_reason.items():
                shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
                lines.append(f"{title}: {len(rows)} row(s) {reason} (rows {shown})")
        return "\n".join(lines)


class Feedback(BaseModel):
    """A validated collection of feedback items plus the report of how they were loaded.

    ``languages`` (one ISO 639-1 code or None per item), once detected, travels with the
    feedback so that no later stage detects them again.

    >>> fb = Feedback(items=[FeedbackItem(row=0, text="too pricey", customer_id="a")])
    >>> len(fb), fb.texts
    (1, ['too pricey'])
    """

    items: list[FeedbackItem]
    report: LoadReport | None = None
    languages: list[str | None] | None = None

    @field_validator("languages")
    @classmethod
    def _one_language_per_item(cls, value: list[str | None] | None, info: Any) -> Any:
        items = info.data.get("items")
        if value is not None and items is not None and len(value) != len(items):
            raise ValueError(f"got {len(value)} languages for {len(items)} items")
        return value

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        skipped = f", {len(self.report.skipped)} rows skipped" if self.report else ""
        return f"Feedback({len(self.items)} items{skipped})"

    def __iter__(self) -> Iterator[FeedbackItem]:  # type: ignore[override]
        return iter(self.items)

    @property
    def texts(self) -> list[str]:
        return [item.text for item in self.items]

    @property
    def customer_ids(self) -> list[str]:
        return [item.customer_id for item in self.items]

    @property
    def rows(self) -> list[int]:
        return [item.row for item in self.items]

    @property
    def ratings(self) -> list[float | None]:
        return [item.rating for item in self.items]

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the texts in order: equal for the same texts, whatever their rows.

        >>> ab, ba = Feedback.from_texts(["a", "b"]), Feedback.from_texts(["b", "a"])
        >>> same = Feedback.from_texts(["a", "b"])
        >>> ab.fingerprint == same.fingerprint, ab.fingerprint == ba.fingerprint
        (True, False)
        """
        digest = hashlib.sha256()
        for item in self.items:
            digest.update(item.text.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return digest.hexdigest()

    def with_languages(self, languages: list[str | None] | None) -> Feedback:
        """The same feedback carrying ``languages`` (one code or None per item).

        >>> Feedback.from_texts(["late"]).with_languages(["en"]).languages
        ['en']
        """
        if languages is not None and len(languages) != len(self.items):
            raise NoomarketingError(
                f"got {len(languages)} languages for {len(self.items)} feedback items"
            )
        return self.model_copy(update={"languages": languages})

    def subset(self, positions: Iterable[int]) -> Feedback:
        """The items at ``positions`` (places in ``items``), in that order, without the report.

        >>> Feedback.from_texts(["a", "b", "c"]).subset([2, 0]).texts
        ['c', 'a']
        """
        positions = list(positions)
        languages = None if self.languages is None else [self.languages[i] for i in positions]
        return Feedback.model_construct(
            items=[self.items[i] for i in positions], report=None, languages=languages
        )

    @classmethod
    def from_texts(cls, texts: list[str]) -> Feedback:
        """Wrap plain strings; each text is anonymous (its own customer, ``row-<n>``).

        Blank texts are rejected here; use :func:`noomarketing.load_feedback` to skip them
        with a report instead.
        """
        return cls(
            items=[
                FeedbackItem(row=i, text=t, customer_id=f"row-{i}", anonymous=True)
                for i, t in enumerate(texts)
            ]
        )


class Keyword(BaseModel):
    term: str
    score: float


class Quote(BaseModel):
    """A representative piece of feedback, traceable to its input row."""

    row: int
    customer_id: str
    text: str
    similarity: float = Field(description="cosine similarity to the segment centroid")
    language: str | None = None


class Idea(BaseModel):
    """Stage 1 output: the idea of one segment (or of one customer when data is small).

    ``rating_impact`` is the overall mean rating minus the mean rating without this segment:
    negative means the segment pulls the score down. ``sentiment`` is the members' mean, which
    is positive in a segment of mild complaints when most feedback is happy; ``sentiment_impact``
    is the same contrast as ``rating_impact``, on sentiment: its sign is the one to compare with
    ``rating_impact``'s.
    """

    segment_id: int
    label: str
    keywords: list[Keyword]
    quotes: list[Quote]
    size: int
    share: float
    sentiment: float = Field(description="-1 (negative) .. 1 (positive), from the texts")
    mean_rating: float | None = None
    rating_impact: float | None = None
    sentiment_impact: float | None = Field(
        default=None,
        description="the overall mean sentiment minus the mean without this "
        "segment: negative means the segment pulls the mood down (None: nothing else to compare)",
    )
    rating_impact_q: float | None = Field(
        default=None,
        description="how likely chance alone gives the segment's ratings a difference this "
        "large from the others' (Mann-Whitney U, Benjamini-Hochberg across the segments): "
        "under 0.05 the rating impact is clear (None: no ratings to compare)",
    )
    sentiment_impact_q: float | None = Field(
        default=None, description="the same for the segment's sentiment against the others'"
    )
    customer_ids: list[str] = Field(default_factory=list)
    languages: dict[str, float] = Field(default_factory=dict)
    keywords_by_language: dict[str, list[Keyword]] = Field(default_factory=dict)
    statement: str = Field(
        default="",
        description="one sentence: what these customers want, in the segment's main language",
    )
    statement_quote: Quote | None = Field(
        default=None, description="the customer's words the statement was built from"
    )
    statement_source: str = Field(
        default="extractive",
        description="'extractive' (one of the segment's sentences stating a want), 'template' "
        "(the segment states no wish near its centre: a fixed sentence from the label, the "
        "most central sentence kept as statement_quote, none when the segment has no sentence "
        "of three words or more) or 'llm' (opt-in)",
    )
    extractive_statement: str | None = Field(
        default=None, description="the extractive statement, kept when an LLM wrote statement"
    )
    language: str | None = Field(
        default=None, description="the segment's main language (ISO 639-1 code)"
    )
    noise: bool = Field(
        default=False, description="the segment is mostly feedback with nothing to act on"
    )
    theme: int | None = Field(
        default=None, description="the theme grouping this segment with others on the same "
        "broad subject (0 has the most feedback; see noomarketing.themes), None when unknown"
    )
    status: str | None = Field(
        default=None,
        description="after an update: new, growing, stable, fading or gone, "
        "from the segment's share in this batch against the earlier ones",
    )
    first_batch: str | None = Field(
        default=None, description="after an update: the batch the segment first appeared in"
    )

    @property
    def text(self) -> str:
        """The idea as one string (label, statement, keywords, quotes): what later stages embed.

        >>> Idea(segment_id=0, label="Size chart", statement="Please fix the size chart.",
        ...      keywords=[Keyword(term="size", score=1.0)], quotes=[], size=1, share=1.0,
        ...      sentiment=0.0).text
        'Size chart. Please fix the size chart. size. '
        """
        words = ", ".join(k.term for k in self.keywords)
        quotes = " ".join(q.text[:300] for q in self.quotes)
        statement = f" {self.statement}" if self.statement else ""
        return f"{self.label}.{statement} {words}. {quotes}"
