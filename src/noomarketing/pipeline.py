"""The thin orchestrator: wires the stage modules together, owns no logic of its own."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from noomarketing import loop
from noomarketing.atomic import atomic_folder, check_out
from noomarketing.display import html_table, short
from noomarketing.generation import (
    GeneratedIdea,
    check_business,
    generate_ideas,
    infer_business,
    load_catalogue,
)
from noomarketing.highlighting import highlight_ideas
from noomarketing.limits import check_fits, check_run_settings
from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.matching import MatchResult, Offer, OfferSource, load_offers, match_offers
from noomarketing.noise import reasons_for
from noomarketing.outputs import (
    assignments_frame,
    map_frame,
    segment_info_frame,
    summary_text,
    write_json,
    write_segments_json,
)
from noomarketing.over_time import idea_changes, write_idea_changes
from noomarketing.presentation import Brief, customer_languages, present, write_briefs
from noomarketing.presentation.words import words_for
from noomarketing.progress import bar
from noomarketing.proposing import ProposalResult, customer_segments, propose
from noomarketing.reactions import ReactionLog
from noomarketing.retention import (
    ActivitySource,
    RetentionRate,
    as_activity,
    cohort_table,
    last_period,
    rates_frame,
    retention_rates,
)
from noomarketing.schema import UNASSIGNED, Feedback, Idea
from noomarketing.segmentation import SegmentModel

logger = logging.getLogger(__name__)


@dataclass
class SegmentationResult:
    """What stage 1 produced: the model, the ideas and one assignment per input row."""

    feedback: Feedback
    model: SegmentModel
    ideas: list[Idea]
    assignments: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    noise: list[str | None] | None = None
    """Each item's noise reason (``None``: real feedback), see :mod:`noomarketing.noise`."""

    @property
    def unassigned(self) -> int:
        """Items in no segment that are not noise (noise is counted apart, by reason)."""
        outliers = self.model.labels_ == UNASSIGNED
        if self.noise is not None:
            outliers &= np.array([reason is None for reason in self.noise], dtype=bool)
        return int(outliers.sum())

    def noise_counts(self) -> dict[str, int]:
        """Items set aside as noise, by reason (items of a segment flagged noise included)."""
        marked = self.assignments[self.assignments["status"] == "noise"]["reason"]
        return {str(k): int(v) for k, v in marked.value_counts(sort=True).items()}

    def segment_info(self) -> pd.DataFrame:
        """One row per segment: id, size, share, label, statement, keywords, top quote,
        sentiment, mean rating, rating impact, languages (like BERTopic's ``get_topic_info``).

        >>> import noomarketing as nm
        >>> result = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> info = result.segment_info()
        >>> len(info) == len(result.ideas), int(info["size"].sum()) <= len(result.feedback)
        (True, True)
        """
        return segment_info_frame(self.ideas)

    def to_frame(self) -> pd.DataFrame:
        """The same table as :meth:`segment_info` (``assignments`` has one row per input row)."""
        return self.segment_info()

    def __repr__(self) -> str:
        return (f"SegmentationResult({len(self.feedback)} items, {len(self.ideas)} segments, "
                f"unassigned {self.unassigned / max(len(self.feedback), 1):.1%})")

    def _repr_html_(self) -> str:
        return html_table(self.segment_info(), caption=repr(self),
                          note=f"embedding: {self.model.embedding_choice_}")

    def summary(self) -> str:
        text = summary_text(
            self.ideas, self.unassigned, len(self.feedback), self.model.strategy_reason_,
            noise=self.noise_counts(),
        )
        mix = self.model.language_mix_
        languages = f"languages: {mix.summary()}\n" if mix is not None else ""
        return f"{languages}embedding: {self.model.embedding_choice_}\n{text}"

    def info(self) -> dict[str, Any]:
        """How the segmentation was made, for ``segments.json``."""
        model = self.model
        return {
            "n_items": len(self.feedback),
            "n_segments": model.n_segments_,
            "strategy": model.strategy_,
            "strategy_reason": model.strategy_reason_,
            "unassigned": self.unassigned,
            "unassigned_share": round(model.unassigned_share_, 4),
            "embedding": getattr(model.embedder_, "name", None),
            "embedding_choice": model.embedding_choice_,
            "language": model.language,
            "languages": None if model.language_mix_ is None else model.language_mix_.counts,
            "random_state": model.random_state,
            "noise": {
                "items": sum(self.noise_counts().values()),
                "by_reason": self.noise_counts(),
                "segments": [idea.segment_id for idea in self.ideas if idea.noise],
            },
            "load_report": self.feedback.report.model_dump() if self.feedback.report else None,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        } | (loop.trend_info(model, self.ideas) if len(model.batches_) > 1 else {})

    def write(self, out: str | Path) -> list[Path]:
        """Write ``assignments.csv``, ``segments.json``, ``map.csv`` and the model to ``out``.

        Crash-safe: the files appear together or not at all (:func:`noomarketing.atomic.
        atomic_folder`); what an earlier run left in ``out`` and this one did not write is gone.
        Returns the paths written, in order (the model as its folder).
        """
        return _write_atomically(self.write_into, out)

    def write_into(self, folder: Path) -> list[Path]:
        """Write this stage's files into an existing folder (see :meth:`write`)."""
        self.assignments.to_csv(folder / "assignments.csv", index=False)
        map_frame(self.feedback, self.model).to_csv(folder / "map.csv", index=False)
        return [
            folder / "assignments.csv",
            folder / "map.csv",
            write_segments_json(folder / "segments.json", self.ideas, self.info()),
            self.model.save(folder / "model"),
        ]


def _write_atomically(write_into: Any, out: str | Path) -> list[Path]:
    """Run ``write_into`` on a temporary folder swapped in for ``out``; the final paths."""
    with atomic_folder(out) as folder:
        written = write_into(folder)
    return [Path(out) / path.relative_to(folder) for path in written]


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
    options = dict(columns or {})
    if mask_pii:
        options["mask_pii"] = True
    feedback = as_feedback(data, **options)
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
    )
    return SegmentationResult(feedback, model, ideas, assignments, timings, reasons)


@dataclass
class RunResult:
    """What the whole method produced, stage by stage (see :func:`run`)."""

    segmentation: SegmentationResult
    generated: list[GeneratedIdea]
    briefs: list[Brief]
    matches: MatchResult
    proposals: ProposalResult
    retention: list[RetentionRate] | None = None
    cohorts: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)
    business: str | None = None
    business_inferred: bool = False
    changes: dict[str, Any] | None = None  # since the previous run: loop.since_last
    next_run: dict[str, Any] = field(default_factory=dict)  # loop.json: loop.loop_record
    idea_changes: pd.DataFrame | None = None
    """Customers whose idea changed between months (None when the feedback has no times)."""

    def summary(self) -> str:
        """What a person reads in the terminal, stage by stage."""
        ideas = self.segmentation.ideas
        labels = {idea.segment_id: idea.label for idea in ideas}
        lines = ["stage 1 · ideas of the segments", self.segmentation.summary()]
        business = (f" ({self.business} tactics"
                    + (", the kind inferred from the offers)" if self.business_inferred else ")")
                    if self.business else "")
        lines.append(f"stage 2 · {len(self.generated)} generated idea(s) for {len(ideas)} "
                     f"segment(s){business}; the best of each:")
        lines += [f"  #{g.segment_id:<3} {g.title}" for g in self.generated if g.rank == 1]
        n_messages = sum(len(b.messages) for b in self.briefs)
        lines.append(f"stage 3 · {len(self.briefs)} brief(s), {n_messages} message(s)")
        matches = self.matches
        served = len({m.segment_id for m in matches.matches})
        lines.append(f"stage 4 · {len(matches.matches)} match(es) of {len(matches.offers)} "
                     f"offer(s); {served} segment(s) served, {len(matches.gaps)} gap(s):")
        lines += [f"  #{gap.segment_id:<3} {labels[gap.segment_id]} → suggest: "
                  f"{gap.suggestion_name}" for gap in matches.gaps]
        lines.append(f"stage 5 · {self.proposals.summary()}")
        if self.retention:
            lines.append(f"retention {self.retention[0].start:%Y-%m-%d} .. "
                         f"{self.retention[0].end:%Y-%m-%d} (end excluded):")
            for rate in self.retention:
                group = "all" if rate.segment_id is None else f"#{rate.segment_id}"
                lines.append(
                    f"  {group:<4} customers {rate.customers_start:>4}  CRR {_percent(rate.crr)}"
                    f"  churn {_percent(rate.churn)}  repeat {_percent(rate.repeat_rate)}"
                )
        lines += loop.since_lines(self.changes)
        lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()))
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """One row per segment: its idea, best generated idea, best offer or gap, proposals.

        >>> import noomarketing as nm
        >>> result = nm.run(nm.example_feedback_path(), nm.example_offers_path(),
        ...                 columns=nm.EXAMPLE_COLUMNS, budget=150)
        >>> frame = result.to_frame()
        >>> len(frame) == len(result.segmentation.ideas), "best_offer" in frame
        (True, True)
        """
        frame = self.segmentation.segment_info()[["segment", "size", "share", "label",
                                                  "sentiment", "rating_impact"]]
        best_idea = {g.segment_id: g.title for g in self.generated if g.rank == 1}
        best_offer: dict[int, str] = {}
        for pair in self.matches.matches:
            best_offer.setdefault(pair.segment_id, pair.offer_name)
        gaps = {gap.segment_id: gap.suggestion_name for gap in self.matches.gaps}
        proposals = self.proposals.to_frame().groupby("segment")
        frame = frame.assign(
            best_idea=frame["segment"].map(best_idea),
            best_offer=frame["segment"].map(best_offer),
            gap_suggestion=frame["segment"].map(gaps),
            proposals=frame["segment"].map(proposals.size()).fillna(0).astype(int),
            cost=frame["segment"].map(proposals["cost"].sum()).fillna(0.0),
        )
        return frame

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain data (what ``noomarketing run --format json`` prints)."""
        proposals = self.proposals
        return {
            "segmentation": self.segmentation.info(),
            "segments": self.to_frame().astype(object).where(lambda f: f.notna(), None)
            .to_dict("records"),
            "gaps": [gap.model_dump(mode="json") for gap in self.matches.gaps],
            "proposals": {"count": len(proposals.proposals), "spent": proposals.spent,
                          "budget": proposals.budget, "control": len(proposals.control),
                          "unserved": len(proposals.unserved)},
            "retention": None if self.retention is None
            else [rate.model_dump(mode="json") for rate in self.retention],
            "since_last": self.changes,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def __repr__(self) -> str:
        seg = self.segmentation
        return (f"RunResult({len(seg.feedback)} items, {len(seg.ideas)} segments, "
                f"{len(self.matches.gaps)} gaps, {len(self.proposals.proposals)} proposals, "
                f"spent {self.proposals.spent:g})")

    def _repr_html_(self) -> str:
        return html_table(self.to_frame(), caption=repr(self),
                          note=short(self.proposals.summary(), 200))

    def write(self, out: str | Path) -> list[Path]:
        """Write every stage's files into ``out`` (names are a stable contract, see README).

        Crash-safe like :meth:`SegmentationResult.write`: all files of this run, or the
        previous run's untouched. Returns the paths written, in order.
        """
        return _write_atomically(self.write_into, out)

    def write_into(self, folder: Path) -> list[Path]:
        """Write every stage's files into an existing folder (see :meth:`write`)."""
        written = self.segmentation.write_into(folder)
        payload = {"business": self.business,
                   "ideas": [g.model_dump(mode="json") for g in self.generated]}
        written.append(write_json(folder / "ideas.json", payload))
        written.append(write_json(folder / loop.LOOP_FILE, self.next_run))
        written += write_briefs(self.briefs, folder / "briefs")
        written += self.matches.write(folder)
        written.append(self.proposals.to_csv(folder / "proposals.csv"))
        written.append(self.proposals.to_json(folder / "proposals.json"))
        pd.DataFrame(
            [c.model_dump() for c in self.proposals.control], columns=["customer_id", "segment_id"]
        ).astype({"segment_id": "Int64"}).to_csv(folder / "control.csv", index=False)
        written.append(folder / "control.csv")
        if self.retention is not None:
            rates_frame(self.retention).to_csv(folder / "retention.csv", index=False)
            written.append(folder / "retention.csv")
        if self.cohorts is not None:
            self.cohorts.to_csv(folder / "cohorts.csv")
            written.append(folder / "cohorts.csv")
        if self.idea_changes is not None:
            written.append(write_idea_changes(self.idea_changes, folder / "idea_changes.csv"))
        return written


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


def _percent(share: float | None) -> str:
    return "   -" if share is None else f"{share:4.0%}"


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
    segmentation = segment(data, model, columns=columns, mask_pii=mask_pii,
                           update=before is not None)
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
                               business=business, reactions=log, random_state=random_state)
    timings["generate"] = time.perf_counter() - clock
    stages.update(1)
    stages.set_description_str("stage 3: presenting")
    clock = time.perf_counter()
    languages = (None if feedback.languages is None
                 else customer_languages(feedback.customer_ids, feedback.languages))
    briefs = present(actionable, generated, templates_dir=templates_dir, brand=brand,
                     language=brief_language, customer_languages=languages, business=business)
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
