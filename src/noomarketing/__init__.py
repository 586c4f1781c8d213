"""noomarketing: customer feedback in, retention action out.

    >>> import noomarketing as nm
    >>> fb = nm.load_feedback(nm.example_feedback_path(), **nm.EXAMPLE_COLUMNS)
    >>> model = nm.SegmentModel(random_state=0).fit(fb)
    >>> ideas = nm.highlight_ideas(model, fb)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from noomarketing.embedding import CachedEmbedder, Embedder, SentenceTransformerEmbedder
from noomarketing.highlighting import highlight_ideas
from noomarketing.loading import load_feedback, read_table
from noomarketing.matching import Gap, MatchResult, Offer, OfferMatch, load_offers, match_offers
from noomarketing.outputs import read_segments_json
from noomarketing.pipeline import SegmentationResult, segment
from noomarketing.proposing import (
    Proposal,
    ProposalResult,
    customer_segments,
    propose,
)
from noomarketing.retention import (
    RetentionRate,
    Uplift,
    cohort_table,
    load_activity,
    retention_rates,
    uplift,
)
from noomarketing.schema import (
    UNASSIGNED,
    Feedback,
    FeedbackItem,
    Idea,
    Keyword,
    LoadReport,
    NoomarketingError,
    Quote,
)
from noomarketing.segmentation import SegmentModel

EXAMPLE_COLUMNS = {
    "text": "text",
    "customer": "customer_id",
    "time": "created_at",
    "rating": "rating",
    "id": "feedback_id",
}
"""Column names of the bundled example feedback, for ``load_feedback(..., **EXAMPLE_COLUMNS)``."""


def example_feedback_path() -> Path:
    """Path of the bundled example feedback CSV (made up by this project)."""
    return Path(str(resources.files("noomarketing").joinpath("data/example_feedback.csv")))


def example_offers_path() -> Path:
    """Path of the bundled example offer catalogue of the same made-up clothing shop."""
    return Path(str(resources.files("noomarketing").joinpath("data/example_offers.csv")))


def example_activity_path() -> Path:
    """Path of the bundled example purchases (``customer_id``, ``date``, ``value``), made up."""
    return Path(str(resources.files("noomarketing").joinpath("data/example_activity.csv")))


__all__ = [
    "EXAMPLE_COLUMNS",
    "UNASSIGNED",
    "CachedEmbedder",
    "Embedder",
    "Feedback",
    "FeedbackItem",
    "Gap",
    "Idea",
    "Keyword",
    "LoadReport",
    "MatchResult",
    "NoomarketingError",
    "Offer",
    "OfferMatch",
    "Proposal",
    "ProposalResult",
    "Quote",
    "RetentionRate",
    "SegmentModel",
    "SegmentationResult",
    "SentenceTransformerEmbedder",
    "Uplift",
    "cohort_table",
    "customer_segments",
    "example_activity_path",
    "example_feedback_path",
    "example_offers_path",
    "highlight_ideas",
    "load_activity",
    "load_feedback",
    "load_offers",
    "match_offers",
    "propose",
    "read_segments_json",
    "read_table",
    "retention_rates",
    "segment",
    "uplift",
]
