"""What the report shows, gathered from a result in memory or from an output folder."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from noomarketing.generation import GeneratedIdea
from noomarketing.matching import MATCH_COLUMNS, Gap, MatchResult
from noomarketing.outputs import MAP_COLUMNS, map_frame
from noomarketing.proposing import ProposalResult
from noomarketing.retention import rates_frame
from noomarketing.schema import Idea, NoomarketingError

logger = logging.getLogger(__name__)


@dataclass
class ReportData:
    """Everything the HTML report shows; only ``ideas`` is required.

    ``items`` has the columns of ``map.csv`` (:data:`noomarketing.outputs.MAP_COLUMNS`),
    ``matches`` those of ``offer_matches.csv``, ``retention`` those of ``retention.csv`` and
    ``cohorts`` is :func:`noomarketing.cohort_table`'s table per segment.

    Example:
        >>> from noomarketing.schema import Idea
        >>> idea = Idea(segment_id=0, label="Late delivery", keywords=[], quotes=[], size=3,
        ...             share=1.0, sentiment=-0.5)
        >>> ReportData(ideas=[idea]).n_items
        3
    """

    ideas: list[Idea]
    info: dict[str, Any] = field(default_factory=dict)
    items: pd.DataFrame | None = None
    generated: list[GeneratedIdea] = field(default_factory=list)
    matches: pd.DataFrame | None = None
    gaps: list[Gap] = field(default_factory=list)
    proposals: ProposalResult | None = None
    retention: pd.DataFrame | None = None
    cohorts: pd.DataFrame | None = None

    @property
    def n_items(self) -> int:
        """Feedback items the segments were made from."""
        return int(self.info.get("n_items") or sum(idea.size for idea in self.ideas))

    @classmethod
    def from_result(cls, result: Any) -> ReportData:
        """From a :class:`~noomarketing.RunResult` or :class:`~noomarketing.SegmentationResult`.

        >>> import noomarketing as nm
        >>> seg = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> data = ReportData.from_result(seg)
        >>> len(data.items) == len(seg.feedback), data.proposals is None
        (True, True)
        """
        run = result if hasattr(result, "segmentation") else None
        seg = run.segmentation if run is not None else result
        data = cls(ideas=list(seg.ideas), info=seg.info(), items=map_frame(seg.feedback, seg.model))
        if run is None:
            return data
        matches: MatchResult = run.matches
        data.generated = list(run.generated)
        data.matches = matches.to_frame()
        data.gaps = list(matches.gaps)
        data.proposals = run.proposals
        data.retention = rates_frame(run.retention) if run.retention else None
        data.cohorts = run.cohorts
        return data

    @classmethod
    def from_folder(cls, folder: str | Path) -> ReportData:
        """From the files that ``noomarketing run``/``segment`` (or ``.write()``) wrote.

        Only ``segments.json`` is required; each other file adds its part of the report.
        """
        folder = Path(folder)
        segments = folder / "segments.json"
        if not segments.is_file():
            raise NoomarketingError(
                f"{folder} has no segments.json: give the --out folder of 'noomarketing run' "
                "or 'noomarketing segment'"
            )
        payload = _read_json(segments)
        data = cls(
            ideas=[Idea.model_validate(item) for item in payload.get("segments", [])],
            info=payload.get("segmentation") or {},
        )
        if (folder / "map.csv").is_file():
            data.items = _read_map(folder / "map.csv")
        if (folder / "ideas.json").is_file():
            ideas = _read_json(folder / "ideas.json").get("ideas", [])
            data.generated = [GeneratedIdea.model_validate(item) for item in ideas]
        if (folder / "offer_matches.csv").is_file():
            data.matches = pd.read_csv(folder / "offer_matches.csv", dtype={"offer_id": str},
                                       keep_default_na=False, na_values=[""])
            data.matches = data.matches.reindex(columns=MATCH_COLUMNS)
        if (folder / "gaps.json").is_file():
            gaps = _read_json(folder / "gaps.json").get("gaps", [])
            data.gaps = [Gap.model_validate(item) for item in gaps]
        if (folder / "proposals.json").is_file():
            data.proposals = ProposalResult.model_validate(_read_json(folder / "proposals.json"))
        if (folder / "retention.csv").is_file():
            data.retention = pd.read_csv(folder / "retention.csv", dtype={"segment": "Int64"})
        if (folder / "cohorts.csv").is_file():
            data.cohorts = _read_cohorts(folder / "cohorts.csv")
        return data


def _read_json(path: Path) -> dict[str, Any]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NoomarketingError(f"cannot read {path}: {exc}") from None
    if not isinstance(payload, dict):
        raise NoomarketingError(f"{path} does not hold a JSON object")
    return payload


def _read_map(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"customer_id": str, "text": str, "segment": "Int64"},
                        keep_default_na=False, na_values={"segment": [""], "x": [""],
                                                          "y": [""], "time": [""]})
    missing = [c for c in MAP_COLUMNS if c not in frame.columns]
    if missing:
        raise NoomarketingError(f"{path} lacks column(s) {', '.join(missing)}")
    frame["time"] = pd.to_datetime(frame["time"], errors="coerce", utc=True, format="mixed")
    return frame[MAP_COLUMNS]


def _read_cohorts(path: Path) -> pd.DataFrame:
    head = pd.read_csv(path, nrows=0).columns.tolist()
    keys = ["segment", "cohort"] if head[:2] == ["segment", "cohort"] else [head[0]]
    frame = pd.read_csv(path, index_col=list(range(len(keys))), dtype={"cohort": str})
    frame.columns = [int(c) if str(c).isdigit() else c for c in frame.columns]
    return frame
