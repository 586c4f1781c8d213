"""The files other tools read: keep their names and columns stable.

``assignments.csv``: one row per *input* row, in input order: ``row``, ``customer_id``,
``segment`` (empty when none), ``status`` (``assigned``, ``unassigned``, ``noise`` or
``skipped``), ``reason`` (why unassigned, noise or skipped), ``similarity`` (cosine to the
segment centroid), ``theme`` (the segment's theme, :mod:`noomarketing.themes`; empty when none).
``segments.json``: the ideas, plus how the segmentation was made.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from noomarketing.display import short, signed
from noomarketing.effects import could_be_chance, words_against_stars
from noomarketing.schema import UNASSIGNED, Feedback, Idea
from noomarketing.themes import segment_theme

ASSIGNMENT_COLUMNS = ["row", "customer_id", "segment", "status", "reason", "similarity", "theme"]


def assignments_frame(
    feedback: Feedback,
    labels: np.ndarray,
    similarities: np.ndarray | None = None,
    noise: Sequence[str | None] | None = None,
    noise_segments: Collection[int] = (),
    themes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Every input row with its segment; skipped rows keep their place and reason.

    ``themes`` (one per segment, -1: none, as ``SegmentModel.themes_``) fills ``theme``.

    ``noise`` (one :func:`~noomarketing.noise.noise_reason` or ``None`` per item) and
    ``noise_segments`` (ids of segments flagged noise) mark rows ``noise`` with the reason. A
    segment's rows are the ones its :attr:`Idea.size` counts: a noise row keeps its segment
    only when the whole segment is noise; in a segment with something to act on it has none.

    >>> from noomarketing.schema import FeedbackItem
    >>> fb = Feedback(items=[FeedbackItem(row=1, text="late", customer_id="a"),
    ...                      FeedbackItem(row=2, text="ok", customer_id="b")])
    >>> frame = assignments_frame(fb, np.array([0, 0]), noise=[None, "too short to act on"])
    >>> frame.status.tolist(), frame.reason.tolist(), frame.segment.tolist()
    (['assigned', 'noise'], ['', 'too short to act on'], [0, <NA>])
    """
    records: list[dict[str, Any]] = []
    for i, item in enumerate(feedback.items):
        label = int(labels[i])
        status, reason = "assigned", ""
        if noise is not None and noise[i] is not None:
            status, reason = "noise", str(noise[i])
            if label not in noise_segments:  # not counted in its segment: it shows none
                label = UNASSIGNED
        elif label in noise_segments:
            status, reason = "noise", f"segment {label} is mostly feedback with nothing to act on"
        elif label == UNASSIGNED:
            status, reason = "unassigned", "no segment similar enough (outlier)"
        records.append(
            {
                "row": item.row,
                "customer_id": item.customer_id,
                "segment": label if label != UNASSIGNED else pd.NA,
                "status": status,
                "reason": reason,
                "similarity": None if similarities is None else round(float(similarities[i]), 4),
                "theme": pd.NA if (theme := segment_theme(themes, label)) is None else theme,
            }
        )
    if feedback.report is not None:
        for skipped in feedback.report.skipped:
            records.append(
                {
                    "row": skipped.row,
                    "customer_id": "",
                    "segment": pd.NA,
                    "status": "skipped",
                    "reason": skipped.reason,
                    "similarity": None,
                    "theme": pd.NA,
                }
            )
    frame = pd.DataFrame.from_records(records, columns=ASSIGNMENT_COLUMNS)
    frame["segment"] = frame["segment"].astype("Int64")
    frame["theme"] = frame["theme"].astype("Int64")
    return frame.sort_values("row", kind="stable").reset_index(drop=True)


def _strict(value: Any) -> Any:
    """``value`` with NaN and ±inf as None and numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_strict(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as strict, indented UTF-8 JSON: NaN and ±inf become ``null``.

    The one JSON writer of the package; paths and other non-JSON values are written as text.

    >>> import tempfile
    >>> path = write_json(Path(tempfile.mkdtemp()) / "x.json", {"share": float("nan"), "n": 2})
    >>> path.read_text().split()
    ['{', '"share":', 'null,', '"n":', '2', '}']
    """
    path = Path(path)
    text = json.dumps(_strict(obj), indent=2, ensure_ascii=False, allow_nan=False, default=str)
    path.write_text(text, encoding="utf-8")
    return path


def write_segments_json(
    path: Path, ideas: Sequence[Idea], info: dict[str, Any] | None = None
) -> Path:
    """``segments.json``: ``{"segmentation": info, "segments": [Idea...]}``."""
    payload = {
        "segmentation": info or {},
        "segments": [idea.model_dump(mode="json") for idea in ideas],
    }
    return write_json(path, payload)


def read_segments_json(path: str | Path) -> list[Idea]:
    """Ideas back from a ``segments.json`` written by :func:`write_segments_json`.

    >>> import tempfile
    >>> import noomarketing as nm
    >>> seg = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
    >>> out = tempfile.mkdtemp()
    >>> written = seg.write(out)
    >>> [idea.label for idea in read_segments_json(f"{out}/segments.json")] == [
    ...     idea.label for idea in seg.ideas]
    True
    """
    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Idea.model_validate(item) for item in payload["segments"]]


def summary_text(
    ideas: Sequence[Idea],
    unassigned: int,
    total: int,
    strategy: str,
    noise: Mapping[str, int] | None = None,
) -> str:
    """A short summary a person reads in the terminal: each segment's label and statement.

    ``noise`` counts the items set aside as noise, by reason; ``unassigned`` the other items in
    no segment. A segment's size counts its feedback with something to act on (its noise is
    in the noise count), so sizes, noise and unassigned add up to ``total``.
    """
    in_segments = sum(idea.size for idea in ideas if not idea.noise)
    lines = [
        f"{len(ideas)} segment(s) from {total} feedback item(s) [{strategy}]; "
        f"in segments: {in_segments} ({in_segments / max(total, 1):.1%}), "
        f"unassigned: {unassigned} ({unassigned / max(total, 1):.1%})"
    ]
    themes = sorted({idea.theme for idea in ideas if idea.theme is not None})
    if 1 < len(themes) < len(ideas):
        lines.append(f"{len(themes)} themes: segments on one broad subject share a theme number")
    if noise:
        n_noise = sum(noise.values())
        reasons = ", ".join(f"{reason} {n}" for reason, n in noise.items())
        lines.append(
            f"noise (nothing to act on, kept out of ideas and proposals): {n_noise} "
            f"({n_noise / max(total, 1):.1%}): {reasons}"
        )
    for idea in ideas:
        mood = (
            "" if idea.sentiment_impact is None
            else f" ({impact_text(idea.sentiment_impact, idea.sentiment_impact_q)})"
        )
        rating = (
            f", rating {idea.mean_rating:.2f} "
            f"({impact_text(idea.rating_impact, idea.rating_impact_q)})"
            if idea.mean_rating is not None and idea.rating_impact is not None
            else ""
        )
        langs = (
            " [" + ", ".join(f"{k} {v:.0%}" for k, v in idea.languages.items()) + "]"
            if len(idea.languages) > 1
            else ""
        )
        theme = f", theme {idea.theme}" if 1 < len(themes) < len(ideas) else ""
        lines.append(
            f"  #{idea.segment_id:<3} {idea.size:>6} ({idea.share:5.1%})  {idea.label}"
            f"  sentiment {idea.sentiment:+.2f}{mood}{rating}{theme}{langs}"
        )
        if idea.noise:
            lines.append("        set aside as noise: no ideas, no proposals")
            continue
        if idea.statement:
            lines.append(f"        idea: {short(idea.statement, 110)}")
        turn = words_against_stars(idea.sentiment_impact, idea.sentiment_impact_q,
                                   idea.rating_impact, idea.rating_impact_q)
        if turn:
            lines.append(f"        words and ratings part ways: {_PARTING[turn]}")
        source = idea.statement_quote.row if idea.statement_quote else None
        if idea.quotes and (idea.quotes[0].row != source or idea.statement_source != "extractive"):
            lines.append(f"        “{short(idea.quotes[0].text, 110)}”")
        if len(idea.keywords_by_language) > 1:
            lines.append(
                "        "
                + " | ".join(
                    f"{code}: {', '.join(k.term for k in words[:3])}"
                    for code, words in idea.keywords_by_language.items()
                )
            )
    return "\n".join(lines)


MAP_COLUMNS = ["row", "customer_id", "segment", "time", "x", "y", "text"]


def map_coordinates(model: Any) -> np.ndarray | None:
    """2-D positions of the rows a fitted model learned from (``sample_index_``, or all rows).

    The principal plane of the reducer's output (``reduced_``; the embeddings when there is
    none, as with one segment per customer): no second UMAP run. None when neither is there
    (a model loaded from disk keeps neither).

    >>> from noomarketing.segmentation import SegmentModel
    >>> model = SegmentModel().fit(["late delivery", "prices are too high", "rude staff"])
    >>> map_coordinates(model).shape
    (3, 2)
    """
    vectors = getattr(model, "reduced_", None)
    if vectors is None:
        vectors = getattr(model, "embeddings_", None)
    if vectors is None:
        return None
    vectors = np.asarray(vectors, dtype=np.float64)
    if len(vectors) < 2 or vectors.shape[1] < 2:
        flat = vectors[:, :1] if vectors.shape[1] else np.zeros((len(vectors), 1))
        return np.column_stack([flat, np.zeros(len(vectors))])
    from sklearn.decomposition import PCA

    return PCA(n_components=2, svd_solver="full").fit_transform(vectors)


def map_frame(feedback: Feedback, model: Any) -> pd.DataFrame:
    """``map.csv``: every loaded row with its segment, date, text and 2-D map position.

    Rows outside the fitted sample (``fit_sample_size``) joined a segment afterwards and have
    no position (``x``, ``y`` empty); so has every row when the model keeps no coordinates.

    >>> from noomarketing.segmentation import SegmentModel
    >>> fb = Feedback.from_texts(["late delivery", "prices are too high", "rude staff"])
    >>> map_frame(fb, SegmentModel().fit(fb)).columns.tolist()
    ['row', 'customer_id', 'segment', 'time', 'x', 'y', 'text']
    """
    labels = np.asarray(model.labels_)
    frame = pd.DataFrame(
        {
            "row": feedback.rows,
            "customer_id": feedback.customer_ids,
            "segment": pd.array(np.where(labels == UNASSIGNED, -1, labels), dtype="Int64"),
            "time": [item.time for item in feedback.items],
            "x": np.nan,
            "y": np.nan,
            "text": feedback.texts,
        },
        columns=MAP_COLUMNS,
    )
    frame.loc[frame["segment"] == UNASSIGNED, "segment"] = pd.NA
    coordinates = map_coordinates(model)
    if coordinates is not None:
        sample = getattr(model, "sample_index_", None)
        where = np.arange(len(frame)) if sample is None else np.asarray(sample)
        frame.loc[where, "x"] = np.round(coordinates[:, 0], 4)
        frame.loc[where, "y"] = np.round(coordinates[:, 1], 4)
    return frame


SEGMENT_INFO_COLUMNS = [
    "segment",
    "theme",
    "size",
    "share",
    "label",
    "statement",
    "keywords",
    "top_quote",
    "sentiment",
    "sentiment_impact",
    "sentiment_impact_q",
    "mean_rating",
    "rating_impact",
    "rating_impact_q",
    "languages",
]


# how a segment's words and ratings part ways (``words_against_stars``), as the summary says it
_PARTING = {1: "happier words than the rest, lower ratings",
            -1: "sadder words than the rest, higher ratings"}


def impact_text(impact: float, q: float | None) -> str:
    """An impact as the summary writes it, saying when chance alone could explain it
    (:mod:`noomarketing.effects`).

    >>> impact_text(-0.0241, 0.001), impact_text(0.0012, 0.62)
    ('impact -0.024', 'impact +0.001, could be chance')
    """
    text = f"impact {signed(impact, 3)}"
    return f"{text}, could be chance" if could_be_chance(q) else text


def segment_info_frame(ideas: Sequence[Idea]) -> pd.DataFrame:
    """One row per segment: what a person reads first (BERTopic users know the shape).

    >>> from noomarketing.schema import Keyword
    >>> idea = Idea(segment_id=0, label="Late parcels", size=4, share=1.0, sentiment=-0.5,
    ...             keywords=[Keyword(term="late", score=1.0)], quotes=[])
    >>> segment_info_frame([idea])[["segment", "size", "keywords"]].to_dict("records")
    [{'segment': 0, 'size': 4, 'keywords': 'late'}]
    """
    rows = [
        {
            "segment": idea.segment_id,
            "theme": idea.theme,
            "size": idea.size,
            "share": idea.share,
            "label": idea.label,
            "statement": idea.statement,
            "keywords": ", ".join(k.term for k in idea.keywords),
            "top_quote": idea.quotes[0].text if idea.quotes else "",
            "sentiment": idea.sentiment,
            "sentiment_impact": idea.sentiment_impact,
            "sentiment_impact_q": idea.sentiment_impact_q,
            "mean_rating": idea.mean_rating,
            "rating_impact": idea.rating_impact,
            "rating_impact_q": idea.rating_impact_q,
            "languages": ", ".join(f"{code} {share:.0%}" for code, share in idea.languages.items()),
        }
        for idea in ideas
    ]
    return pd.DataFrame(rows, columns=SEGMENT_INFO_COLUMNS)
