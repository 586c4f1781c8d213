"""noomarketing: customer feedback in, retention action out.

    >>> import noomarketing as nm
    >>> fb = nm.load_feedback(nm.example_feedback_path(), **nm.EXAMPLE_COLUMNS)
    >>> model = nm.SegmentModel(random_state=0).fit(fb)
    >>> ideas = nm.highlight_ideas(model, fb)                       # stage 1
    >>> generated = nm.generate_ideas(ideas, n=5)                   # stage 2
    >>> briefs = nm.present(ideas, generated)                       # stage 3
    >>> matches = nm.match_offers(ideas, nm.example_offers_path())  # stage 4
    >>> proposals = nm.propose(fb, model.labels_, ideas, matches, budget=100)  # stage 5

or all of it at once: ``nm.run(nm.example_feedback_path(), nm.example_offers_path(),
columns=nm.EXAMPLE_COLUMNS, out="out/")``, and ``nm.write_report(result, "report.html")``
for the HTML report.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (~10-40 ms)
if TYPE_CHECKING:  # the same names, for type checkers and IDEs; at run time see __getattr__
    from pathlib import Path
    from typing import Any

    from noomarketing.embedding import (
        CachedEmbedder,
        Embedder,
        MultilingualEmbedder,
        SentenceTransformerEmbedder,
    )
    from noomarketing.generation import (
        GeneratedIdea,
        LLMGenerator,
        Tactic,
        generate_ideas,
        load_catalogue,
    )
    from noomarketing.highlighting import highlight_ideas
    from noomarketing.languages import LanguageGuess, LanguageMix, detect_languages
    from noomarketing.loading import load_feedback
    from noomarketing.loop import update
    from noomarketing.matching import Gap, MatchResult, OfferMatch, match_offers
    from noomarketing.offers import Offer, load_offers
    from noomarketing.outputs import read_segments_json
    from noomarketing.over_time import (
        customer_sequences,
        idea_changes,
        ideas_over_time,
        share_trends,
    )
    from noomarketing.pipeline import RunResult, SegmentationResult, run, segment
    from noomarketing.presentation import Brief, Message, present, write_briefs
    from noomarketing.proposing import Proposal, ProposalResult, customer_segments, propose
    from noomarketing.reactions import Reaction, ReactionLog, beta_scores
    from noomarketing.reading import read_table
    from noomarketing.report import ReportData, write_report
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
    from noomarketing.segmentation import ModelNotFittedError, SegmentModel

_LAZY: dict[str, tuple[str, ...]] = {
    "noomarketing.embedding": (
        "CachedEmbedder", "Embedder", "MultilingualEmbedder", "SentenceTransformerEmbedder",
    ),
    "noomarketing.generation": (
        "GeneratedIdea", "LLMGenerator", "Tactic", "generate_ideas", "load_catalogue",
    ),
    "noomarketing.highlighting": ("highlight_ideas",),
    "noomarketing.languages": ("LanguageGuess", "LanguageMix", "detect_languages"),
    "noomarketing.loading": ("load_feedback",),
    "noomarketing.matching": ("Gap", "MatchResult", "OfferMatch", "match_offers"),
    "noomarketing.offers": ("Offer", "load_offers"),
    "noomarketing.loop": ("update",),
    "noomarketing.outputs": ("read_segments_json",),
    "noomarketing.reading": ("read_table",),
    "noomarketing.over_time": (
        "customer_sequences", "idea_changes", "ideas_over_time", "share_trends",
    ),
    "noomarketing.pipeline": ("RunResult", "SegmentationResult", "run", "segment"),
    "noomarketing.presentation": ("Brief", "Message", "present", "write_briefs"),
    "noomarketing.proposing": ("Proposal", "ProposalResult", "customer_segments", "propose"),
    "noomarketing.reactions": ("Reaction", "ReactionLog", "beta_scores"),
    "noomarketing.report": ("ReportData", "write_report"),
    "noomarketing.retention": (
        "RetentionRate", "Uplift", "cohort_table", "load_activity", "retention_rates", "uplift",
    ),
    "noomarketing.schema": (
        "UNASSIGNED", "Feedback", "FeedbackItem", "Idea", "Keyword", "LoadReport",
        "NoomarketingError", "Quote",
    ),
    "noomarketing.segmentation": ("ModelNotFittedError", "SegmentModel"),
}  # fmt: skip
"""Where each public name lives. Importing the package imports none of them: the first use of
a name imports its module (PEP 562), so ``noomarketing --help`` or ``import
noomarketing.schema`` does not pay for torch, UMAP or scikit-learn."""

_HOME = {name: module for module, names in _LAZY.items() for name in names}

_SUBMODULES = frozenset(
    {module.rpartition(".")[2] for module in _LAZY} | {"cli", "distributed", "text"}
)
"""Submodules reachable as attributes (``nm.embedding.normalize_rows``) before any import."""


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"noomarketing.{name}")
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'noomarketing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


EXAMPLE_COLUMNS = {
    "text": "text",
    "customer": "customer_id",
    "time": "created_at",
    "rating": "rating",
    "id": "feedback_id",
}
"""Column names of the bundled example feedback, for ``load_feedback(..., **EXAMPLE_COLUMNS)``."""


def _bundled(name: str) -> Path:
    from importlib import resources  # here, not at import: it costs ~0.1 s
    from pathlib import Path

    return Path(str(resources.files("noomarketing").joinpath("data", name)))


def example_feedback_path() -> Path:
    """Path of the bundled example feedback CSV (made up by this project).

    >>> import noomarketing as nm
    >>> fb = nm.load_feedback(example_feedback_path(), **EXAMPLE_COLUMNS)
    >>> len(fb), fb.report.n_input_rows  # three rows have no text: the report says which
    (341, 344)
    """
    return _bundled("example_feedback.csv")


def example_offers_path() -> Path:
    """Path of the bundled example offer catalogue of the same made-up clothing shop.

    >>> import noomarketing as nm
    >>> len(nm.load_offers(example_offers_path()))
    24
    """
    return _bundled("example_offers.csv")


def example_activity_path() -> Path:
    """Path of the bundled example purchases (``customer_id``, ``date``, ``value``), made up.

    >>> import pandas as pd
    >>> list(pd.read_csv(example_activity_path()).columns)[:3]
    ['customer_id', 'date', 'value']
    """
    return _bundled("example_activity.csv")


__all__ = [
    "EXAMPLE_COLUMNS",
    "UNASSIGNED",
    "Brief",
    "CachedEmbedder",
    "Embedder",
    "Feedback",
    "FeedbackItem",
    "Gap",
    "GeneratedIdea",
    "Idea",
    "Keyword",
    "LLMGenerator",
    "LanguageGuess",
    "LanguageMix",
    "LoadReport",
    "MatchResult",
    "Message",
    "ModelNotFittedError",
    "MultilingualEmbedder",
    "NoomarketingError",
    "Offer",
    "OfferMatch",
    "Proposal",
    "ProposalResult",
    "Quote",
    "Reaction",
    "ReactionLog",
    "ReportData",
    "RetentionRate",
    "RunResult",
    "SegmentModel",
    "SegmentationResult",
    "SentenceTransformerEmbedder",
    "Tactic",
    "Uplift",
    "beta_scores",
    "cohort_table",
    "customer_segments",
    "customer_sequences",
    "detect_languages",
    "example_activity_path",
    "example_feedback_path",
    "example_offers_path",
    "generate_ideas",
    "highlight_ideas",
    "idea_changes",
    "ideas_over_time",
    "load_activity",
    "load_catalogue",
    "load_feedback",
    "load_offers",
    "match_offers",
    "present",
    "propose",
    "read_segments_json",
    "read_table",
    "retention_rates",
    "run",
    "segment",
    "share_trends",
    "update",
    "uplift",
    "write_briefs",
    "write_report",
]
