"""The thin orchestrator: wires the stage modules together, owns no logic of its own."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from noomarketing.highlighting import highlight_ideas
from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.outputs import assignments_frame, summary_text, write_segments_json
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
        return summary_text(
            self.ideas, self.unassigned, len(self.feedback), self.model.strategy_reason_
        )

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
            "random_state": model.random_state,
            "load_report": self.feedback.report.model_dump() if self.feedback.report else None,
            "timings_s": {k: round(v, 3) for k, v in self.timings.items()},
        }

    def write(self, out: str | Path) -> Path:
        """Write ``assignments.csv``, ``segments.json`` and the model (``model/``) to ``out``."""
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        self.assignments.to_csv(folder / "assignments.csv", index=False)
        write_segments_json(folder / "segments.json", self.ideas, self.info())
        self.model.save(folder / "model")
        return folder


def segment(
    data: Feedback | FeedbackSource,
    model: SegmentModel | None = None,
    *,
    columns: dict[str, Any] | None = None,
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
    clock = time.perf_counter()
    feedback = as_feedback(data, **(columns or {}))
    timings["load"] = time.perf_counter() - clock
    model = model if model is not None else SegmentModel()

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
