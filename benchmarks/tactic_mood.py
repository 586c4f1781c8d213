"""Tactic mood: does stage 2 keep upsell away from unhappy customers and repairs from happy ones?

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/tactic_mood.py \\
        [--data ../shared/data] [--n 2000] [--seeds 0 1 2]

Each bundled tactic says whom it is for (``mood``): ``happy`` ones ask more of satisfied
customers (upsell, referral, ambassadors), ``unhappy`` ones answer a problem (service recovery,
fixes), ``any`` suits both. A shop that sends "complete the look" to customers who gave one star
has misread them. The clothing reviews carry their customers' own verdict, the stars, which
no rule below reads except where it says so.

Samples of ``--n`` reviews each: rated 1-2 stars, rated 5 stars, and any rating, segmented at
the defaults with their ratings (the segments' ``mean_rating``). Segments of mean rating up to
2.5 count as unhappy, from 4.5 as happy. For each rule, :func:`noomarketing.generate_ideas` for
a retail business, all segments of a sample ranked together:

* ``happy for unhappy``: share of the unhappy segments' top-3 ideas that are ``happy``
  tactics (size-weighted), and ``first`` the same for the idea ranked first;
* ``unhappy for happy``: the same for ``unhappy`` tactics among the happy segments' top 3
  (milder: a 5-star customer may still want a size guide);
* ``fit top 3``: mean fit by meaning of the top-3 ideas, what a rule costs in relevance;
* ``develop``: share of segments whose ideas include one that develops their idea.

The rules (``mood_weight`` and what the segment's mood is read from, see
:func:`noomarketing.generation.segment_mood`):

* ``fit alone``: ``mood_weight=0``, the tactics ranked by fit and specificity only;
* ``library``: the defaults (the mood is the mean rating when there is one, weight 0.2);
* ``library, weight W``: the same at another ``mood_weight``;
* ``sentiment and stars averaged, 0.1``: the mood as the mean of the text sentiment and the
  rating, at weight 0.1;
* ``text only``: the defaults without the ratings (``rating_range=None``), what a shop gets
  whose feedback has no stars: the mood is the text sentiment less its neutral point
  (:data:`~noomarketing.generation.mood.TEXT_NEUTRAL`, ``sentiment_zero.py``);
* ``text only, weight 0.1``: the same at weight 0.1;
* ``text only, sentiment as it is``: the mood is the text sentiment, 0 as its neutral point.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import DATA_DIR, TEXT, clothing_sample, load_note, machine_note, markdown

import noomarketing as nm
from noomarketing.generation.mood import TEXT_NEUTRAL

RULES: dict[str, dict] = {
    "fit alone": {"mood_weight": 0.0},
    "library": {},
    "library, weight 0.1": {"mood_weight": 0.1},
    "library, weight 0.3": {"mood_weight": 0.3},
    "sentiment and stars averaged, 0.1": {"mood_weight": 0.1, "read": "averaged"},
    "text only": {"rating_range": None},
    "text only, weight 0.1": {"rating_range": None, "mood_weight": 0.1},
    "text only, sentiment as it is": {"rating_range": None, "read": "as it is"},
}
UNHAPPY, HAPPY = 2.5, 4.5


def averaged(ideas: list[nm.Idea]) -> list[nm.Idea]:
    """The mood as the mean of the text sentiment and the rating on -1..1 (read as text)."""
    return [i.model_copy(update={"sentiment": TEXT_NEUTRAL + (
        i.sentiment + (i.mean_rating - 3.0) / 2.0) / 2.0, "mean_rating": None}) for i in ideas]


def as_it_is(ideas: list[nm.Idea]) -> list[nm.Idea]:
    """The text sentiment as the mood, with no neutral point taken off."""
    return [i.model_copy(update={"sentiment": i.sentiment + TEXT_NEUTRAL}) for i in ideas]


READS = {"averaged": averaged, "as it is": as_it_is}


def samples(data: Path, n: int, seed: int) -> dict[str, pd.DataFrame]:
    frame = clothing_sample(data=data)
    low = frame[frame["Rating"] <= 2]
    top = frame[frame["Rating"] == 5]
    return {
        "1-2 stars": low.sample(min(n, len(low)), random_state=seed),
        "5 stars": top.sample(n, random_state=seed),
        "any rating": frame.sample(n, random_state=seed),
    }


def score(ideas: list[nm.Idea], generated: list, tactics: dict[str, str]) -> dict:
    by_segment: dict[int, list] = {}
    for item in generated:
        by_segment.setdefault(item.segment_id, []).append(item)
    figures: dict[str, list[tuple[float, float]]] = {
        "happy for unhappy": [], "first happy for unhappy": [], "unhappy for happy": [],
        "first unhappy for happy": [], "fit top 3": [], "develop": []}
    for idea in ideas:
        picked = sorted(by_segment.get(idea.segment_id, []), key=lambda g: g.rank)
        top = picked[:3]
        weight = float(idea.size)
        figures["fit top 3"].append((np.mean([g.fit for g in top]), weight))
        figures["develop"].append((float(any(g.aim == "develop" for g in picked)), weight))
        moods = [tactics.get(g.tactic_id, "any") for g in top]
        for wrong, name in (("happy", "happy for unhappy"), ("unhappy", "unhappy for happy")):
            if (wrong == "happy" and idea.mean_rating <= UNHAPPY) or (
                    wrong == "unhappy" and idea.mean_rating >= HAPPY):
                figures[name].append((moods.count(wrong) / len(moods), weight))
                figures[f"first {name}"].append((float(moods[0] == wrong), weight))
    result = {}
    for name, pairs in figures.items():
        table = np.array(pairs, dtype=float).reshape(-1, 2)
        result[name] = float(np.average(table[:, 0], weights=table[:, 1])) if len(table) else np.nan
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--n", type=int, default=2000, help="reviews per sample")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="the random states of the samples and their segmentations")
    args = parser.parse_args()
    print(machine_note(), flush=True)
    started = time.perf_counter()
    rules = RULES
    tactics = {t.id: t.mood for t in nm.generation.load_catalogue()}
    rows = []
    for seed in args.seeds:
        for name, frame in samples(args.data, args.n, seed).items():
            feedback = frame[[TEXT, "Rating"]].reset_index(drop=True)
            seg = nm.segment(feedback, nm.SegmentModel(random_state=seed),
                             columns={"text": TEXT, "rating": "Rating"})
            ideas = [idea for idea in seg.ideas if not idea.noise]
            stars = np.array([i.mean_rating for i in ideas])
            print(f"{name}, seed {seed}: {len(ideas)} segments, mean rating "
                  f"{stars.min():.2f}-{stars.max():.2f}, sentiment "
                  f"{min(i.sentiment for i in ideas):+.2f}..{max(i.sentiment for i in ideas):+.2f}",
                  flush=True)
            for rule, settings in rules.items():
                settings = dict(settings)
                read = settings.pop("read", None)
                given = READS[read](ideas) if read else ideas
                generated = nm.generate_ideas(given, embedder=seg.model.embedder_,
                                              business="retail", **settings)
                rows.append({"sample": name, "seed": seed, "rule": rule,
                             **score(ideas, generated, tactics)})
    table = pd.DataFrame(rows)
    print("\nper sample:\n" + markdown(table.round(3)))
    figures = [c for c in table.columns if c not in ("sample", "seed", "rule")]
    mean = table.groupby(["sample", "rule"], sort=False)[figures].mean().round(3)
    print(f"\nmean over seeds {args.seeds}:\n" + markdown(mean.reset_index()))
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
