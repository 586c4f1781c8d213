"""Short reprs, notebook tables and progress bars: what a person sees of the results."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pytest

import noomarketing as nm
from noomarketing.display import html_table
from noomarketing.outputs import SEGMENT_INFO_COLUMNS, segment_info_frame
from noomarketing.progress import bar, interactive, show_progress, step
from noomarketing.schema import Idea, Keyword, Quote

NASTY = "<img src=x onerror=alert(1)>"


def _idea(segment_id: int, size: int, text: str = "late again") -> Idea:
    return Idea(segment_id=segment_id, label=f"Label {segment_id}", size=size, share=size / 10,
                sentiment=-0.2, keywords=[Keyword(term="late", score=1.0)],
                quotes=[Quote(row=0, customer_id="c", text=text, similarity=0.9)],
                statement=f"They want {segment_id}", languages={"en": 0.75, "pl": 0.25})


def test_segment_info_has_one_row_per_segment_with_its_words():
    frame = segment_info_frame([_idea(0, 6), _idea(1, 4, NASTY)])
    assert frame.columns.tolist() == SEGMENT_INFO_COLUMNS
    assert frame["segment"].tolist() == [0, 1] and frame["size"].sum() == 10
    assert frame.loc[1, "top_quote"] == NASTY and frame.loc[0, "keywords"] == "late"
    assert frame.loc[0, "statement"] == "They want 0"
    assert frame.loc[0, "languages"] == "en 75%, pl 25%"


def test_html_tables_escape_customer_text():
    page = html_table(segment_info_frame([_idea(0, 6, NASTY)]), caption=NASTY)
    assert NASTY not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_feedback_repr_is_short_however_long_the_input():
    fb = nm.Feedback.from_texts([f"text number {i}" for i in range(5000)])
    assert repr(fb) == "Feedback(5000 items)"


@pytest.mark.slow
def test_results_show_short_reprs_and_tables(cache_dir):
    model = nm.SegmentModel(random_state=0, cache_dir=cache_dir, progress=False)
    result = nm.run(nm.example_feedback_path(), nm.example_offers_path(),
                    columns=nm.EXAMPLE_COLUMNS, model=model, budget=150,
                    activity=nm.example_activity_path(), progress=False)
    shown = [result, result.segmentation, result.matches, result.proposals, result.briefs[0],
             result.retention]
    for thing in shown:
        text = repr(thing)
        assert len(text) < 200 and "\n" not in text, text
        assert type(thing).__name__ in text or "RateList" in text
        assert thing._repr_html_().strip().startswith("<")
    frame = result.to_frame()
    assert len(frame) == len(result.segmentation.ideas)
    assert frame["proposals"].sum() == len(result.proposals.proposals)
    assert frame["cost"].sum() == pytest.approx(result.proposals.spent)
    served = frame["best_offer"].notna() | frame["gap_suggestion"].notna()
    assert served.all()  # every segment has an offer or a suggested one
    assert isinstance(result.retention.to_frame(), pd.DataFrame)
    assert result.to_dict()["proposals"]["count"] == len(result.proposals.proposals)


def test_progress_is_off_when_nobody_watches(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert interactive() is False and show_progress(None) is False
    assert show_progress(True) is True
    with step("reducing", progress=None):
        pass
    assert sys.stderr.getvalue() == ""  # nothing drawn


def test_progress_draws_when_asked(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    shown = bar(2, "stages", progress=True)
    shown.update(2)
    shown.close()
    assert "stages" in stream.getvalue()
