"""The HTML report: one self-contained file (plotly.js embedded), customer text escaped."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from noomarketing.display import signed
from noomarketing.effects import could_be_chance
from noomarketing.matching import MATCH_COLUMNS
from noomarketing.presentation.briefs import words_and_stars
from noomarketing.presentation.words import words_for
from noomarketing.report import figures
from noomarketing.report.data import ReportData
from noomarketing.schema import NoomarketingError

logger = logging.getLogger(__name__)

REPORT_NAME = "report.html"
"""The report's file name inside an output folder."""


def _missing(value: Any) -> bool:
    import jinja2

    if value is None or isinstance(value, jinja2.Undefined):
        return True
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _environment():
    import jinja2

    loader = jinja2.FileSystemLoader(str(resources.files("noomarketing.report") / "templates"))
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["percent"] = lambda v: "–" if _missing(v) else f"{v:.0%}"
    env.filters["signed"] = lambda v, d=2: "–" if _missing(v) else signed(v, d)
    env.filters["chance"] = could_be_chance  # an impact's q: within chance (noomarketing.effects)
    env.filters["number"] = lambda v, d=2: "–" if _missing(v) else f"{v:,.{d}f}"
    # where a segment's words and ratings part ways, the brief's sentence for it (English)
    env.filters["parting"] = lambda idea: words_and_stars(idea, words_for("en"))
    return env


def _segment_views(data: ReportData) -> list[dict[str, Any]]:
    """Per segment: its idea, generated ideas, offers or gap, and what was proposed."""
    matches = data.matches if data.matches is not None else pd.DataFrame(columns=MATCH_COLUMNS)
    gaps = {gap.segment_id: gap for gap in data.gaps}
    proposals = data.proposals.proposals if data.proposals is not None else []
    views = []
    for idea in data.ideas:
        mine = [p for p in proposals if p.segment_id == idea.segment_id]
        offers = Counter(p.offer_name for p in mine)
        views.append({
            "idea": idea,
            "generated": sorted((g for g in data.generated if g.segment_id == idea.segment_id),
                                key=lambda g: g.rank),
            "matches": matches[matches["segment"] == idea.segment_id].sort_values("rank")
            .head(5).to_dict("records"),
            "gap": gaps.get(idea.segment_id),
            "proposed": {
                "count": len(mine),
                "customers": len({p.customer_id for p in mine}),
                "cost": sum(p.cost for p in mine),
                "offers": offers.most_common(5),
            },
        })
    return views


def _best_offer(view: dict[str, Any]) -> str:
    if view["matches"]:
        return str(view["matches"][0]["offer_name"])
    if view["gap"] is not None:
        return f"gap: {view['gap'].suggestion_name}"
    return ""


def _charts(data: ReportData) -> dict[str, str]:
    made: dict[str, Any] = {"sizes": figures.sizes_figure(data.ideas) if data.ideas else None}
    if data.items is not None:
        made["map"] = figures.map_figure(data.items, data.ideas,
                                         random_state=data.info.get("random_state") or 0)
        made["time"] = figures.share_over_time_figure(data.items, data.ideas)
    if data.cohorts is not None and not data.cohorts.empty:
        made["cohorts"] = figures.cohort_figure(data.cohorts)
    drawn = {name: figures.figure_html(fig, f"chart-{name}")
             for name, fig in made.items() if fig is not None}
    return {name: drawn.get(name, "") for name in ("map", "sizes", "time", "cohorts")}


def _map_note(data: ReportData) -> str:
    if data.items is None:
        return "This output folder has no map.csv, so there is no map."
    placed = int(data.items[["x", "y"]].notna().all(axis=1).sum())
    total = len(data.items)
    if placed == 0:
        return "The model kept no coordinates, so there is no map."
    shown = min(placed, figures.MAP_POINTS)
    note = f"The map shows {shown:,} of the {total:,} feedback items"
    if placed < total:
        note += (f"; {total - placed:,} joined their segment after it was learned from a sample "
                 "and have no position")
    if shown < placed:
        note += f"; a seeded sample of {shown:,} of the {placed:,} placed ones is drawn"
    return note + "."


def _retention_rows(frame: pd.DataFrame | None) -> list[dict[str, Any]] | None:
    if frame is None or frame.empty:
        return None
    rows = [{k: None if pd.isna(v) else v for k, v in row.items()}
            for row in frame.to_dict("records")]
    for row in rows:
        row["start"], row["end"] = str(row["start"])[:10], str(row["end"])[:10]
    return rows


def render_report(data: ReportData | Any, *, title: str = "What your customers want") -> str:
    """The report as one HTML string (a :class:`ReportData`, a ``RunResult`` or a
    ``SegmentationResult``).

    Example:
        >>> from noomarketing.schema import Idea, Quote
        >>> idea = Idea(segment_id=0, label="Delivery", keywords=[], size=1, share=1.0,
        ...             sentiment=-0.4, quotes=[Quote(row=0, customer_id="c", similarity=1.0,
        ...                                           text="<script>alert(1)</script>")])
        >>> page = render_report(ReportData(ideas=[idea]))
        >>> "&lt;script&gt;alert(1)&lt;/script&gt;" in page, "<script>alert(1)" in page
        (True, False)
    """
    if not isinstance(data, ReportData):
        data = ReportData.from_result(data)
    from plotly.offline import get_plotlyjs

    views = _segment_views(data)
    proposals = data.proposals
    page = _environment().get_template("report.html.j2").render(
        title=title,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        data=data,
        info=data.info,
        views=views,
        best_offer={v["idea"].segment_id: _best_offer(v) for v in views},
        charts=_charts(data),
        map_note=_map_note(data),
        proposals=proposals,
        retention=_retention_rows(data.retention),
        plotlyjs=get_plotlyjs(),
        has_statements=any(idea.statement for idea in data.ideas),
        has_offers=data.matches is not None or bool(data.gaps),
    )
    return page


def write_report(source: ReportData | Any, path: str | Path | None = None, **options: Any) -> Path:
    """Write the HTML report and return its path.

    ``source`` is a ``RunResult``, a ``SegmentationResult``, a :class:`ReportData` or the
    output folder of ``noomarketing run``/``segment`` (then ``path`` defaults to
    ``report.html`` inside it). The file needs no network: its charts and their script are
    embedded.

    Example:
        >>> import tempfile
        >>> import noomarketing as nm
        >>> result = nm.segment(nm.example_feedback_path(), columns=nm.EXAMPLE_COLUMNS)
        >>> nm.write_report(result, f"{tempfile.mkdtemp()}/report.html").name
        'report.html'
    """
    if isinstance(source, str | Path):
        folder = Path(source)
        if not folder.is_dir():
            raise NoomarketingError(f"{folder} is not a folder of noomarketing output")
        data = ReportData.from_folder(folder)
        path = folder / REPORT_NAME if path is None else path
    else:
        data = source
        if path is None:
            raise NoomarketingError("write_report needs a path for a result held in memory")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(data, **options), encoding="utf-8")
    logger.info("wrote the report %s", target)
    return target

