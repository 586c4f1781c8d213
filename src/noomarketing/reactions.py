"""The reaction log: what each customer did with what was presented to them.

The method's cycle is action → reaction → feedback → iterate. Stage 3 presents ideas and offers
(the action); this module records the reaction durably, and the next ranking of ideas
(:func:`noomarketing.generation.generate_ideas`) and offers reads it back as Beta-Bernoulli
counts (:meth:`ReactionLog.counts` and :func:`beta_scores`), so the loop really iterates.

How reactions count (one rule, used everywhere):

* ``accepted`` and ``clicked`` are successes (:data:`POSITIVE`); ``ignored`` and ``rejected``
  are failures.
* ``replied`` is a free-text answer: it is *feedback*, not a yes/no outcome, so it is neither a
  success nor a trial. Its text is kept and :meth:`ReactionLog.replies_as_feedback` turns the
  replies into :class:`~noomarketing.schema.Feedback` for the next round of stage 1.
* One customer is one trial per item: when a customer reacted several times to the same item
  (clicked, then accepted), the latest counted reaction (by ``at``, then by order of recording)
  is their outcome.

Storage is SQLAlchemy Core: a file path is a SQLite database in WAL mode (readers do not block
the writer; every ``record`` is one transaction); any SQLAlchemy URL works too, e.g.
``postgresql+psycopg://user@host/db`` for a team.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from noomarketing.schema import Feedback, FeedbackItem, NoomarketingError

if TYPE_CHECKING:  # SQLAlchemy is imported when a log is opened (~0.2 s every run otherwise)
    from sqlalchemy import Engine, Table

REACTIONS = ("accepted", "clicked", "replied", "ignored", "rejected")
"""Every reaction the log accepts."""

POSITIVE = frozenset({"accepted", "clicked"})
"""Reactions that count as a success."""

NEUTRAL = frozenset({"replied"})
"""Reactions that are feedback, not an outcome: they count neither as success nor as trial."""

ITEM_KINDS = ("idea", "offer")

ItemKind = Literal["idea", "offer"]


class Reaction(BaseModel):
    """One recorded reaction of one customer to one presented idea or offer."""

    customer_id: str = Field(min_length=1)
    item_id: str = Field(min_length=1)
    item_kind: ItemKind
    reaction: str
    segment_id: int | None = None
    text: str | None = None
    at: datetime


@cache
def _table() -> Table:
    """The ``reactions`` table (with its own metadata), defined once per process."""
    from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

    return Table(
        "reactions",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("customer_id", String(255), nullable=False),
        Column("item_id", String(255), nullable=False),
        Column("item_kind", String(16), nullable=False),
        Column("reaction", String(16), nullable=False),
        Column("segment_id", Integer, nullable=True),
        Column("text", Text, nullable=True),
        Column("at", DateTime(timezone=False), nullable=False),
        Index("ix_reactions_kind_segment", "item_kind", "segment_id"),
        Index("ix_reactions_customer", "customer_id"),
    )


def _utc(moment: datetime | None) -> datetime:
    """Aware UTC time; a naive ``moment`` is taken to be UTC already."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class ReactionLog:
    """A durable log of reactions, in SQLite by default or any SQLAlchemy database.

    Args:
        url: a file path (a SQLite database, created when missing) or a SQLAlchemy URL such as
            ``sqlite:///reactions.db`` or ``postgresql+psycopg://user@host/db``.

    Example:
        >>> log = ReactionLog("sqlite://")  # in memory; a file path keeps the log
        >>> r = log.record("c1", "voucher-next-order", "accepted", item_kind="idea", segment_id=2)
        >>> log.counts("idea", segment_id=2)["voucher-next-order"]
        (1, 1)
    """

    def __init__(self, url: str | Path = "reactions.sqlite3") -> None:
        self.url = url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, created (and the table with it) on first use."""
        if self._engine is not None:
            return self._engine
        from sqlalchemy import create_engine, event
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        url = str(self.url)
        if "://" not in url:
            path = Path(url).expanduser().resolve()
            if not path.parent.exists():
                raise NoomarketingError(f"folder of the reaction log does not exist: {path.parent}")
            url = f"sqlite:///{path}"
        try:
            engine = create_engine(url)
        except (ArgumentError, ImportError) as exc:
            raise NoomarketingError(f"cannot open reaction log {self.url!r}: {exc}") from exc
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_wal)
        try:
            _table().metadata.create_all(engine)
        except SQLAlchemyError as exc:
            raise NoomarketingError(f"cannot open reaction log {self.url!r}: {exc}") from exc
        self._engine = engine
        return engine

    def close(self) -> None:
        """Release the database connections (the data stays)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> ReactionLog:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @staticmethod
    def make(
        customer_id: str,
        item_id: str,
        reaction: str,
        *,
        item_kind: str = "offer",
        segment_id: int | None = None,
        text: str | None = None,
        at: datetime | None = None,
    ) -> Reaction:
        """Validate one reaction without storing it (what :meth:`record` checks)."""
        if reaction not in REACTIONS:
            raise NoomarketingError(
                f"unknown reaction {reaction!r}: use one of {', '.join(REACTIONS)}"
            )
        if item_kind not in ITEM_KINDS:
            raise NoomarketingError(
                f"unknown item_kind {item_kind!r}: use one of {', '.join(ITEM_KINDS)}"
            )
        for name, value in (("customer_id", customer_id), ("item_id", item_id)):
            if not isinstance(value, str) or not value.strip():
                raise NoomarketingError(f"{name} must be a non-empty string, got {value!r}")
        if reaction == "replied" and (text is None or not text.strip()):
            raise NoomarketingError("a 'replied' reaction needs the reply's text")
        if segment_id is not None and not isinstance(segment_id, int | np.integer):
            raise NoomarketingError(f"segment_id must be an int or None, got {segment_id!r}")
        return Reaction(
            customer_id=customer_id,
            item_id=item_id,
            item_kind=item_kind,  # type: ignore[arg-type]
            reaction=reaction,
            segment_id=None if segment_id is None else int(segment_id),
            text=text,
            at=_utc(at),
        )

    def record(
        self,
        customer_id: str,
        item_id: str,
        reaction: str,
        *,
        item_kind: str = "offer",
        segment_id: int | None = None,
        text: str | None = None,
        at: datetime | None = None,
    ) -> Reaction:
        """Store one reaction (one transaction) and return it.

        ``item_id`` is the tactic id of a generated idea (``item_kind="idea"``) or an offer id.
        ``at`` defaults to now; naive times are taken as UTC. Unknown reactions are refused.
        """
        entry = self.make(
            customer_id, item_id, reaction,
            item_kind=item_kind, segment_id=segment_id, text=text, at=at,
        )
        self.record_many([entry])
        return entry

    def record_many(self, reactions: Iterable[Reaction]) -> int:
        """Store many reactions in one transaction: all of them or, on error, none."""
        rows = []
        for entry in reactions:
            checked = self.make(
                entry.customer_id, entry.item_id, entry.reaction, item_kind=entry.item_kind,
                segment_id=entry.segment_id, text=entry.text, at=entry.at,
            )
            row = checked.model_dump()
            row["at"] = checked.at.replace(tzinfo=None)
            rows.append(row)
        if rows:
            with self.engine.begin() as conn:
                conn.execute(_table().insert(), rows)
        return len(rows)

    def reactions(
        self,
        *,
        segment_id: int | None = None,
        customer_id: str | None = None,
        item_kind: str | None = None,
    ) -> list[Reaction]:
        """Recorded reactions, oldest first, optionally filtered."""
        from sqlalchemy import select

        table = _table()
        query = select(table).order_by(table.c.at, table.c.id)
        if segment_id is not None:
            query = query.where(table.c.segment_id == int(segment_id))
        if customer_id is not None:
            query = query.where(table.c.customer_id == customer_id)
        if item_kind is not None:
            query = query.where(table.c.item_kind == item_kind)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Reaction(**{k: v for k, v in row.items() if k not in ("id", "at")},
                     at=_utc(row["at"]))
            for row in rows
        ]

    def counts(
        self,
        item_kind: str,
        *,
        segment_id: int | None = None,
        customer_id: str | None = None,
    ) -> dict[str, tuple[int, int]]:
        """``item_id → (successes, trials)`` under the counting rule of this module.

        >>> log = ReactionLog("sqlite://")
        >>> _ = log.record("a", "x", "clicked", item_kind="idea")
        >>> _ = log.record("a", "x", "rejected", item_kind="idea")  # a's latest word on x
        >>> _ = log.record("b", "x", "accepted", item_kind="idea")
        >>> log.counts("idea")
        {'x': (1, 2)}
        """
        if item_kind not in ITEM_KINDS:
            raise NoomarketingError(
                f"unknown item_kind {item_kind!r}: use one of {', '.join(ITEM_KINDS)}"
            )
        outcome: dict[tuple[str, str], bool] = {}
        for entry in self.reactions(
            segment_id=segment_id, customer_id=customer_id, item_kind=item_kind
        ):
            if entry.reaction in NEUTRAL:
                continue
            outcome[(entry.customer_id, entry.item_id)] = entry.reaction in POSITIVE
        counts: dict[str, tuple[int, int]] = {}
        for (_customer, item), success in outcome.items():
            wins, trials = counts.get(item, (0, 0))
            counts[item] = (wins + int(success), trials + 1)
        return counts

    def to_frame(self, **filters: Any) -> pd.DataFrame:
        """The reactions as a DataFrame (same filters as :meth:`reactions`)."""
        columns = list(Reaction.model_fields)
        return pd.DataFrame([r.model_dump() for r in self.reactions(**filters)], columns=columns)

    def replies_as_feedback(self, *, segment_id: int | None = None) -> Feedback:
        """Free-text replies as new feedback for stage 1: the "feedback → iterate" step.

        Each reply keeps who wrote it, when, and what it answered (in ``attributes``).
        """
        replies = [r for r in self.reactions(segment_id=segment_id) if r.reaction == "replied"]
        return Feedback(
            items=[
                FeedbackItem(
                    row=i,
                    text=r.text or "",
                    customer_id=r.customer_id,
                    time=r.at,
                    attributes={"item_id": r.item_id, "item_kind": r.item_kind,
                                "segment_id": r.segment_id},
                )
                for i, r in enumerate(replies)
            ]
        )


def beta_scores(
    counts: dict[str, tuple[int, int]],
    keys: Sequence[str],
    *,
    prior: tuple[float, float] = (1.0, 1.0),
    random_state: int | np.random.Generator | None = None,
) -> dict[str, float]:
    """Beta-Bernoulli score of each key from its ``(successes, trials)``.

    The posterior is ``Beta(a + successes, b + trials - successes)`` for ``prior=(a, b)``.
    With ``random_state=None`` the score is the posterior mean; otherwise it is one Thompson
    sample per key, drawn in the order of ``keys`` from that seed (or generator), so the same
    seed gives the same scores. Keys without history get the prior.

    >>> beta_scores({"x": (3, 4)}, ["x", "new"])
    {'x': 0.6666666666666666, 'new': 0.5}
    >>> beta_scores({"x": (3, 4)}, ["x", "new"], random_state=0) == beta_scores(
    ...     {"x": (3, 4)}, ["x", "new"], random_state=0)
    True
    """
    a, b = (float(v) for v in prior)
    if not (a > 0 and b > 0):
        raise NoomarketingError(f"prior must be two positive numbers, got {prior!r}")
    rng = None if random_state is None else np.random.default_rng(random_state)
    scores: dict[str, float] = {}
    for key in keys:
        wins, trials = counts.get(key, (0, 0))
        if not (0 <= wins <= trials):
            raise NoomarketingError(
                f"counts for {key!r} must be 0 <= successes <= trials, got {(wins, trials)}"
            )
        alpha, beta = a + wins, b + trials - wins
        scores[key] = alpha / (alpha + beta) if rng is None else float(rng.beta(alpha, beta))
    return scores
