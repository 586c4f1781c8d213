"""Stage 2: generate ideas that fit each segment's idea, ranked and diverse.

Every tactic of the catalogue that suits the kind of business (``business``, see
:mod:`noomarketing.generation.business`), and, opt-in, ideas an LLM wrote for the segment, is
a candidate. Each candidate gets one relevance number, made of visible parts:

``fit``
    by meaning: ``(1 − lexical_weight) × cosine(tactic description, the segment's meaning) +
    lexical_weight × cosine(tactic description, label and keywords)``. The meaning is the mean
    vector of the segment's statement (when stage 1 wrote one) and its quotes, so a tactic
    fits because it answers what customers say, not because it shares a word with a keyword
    ("debt collection" is not a "sustainable collection"). The words stay as a minor term.
``mood``
    ``mood_weight × segment mood × direction``, where direction is +1 for ``happy`` tactics
    (upsell, referral: ask more of satisfied customers), -1 for ``unhappy`` tactics (service
    recovery, fixes: answer a problem) and 0 for ``any``. The segment mood is
    :func:`segment_mood`: its mean rating when there is one, else its text sentiment less the
    score's neutral point (:mod:`noomarketing.generation.mood`). So service recovery climbs
    for an unhappy segment and sinks for a happy one, and upsell the other way round
    (``benchmarks/tactic_mood.py`` measures how often each kind lands on the wrong customers).
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

Only tactics whose fit reaches ``min_fit`` count as fitting. Maximal marginal relevance then
picks ``n`` per segment, trading relevance against similarity to tactics already picked
(``diversity``); ``score`` is the MMR gain at the moment the idea was picked, so it never
rises with rank. Two rules follow the method:

* a segment with no fitting tactic gets the honest general ones (kind ``general``:
  acknowledge, fix, follow up, ask what is next; ``GeneratedIdea.general``), never a tactic
  of another business;
* each segment's ideas include at least one that *develops* its customers' idea (``aim`` =
  ``develop``), not only repairs: when the picks have none, the best fitting development
  (else the general one) takes the last place.

Segments marked as noise (``Idea.noise``) get no ideas. Each idea carries its text in every
language its tactic was written in (``translations``), for the brief and the messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, Field

from noomarketing.display import short
from noomarketing.embedding import encode_unit, resolve_embedder
from noomarketing.generation.business import check_business
from noomarketing.generation.catalogue import CatalogueSource, Tactic, load_catalogue
from noomarketing.generation.mood import segment_mood
from noomarketing.highlighting import mmr
from noomarketing.reactions import ReactionLog, beta_scores
from noomarketing.schema import Idea, NoomarketingError

QUOTE_SLOT_CHARS = 160
"""A quote put into a tactic's text is cut to this many characters."""

MIN_FIT = 0.2
"""Default fit a specific tactic needs to be offered (see ``generate_ideas``)."""

_DIRECTION = {"happy": 1.0, "unhappy": -1.0, "any": 0.0}


class IdeaCopy(BaseModel):
    """A generated idea's words in one language: for the business and for customers."""

    title: str
    text: str
    headline: str
    pitch: str


class GeneratedIdea(BaseModel):
    """Stage 2 output: one idea to present to one segment, with why and how it ranked.

    ``title``, ``text``, ``headline`` and ``pitch`` are English; ``translations`` has them in
    every language the tactic was written in (English included).
    """

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
    aim: str = Field("develop", description="repair, develop or keep (see Tactic.aim)")
    general: bool = Field(
        False, description="a general step: the catalogue had nothing specific for the segment"
    )
    translations: dict[str, IdeaCopy] = Field(default_factory=dict)

    def in_language(self, language: str | None) -> IdeaCopy:
        """The idea's words in ``language``, else in English."""
        if language and language in self.translations:
            return self.translations[language]
        return IdeaCopy(title=self.title, text=self.text, headline=self.headline,
                        pitch=self.pitch)


class IdeaSource(Protocol):
    """Anything that writes extra candidate tactics for one segment (e.g. an LLM)."""

    def tactics(self, idea: Idea, n: int) -> list[Tactic]: ...


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


def label_phrase(label: str) -> str:
    """The label as a noun phrase for a sentence: a "a / b / c" list keeps its first part.

    >>> label_phrase("Late delivery / parcel / courier"), label_phrase("late or lost parcels")
    ('Late delivery', 'late or lost parcels')
    """
    return " ".join(label.split(" / ")[0].split()) or label


def _meaning_texts(idea: Idea) -> list[str]:
    """What a segment means: its statement and quotes (the label when it has neither)."""
    texts = [idea.statement] if idea.statement.strip() else []
    texts += [q.text[:300] for q in idea.quotes]
    return texts or [idea.label]


def _words_text(idea: Idea) -> str:
    return ". ".join([idea.label, ", ".join(k.term for k in idea.keywords)])


def _idea_vectors(idea: Idea, encode: _Encoder) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors of the segment's meaning (mean of statement and quotes) and of its words."""
    meaning = encode(_meaning_texts(idea)).mean(axis=0)
    return meaning / max(float(np.linalg.norm(meaning)), 1e-12), encode([_words_text(idea)])[0]


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
        quote_text, quote_rows = short(quote.text, QUOTE_SLOT_CHARS), [quote.row]
        why.append(f'quote row {quote.row}: "{quote_text}" ({sims[best]:.2f})')
    phrase = label_phrase(idea.label)
    slots = {
        "label": phrase,
        "keyword": best_terms[0] if best_terms else phrase,
        "keywords": ", ".join(best_terms) if best_terms else phrase,
        "quote": quote_text,
    }
    return slots, why, best_terms, quote_rows


def _candidates(tactics: list[Tactic], fit: np.ndarray, min_fit: float) -> list[int]:
    """Indices of the tactics to rank: the fitting specific ones, else the general ones.

    When no fitting tactic develops the segment's idea, the best development (a specific one
    below ``min_fit`` is not used: the general one) joins the candidates.
    """
    specific = [i for i, t in enumerate(tactics) if not t.general and fit[i] >= min_fit]
    general = [i for i, t in enumerate(tactics) if t.general]
    chosen = specific or general
    if chosen and not any(tactics[i].aim == "develop" for i in chosen):
        develop = [i for i in general if tactics[i].aim == "develop"]
        chosen = [*chosen, *develop[:1]]
    return chosen


def _pick(
    tactics: list[Tactic], vectors: np.ndarray, relevance: np.ndarray, n: int, diversity: float
) -> list[int]:
    """MMR picks, the last place going to the best development when the picks have none."""
    order = mmr(vectors, relevance, n, diversity)
    develop = [i for i in range(len(tactics)) if tactics[i].aim == "develop"]
    if develop and not any(tactics[i].aim == "develop" for i in order):
        best = max(develop, key=lambda i: relevance[i])
        order = [*order[:-1], best] if len(order) >= n else [*order, best]
    return order


def _translations(tactic: Tactic, slots: dict[str, str]) -> dict[str, IdeaCopy]:
    copies = {}
    for language in tactic.languages:
        words = tactic.in_language(language)
        copies[language] = IdeaCopy(title=words.title, text=tactic.fill(slots, language),
                                    headline=words.headline, pitch=words.pitch)
    return copies


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
    fit: np.ndarray,
    min_fit: float,
) -> list[GeneratedIdea]:
    keep = _candidates(tactics, fit, min_fit)
    tactics, fit, specificity = [tactics[i] for i in keep], fit[keep], specificity[keep]
    if not tactics:
        return []
    vectors = encode([t.description for t in tactics])
    mood_part = np.array([mood_weight * mood * _DIRECTION[t.mood] for t in tactics])
    tried = [t.id for t in tactics if counts.get(t.id, (0, 0))[1] > 0]
    sampled = beta_scores(counts, tried, prior=prior, random_state=rng) if tried else {}
    prior_mean = prior[0] / (prior[0] + prior[1])
    reaction_part = np.array(
        [reaction_weight * (sampled[t.id] - prior_mean) if t.id in sampled else 0.0
         for t in tactics]
    )
    relevance = fit + mood_part + specificity + reaction_part
    order = _pick(tactics, vectors, relevance, n, diversity)
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
                mood=round(float(mood_part[index]), 6) + 0.0,  # no "-0.000" for "any"
                specificity=round(float(specificity[index]), 6),
                reaction=round(float(reaction_part[index]), 6),
                successes=wins,
                trials=trials,
                why_keywords=why_terms,
                why_quote_rows=quote_rows,
                aim=tactic.aim or "develop",
                general=tactic.general,
                translations=_translations(tactic, slots),
            )
        )
    return generated


def _check_weights(
    n: Any, diversity: float, lexical_weight: float, weights: Sequence[float], reactions: Any
) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise NoomarketingError(f"n must be a positive integer, got {n!r}")
    if not 0.0 <= diversity <= 1.0:
        raise NoomarketingError(f"diversity must be between 0 and 1, got {diversity}")
    if not 0.0 <= lexical_weight <= 1.0:
        raise NoomarketingError(f"lexical_weight must be between 0 and 1, got {lexical_weight}")
    if min(weights) < 0:
        raise NoomarketingError(
            "mood_weight, reaction_weight and specificity_weight must be >= 0"
        )
    if reactions is not None and not isinstance(reactions, ReactionLog):
        raise NoomarketingError(
            f"reactions must be a ReactionLog, got {type(reactions).__name__}"
        )


def _fits(
    items: list[Idea], tactics: list[Tactic], encode: _Encoder, lexical_weight: float
) -> np.ndarray:
    """Segment × tactic fit: by meaning, with the words as a minor term."""
    descriptions = encode([t.description for t in tactics])
    pairs = [_idea_vectors(i, encode) for i in items]
    meaning = np.stack([m for m, _ in pairs]) @ descriptions.T
    words = np.stack([w for _, w in pairs]) @ descriptions.T
    return (1.0 - lexical_weight) * meaning + lexical_weight * words


def generate_ideas(
    ideas: Idea | Sequence[Idea],
    n: int = 10,
    *,
    embedder: Any = None,
    catalogue: CatalogueSource | Sequence[CatalogueSource] | None = None,
    business: str | None = None,
    reactions: ReactionLog | None = None,
    diversity: float = 0.3,
    random_state: int | None = 0,
    llm: IdeaSource | None = None,
    min_fit: float = MIN_FIT,
    lexical_weight: float = 0.2,
    mood_weight: float = 0.2,
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
        business: the kind of business (``"retail"``, ``"subscription"``, ``"finance"``,
            ``"services"`` or a word the catalogue uses): only tactics that suit it are
            offered. ``None``: every tactic (see :func:`~noomarketing.generation.infer_business`).
        reactions: a reaction log; each segment's reactions to ideas re-rank its candidates.
        diversity: 0 ranks by relevance alone; towards 1 prefers tactics unlike those picked.
        random_state: seed of the Thompson sample of reaction scores (a non-negative int;
            each segment draws from its own stream, seeded by it and the segment id); ``None``
            uses the posterior mean. Without reactions the result does not depend on it.
        llm: an opt-in extra source of candidates, e.g.
            :class:`~noomarketing.generation.LLMGenerator`; its errors are raised, never hidden.
        min_fit: the fit a specific tactic needs to be offered; when none reaches it the
            segment gets the general tactics.
        lexical_weight: how much the label and keywords count beside the meaning; it,
            ``mood_weight``, ``specificity_weight``, ``reaction_weight``, ``prior`` and
            ``rating_range`` are explained in the module docstring.

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
    items = _check_ideas(ideas)
    _check_weights(n, diversity, lexical_weight,
                   (mood_weight, reaction_weight, specificity_weight), reactions)
    tactics = load_catalogue(catalogue)
    business = check_business(business, [b for t in tactics for b in t.businesses])
    tactics = [t for t in tactics if t.fits_business(business)]
    if not tactics:
        raise NoomarketingError(f"no tactic of the catalogue suits the business {business!r}")
    items_to_rank = [i for i in items if not i.noise]
    if not items_to_rank:
        return []
    moods = {i.segment_id: segment_mood(i, rating_range) for i in items_to_rank}
    extra = {i.segment_id: (llm.tactics(i, n) if llm is not None else []) for i in items_to_rank}
    encode = _Encoder(resolve_embedder(embedder))
    encode.add(
        [t.description for t in tactics]
        + [text for i in items_to_rank for text in [*_meaning_texts(i), _words_text(i)]]
        + [t.description for more in extra.values() for t in more]
        + [k.term for i in items_to_rank for k in i.keywords]
    )
    fits = _fits(items_to_rank, tactics, encode, lexical_weight)
    # fit minus the tactic's mean fit over the segments (none when there is one segment)
    specific = (specificity_weight * (fits - fits.mean(axis=0)) if len(items_to_rank) > 1
                else 0.0 * fits)
    generated: list[GeneratedIdea] = []
    for position, idea in enumerate(items_to_rank):
        more = extra[idea.segment_id]
        candidates = tactics + more
        if len({t.id for t in candidates}) != len(candidates):
            raise NoomarketingError(
                f"candidate ids for segment {idea.segment_id} repeat a catalogue id"
            )
        fit = fits[position]
        if more:
            fit = np.concatenate([fit, _fits([idea], more, encode, lexical_weight)[0]])
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
            specificity=np.pad(specific[position], (0, len(more))),
            reaction_weight=reaction_weight, prior=prior, fit=fit, min_fit=min_fit,
        )
    return generated
