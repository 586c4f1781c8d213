"""The HTML report: built from a result or an output folder, self-contained, escaped, drawn."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import noomarketing as nm
from noomarketing.outputs import MAP_COLUMNS, map_coordinates, map_frame
from noomarketing.report import ReportData, render_report, write_report
from noomarketing.report.figures import map_figure, share_over_time_figure
from noomarketing.schema import Idea, Quote

SCRIPT = "</script><script>document.body.setAttribute('data-pwned', 'script')</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned', 'img')\">"
ALERT = "</script><script>alert(1)</script>"
PAYLOADS = [
    f"Delivery was late again {SCRIPT}",
    f"The parcel never came {IMG}",
    f"Courier lost my parcel {ALERT}",
]


@pytest.fixture(scope="module")
def nasty_run(tmp_path_factory, cache_dir):
    """The example shop with three reviews that try to run script in the report."""
    frame = pd.read_csv(nm.example_feedback_path())
    extra = pd.DataFrame(
        {
            "feedback_id": [f"X{i}" for i in range(len(PAYLOADS))],
            "customer_id": ["X1", "X2", "X3"],
            "text": PAYLOADS,
            "created_at": "2026-05-02",
            "rating": 1,
        }
    )
    data = pd.concat([frame, extra], ignore_index=True)
    out = tmp_path_factory.mktemp("run")
    model = nm.SegmentModel(random_state=0, cache_dir=cache_dir, progress=False)
    result = nm.run(
        data,
        nm.example_offers_path(),
        columns=nm.EXAMPLE_COLUMNS,
        model=model,
        activity=nm.example_activity_path(),
        budget=150,
        control=0.1,
        out=out,
        progress=False,
    )
    return result, out


def _with_payload_quotes(data: ReportData) -> ReportData:
    """Put the payloads into every place of the page that shows customer words."""
    first = data.ideas[0]
    quotes = [Quote(row=0, customer_id=IMG, text=text, similarity=1.0) for text in PAYLOADS]
    data.ideas[0] = first.model_copy(
        update={
            "quotes": quotes,
            "label": f"Late {SCRIPT}",
            "statement": f"They want {IMG}",
            "statement_quote": quotes[0],
        }
    )
    return data


def test_map_coordinates_come_from_the_fit_without_a_second_umap(nasty_run):
    result, _ = nasty_run
    model = result.segmentation.model
    assert model.reduced_.shape == (len(model.embeddings_), model.n_components)
    xy = map_coordinates(model)
    assert xy.shape == (len(model.embeddings_), 2) and np.isfinite(xy).all()
    # the map keeps the segments apart: points lie nearer their own segment's middle
    labels = model.labels_
    kept = labels >= 0
    middles = {s: xy[labels == s].mean(axis=0) for s in np.unique(labels[kept])}
    own = np.array(
        [np.linalg.norm(p - middles[s]) for p, s in zip(xy[kept], labels[kept], strict=True)]
    )
    spread = np.linalg.norm(xy[kept] - xy[kept].mean(axis=0), axis=1)
    assert own.mean() < spread.mean()


def test_rows_outside_a_sampled_fit_have_no_position(cache_dir):
    fb = nm.load_feedback(nm.example_feedback_path(), **nm.EXAMPLE_COLUMNS)
    model = nm.SegmentModel(
        random_state=0, cache_dir=cache_dir, progress=False, fit_sample_size=200, language="off"
    ).fit(fb)
    frame = map_frame(fb, model)
    assert frame.columns.tolist() == MAP_COLUMNS and len(frame) == len(fb)
    placed = frame[["x", "y"]].notna().all(axis=1)
    assert placed.sum() == 200
    assert set(np.flatnonzero(placed.to_numpy())) == set(model.sample_index_.tolist())
    page = render_report(ReportData(ideas=nm.highlight_ideas(model, fb), items=frame))
    assert f"shows 200 of the {len(fb)} feedback items" in page
    assert f"{len(fb) - 200} joined their segment after" in page


@pytest.mark.slow
def test_report_from_folder_and_from_memory_show_the_same(nasty_run):
    result, out = nasty_run
    from_folder = ReportData.from_folder(out)
    from_memory = ReportData.from_result(result)
    assert [i.label for i in from_folder.ideas] == [i.label for i in from_memory.ideas]
    assert len(from_folder.items) == len(from_memory.items) == len(result.segmentation.feedback)
    assert from_folder.proposals.spent == pytest.approx(result.proposals.spent)
    assert len(from_folder.gaps) == len(result.matches.gaps)
    assert from_folder.cohorts.shape == result.cohorts.shape
    path = write_report(out)
    assert path == out / "report.html"
    page = path.read_text(encoding="utf-8")
    for idea in result.segmentation.ideas:  # every segment has its section and overview row
        assert f'id="segment-{idea.segment_id}"' in page
    for gap in result.matches.gaps:
        assert gap.suggestion_name.replace("&", "&amp;") in page
    assert "Retention" in page and "chart-cohorts" in page and "chart-time" in page
    assert f"{result.proposals.spent:,.0f} / 150" in page


def test_the_share_chart_names_the_period_on_its_axis():
    days = pd.date_range("2026-01-05", periods=42, freq="D", tz="UTC")
    items = pd.DataFrame(
        {
            "row": range(42),
            "customer_id": [f"c{i}" for i in range(42)],
            "time": days,
            "segment": [i % 2 for i in range(42)],
        }
    )
    ideas = [
        nm.Idea(
            segment_id=s,
            label=f"theme {s}",
            keywords=[],
            quotes=[],
            size=21,
            share=0.5,
            sentiment=0.0,
        )
        for s in (0, 1)
    ]
    for freq, period in (("W", "week"), ("M", "month")):
        layout = share_over_time_figure(items, ideas, freq=freq)["layout"]
        assert f"per {period}," in layout["title"]["text"]
        assert layout["xaxis"]["title"]["text"].startswith(period)
    assert "month" not in share_over_time_figure(items, ideas, freq="W")["layout"]["title"]["text"]


def test_report_is_self_contained_and_escapes_customer_text(nasty_run, tmp_path):
    result, _ = nasty_run
    page = render_report(_with_payload_quotes(ReportData.from_result(result)))
    # no network: no external script, stylesheet or image
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js is in the file
    # every payload is text: escaped in the HTML, \u003c-escaped in the charts' JSON
    for raw in (SCRIPT, IMG, ALERT, "<img src=x"):
        assert raw not in page
    assert "&lt;img src=x onerror=" in page
    assert page.count("<script>") == page.count("</script>")  # nothing closed a script early


def test_an_impact_chance_could_explain_is_marked(nasty_run):
    result, _ = nasty_run
    data = ReportData.from_result(result)
    first = data.ideas[0]
    data.ideas = [first.model_copy(update={"rating_impact": 0.001, "rating_impact_q": 0.7})] + [
        idea.model_copy(update={"rating_impact_q": 0.001}) for idea in data.ideas[1:]
    ]
    page = render_report(data)
    assert page.count('title="could be chance"') == 1
    assert page.count("(could be chance)") == 1
    assert "could be chance" in result.summary() or all(
        (i.rating_impact_q or 0) < 0.05 and (i.sentiment_impact_q or 0) < 0.05
        for i in result.segmentation.ideas
    )


def test_words_and_ratings_that_part_ways_are_told_once(nasty_run):
    result, _ = nasty_run
    data = ReportData.from_result(result)
    clear = {"sentiment_impact": 0.02, "sentiment_impact_q": 0.001, "mean_rating": 3.0,
             "rating_impact": -0.2, "rating_impact_q": 0.001}
    data.ideas = [data.ideas[0].model_copy(update=clear)] + [
        idea.model_copy(update={**clear, "rating_impact": 0.2}) for idea in data.ideas[1:]
    ]
    page = render_report(data)
    assert page.count("Their words read happier than other customers&#39;, yet they rate") == 1


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI") == "true":
        pytest.fail("chromium is missing: CI installs it in .ci/run")
    if found is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def _browse(chromium: str, page: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--virtual-time-budget=15000",
            "--window-size=1280,2000",
            *extra,
            f"file://{page}",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
def test_report_renders_in_headless_chromium(nasty_run, tmp_path):
    chromium = _chromium()
    result, _ = nasty_run
    page = write_report(
        _with_payload_quotes(ReportData.from_result(result)), tmp_path / "report.html"
    )
    dom = _browse(chromium, page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout).group(0)
    # the page's own check ran: it counts charts and the errors it caught
    assert 'data-errors="0"' in body, re.search(r'id="nm-errors">([^<]*)', dom.stdout)
    charts = int(re.search(r'data-charts="(\d+)"', body).group(1))
    drawn = int(re.search(r'data-charts-drawn="(\d+)"', body).group(1))
    assert charts >= 4 and drawn >= charts  # map, sizes, share over time, cohorts
    assert "data-pwned" not in body  # no injected script or handler ran
    assert "&lt;img src=x onerror=" in dom.stdout  # it shows as text instead
    shot = tmp_path / "report.png"  # kept by pytest as a test artefact
    taken = _browse(chromium, page, f"--screenshot={shot}")
    assert taken.returncode == 0 and shot.stat().st_size > 20_000, taken.stderr[-2000:]


def test_each_of_fourteen_segments_has_its_own_colour_on_the_map():
    ideas = [Idea(segment_id=s, label=f"topic {s}", keywords=[], quotes=[], size=1, share=0.07,
                  sentiment=0.0) for s in range(14)]
    items = pd.DataFrame({"x": np.arange(15.0), "y": np.zeros(15), "text": ["t"] * 15,
                          "segment": [*range(14), None]})
    figure = map_figure(items, ideas)
    segments = [t for t in figure["data"] if "color" not in t["marker"]]  # unassigned: grey
    assert len(segments) == 14
    colours = figure["layout"]["colorway"][: len(segments)]
    assert len(set(colours)) == 14  # plotly.js's own cycle has ten: #10 took #0's colour
