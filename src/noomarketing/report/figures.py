"""The report's charts, as plotly figures (drawn by the plotly.js embedded once in the page).

Each figure is the plain dict plotly.js reads (``data``, ``layout``): building plotly's Python
figure objects validated every property and copied the template into each chart, ~0.5 s of a
~4 s demo run for four small charts.

Customer text goes into hover labels HTML-escaped, so plotly shows ``<b>`` as written; plotly
itself writes ``<`` as ``\\u003c`` in the JSON it embeds, so no text can close the script.
"""

from __future__ import annotations

import functools
import html
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from noomarketing.schema import Idea

MAP_POINTS = 10_000
"""At most this many points on the map (a seeded sample beyond): SVG stays responsive."""

Figure = dict[str, Any]
"""A plotly figure as plotly.js reads it: ``{"data": [trace, ...], "layout": {...}}``."""

_LAYOUT = {
    "margin": {"l": 40, "r": 20, "t": 40, "b": 40},
    "font": {"family": "system-ui, sans-serif", "size": 13},
    "legend": {"itemsizing": "constant"},
}


@functools.cache
def _template() -> dict[str, Any]:
    """plotly's ``plotly_white`` template, read once per process."""
    import plotly.io as pio

    return pio.templates["plotly_white"].to_plotly_json()


def segment_colours() -> list[str]:
    """One colour per segment on the map, 34 before any repeats: plotly's ten and its Dark24
    (plotly.js's default cycle has ten, so an eleventh segment took the first one's colour).

    >>> colours = segment_colours()
    >>> len(colours), len(set(colours))
    (34, 34)
    """
    from plotly.colors import qualitative

    return [*qualitative.Plotly, *qualitative.Dark24]


def _colorscale(name: str) -> list[list[Any]]:
    """A named colour scale as plotly.js draws it (``RdYlGn`` is known to plotly's Python only)."""
    from plotly.colors import get_colorscale

    return [list(step) for step in get_colorscale(name)]


def _figure(traces: list[dict[str, Any]], title: str, **layout: Any) -> Figure:
    """A figure of ``traces`` with the report's layout, ``title`` and ``layout`` on top."""
    return {
        "data": traces,
        "layout": {"template": _template(), **_LAYOUT, "title": {"text": title}, **layout},
    }


def hover_text(text: str, width: int = 60, limit: int = 300) -> str:
    """Customer text for a hover label: shortened, wrapped, HTML-escaped.

    >>> hover_text("<img src=x onerror=alert(1)> late again")
    '&lt;img src=x onerror=alert(1)&gt; late again'
    """
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width)) or ""


def segment_name(idea: Idea) -> str:
    """``#3 Shipping / delivery``: how a segment is named in legends.

    >>> segment_name(Idea(segment_id=3, label="Late parcels", keywords=[], quotes=[], size=1,
    ...                   share=1.0, sentiment=0.0))
    '#3 Late parcels'
    """
    return f"#{idea.segment_id} {idea.label}"


def map_figure(items: pd.DataFrame, ideas: Sequence[Idea], random_state: int = 0) -> Figure | None:
    """Each feedback item at its 2-D position, coloured by segment; hover: its text.

    Returns None when no item has a position. Beyond :data:`MAP_POINTS` a seeded sample.
    """
    placed = items.dropna(subset=["x", "y"])
    if placed.empty:
        return None
    if len(placed) > MAP_POINTS:
        placed = placed.sample(MAP_POINTS, random_state=random_state).sort_index()
    names = {idea.segment_id: segment_name(idea) for idea in ideas}
    traces = []
    segments = placed["segment"].astype("Int64")
    for segment_id in [*sorted(names), None]:
        mask = segments.isna() if segment_id is None else (segments == segment_id).fillna(False)
        part = placed[mask.to_numpy(dtype=bool)]
        if part.empty:
            continue
        name = "unassigned" if segment_id is None else names[segment_id]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": hover_text(name),
                "x": part["x"].round(3).tolist(),
                "y": part["y"].round(3).tolist(),
                "marker": {
                    "size": 6,
                    "opacity": 0.75,
                    **({"color": "#b0b0b0"} if segment_id is None else {}),
                },
                "hovertext": [
                    f"<b>{hover_text(name)}</b><br>{hover_text(t)}" for t in part["text"]
                ],
                "hoverinfo": "text",
            }
        )
    axis = {"showticklabels": False, "zeroline": False}
    return _figure(
        traces, "Feedback map (similar feedback is close)", height=520, xaxis=axis, yaxis=axis,
        colorway=segment_colours(),
    )


def sizes_figure(ideas: Sequence[Idea]) -> Figure:
    """Customers' feedback items per segment, largest on top."""
    ordered = sorted(ideas, key=lambda idea: idea.size)
    bar = {
        "type": "bar",
        "orientation": "h",
        "x": [idea.size for idea in ordered],
        "y": [hover_text(segment_name(idea), width=45) for idea in ordered],
        "text": [f"{idea.share:.0%}" for idea in ordered],
        "textposition": "auto",
        "marker": {
            "color": [idea.sentiment for idea in ordered],
            "colorscale": _colorscale("RdYlGn"),
            "cmin": -1,
            "cmax": 1,
            "colorbar": {"title": {"text": "sentiment"}},
        },
        "hovertemplate": "%{y}<br>%{x} items<extra></extra>",
    }
    return _figure(
        [bar],
        "Segment sizes (colour: sentiment)",
        height=max(260, 34 * len(ordered) + 90),
        yaxis={"automargin": True},
    )


_PERIOD_NAMES = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def period_name(freq: str) -> str:
    """What one period of a pandas frequency is called, for a chart's title and axis.

    >>> period_name("M"), period_name("W-SUN"), period_name("2h")
    ('month', 'week', 'period (2h)')
    """
    return _PERIOD_NAMES.get(freq.split("-")[0].upper(), f"period ({freq})")


def share_over_time_figure(
    items: pd.DataFrame, ideas: Sequence[Idea], freq: str = "M"
) -> Figure | None:
    """Each segment's share of the feedback per period of its dates (``freq``, not the batches
    an update read), a trend other than stable in the legend
    (:func:`~noomarketing.over_time.ideas_over_time`); None without dates over 2+ periods."""
    from noomarketing.over_time import ideas_over_time

    # rows without a usable date are not drawn; the run has already said which they are
    dated = pd.to_datetime(items["time"], utc=True, errors="coerce", format="mixed").notna()
    items = items[dated.to_numpy()]
    if items.empty or items["segment"].isna().all():
        return None
    table = ideas_over_time(None, items, freq, by="time")
    if table["period"].nunique() < 2:
        return None
    shares = table.pivot(index="period", columns="segment", values="share")
    trend = table.drop_duplicates("segment").set_index("segment")["status"]
    names = {idea.segment_id: segment_name(idea) for idea in ideas}
    traces = []
    for segment_id in shares.columns:
        status = "" if trend[segment_id] == "stable" else f" ({trend[segment_id]})"
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "stackgroup": "share",
                "x": shares.index.astype(str).tolist(),
                "y": shares[segment_id].round(4).tolist(),
                "name": hover_text(names.get(int(segment_id), f"#{segment_id}") + status),
                "hovertemplate": "%{x}: %{y:.0%}<extra>%{fullData.name}</extra>",
            }
        )
    period = period_name(freq)
    return _figure(
        traces,
        f"Share of the feedback per {period}, by its date",
        height=420,
        xaxis={"title": {"text": f"{period} of the feedback's date"}},
        yaxis={"tickformat": ".0%", "range": [0, 1]},
    )


def overall_cohorts(cohorts: pd.DataFrame) -> pd.DataFrame:
    """A cohort table per segment folded into one: shares weighted by cohort size.

    >>> table = pd.DataFrame({"size": [1, 3], 0: [1.0, 1.0], 1: [0.0, 1.0]},
    ...                      index=pd.MultiIndex.from_tuples([(0, "2026-01"), (1, "2026-01")],
    ...                                                      names=["segment", "cohort"]))
    >>> overall_cohorts(table).loc["2026-01", 1]
    np.float64(0.75)
    """
    if not isinstance(cohorts.index, pd.MultiIndex):
        return cohorts
    ages = [c for c in cohorts.columns if c != "size"]
    active = cohorts[ages].multiply(cohorts["size"], axis=0)
    grouped = active.groupby(level="cohort").sum(min_count=1)
    size = cohorts["size"].groupby(level="cohort").sum()
    known = cohorts[ages].notna().multiply(cohorts["size"], axis=0).groupby(level="cohort").sum()
    shares = grouped / known.replace(0, np.nan)
    return pd.concat([size.rename("size"), shares], axis=1)


def cohort_figure(cohorts: pd.DataFrame) -> Figure | None:
    """Heat map: rows are cohorts (month of first activity), columns months since."""
    table = overall_cohorts(cohorts)
    ages = [c for c in table.columns if c != "size"]
    if table.empty or not ages:
        return None
    values = table[ages].astype(float)
    heatmap = {
        "type": "heatmap",
        "z": values.round(3).astype(object).where(values.notna(), None).to_numpy().tolist(),
        "x": [str(a) for a in ages],
        "y": [
            f"{cohort} ({int(size)})"
            for cohort, size in zip(table.index, table["size"], strict=True)
        ],
        "colorscale": _colorscale("Blues"),
        "zmin": 0,
        "zmax": 1,
        "colorbar": {"title": {"text": "active"}, "tickformat": ".0%"},
        "hovertemplate": "cohort %{y}, month %{x}: %{z:.0%} active<extra></extra>",
    }
    return _figure(
        [heatmap],
        "Cohorts: share still active, by months since the first purchase",
        height=max(300, 22 * len(table) + 120),
        xaxis={"title": {"text": "months since the first purchase"}},
        yaxis={"autorange": "reversed", "title": {"text": "cohort (customers)"}},
    )


def figure_html(fig: Figure, div_id: str) -> str:
    """A figure as a ``<div>`` and its script, without plotly.js (the page embeds it once)."""
    import plotly.io as pio

    return pio.to_html(
        fig,
        validate=False,
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )
