"""Stage 5 for customers whose idea changed: who they are, and their old idea as evidence.

``propose(..., only_changed=True)`` keeps only the customers of :func:`noomarketing.
over_time.idea_changes` and, of their feedback, what is in their new idea's segment: the offer
answers the idea they have now, and the quote in the evidence is in their own new words. Each
proposal then names the idea they had before and when it changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from noomarketing.over_time import idea_changes
from noomarketing.proposal_result import Proposal, Unserved
from noomarketing.schema import Feedback, Idea, NoomarketingError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Move:
    """A customer's latest change of idea."""

    from_segment: int
    to_segment: int
    changed_in: str
    from_label: str | None = None


def latest_moves(changes: pd.DataFrame) -> dict[str, Move]:
    """Customer id → their latest change, from an :func:`idea_changes` table (oldest first).

    >>> changes = pd.DataFrame({"customer_id": ["a", "a"], "from_period": ["2024-01", "2024-02"],
    ...                         "to_period": ["2024-02", "2024-03"], "from_segment": [0, 1],
    ...                         "to_segment": [1, 2]})
    >>> latest_moves(changes)["a"]
    Move(from_segment=1, to_segment=2, changed_in='2024-03', from_label=None)
    """
    if not isinstance(changes, pd.DataFrame):
        raise NoomarketingError(f"changes must be the table idea_changes() returns (or "
                                f"idea_changes.csv read back), got {type(changes).__name__}")
    needed = ["customer_id", "to_period", "from_segment", "to_segment"]
    missing = [c for c in needed if c not in changes.columns]
    if missing:
        raise NoomarketingError(f"changes lack column(s) {missing}: pass what idea_changes() "
                                "returns, or idea_changes.csv read back")
    last = changes.groupby(changes["customer_id"].astype(str), sort=False).tail(1)
    labels = last["from_label"] if "from_label" in last else pd.Series(None, index=last.index)
    return {
        str(row.customer_id): Move(int(row.from_segment), int(row.to_segment),
                                   str(row.to_period), None if pd.isna(label) else str(label))
        for row, label in zip(last.itertuples(index=False), labels, strict=True)
    }


def changed_only(
    feedback: Feedback,
    labels: np.ndarray,
    embeddings: np.ndarray | None,
    changes: pd.DataFrame | None,
) -> tuple[Feedback, np.ndarray, np.ndarray | None, dict[str, Move], list[Unserved]]:
    """The feedback of customers whose idea changed that is in their new idea's segment.

    Returns that feedback, its labels and embeddings, each kept customer's :class:`Move`, and
    the changed customers none of whose feedback here is in their new segment (unserved, with
    the reason). ``changes=None`` finds the changes in ``feedback`` itself (it needs times).
    """
    if changes is None:
        if all(item.time is None for item in feedback.items):
            raise NoomarketingError(
                "only_changed needs to know whose idea changed: pass changes=idea_changes(...) "
                "from the history, or feedback with times"
            )
        changes = idea_changes(feedback, labels)
    moves = latest_moves(changes)
    keep = [i for i, item in enumerate(feedback.items)
            if item.customer_id in moves and not item.anonymous
            and int(labels[i]) == moves[item.customer_id].to_segment]
    found = {feedback.items[i].customer_id for i in keep}
    unserved = [
        Unserved(customer_id=c, segment_id=move.to_segment,
                 reason=f"their idea changed, but none of their feedback here is in their new "
                        f"segment {move.to_segment}")
        for c, move in moves.items() if c not in found
    ]
    logger.info("only_changed: %d customer(s) whose idea changed, %d with feedback here",
                len(moves), len(found))
    kept = {c: moves[c] for c in moves if c in found}
    vectors = None if embeddings is None else np.asarray(embeddings)[keep]
    return feedback.subset(keep), labels[keep], vectors, kept, unserved


def with_previous_ideas(
    proposals: Sequence[Proposal], moves: dict[str, Move], ideas: Sequence[Idea]
) -> list[Proposal]:
    """Each proposal to a customer who moved, with their previous idea and when it changed.

    The previous idea's label is the one in ``ideas``, else the one the change recorded.

    >>> p = Proposal(customer_id="a", segment_id=2, segment_label="Size", offer_id="fit",
    ...              offer_name="Fit advisor", rank=1, score=0.5, expected_value=0.5, cost=1,
    ...              relevance=0.5, own_similarity=0.5, segment_score=0.4, behaviour=1.0,
    ...              quote_row=7, quote_text="runs small")
    >>> moved = with_previous_ideas([p], {"a": Move(0, 2, "2024-03", "Delivery")}, ideas=[])
    >>> moved[0].previous_segment_id, moved[0].previous_segment_label, moved[0].changed_in
    (0, 'Delivery', '2024-03')
    """
    labels = {idea.segment_id: idea.label for idea in ideas}
    out = []
    for proposal in proposals:
        move = moves.get(proposal.customer_id or "")
        if move is not None:
            proposal = proposal.model_copy(update={
                "previous_segment_id": move.from_segment,
                "previous_segment_label": labels.get(move.from_segment, move.from_label),
                "changed_in": move.changed_in,
            })
        out.append(proposal)
    return out
