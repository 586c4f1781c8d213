"""Property tests: random input never escapes as an unhandled exception, and every input row
is accounted for (assigned, unassigned, or skipped with a reason)."""

from __future__ import annotations

import json
import math

import pandas as pd
from fakes import HashEmbedder
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA

import noomarketing as nm
from noomarketing.schema import NoomarketingError

TEXTS = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["L", "Zs"]), min_size=1, max_size=30),
    st.sampled_from(["late parcel", "sizes run small", "\U0001f600", "the and of", "  "]),
    st.integers(-10, 10),
    st.floats(allow_nan=True),
)
CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
DATES = st.one_of(
    CELLS,
    st.sampled_from(
        ["05.01.2026", "2026-01-05", "13.01.2026", "01/05/2026", "2026-13-45", "yesterday"]
    ),
)


@st.composite
def frames(draw, max_rows: int = 30) -> pd.DataFrame:
    n = draw(st.integers(0, max_rows))
    column = lambda cells: draw(st.lists(cells, min_size=n, max_size=n))  # noqa: E731
    return pd.DataFrame(
        {
            "text": column(TEXTS),
            "customer": column(CELLS),
            "when": column(DATES),
            "stars": column(CELLS),
            "fid": column(st.one_of(st.none(), st.sampled_from("abcde"))),
        },
        dtype=object,
    )


def _accounted(fb: nm.Feedback, n_rows: int) -> None:
    kept, skipped = set(fb.rows), {s.row for s in fb.report.skipped}
    assert not kept & skipped and kept | skipped == set(range(n_rows))
    assert all(s.reason for s in fb.report.skipped)
    assert all(r is None or math.isfinite(r) for r in fb.ratings)


COLUMNS = {"text": "text", "customer": "customer", "time": "when", "rating": "stars", "id": "fid"}


@settings(max_examples=60, deadline=None, database=None)
@given(frames(), st.booleans())
def test_loading_a_frame_accounts_for_every_row(frame, mask):
    try:
        fb = nm.load_feedback(frame, mask_pii=mask, **COLUMNS)
    except NoomarketingError as exc:
        assert "\n" not in str(exc)
        return
    _accounted(fb, len(frame))


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(frames(max_rows=15), st.sampled_from([".csv", ".jsonl", ".tsv"]))
def test_loading_a_file_accounts_for_every_row(tmp_path, frame, suffix):
    path = tmp_path / f"in{suffix}"
    frame = frame.map(lambda v: None if isinstance(v, float) and not math.isfinite(v) else v)
    if suffix == ".jsonl":
        path.write_text(
            "".join(json.dumps(r, default=str) + "\n" for r in frame.to_dict("records")),
            encoding="utf-8",
        )
    else:
        frame.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    try:
        fb = nm.load_feedback(path, **COLUMNS)
    except NoomarketingError as exc:
        assert "\n" not in str(exc)
        return
    assert fb.report.n_input_rows >= 1
    _accounted(fb, fb.report.n_input_rows)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.binary(max_size=300), st.sampled_from([".csv", ".jsonl", ".json", ".tsv"]))
def test_any_bytes_are_read_or_refused_in_one_line(tmp_path, data, suffix):
    path = tmp_path / f"in{suffix}"
    path.write_bytes(data)
    try:
        frame = nm.read_table(path)
        if len(frame.columns):
            fb = nm.load_feedback(path, text=str(frame.columns[0]))
            _accounted(fb, fb.report.n_input_rows)
    except NoomarketingError as exc:
        assert "\n" not in str(exc)


def _texts_only(texts: list) -> pd.DataFrame:
    """A frame of ``frames``' shape with only texts (every other cell empty)."""
    empty = [None] * len(texts)
    return pd.DataFrame(
        {"text": texts, "customer": empty, "when": empty, "stars": empty, "fid": empty},
        dtype=object,
    )


@settings(max_examples=25, deadline=None, database=None)
@given(frames(max_rows=40), st.integers(2, 8))
# a noise row ("0") clustered with real feedback: it is in no segment, like the size says
@example(_texts_only(["0", "A0", "A0"]), 2)
def test_the_segment_path_assigns_or_explains_every_row(frame, min_texts):
    model = nm.SegmentModel(
        embedding=HashEmbedder(),
        reducer=PCA(n_components=2),
        min_texts=min_texts,
        use_cache=False,
        language="off",
        progress=False,
        fit_sample_size=None,
    )
    try:
        result = nm.segment(frame, model, columns=COLUMNS)
    except NoomarketingError as exc:
        assert "\n" not in str(exc)
        return
    rows = result.assignments
    assert sorted(rows.row) == list(range(len(frame)))
    assert set(rows.status) <= {"assigned", "unassigned", "skipped", "noise"}
    assert (rows.reason[rows.status != "assigned"].fillna("") != "").all()
    # a segment's rows in the assignments are the ones its size counts: a noise row has a
    # segment only when the whole segment is noise
    for idea in result.ideas:
        assert idea.size == int((rows.segment == idea.segment_id).sum())
    assert sum(idea.size for idea in result.ideas) == rows.segment.notna().sum()
    noise_segments = [idea.segment_id for idea in result.ideas if idea.noise]
    assert rows.segment[rows.status == "noise"].dropna().isin(noise_segments).all()
    json.dumps([idea.model_dump(mode="json") for idea in result.ideas], allow_nan=False)
