"""The thin orchestrator: wires the stage modules together, owns no logic of its own."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from noomarketing.atomic import atomic_folder, check_out
from noomarketing.generation import GeneratedIdea, generate_ideas
from noomarketing.highlighting import highlight_ideas
from noomarketing.limits import check_fits, check_run_settings
from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.matching import MatchResult, Offer, OfferSource, load_offers, match_offers
from noomarketing.outputs import assignments_frame, summary_text, write_json, write_segments_json
from noomarketing.presentation import Brief, present, write_briefs
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


@dataclass
class SegmentationResult:
    """What stage 1 produced: the model, the ideas and one assignment per input row."""

    feedback: Feedback
    model: SegmentModel
    ideas: list[Idea]
    assignments: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def unassigned(self) -> int:
        return int((self.model.labels_ == UNASSIGNED).sum())

    def summary(self) -> str:
        text = summary_text(
            self.ideas, self.unassigned, len(self.feedback), self.model.strategy_reason_
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
            "load_report": self.feedback.report.model_dump() if self.feedback.report else None,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def write(self, out: str | Path) -> Path:
        """Write ``assignments.csv``, ``segments.json`` and the model (``model/``) to ``out``.

        Crash-safe: the files appear together or not at all (:func:`noomarketing.atomic.
        atomic_folder`); what an earlier run left in ``out`` and this one did not write is gone.
        """
        with atomic_folder(out) as folder:
            self.write_into(folder)
        return Path(out)

    def write_into(self, folder: Path) -> None:
        """Write this stage's files into an existing folder (see :meth:`write`)."""
        self.assignments.to_csv(folder / "assignments.csv", index=False)
        write_segments_json(folder / "segments.json", self.ideas, self.info())
        self.model.save(folder / "model")


def segment(
    data: Feedback | FeedbackSource,
    model: SegmentModel | None = None,
    *,
    columns: dict[str, Any] | None = None,
    mask_pii: bool = False,
    **highlight: Any,
) -> SegmentationResult:
    """Load → embed → segment → highlight each segment's idea, with per-stage timings.

    Example:
        >>> import noomarketing as nm
        >>> result = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> result.assignments.columns[:3].tolist()
        ['row', 'customer_id', 'segment']
    """
    timings: dict[str, float] = {}
    model = model if model is not None else SegmentModel()
    model.check_params()  # a bad setting fails before loading and embedding
    clock = time.perf_counter()
    feedback = as_feedback(data, **_load_options(columns, mask_pii))
    timings["load"] = time.perf_counter() - clock
    check_fits(feedback, model.fit_sample_size)

    clock = time.perf_counter()
    sampled = model.fit_sample_size is not None and len(feedback) > model.fit_sample_size
    # A large input is embedded inside fit, a batch at a time (see SegmentModel.fit_sample_size).
    embeddings = None if sampled else model.embed(feedback)
    timings["embed"] = time.perf_counter() - clock

    clock = time.perf_counter()
    model.fit(feedback, embeddings=embeddings)
    timings["segment"] = time.perf_counter() - clock

    clock = time.perf_counter()
    ideas = highlight_ideas(model, feedback, **highlight)
    timings["highlight"] = time.perf_counter() - clock

    assignments = assignments_frame(feedback, model.labels_, model.similarities_)
    return SegmentationResult(feedback, model, ideas, assignments, timings)


def _load_options(columns: dict[str, Any] | None, mask_pii: bool) -> dict[str, Any]:
    options = dict(columns or {})
    if mask_pii:
        options["mask_pii"] = True
    return options


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

    def summary(self) -> str:
        """What a person reads in the terminal, stage by stage."""
        ideas = self.segmentation.ideas
        labels = {idea.segment_id: idea.label for idea in ideas}
        lines = ["stage 1 · ideas of the segments", self.segmentation.summary()]
        lines.append(f"stage 2 · {len(self.generated)} generated idea(s) for {len(ideas)} "
                     "segment(s); the best of each:")
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
        lines.append("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()))
        return "\n".join(lines)

    def write(self, out: str | Path) -> Path:
        """Write every stage's files into ``out`` (names are a stable contract, see README).

        Crash-safe like :meth:`SegmentationResult.write`: all files of this run, or the
        previous run's untouched.
        """
        with atomic_folder(out) as folder:
            self.write_into(folder)
        return Path(out)

    def write_into(self, folder: Path) -> None:
        """Write every stage's files into an existing folder (see :meth:`write`)."""
        self.segmentation.write_into(folder)
        write_json(folder / "ideas.json",
                   {"ideas": [g.model_dump(mode="json") for g in self.generated]})
        write_briefs(self.briefs, folder / "briefs")
        self.matches.write(folder)
        self.proposals.to_csv(folder / "proposals.csv")
        self.proposals.to_json(folder / "proposals.json")
        pd.DataFrame(
            [c.model_dump() for c in self.proposals.control], columns=["customer_id", "segment_id"]
        ).astype({"segment_id": "Int64"}).to_csv(folder / "control.csv", index=False)
        if self.retention is not None:
            rates_frame(self.retention).to_csv(folder / "retention.csv", index=False)
        if self.cohorts is not None:
            self.cohorts.to_csv(folder / "cohorts.csv")


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
    brand: str = "our shop",
    templates_dir: str | Path | None = None,
    activity: pd.DataFrame | ActivitySource | None = None,
    period: str = "90D",
    random_state: int | None = 0,
    out: str | Path | None = None,
    mask_pii: bool = False,
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

    Example:
        >>> import noomarketing as nm
        >>> result = nm.run(nm.example_feedback_path(), nm.example_offers_path(),
        ...                 columns=nm.EXAMPLE_COLUMNS, budget=150, control=0.1)
        >>> result.proposals.spent <= 150, len(result.matches.gaps) > 0
        (True, True)
    """
    timings: dict[str, float] = {}
    # settings, the output folder and the small inputs first: fail before minutes of embedding
    check_run_settings(n_ideas, budget, per_customer, control, random_state)
    if out is not None:
        check_out(out)
    catalogue_offers = load_offers(offers)
    table = as_activity(activity) if activity is not None else None
    model = model if model is not None else SegmentModel(random_state=random_state)
    log = ReactionLog(reactions) if isinstance(reactions, str | Path) else reactions
    segmentation = segment(data, model, columns=columns, mask_pii=mask_pii)
    timings.update(segmentation.timings)
    embedder = model.embedder_
    feedback, ideas, labels = segmentation.feedback, segmentation.ideas, model.labels_

    clock = time.perf_counter()
    generated = generate_ideas(ideas, n=n_ideas, embedder=embedder, catalogue=catalogue,
                               reactions=log, random_state=random_state)
    timings["generate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    briefs = present(ideas, generated, templates_dir=templates_dir, brand=brand)
    timings["present"] = time.perf_counter() - clock
    clock = time.perf_counter()
    matches = match_offers(ideas, catalogue_offers, embedder=embedder, generated=generated)
    timings["match"] = time.perf_counter() - clock
    clock = time.perf_counter()
    proposals = propose(feedback, labels, ideas, matches, embeddings=model.embeddings_,
                        embedder=embedder, generated=generated, reactions=log, budget=budget,
                        per_customer=per_customer, control=control, random_state=random_state)
    timings["propose"] = time.perf_counter() - clock

    rates = cohorts = None
    if table is not None:
        segments = customer_segments(feedback, labels)
        rates = retention_rates(table, *last_period(table, period), segments=segments,
                                lookback=period)
        cohorts = cohort_table(table, segments=segments)
    result = RunResult(segmentation, generated, briefs, matches, proposals, rates, cohorts,
                       timings)
    if out is not None:
        result.write(out)
    return result
