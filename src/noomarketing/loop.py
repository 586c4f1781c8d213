"""The monthly loop: next month's feedback updates last month's model, and says what changed.

:func:`update` loads a saved model, takes in the new feedback (:meth:`SegmentModel.update
<noomarketing.SegmentModel.update>`) and highlights every segment the batch has, each with its
``status`` (new, growing, stable, fading, gone) and the batch it first appeared in.
:func:`noomarketing.run` with ``previous=DIR`` starts from the folder an earlier run wrote: its
model and its reaction log; :func:`since_last` tells what changed since that run (new and
fading ideas, customers whose idea moved, how the previous proposals were received).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from noomarketing.loading import FeedbackSource
from noomarketing.reactions import ReactionLog
from noomarketing.schema import Feedback, Idea, NoomarketingError
from noomarketing.segmentation import SegmentModel
from noomarketing.updating import segment_trends

if TYPE_CHECKING:
    from noomarketing.pipeline import SegmentationResult

logger = logging.getLogger(__name__)

LOOP_FILE = "loop.json"
"""What a run writes for the next one: its batches, its reaction log and when it ran."""

FADING = ("fading", "gone")


def load_saved_model(
    model: SegmentModel | str | Path, *, cache_dir: str | Path | None = None
) -> SegmentModel:
    """A fitted model as it is, or loaded from a folder (``DIR/model`` of an earlier run)."""
    if isinstance(model, SegmentModel):
        model._check_fitted()
        return model
    if not isinstance(model, str | Path):
        raise NoomarketingError(
            f"expected a SegmentModel or the folder of a saved one, got {type(model).__name__}"
        )
    folder = Path(model)
    if not folder.is_dir():
        raise NoomarketingError(f"no saved model at {folder}: the folder does not exist")
    if not (folder / "config.json").exists() and (folder / "model" / "config.json").exists():
        raise NoomarketingError(f"{folder} is an output folder: its model is {folder / 'model'}")
    return SegmentModel.load(folder, cache_dir=cache_dir)


def update(
    model: SegmentModel | str | Path,
    data: Feedback | FeedbackSource,
    *,
    columns: dict[str, Any] | None = None,
    batch: str | None = None,
    mask_pii: bool = False,
    cache_dir: str | Path | None = None,
    progress: bool | None = None,
    **highlight: Any,
) -> SegmentationResult:
    """Stage 1 for the next batch: update a saved model with new feedback and read its ideas.

    ``model`` is a fitted :class:`SegmentModel` or its folder (``DIR/model`` of an earlier
    :func:`~noomarketing.segment` or :func:`~noomarketing.run`). The result has the same
    files as :func:`~noomarketing.segment` (``write`` puts the updated model in
    ``model/``); ``cache_dir`` is this machine's embedding cache and ``progress`` turns
    progress bars on or off (None: as the model was saved). Every idea has a ``status``
    and a ``first_batch``, and ``segments.json`` lists the trend of every segment, the ones
    this batch has no feedback for included.

    Example:
        >>> import noomarketing as nm
        >>> first = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> result = nm.update(first.model, nm.example_feedback_path(),
        ...                    columns=nm.EXAMPLE_COLUMNS, batch="February")
        >>> result.model.batches_, result.ideas[0].first_batch
        (['1', 'February'], '1')
    """
    from noomarketing.pipeline import segment

    model = load_saved_model(model, cache_dir=cache_dir)
    if progress is not None:
        model.set_params(progress=progress)
    return segment(data, model, columns=columns, mask_pii=mask_pii, batch=batch,
                   update=True, **highlight)


def with_trends(ideas: list[Idea], model: SegmentModel) -> list[Idea]:
    """The ideas with each segment's ``status`` and ``first_batch`` (after an update)."""
    trends = segment_trends(model)
    return [
        idea.model_copy(update={"status": str(trends.at[idea.segment_id, "status"]),
                                "first_batch": trends.at[idea.segment_id, "first_batch"]})
        if idea.segment_id in trends.index else idea
        for idea in ideas
    ]


def trend_info(model: SegmentModel, ideas: list[Idea]) -> dict[str, Any]:
    """The batches and every segment's trend, for ``segments.json``."""
    trends = segment_trends(model)
    labels = {idea.segment_id: idea.label for idea in ideas}
    records = []
    for segment, row in trends.iterrows():
        record = {"segment": int(segment), "label": labels.get(int(segment))}
        record.update({key: _plain(value) for key, value in row.items()})
        records.append(record)
    return {"batches": list(model.batches_), "gone_segments": list(model.gone_segments_),
            "trends": records}


def _plain(value: Any) -> Any:
    """A pandas/numpy cell as a JSON value."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


# ---------------------------------------------------------------------------- the previous run
@dataclass
class PreviousRun:
    """What an earlier run left in its folder for the next one."""

    folder: Path
    model: SegmentModel
    labels: dict[int, str]
    assignments: pd.DataFrame | None
    proposals: pd.DataFrame | None
    reactions: str | None
    ran_at: datetime | None


def read_previous(folder: str | Path, *, cache_dir: str | Path | None = None) -> PreviousRun:
    """The model, ideas, assignments, proposals and reaction log of an earlier run's folder.

    Only ``model/`` is required (one clear line when it is missing); the rest is read when
    present.
    """
    root = Path(folder)
    if not root.is_dir():
        raise NoomarketingError(f"previous run folder {root} does not exist")
    if not (root / "model").is_dir():
        raise NoomarketingError(
            f"{root} holds no model/ folder: pass the --out folder of an earlier "
            "`noomarketing run` or `segment`"
        )
    model = SegmentModel.load(root / "model", cache_dir=cache_dir)
    loop = _read_json(root / LOOP_FILE)
    ran_at = loop.get("ran_at")
    return PreviousRun(
        folder=root, model=model, labels=_labels(_read_json(root / "segments.json")),
        assignments=_read_csv(root / "assignments.csv"),
        proposals=_read_csv(root / "proposals.csv"),
        reactions=loop.get("reactions") if isinstance(loop.get("reactions"), str) else None,
        ran_at=datetime.fromisoformat(ran_at) if isinstance(ran_at, str) else None,
    )


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NoomarketingError(f"{path}: not valid JSON ({exc})") from exc
    return data if isinstance(data, dict) else {}


def _read_csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"customer_id": str, "offer_id": str})


def _labels(segments: dict[str, Any]) -> dict[int, str]:
    """Segment id → label from a ``segments.json`` (trend records first, then the ideas)."""
    labels: dict[int, str] = {}
    records = [*segments.get("segmentation", {}).get("trends", []),
               *segments.get("segments", [])]
    for record in records:
        if not isinstance(record, dict):
            continue
        segment = record.get("segment", record.get("segment_id"))
        if isinstance(segment, int) and isinstance(record.get("label"), str):
            labels[segment] = record["label"]
    return labels


def loop_record(model: SegmentModel, log: ReactionLog | None) -> dict[str, Any]:
    """``loop.json``: what the next run needs to continue from this one."""
    url = None if log is None else str(log.url)
    if url is not None and "://" not in url:
        url = str(Path(url).expanduser().resolve())
    return {"batches": list(model.batches_), "reactions": url,
            "ran_at": datetime.now(UTC).isoformat(timespec="seconds")}


# ---------------------------------------------------------------------------- what changed
def since_last(
    previous: PreviousRun,
    segmentation: SegmentationResult,
    log: ReactionLog | None,
    moved: int | None = None,
) -> dict[str, Any]:
    """What changed since the previous run: new and fading ideas, moves, reactions.

    ``moved`` is the number of customers whose idea changed, when known.
    """
    trends = segment_trends(segmentation.model)
    labels = {**previous.labels, **{i.segment_id: i.label for i in segmentation.ideas}}

    def named(status: tuple[str, ...]) -> list[dict[str, Any]]:
        rows = trends[trends["status"].isin(status)]
        return [{"segment": int(s), "label": labels.get(int(s)), "status": str(r["status"]),
                 "share_before": _plain(r["share_before"]), "share_last": _plain(r["share_last"])}
                for s, r in rows.iterrows()]

    return {
        "previous": str(previous.folder),
        "new": named(("new",)),
        "growing": named(("growing",)),
        "fading": named(FADING),
        "customers_moved": moved,
        "proposals": _received(previous, log),
    }


def _received(previous: PreviousRun, log: ReactionLog | None) -> dict[str, int] | None:
    """How the previous run's proposals were received: the latest reaction to each."""
    frame = previous.proposals
    if frame is None or log is None or frame.empty:
        return None
    made = {(str(c), str(o)) for c, o in zip(frame["customer_id"], frame["offer_id"],
                                             strict=True) if pd.notna(c)}
    latest: dict[tuple[str, str], str] = {}
    for reaction in log.reactions(item_kind="offer"):
        if previous.ran_at is not None and reaction.at < previous.ran_at:
            continue
        key = (reaction.customer_id, reaction.item_id)
        if key in made:
            latest[key] = reaction.reaction
    tally = Counter(latest.values())
    return {"made": len(made), **dict(sorted(tally.items())),
            "no reaction": len(made) - len(latest)}


def since_lines(changes: dict[str, Any] | None) -> list[str]:
    """The summary lines a person reads about what changed since the previous run."""
    if not changes:
        return []
    lines = [f"since the previous run ({changes['previous']}):"]
    for key, title in (("new", "new ideas"), ("growing", "growing"), ("fading", "fading")):
        items = changes[key]
        lines.append(f"  {title}: " + ("none" if not items else "; ".join(
            f"#{item['segment']} {item['label'] or '(no feedback this time)'}"
            + (" (gone)" if item["status"] == "gone" else "") for item in items)))
    if changes.get("customers_moved") is not None:
        lines.append(f"  customers whose idea moved: {changes['customers_moved']}")
    received = changes.get("proposals")
    if received:
        rest = ", ".join(f"{n} {k}" for k, n in received.items() if k != "made")
        lines.append(f"  previous proposals: {received['made']} made; {rest}")
    return lines
