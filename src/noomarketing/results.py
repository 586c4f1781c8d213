"""What :func:`~noomarketing.pipeline.segment` and :func:`~noomarketing.pipeline.run`
return: the results of stage 1 and of the whole method, with their summaries, tables and the
files they write (atomically: a folder is complete or untouched)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from noomarketing import loop
from noomarketing.atomic import atomic_folder
from noomarketing.display import html_table, short
from noomarketing.embedding import MULTILINGUAL_MODEL, embedder_name
from noomarketing.embedding_choice import kept_choice
from noomarketing.generation import GeneratedIdea
from noomarketing.matching import MatchResult
from noomarketing.outputs import (
    map_frame,
    segment_info_frame,
    summary_text,
    write_json,
    write_segments_json,
)
from noomarketing.over_time import write_idea_changes
from noomarketing.presentation import Brief, write_briefs
from noomarketing.proposing import ProposalResult
from noomarketing.retention import RetentionRate, rates_frame
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
        sentiment and its impact, mean rating and its impact, languages (like BERTopic's
        ``get_topic_info``).

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
        return (
            f"SegmentationResult({len(self.feedback)} items, {len(self.ideas)} segments, "
            f"unassigned {self.unassigned / max(len(self.feedback), 1):.1%})"
        )

    def _repr_html_(self) -> str:
        return html_table(
            self.segment_info(),
            caption=repr(self),
            note=f"embedding: {self.model.embedding_choice_}",
        )

    def summary(self) -> str:
        text = summary_text(
            self.ideas,
            self.unassigned,
            len(self.feedback),
            self.model.strategy_reason_,
            noise=self.noise_counts(),
        )
        model, mix = self.model, self.model.language_mix_
        languages = f"languages: {mix.summary()}\n" if mix is not None else ""
        choice = model.embedding_choice_
        if len(model.batches_) > 1:  # the batch's mix matters only where it chose the model
            auto = model.embedding is None and model.language == "auto"
            choice = kept_choice(choice, mix if auto else None,
                                 MULTILINGUAL_MODEL in embedder_name(model.embedder_))
        return f"{languages}embedding: {choice}\n{text}"

    def info(self) -> dict[str, Any]:
        """How the segmentation was made, for ``segments.json``."""
        model = self.model
        return {
            "n_items": len(self.feedback),
            "n_segments": model.n_segments_,
            "n_themes": model.n_themes_,
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
        business = (
            f" ({self.business} tactics"
            + (", the kind inferred from the offers)" if self.business_inferred else ")")
            if self.business
            else ""
        )
        lines.append(
            f"stage 2 · {len(self.generated)} generated idea(s) for {len(ideas)} "
            f"segment(s){business}; the best of each:"
        )
        lines += [f"  #{g.segment_id:<3} {g.title}" for g in self.generated if g.rank == 1]
        n_messages = sum(len(b.messages) for b in self.briefs)
        lines.append(f"stage 3 · {len(self.briefs)} brief(s), {n_messages} message(s)")
        matches = self.matches
        served = len({m.segment_id for m in matches.matches})
        lines.append(
            f"stage 4 · {len(matches.matches)} match(es) of {len(matches.offers)} "
            f"offer(s); {served} segment(s) served, {len(matches.gaps)} gap(s):"
        )
        lines += [
            f"  #{gap.segment_id:<3} {labels[gap.segment_id]} → suggest: {gap.suggestion_name}"
            for gap in matches.gaps
        ]
        lines.append(f"stage 5 · {self.proposals.summary()}")
        if self.retention:
            lines.append(
                f"retention {self.retention[0].start:%Y-%m-%d} .. "
                f"{self.retention[0].end:%Y-%m-%d} (end excluded):"
            )
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
        frame = self.segmentation.segment_info()[
            ["segment", "size", "share", "label", "sentiment", "sentiment_impact", "rating_impact"]
        ]
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
            "segments": self.to_frame()
            .astype(object)
            .where(lambda f: f.notna(), None)
            .to_dict("records"),
            "gaps": [gap.model_dump(mode="json") for gap in self.matches.gaps],
            "proposals": {
                "count": len(proposals.proposals),
                "spent": proposals.spent,
                "budget": proposals.budget,
                "control": len(proposals.control),
                "unserved": len(proposals.unserved),
            },
            "retention": None
            if self.retention is None
            else [rate.model_dump(mode="json") for rate in self.retention],
            "since_last": self.changes,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def __repr__(self) -> str:
        seg = self.segmentation
        return (
            f"RunResult({len(seg.feedback)} items, {len(seg.ideas)} segments, "
            f"{len(self.matches.gaps)} gaps, {len(self.proposals.proposals)} proposals, "
            f"spent {self.proposals.spent:g})"
        )

    def _repr_html_(self) -> str:
        return html_table(
            self.to_frame(), caption=repr(self), note=short(self.proposals.summary(), 200)
        )

    def write(self, out: str | Path) -> list[Path]:
        """Write every stage's files into ``out`` (names are a stable contract, see README).

        Crash-safe like :meth:`SegmentationResult.write`: all files of this run, or the
        previous run's untouched. Returns the paths written, in order.
        """
        return _write_atomically(self.write_into, out)

    def write_into(self, folder: Path) -> list[Path]:
        """Write every stage's files into an existing folder (see :meth:`write`)."""
        written = self.segmentation.write_into(folder)
        payload = {
            "business": self.business,
            "ideas": [g.model_dump(mode="json") for g in self.generated],
        }
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


def _percent(share: float | None) -> str:
    return "   -" if share is None else f"{share:4.0%}"
