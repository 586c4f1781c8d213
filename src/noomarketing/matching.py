"""Stage 4: find the goods and services that embody each segment's idea, and the gaps.

An offer catalogue (:func:`noomarketing.offers.load_offers`) is scored against every segment idea
(:func:`match_offers`)::

    score = (1 - tag_weight) * cosine(offer name + description, Idea.text)
            + tag_weight * tag_overlap
            + lexical_weight * words

``tag_overlap`` is the share of the offer's tags found among the idea's keywords (a tag matches
a keyword word when one starts with the other, at least 4 letters shared: ``deliver`` matches
``delivery``). ``words`` is the BM25 similarity of the idea's words (label, statement,
keywords) to the offer's (name, description, tags), in ``[0, 1]``
(:func:`noomarketing.lexical.lexical_similarity`): an offer that names what the segment speaks
of ("any top, blouse, knit or sweater" for a segment about sweaters) gains where the meaning of
short texts finds many offers alike. With the defaults (``tag_weight=0.25``,
``lexical_weight=0.25``, as stage 5 weighs words) the meaning of the texts decides and tags and
words break ties; offers without tags are scored on meaning and words (their overlap is 0).

Pairs scoring at least ``threshold`` are matches, and so is an idea's best offer when it stands
``margin`` or more above the idea's next best: the cosines of long texts (news articles) to a
short offer run low, but the offer that serves an idea still stands out from those that do not.
An idea that no offer serves is a **gap**: the method's articles warn that an unserved idea
makes a client for a competitor, so each gap comes with a suggested new offering in the idea's
own words (and its best generated idea when given). ``benchmarks/gaps.py`` measures the rule on
the shared labelled data: how many served segments it calls gaps, and how many it finds when
their offer is taken out of the catalogue.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from noomarketing.display import short
from noomarketing.embedding import CachedEmbedder, encode_unit
from noomarketing.embedding import default_embedder as bundled_embedder
from noomarketing.hybrid import LEXICAL_WEIGHT, idea_words, offer_document
from noomarketing.label_rules import GENERIC_WORDS
from noomarketing.lexical import BM25, lexical_similarity
from noomarketing.offers import Offer, OfferSource
from noomarketing.offers import load_offers as load_offers  # importable from here, as before
from noomarketing.offers import parse_tags as parse_tags
from noomarketing.outputs import write_json
from noomarketing.schema import Idea, NoomarketingError
from noomarketing.text import TOKEN_PATTERN

logger = logging.getLogger(__name__)

MATCH_COLUMNS = [
    "segment", "segment_label", "rank", "offer_id", "offer_name", "score", "similarity",
    "tag_overlap", "matched_tags", "words",
]
"""Columns of ``offer_matches.csv`` (a stable contract)."""

THRESHOLD = 0.55
"""The score at which an offer serves an idea; set once, with :data:`MARGIN`, on
``benchmarks/gaps.py`` (three samples of the clothing reviews with the department and class
catalogues, and of the news with theirs)."""

MARGIN = 0.15
"""How far above an idea's next best offer its best offer must score to serve the idea when it
is under :data:`THRESHOLD`."""


class OfferMatch(BaseModel):
    """How well one offer serves one segment idea. ``rank`` is 1 for the idea's best offer."""

    segment_id: int
    segment_label: str
    offer_id: str
    offer_name: str
    rank: int
    score: float
    similarity: float
    tag_overlap: float
    matched_tags: list[str] = Field(default_factory=list)
    words: float = Field(default=0.0, description="BM25 similarity of the idea's words, 0..1")
    matched: bool = Field(
        description="score ≥ the threshold, or the idea's best offer by the margin or more"
    )


class Gap(BaseModel):
    """An idea no offer serves, with a suggested new offering in the idea's own words."""

    segment_id: int
    label: str
    size: int
    share: float
    best_offer_id: str | None = Field(
        description="the closest offer: under the threshold, less than the margin above the next"
    )
    best_score: float | None
    suggestion_name: str
    suggestion_description: str
    suggestion_tags: list[str]
    generated_title: str | None = None
    quote: str | None = None


class MatchResult(BaseModel):
    """Stage 4 output: every idea × offer score, the matches, the gaps.

    Example:
        >>> import noomarketing as nm
        >>> seg = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> result = nm.match_offers(seg.ideas, nm.example_offers_path(),
        ...                          embedder=seg.model.embedder_)
        >>> all(m.score >= result.threshold or m.rank == 1 for m in result.matches)
        True
        >>> len(result.pairs) == len(seg.ideas) * len(result.offers)
        True
    """

    offers: list[Offer]
    pairs: list[OfferMatch] = Field(description="every idea × offer pair, best first per idea")
    gaps: list[Gap]
    threshold: float
    tag_weight: float
    margin: float = MARGIN
    lexical_weight: float = 0.0

    @property
    def matches(self) -> list[OfferMatch]:
        """The pairs that serve their idea: at the threshold or above, or the idea's best
        offer standing the margin above its next."""
        return [pair for pair in self.pairs if pair.matched]

    def matches_for(self, segment_id: int) -> list[OfferMatch]:
        """Matches of one segment, best first."""
        return [pair for pair in self.matches if pair.segment_id == segment_id]

    def score(self, segment_id: int, offer_id: str) -> float:
        """The score of one pair (raises for an unknown segment or offer)."""
        for pair in self.pairs:
            if pair.segment_id == segment_id and pair.offer_id == offer_id:
                return pair.score
        raise NoomarketingError(f"no score for segment {segment_id} and offer {offer_id!r}")

    def score_table(self, words: bool = True) -> pd.DataFrame:
        """Scores as a segment × offer table (rows: segment ids, columns: offer ids);
        ``words=False``: without the part the idea's words add (meaning and tags only)."""
        weight = 0.0 if words else self.lexical_weight
        frame = pd.DataFrame(
            [(p.segment_id, p.offer_id, p.score - weight * p.words) for p in self.pairs],
            columns=["segment", "offer_id", "score"],
        )
        table = frame.pivot(index="segment", columns="offer_id", values="score")
        return table.reindex(columns=[offer.id for offer in self.offers])

    def to_frame(self, all_pairs: bool = False) -> pd.DataFrame:
        """Matches (or every pair) as a DataFrame with :data:`MATCH_COLUMNS`."""
        rows = [
            {
                "segment": p.segment_id,
                "segment_label": p.segment_label,
                "rank": p.rank,
                "offer_id": p.offer_id,
                "offer_name": p.offer_name,
                "score": p.score,
                "similarity": p.similarity,
                "tag_overlap": p.tag_overlap,
                "matched_tags": ";".join(p.matched_tags),
                "words": p.words,
            }
            for p in (self.pairs if all_pairs else self.matches)
        ]
        return pd.DataFrame(rows, columns=MATCH_COLUMNS)

    def __repr__(self) -> str:
        served = len({m.segment_id for m in self.matches})
        return (f"MatchResult({len(self.offers)} offers, {len(self.matches)} matches, "
                f"{served} segments served, {len(self.gaps)} gaps)")

    def _repr_html_(self) -> str:
        from noomarketing.display import html_table

        gaps = ", ".join(f"#{gap.segment_id} {gap.label}" for gap in self.gaps) or "none"
        return html_table(self.to_frame(), caption=repr(self), note=f"gaps: {gaps}")

    def write(self, folder: str | Path) -> list[Path]:
        """Write ``offer_matches.csv`` and ``gaps.json`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        matches, gaps = folder / "offer_matches.csv", folder / "gaps.json"
        self.to_frame().to_csv(matches, index=False)
        payload = {
            "threshold": self.threshold,
            "margin": self.margin,
            "gaps": [gap.model_dump(mode="json") for gap in self.gaps],
        }
        return [matches, write_json(gaps, payload)]


def _words(text: str) -> set[str]:
    return set(re.findall(TOKEN_PATTERN, text.lower()))


def _word_matches(tag_word: str, words: set[str]) -> bool:
    if tag_word in words:
        return True
    if len(tag_word) < 4:
        return False
    return any(
        len(word) >= 4 and (word.startswith(tag_word) or tag_word.startswith(word))
        for word in words
    )


def matched_tags(tags: Sequence[str], idea: Idea) -> list[str]:
    """The offer tags found among the idea's keywords (every word of a tag must be found).

    >>> from noomarketing.schema import Keyword
    >>> idea = Idea(segment_id=0, label="Late delivery", keywords=[Keyword(term="late delivery",
    ...             score=1.0)], quotes=[], size=1, share=1.0, sentiment=0.0)
    >>> matched_tags(["deliver", "discount"], idea)
    ['deliver']
    """
    words = set().union(*(_words(k.term) for k in idea.keywords)) if idea.keywords else set()
    found = []
    for tag in tags:
        tag_words = _words(tag)
        if tag_words and all(_word_matches(w, words) for w in tag_words):
            found.append(tag)
    return found


def default_embedder() -> CachedEmbedder:
    """The default embedder with the on-disk cache: what stages use when given none."""
    return CachedEmbedder(bundled_embedder(progress=False))


def match_offers(
    ideas: Sequence[Idea],
    catalogue: OfferSource | Sequence[Offer],
    *,
    embedder: Any = None,
    threshold: float = THRESHOLD,
    tag_weight: float = 0.25,
    lexical_weight: float = LEXICAL_WEIGHT,
    margin: float = MARGIN,
    generated: Sequence[Any] | None = None,
) -> MatchResult:
    """Stage 4: score every offer against every segment idea; report matches and gaps.

    Args:
        ideas: stage-1 ideas (:func:`noomarketing.highlight_ideas`).
        catalogue: offers, or anything :func:`load_offers` reads.
        embedder: any object with ``encode`` (default: bundled MiniLM with the disk cache).
            Use the same one as the segmentation for comparable similarities.
        threshold: the score an offer needs to serve an idea (:data:`THRESHOLD`).
        tag_weight: weight of the tag overlap in the score (the rest is text similarity).
        lexical_weight: weight of the idea's words shared with the offer (0: none).
            :func:`noomarketing.propose` reads the scores without this part, and weighs the
            words itself.
        margin: how far above the idea's next best offer a best offer under the threshold must
            stand to serve the idea (:data:`MARGIN`); 2 turns this off. With a single
            offer, only the threshold counts.
        generated: stage-2 ideas (``GeneratedIdea``: ``segment_id``, ``rank``, ``title``); a
            gap's suggested offering then starts from its segment's best generated idea.

    Example:
        >>> import noomarketing as nm
        >>> seg = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> result = nm.match_offers(seg.ideas, nm.example_offers_path(),
        ...                          embedder=seg.model.embedder_)
        >>> served = {m.segment_id for m in result.matches}
        >>> gaps = {gap.segment_id for gap in result.gaps}  # ideas no offer serves
        >>> served.isdisjoint(gaps), served | gaps == {idea.segment_id for idea in seg.ideas}
        (True, True)
    """
    if not 0.0 <= tag_weight <= 1.0:
        raise NoomarketingError(f"tag_weight must be between 0 and 1, got {tag_weight}")
    if not -1.0 <= threshold <= 1.0:
        raise NoomarketingError(f"threshold is a score between -1 and 1, got {threshold}")
    if not 0.0 <= lexical_weight <= 1.0:
        raise NoomarketingError(f"lexical_weight must be between 0 and 1, got {lexical_weight}")
    if not 0.0 <= margin <= 2.0:
        raise NoomarketingError(f"margin is a difference of scores between 0 and 2, got {margin}")
    if not ideas:
        raise NoomarketingError("no ideas to match offers to: run stage 1 first")
    offers = load_offers(catalogue)
    embedder = default_embedder() if embedder is None else embedder
    idea_vectors = encode_unit(embedder, [idea.text for idea in ideas])
    offer_vectors = encode_unit(embedder, [offer.text for offer in offers])
    similarity = idea_vectors @ offer_vectors.T
    shared = lexical_similarity([idea_words(idea) for idea in ideas],
                                BM25().fit([offer_document(offer) for offer in offers]))

    pairs: list[OfferMatch] = []
    gaps: list[Gap] = []
    for i, idea in enumerate(ideas):
        found = [matched_tags(offer.tags, idea) for offer in offers]
        overlap = np.array([len(f) / len(o.tags) if o.tags else 0.0
                            for f, o in zip(found, offers, strict=True)])
        scores = (1.0 - tag_weight) * similarity[i] + tag_weight * overlap
        scores = scores + lexical_weight * shared[i]
        order = np.argsort(-scores, kind="stable")
        best = int(order[0])
        stands_out = len(order) > 1 and scores[best] - scores[order[1]] >= margin
        for rank, j in enumerate(order, start=1):
            pairs.append(
                OfferMatch(
                    segment_id=idea.segment_id,
                    segment_label=idea.label,
                    offer_id=offers[j].id,
                    offer_name=offers[j].name,
                    rank=rank,
                    score=round(float(scores[j]), 4),
                    similarity=round(float(similarity[i, j]), 4),
                    tag_overlap=round(float(overlap[j]), 4),
                    matched_tags=found[j],
                    words=round(float(shared[i, j]), 4),
                    matched=bool(scores[j] >= threshold or (j == best and stands_out)),
                )
            )
        if scores[best] < threshold and not stands_out:
            gaps.append(_gap(idea, offers[best].id, float(scores[best]), generated))
    logger.info("matching: %d of %d idea(s) are gaps (no offer scores %.2f or more, or stands "
                "%.2f above the next)", len(gaps), len(ideas), threshold, margin)
    return MatchResult(offers=offers, pairs=pairs, gaps=gaps, threshold=threshold,
                       tag_weight=tag_weight, margin=margin, lexical_weight=lexical_weight)


def _gap(idea: Idea, best_id: str, best_score: float, generated: Sequence[Any] | None) -> Gap:
    own = sorted(
        (g for g in (generated or []) if g.segment_id == idea.segment_id), key=lambda g: g.rank
    )
    top = own[0] if own else None
    terms = [k.term for k in idea.keywords]
    # words in keyword order (not a set: its order changes with each process's hash seed),
    # less those that say how the customers feel rather than what about ("love", "great")
    words = (
        w for term in terms for w in re.findall(TOKEN_PATTERN, term.lower())
        if w not in GENERIC_WORDS
    )
    tags = list(dict.fromkeys(words))[:5]
    quote = idea.quotes[0].text if idea.quotes else None
    name = top.title if top is not None else f"New offering for “{idea.label}”"
    who = (
        f"the {len(idea.customer_ids)} customer(s)"
        if idea.customer_ids
        else f"the {idea.size} feedback item(s)"
    )
    description = f"No offer in the catalogue serves {who} of “{idea.label}” yet."
    if quote:
        description += f" In their words: “{short(quote, 200)}”"
    return Gap(
        segment_id=idea.segment_id,
        label=idea.label,
        size=idea.size,
        share=idea.share,
        best_offer_id=best_id,
        best_score=round(best_score, 4),
        suggestion_name=name,
        suggestion_description=description,
        suggestion_tags=tags,
        generated_title=top.title if top is not None else None,
        quote=quote,
    )
