"""Stage 5's typed output: proposals with their evidence, the control group, the unserved.

:func:`noomarketing.propose` makes a :class:`ProposalResult`; this module only describes it,
writes it (``proposals.csv``, ``proposals.json``) and shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from noomarketing.outputs import write_json

PROPOSAL_COLUMNS = [
    "customer_id",
    "segment",
    "offer_id",
    "rank",
    "score",
    "expected_value",
    "cost",
    "audience",
    "relevance",
    "own_similarity",
    "segment_score",
    "behaviour",
    "offer_name",
    "segment_label",
    "generated_title",
    "generated_similarity",
    "quote_row",
    "quote_text",
    "own_lexical",
    "segment_lexical",
    "typicality",
    "similar_customers",
    "decided_by",
    "shared_words",
    "previous_segment",
    "previous_segment_label",
    "changed_in",
]
"""Columns of ``proposals.csv`` (a stable contract): the proposal, then its evidence."""


class Proposal(BaseModel):
    """One offer proposed to one customer (or one segment), with its evidence chain.

    The chain reads: the customer's own words (``quote_row``, ``quote_text``, how close they are
    to the offer in meaning: ``own_similarity``, and in the words they share with it:
    ``own_lexical``) → their segment's idea (``segment_label``, ``segment_score``: hybrid,
    the stage-4 score averaged with the segment centroid's; its words' ``segment_lexical``; how
    typical of the segment the customer is: ``typicality``; the share of the customer's nearest
    neighbours whose own words ask for the offer: ``similar_customers``) → the
    generated idea the offer embodies (``generated_title``) → the offer. ``decided_by`` names
    the evidence that put the offer above the next one down (:mod:`noomarketing.hybrid`);
    ``shared_words`` are the quote's words the offer shares. For a customer whose idea changed
    (``propose(..., only_changed=True)``) it starts one step earlier: their previous idea
    (``previous_segment_id``, ``previous_segment_label``) → the period their idea changed in
    (``changed_in``) → their new idea, the segment.
    """

    customer_id: str | None = Field(description="None when proposing to a whole segment")
    segment_id: int | None
    segment_label: str | None
    offer_id: str
    offer_name: str
    rank: int = Field(description="1 = the best proposal for this customer")
    score: float
    expected_value: float
    cost: float = Field(description="offer cost × audience")
    audience: int = Field(default=1, description="customers reached (segment mode: its size)")
    relevance: float
    own_similarity: float | None
    segment_score: float | None
    behaviour: float = Field(description="past-behaviour factor: 1 = no history")
    quote_row: int | None
    quote_text: str | None
    generated_title: str | None = None
    generated_similarity: float | None = None
    own_lexical: float = Field(default=0.0, description="shared words, 0-1 (BM25)")
    segment_lexical: float | None = None
    typicality: float | None = Field(
        default=None, description="1 at the segment's centroid, near 0 at its edge"
    )
    similar_customers: float | None = Field(
        default=None,
        description="share of the nearest other customers whose own words "
        "ask for this offer (hybrid, per customer)",
    )
    decided_by: str | None = Field(
        default=None,
        description="own meaning, own words, segment meaning, segment words, "
        "similar customers or past behaviour",
    )
    shared_words: list[str] = Field(
        default_factory=list, description="the quote's words the offer shares, heaviest first"
    )
    previous_segment_id: int | None = Field(
        default=None, description="the customer's idea before it changed (only_changed)"
    )
    previous_segment_label: str | None = None
    changed_in: str | None = Field(default=None, description="the period the idea changed in")


class Unserved(BaseModel):
    """A customer (or segment) that got no proposal, and why: nobody is dropped silently."""

    customer_id: str | None
    segment_id: int | None
    reason: str


class ControlCustomer(BaseModel):
    customer_id: str
    segment_id: int | None


class ProposalResult(BaseModel):
    """Stage 5 output: proposals, the control group and who got nothing (with the reason).

    Example:
        >>> import noomarketing as nm
        >>> seg = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> embedder = seg.model.embedder_
        >>> matched = nm.match_offers(seg.ideas, nm.example_offers_path(), embedder=embedder)
        >>> result = nm.propose(seg.feedback, seg.model.labels_, seg.ideas, matched,
        ...                     embeddings=seg.model.embeddings_, embedder=embedder, budget=200)
        >>> result.to_frame().columns[:5].tolist()
        ['customer_id', 'segment', 'offer_id', 'rank', 'score']
        >>> mine = result.for_customer("C001")
        >>> len(mine) <= 3, all(p.customer_id == "C001" for p in mine)
        (True, True)
    """

    proposals: list[Proposal]
    control: list[ControlCustomer]
    unserved: list[Unserved]
    budget: float | None
    spent: float
    per: Literal["customer", "segment"]
    settings: dict[str, Any] = Field(default_factory=dict)

    def for_customer(self, customer_id: str) -> list[Proposal]:
        """The proposals of one customer, best first."""
        return sorted(
            (p for p in self.proposals if p.customer_id == customer_id), key=lambda p: p.rank
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per proposal with :data:`PROPOSAL_COLUMNS`."""
        rows = [
            {
                **p.model_dump(),
                "segment": p.segment_id,
                "previous_segment": p.previous_segment_id,
                "shared_words": ";".join(p.shared_words),
            }
            for p in self.proposals
        ]
        frame = pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)
        frame["segment"] = frame["segment"].astype("Int64")
        frame["quote_row"] = frame["quote_row"].astype("Int64")
        frame["previous_segment"] = frame["previous_segment"].astype("Int64")
        return frame

    def to_csv(self, path: str | Path) -> Path:
        """Write ``proposals.csv``."""
        path = Path(path)
        self.to_frame().to_csv(path, index=False)
        return path

    def to_json(self, path: str | Path) -> Path:
        """Write everything (proposals, control group, unserved, settings) as JSON."""
        return write_json(path, self.model_dump(mode="json"))

    def __repr__(self) -> str:
        budget = "" if self.budget is None else f" of {self.budget:g}"
        return (
            f"ProposalResult({len(self.proposals)} proposals, spent {self.spent:g}{budget}, "
            f"control {len(self.control)}, unserved {len(self.unserved)})"
        )

    def _repr_html_(self) -> str:
        from noomarketing.display import html_table

        columns = ["customer_id", "segment", "offer_name", "rank", "score", "cost", "quote_text"]
        return html_table(self.to_frame()[columns], caption=repr(self))

    def summary(self) -> str:
        """A short line a person reads."""
        reached = len({(p.customer_id, p.segment_id) for p in self.proposals})
        unit = "customer(s)" if self.per == "customer" else "segment(s)"
        budget = f" of {self.budget:g}" if self.budget is not None else ""
        return (
            f"{len(self.proposals)} proposal(s) to {reached} {unit}, cost {self.spent:g}{budget}; "
            f"control group {len(self.control)}; without proposal {len(self.unserved)}"
        )
