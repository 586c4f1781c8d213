"""The thin orchestrator: wires the stage modules together, owns no logic of its own."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from noomarketing import loop
from noomarketing.atomic import check_out
from noomarketing.generation import (
    check_business,
    generate_ideas,
    infer_business,
    load_catalogue,
)
from noomarketing.generation.mood import resolve_rating_range
from noomarketing.highlighting import highlight_ideas
from noomarketing.limits import check_fits, check_run_settings
from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.matching import match_offers
from noomarketing.noise import reasons_for
from noomarketing.offers import Offer, OfferSource, load_offers
from noomarketing.outputs import (
    assignments_frame,
)
from noomarketing.over_time import idea_changes
from noomarketing.presentation import customer_languages, present
from noomarketing.presentation.words import words_for
from noomarketing.progress import bar
from noomarketing.proposing import customer_segments, propose
from noomarketing.reactions import ReactionLog
from noomarketing.results import RunResult, SegmentationResult
from noomarketing.retention import (
    ActivitySource,
    RetentionRate,
    as_activity,
    cohort_table,
    last_period,
    retention_rates,
)
from noomarketing.schema import Feedback, NoomarketingError
from noomarketing.segmentation import SegmentModel
from noomarketing.sentiment import SentimentScorer

logger = logging.getLogger(__name__)


def segment(
    data: Feedback | FeedbackSource,
    model: SegmentModel | None = None,
    *,
    columns: dict[str, Any] | None = None,
    mask_pii: bool = False,
    update: bool = False,
    batch: str | None = None,
    **highlight: Any,
) -> SegmentationResult:
    """Load → embed → segment → highlight each segment's idea, with per-stage timings.

    The input is converted to :class:`Feedback` once, here; its languages, once detected by
    the model, travel with it (``result.feedback.languages``).

    Feedback with nothing to act on is found first (:func:`noomarketing.noise.noise_reason`;
    ``noise=False`` turns it off, or pass one reason or ``None`` per item): it is clustered with
    the rest, so the model stays aligned with the input, then marked ``noise`` in the
    assignments and kept out of every idea. Other keywords (``llm=``, ``n_quotes=``, ...) go to
    :func:`~noomarketing.highlighting.highlight_ideas`. ``update=True`` takes the data in as a
    new batch (named ``batch``) of an already fitted ``model`` instead of fitting it
    (:meth:`SegmentModel.update`; :func:`noomarketing.update` loads a saved one).

    Example:
        >>> import noomarketing as nm
        >>> result = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> result.assignments.columns[:3].tolist()
        ['row', 'customer_id', 'segment']
    """
    model = (model if model is not None else SegmentModel()).validate()
    if update:
        model._check_fitted()
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    feedback = _loaded(data, columns, mask_pii)
    # cheap, before any embedding: feedback with nothing to act on (spam, "ok", gibberish)
    reasons = reasons_for(feedback, highlight.pop("noise", True))
    timings["load"] = time.perf_counter() - clock
    check_fits(feedback, model.fit_sample_size)

    clock = time.perf_counter()
    # A large input is embedded inside fit, a batch at a time (see SegmentModel.fit_sample_size).
    embeddings = None if model.samples(len(feedback)) and not update else model.embed(feedback)
    timings["embed"] = time.perf_counter() - clock

    clock = time.perf_counter()
    if update:
        model.update(feedback, embeddings=embeddings, batch=batch)
    else:
        model.fit(feedback, embeddings=embeddings)
    timings["segment"] = time.perf_counter() - clock
    if feedback.languages is None and model.languages_ is not None:
        feedback = feedback.with_languages(model.languages_)

    clock = time.perf_counter()
    ideas = highlight_ideas(model, feedback, noise=reasons, **highlight)
    if len(model.batches_) > 1:
        ideas = loop.with_trends(ideas, model)
    timings["highlight"] = time.perf_counter() - clock

    assignments = assignments_frame(
        feedback, model.labels_, model.similarities_, noise=reasons,
        noise_segments={idea.segment_id for idea in ideas if idea.noise},
        themes=model.themes_,
    )
    return SegmentationResult(feedback, model, ideas, assignments, timings, reasons)


def _loaded(
    data: Feedback | FeedbackSource, columns: dict[str, Any] | None, mask_pii: bool
) -> Feedback:
    """The input as :class:`Feedback`, read with ``columns`` and masked when asked."""
    options = dict(columns or {})
    if mask_pii:
        options["mask_pii"] = True
    return as_feedback(data, **options)


def _retention(
    table: pd.DataFrame | None, feedback: Feedback, labels: Any, period: str
) -> tuple[list[RetentionRate] | None, pd.DataFrame | None]:
    """Retention per segment over the last ``period`` and monthly cohorts (None without data)."""
    if table is None:
        return None, None
    segments = customer_segments(feedback, labels)
    rates = retention_rates(table, *last_period(table, period), segments=segments,
                            lookback=period)
    return rates, cohort_table(table, segments=segments)


def run(
    data: Feedback | FeedbackSource,
    offers: OfferSource | Sequence[Offer],
    *,
    columns: dict[str, Any] | None = None,
    model: SegmentModel | None = None,
    n_ideas: int = 5,
    catalogue: Any = None,
    reactions: ReactionLog | str | Path | None = None,
    budget: float | None = None,
    per_customer: int = 3,
    control: float = 0.0,
    brand: str | None = None,
    templates_dir: str | Path | None = None,
    business: str | None = None,
    brief_language: str = "en",
    activity: pd.DataFrame | ActivitySource | None = None,
    period: str = "90D",
    random_state: int | None = 0,
    out: str | Path | None = None,
    mask_pii: bool = False,
    progress: bool | None = None,
    previous: str | Path | None = None,
    sentiment_scorer: SentimentScorer | None = None,
    rating_range: tuple[float, float] | str | None = "auto",
) -> RunResult:
    """The whole method in one call: segment → generate → present → match → propose.

    Args:
        data, columns, model: as :func:`segment` (the model defaults to
            ``SegmentModel(random_state=random_state)``).
        offers: the offer catalogue (:func:`noomarketing.load_offers`).
        n_ideas, catalogue: stage 2 (:func:`noomarketing.generation.generate_ideas`).
        reactions: a ``ReactionLog`` or the path of one: past reactions re-rank ideas and offers.
        budget, per_customer, control: stage 5 (:func:`noomarketing.propose`).
        brand, templates_dir: stage 3 (:func:`noomarketing.presentation.present`).
        business: the kind of business (``"retail"``, ``"subscription"``, ``"finance"``,
            ``"services"``): only tactics that suit it are offered. ``None``: inferred from
            the offer catalogue (:func:`noomarketing.generation.infer_business`, logged).
        brief_language: the language of the briefs (``"en"``, ``"pl"``, ``"ru"``); messages
            go out in the language each customer wrote in, whatever this is.
        activity: optional customer activity (``customer_id``, ``date``, optional ``value``, or
            a table from :func:`noomarketing.load_activity`): adds retention per segment over
            the last ``period`` of the activity (:func:`noomarketing.retention.last_period`;
            customers at its start are those active in the ``period`` before) and a monthly
            cohort table per segment.
        random_state: one seed for segmentation, the Thompson samples and the control group.
        out: when given, every file is written there (see :meth:`RunResult.write`); a folder
            that cannot be written is refused before any work.
        mask_pii: mask e-mails, phones, card numbers and IBANs as the feedback is loaded, so
            no output holds them (:mod:`noomarketing.privacy`).
        progress: progress bars for every stage (None: the model's ``progress``, which by
            default shows them only in a terminal or a notebook; False: never).
        previous: the ``out`` folder of an earlier run: its model is updated with ``data``
            instead of a new fit (``model`` then only lends its ``cache_dir``), its reaction
            log is used unless ``reactions`` names one, and the summary says what changed
            since (:mod:`noomarketing.loop`).
        sentiment_scorer: how stage 1 reads sentiment (:func:`highlight_ideas`'s keyword).
        rating_range: the scale of the ratings, ``(low, high)``: a segment's mood is its mean
            rating on it (:func:`noomarketing.generation.segment_mood`); ratings outside it
            are refused before any embedding. ``"auto"``: 1 to 5 stars when the ratings fit,
            else 0 to 5, 10 or 100 (:func:`~noomarketing.generation.mood.rating_scale`,
            logged). ``None``: the mood is read from the text alone.

    Example:
        >>> import noomarketing as nm
        >>> result = nm.run(nm.example_feedback_path(), nm.example_offers_path(),
        ...                 columns=nm.EXAMPLE_COLUMNS, budget=150, control=0.1)
        >>> result.proposals.spent <= 150, len(result.matches.gaps) > 0
        (True, True)
    """
    timings: dict[str, float] = {}
    # check the settings and read the small inputs first: they fail before minutes of embedding
    check_run_settings(n_ideas, budget, per_customer, control, random_state)
    model = (model if model is not None else SegmentModel(random_state=random_state)).validate()
    before = None if previous is None else loop.read_previous(previous, cache_dir=model.cache_dir)
    if before is not None:
        model = before.model
        reactions = reactions if reactions is not None else before.reactions
    if out is not None:
        check_out(out)
    catalogue_offers = load_offers(offers)
    tactics = load_catalogue(catalogue)
    business = check_business(business, [b for t in tactics for b in t.businesses])
    words_for(brief_language)
    table = as_activity(activity) if activity is not None else None
    log = ReactionLog(reactions) if isinstance(reactions, str | Path) else reactions
    feedback = _loaded(data, columns, mask_pii)
    rating_range = resolve_rating_range(rating_range, feedback.ratings)
    reasons = reasons_for(feedback, True)
    if all(reason is not None for reason in reasons):
        counts = ", ".join(f"{reason} {n}" for reason, n in Counter(reasons).most_common())
        raise NoomarketingError(
            f"nothing to act on: all {len(reasons)} feedback items are noise ({counts}), so no "
            f"segment has an idea to offer anything for (noomarketing segment writes each item "
            f"with its reason)"
        )
    segmentation = segment(feedback, model, update=before is not None,
                           sentiment_scorer=sentiment_scorer, noise=reasons)
    timings.update(segmentation.timings)
    embedder = model.embedder_
    feedback, ideas, labels = segmentation.feedback, segmentation.ideas, model.labels_
    # segments of feedback with nothing to act on get no ideas, briefs, offers or proposals
    actionable = [idea for idea in ideas if not idea.noise]

    progress = model.progress if progress is None else progress
    stages = bar(4 + (table is not None), "stages 2-5", progress, unit="stage")
    stages.set_description_str("stage 2: generating ideas")
    clock = time.perf_counter()
    inferred = business is None
    if business is None:
        business, _scores = infer_business([o.text for o in catalogue_offers], embedder)
    generated = generate_ideas(ideas, n=n_ideas, embedder=embedder, catalogue=tactics,
                               business=business, reactions=log, random_state=random_state,
                               rating_range=rating_range)
    timings["generate"] = time.perf_counter() - clock
    stages.update(1)
    stages.set_description_str("stage 3: presenting")
    clock = time.perf_counter()
    languages = (None if feedback.languages is None
                 else customer_languages(feedback.customer_ids, feedback.languages))
    briefs = present(actionable, generated, templates_dir=templates_dir, brand=brand,
                     language=brief_language, customer_languages=languages, business=business,
                     rating_range=rating_range)
    timings["present"] = time.perf_counter() - clock
    stages.update(1)
    stages.set_description_str("stage 4: matching offers")
    clock = time.perf_counter()
    matches = match_offers(actionable, catalogue_offers, embedder=embedder, generated=generated)
    timings["match"] = time.perf_counter() - clock
    stages.update(1)
    stages.set_description_str("stage 5: proposing")
    clock = time.perf_counter()
    proposals = propose(feedback, labels, ideas, matches, embeddings=model.embeddings_,
                        embedder=embedder, generated=generated, reactions=log, budget=budget,
                        per_customer=per_customer, control=control, random_state=random_state,
                        noise=segmentation.noise)
    timings["propose"] = time.perf_counter() - clock
    stages.update(1)

    if table is not None:
        stages.set_description_str("retention metrics")
    rates, cohorts = _retention(table, feedback, labels, period)
    stages.update(table is not None)
    stages.close()
    moved = None
    if before is not None and before.assignments is not None:
        moves = idea_changes(None, [before.assignments, segmentation.assignments])
        moved = int(moves["customer_id"].nunique())
    changes = None if before is None else loop.since_last(before, segmentation, log, moved)
    idea_moves = (idea_changes(feedback, segmentation.assignments, ideas=ideas)
                  if any(item.time is not None for item in feedback.items) else None)
    result = RunResult(segmentation, generated, briefs, matches, proposals, rates, cohorts,
                       timings, business, inferred, changes=changes,
                       next_run=loop.loop_record(model, log), idea_changes=idea_moves)
    logger.info("run: %s", ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()))
    if out is not None:
        result.write(out)
    return result
