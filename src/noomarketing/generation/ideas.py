"""Stage 2: generate ideas that fit each segment's idea, ranked and diverse.

Every tactic of the catalogue (and, opt-in, ideas an LLM wrote for the segment) is a candidate.
Each candidate gets one relevance number, made of three visible parts:

``fit``
    cosine similarity between the tactic ``description`` and the segment idea
    (:attr:`noomarketing.schema.Idea.text`), both embedded with the same model.
``mood``
    ``mood_weight × segment mood × direction``, where direction is +1 for ``happy`` tactics
    (upsell, referral: ask more of satisfied customers), -1 for ``unhappy`` tactics (service
    recovery, fixes: answer a problem) and 0 for ``any``. The segment mood is
    :func:`segment_mood`: its text sentiment, averaged with its mean rating when there is one.
    So service recovery climbs for an unhappy segment and sinks for a happy one, and upsell
    the other way round.
``specificity``
    when several segments are ranked together: ``specificity_weight × (fit − the tactic's
    mean fit over all those segments)``. A tactic that fits every segment about equally (a
    generic "fit consultation" in a shop where every segment talks about clothes) gains
    nothing from it, while one that fits this segment better than the others climbs, so
    similar segments do not all get the same ideas. One segment alone: 0.
``reaction``
    when a :class:`~noomarketing.reactions.ReactionLog` is given: ``reaction_weight ×
    (Beta score − prior mean)`` from the reactions that segment's customers had to that
    tactic as an idea (``item_kind="idea"``, ``item_id`` = tactic id). Tactics nobody reacted
    to yet keep 0. With ``random_state`` the Beta score is a seeded Thompson sample (some
    exploration), with ``None`` the posterior mean.

Maximal marginal relevance then picks ``n`` per segment, trading relevance against similarity to
tactics already picked (``diversity``); ``score`` is the MMR gain at the moment the idea was
picked, so it never rises with rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, Field

from noomarketing.embedding import encode_unit, resolve_embedder
from noomarketing.generation.catalogue import CatalogueSource, Tactic, load_catalogue
from noomarketing.highlighting import mmr
from noomarketing.reactions import ReactionLog, beta_scores
from noomarketing.schema import Idea, NoomarketingError

QUOTE_SLOT_CHARS = 160
"""A quote put into a tactic's text is cut to this many characters."""

_DIRECTION = {"happy": 1.0, "unhappy": -1.0, "any": 0.0}


class GeneratedIdea(BaseModel):
    """Stage 2 output: one idea to present to one segment, with why and how it ranked."""

    segment_id: int
    rank: int = Field(ge=1, description="1 = best within its segment")
    tactic_id: str
    kind: str
    title: str
    text: str = Field(description="the tactic instantiated with the segment's own words")
    score: float = Field(description="MMR gain when picked: relevance vs. redundancy")
    fit: float = Field(description="cosine of the tactic description to the segment idea")
    why: list[str] = Field(description="the segment keywords/quote it answers, with cosines")
    source: str = "catalogue"
    headline: str = Field("", description="customer-facing subject line")
    pitch: str = Field("", description="customer-facing one or two sentences")
    mood: float = Field(0.0, description="relevance added by the mood rule")
    specificity: float = Field(
        0.0, description="relevance added for fitting this segment more than the others"
    )
    reaction: float = Field(0.0, description="relevance added by recorded reactions")
    successes: int = 0
    trials: int = 0
    why_keywords: list[str] = Field(default_factory=list)
    why_quote_rows: list[int] = Field(default_factory=list)


class IdeaSource(Protocol):
    """Anything that writes extra candidate tactics for one segment (e.g. an LLM)."""

    def tactics(self, idea: Idea, n: int) -> list[Tactic]: ...


def segment_mood(idea: Idea, rating_range: tuple[float, float] | None = (1.0, 5.0)) -> float:
    """How happy a segment is, from -1 to 1: the mean of its text sentiment and its rating.

    The rating is mapped linearly from ``rating_range`` to -1..1; without a rating (or with
    ``rating_range=None``) the mood is the sentiment alone.

    >>> from noomarketing.schema import Idea
    >>> idea = Idea(segment_id=0, label="late", keywords=[], quotes=[], size=3, share=1.0,
    ...             sentiment=-0.6, mean_rating=2.0)
    >>> segment_mood(idea)
    -0.55
    """
    if rating_range is None or idea.mean_rating is None:
        return float(idea.sentiment)
    low, high = (float(v) for v in rating_range)
    if not low < high:
        raise NoomarketingError(f"rating_range must be (low, high) with low < high: {rating_range}")
    if not low <= idea.mean_rating <= high:
        raise NoomarketingError(
            f"segment {idea.segment_id} has mean rating {idea.mean_rating}, outside rating_range "
            f"{rating_range}: pass the scale of your ratings, e.g. rating_range=(0, 10)"
        )
    rating = 2.0 * (idea.mean_rating - low) / (high - low) - 1.0
    return round((float(idea.sentiment) + rating) / 2.0, 6)


def _check_ideas(ideas: Idea | Sequence[Idea]) -> list[Idea]:
    items = [ideas] if isinstance(ideas, Idea) else list(ideas)
    if not items:
        raise NoomarketingError("generate_ideas needs at least one segment Idea")
    for item in items:
        if not isinstance(item, Idea):
            raise NoomarketingError(
                f"generate_ideas takes Idea objects (stage 1 output), got {type(item).__name__}"
            )
    ids = [i.segment_id for i in items]
    if len(set(ids)) != len(ids):
        raise NoomarketingError(f"segment ids must be unique, got {ids}")
    return items


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "..."


class _Encoder:
    """Embeds each distinct string once per call of generate_ideas."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}

    def add(self, texts: Sequence[str]) -> None:
        todo = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if todo:
            encoded = encode_unit(self.embedder, todo)
            self.vectors.update(zip(todo, encoded, strict=True))

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.add(texts)
        return np.stack([self.vectors[t] for t in texts])


def _explain(
    idea: Idea, tactic_vector: np.ndarray, encode: _Encoder
) -> tuple[dict[str, str], list[str], list[str], list[int]]:
    """Slots for the tactic's template, and the keywords/quote it answers."""
    why: list[str] = []
    terms = [k.term for k in idea.keywords]
    best_terms: list[str] = []
    if terms:
        sims = encode(terms) @ tactic_vector
        top = np.argsort(-sims, kind="stable")[:3]
        best_terms = [terms[i] for i in top]
        why += [f'keyword "{terms[i]}" ({sims[i]:.2f})' for i in top]
    quote_text, quote_rows = "", []
    if idea.quotes:
        sims = encode([q.text for q in idea.quotes]) @ tactic_vector
        best = int(np.argmax(sims))
        quote = idea.quotes[best]
        quote_text, quote_rows = _cut(quote.text, QUOTE_SLOT_CHARS), [quote.row]
        why.append(f'quote row {quote.row}: "{quote_text}" ({sims[best]:.2f})')
    slots = {
        "label": idea.label,
        "keyword": best_terms[0] if best_terms else idea.label,
        "keywords": ", ".join(best_terms) if best_terms else idea.label,
        "quote": quote_text,
    }
    return slots, why, best_terms, quote_rows


def _rank_segment(
    idea: Idea,
    tactics: list[Tactic],
    encode: _Encoder,
    *,
    n: int,
    mood: float,
    counts: dict[str, tuple[int, int]],
    rng: np.random.Generator | None,
    diversity: float,
    mood_weight: float,
    reaction_weight: float,
    prior: tuple[float, float],
    specificity: np.ndarray,
) -> list[GeneratedIdea]:
    vectors = encode([t.description for t in tactics])
    fit = vectors @ encode([idea.text])[0]
    mood_part = np.array([mood_weight * mood * _DIRECTION[t.mood] for t in tactics])
    tried = [t.id for t in tactics if counts.get(t.id, (0, 0))[1] > 0]
    sampled = beta_scores(counts, tried, prior=prior, random_state=rng) if tried else {}
    prior_mean = prior[0] / (prior[0] + prior[1])
    reaction_part = np.array(
        [reaction_weight * (sampled[t.id] - prior_mean) if t.id in sampled else 0.0
         for t in tactics]
    )
    relevance = fit + mood_part + specificity + reaction_part
    order = mmr(vectors, relevance, n, diversity)
    generated = []
    for rank, index in enumerate(order, start=1):
        chosen = order[: rank - 1]
        redundancy = float((vectors[chosen] @ vectors[index]).max()) if chosen else 0.0
        tactic = tactics[index]
        slots, why, why_terms, quote_rows = _explain(idea, vectors[index], encode)
        wins, trials = counts.get(tactic.id, (0, 0))
        generated.append(
            GeneratedIdea(
                segment_id=idea.segment_id,
                rank=rank,
                tactic_id=tactic.id,
                kind=tactic.kind,
                title=tactic.title,
                text=tactic.fill(slots),
                score=round((1 - diversity) * float(relevance[index]) - diversity * redundancy, 6),
                fit=round(float(fit[index]), 6),
                why=why,
                source=tactic.source,
                headline=tactic.headline,
                pitch=tactic.pitch,
                mood=round(float(mood_part[index]), 6),
                specificity=round(float(specificity[index]), 6),
                reaction=round(float(reaction_part[index]), 6),
                successes=wins,
                trials=trials,
                why_keywords=why_terms,
                why_quote_rows=quote_rows,
            )
        )
    return generated


def generate_ideas(
    ideas: Idea | Sequence[Idea],
    n: int = 10,
    *,
    embedder: Any = None,
    catalogue: CatalogueSource | Sequence[CatalogueSource] | None = None,
    reactions: ReactionLog | None = None,
    diversity: float = 0.3,
    random_state: int | None = 0,
    llm: IdeaSource | None = None,
    mood_weight: float = 0.1,
    reaction_weight: float = 0.5,
    specificity_weight: float = 1.0,
    prior: tuple[float, float] = (1.0, 1.0),
    rating_range: tuple[float, float] | None = (1.0, 5.0),
) -> list[GeneratedIdea]:
    """Stage 2: up to ``n`` ranked ideas per segment, each with its fit and why it fits.

    Args:
        ideas: one stage-1 :class:`Idea` or several (segment ids must be unique).
        n: ideas per segment (all candidates when fewer).
        embedder: ``None`` for the bundled model, a name/path, or any object with ``encode``.
        catalogue: ``None`` for the bundled tactics, else what
            :func:`~noomarketing.generation.load_catalogue` takes (files, dicts, tactics).
        reactions: a reaction log; each segment's reactions to ideas re-rank its candidates.
        diversity: 0 ranks by relevance alone; towards 1 prefers tactics unlike those picked.
        random_state: seed of the Thompson sample of reaction scores (a non-negative int;
            each segment draws from its own stream, seeded by it and the segment id); ``None``
            uses the posterior mean. Without reactions the result does not depend on it.
        llm: an opt-in extra source of candidates, e.g.
            :class:`~noomarketing.generation.LLMGenerator`; its errors are raised, never hidden.
        mood_weight, specificity_weight, reaction_weight, prior, rating_range: see the
            module docstring.

    Returns a flat list, segment by segment in the order given, rank 1 first.

    Example:
        >>> import noomarketing as nm
        >>> from noomarketing.generation import generate_ideas
        >>> idea = nm.Idea(segment_id=0, label="Late delivery",
        ...                keywords=[nm.Keyword(term="late delivery", score=1.0)], quotes=[],
        ...                size=10, share=1.0, sentiment=-0.7)
        >>> best = generate_ideas(idea, n=3)[0]
        >>> best.rank, best.kind in {"service_recovery", "convenience"}
        (1, True)
    """
    # a segment of feedback with nothing to act on (spam, "ok") gets no tactics
    items = [idea for idea in _check_ideas(ideas) if not idea.noise]
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise NoomarketingError(f"n must be a positive integer, got {n!r}")
    if not 0.0 <= diversity <= 1.0:
        raise NoomarketingError(f"diversity must be between 0 and 1, got {diversity}")
    if min(mood_weight, reaction_weight, specificity_weight) < 0:
        raise NoomarketingError(
            "mood_weight, reaction_weight and specificity_weight must be >= 0"
        )
    if reactions is not None and not isinstance(reactions, ReactionLog):
        raise NoomarketingError(
            f"reactions must be a ReactionLog, got {type(reactions).__name__}"
        )
    tactics = load_catalogue(catalogue)
    if not items:
        return []
    moods = {i.segment_id: segment_mood(i, rating_range) for i in items}
    extra = {i.segment_id: (llm.tactics(i, n) if llm is not None else []) for i in items}
    encode = _Encoder(resolve_embedder(embedder))
    encode.add(
        [t.description for t in tactics]
        + [i.text for i in items]
        + [t.description for more in extra.values() for t in more]
        + [k.term for i in items for k in i.keywords]
        + [q.text for i in items for q in i.quotes]
    )
    fits = encode([i.text for i in items]) @ encode([t.description for t in tactics]).T
    # fit minus the tactic's mean fit over the segments (none when there is one segment)
    specific = specificity_weight * (fits - fits.mean(axis=0)) if len(items) > 1 else 0.0 * fits
    generated: list[GeneratedIdea] = []
    for position, idea in enumerate(items):
        candidates = tactics + extra[idea.segment_id]
        if len({t.id for t in candidates}) != len(candidates):
            raise NoomarketingError(
                f"candidate ids for segment {idea.segment_id} repeat a catalogue id"
            )
        counts = (
            reactions.counts("idea", segment_id=idea.segment_id) if reactions is not None else {}
        )
        generated += _rank_segment(
            idea, candidates, encode, n=int(n), mood=moods[idea.segment_id], counts=counts,
            # one seeded stream per segment: its sample does not depend on the other segments
            rng=None if random_state is None else np.random.default_rng(
                (random_state, idea.segment_id)
            ),
            diversity=diversity, mood_weight=mood_weight,
            specificity=np.pad(specific[position], (0, len(extra[idea.segment_id]))),
            reaction_weight=reaction_weight, prior=prior,
        )
    return generated
