"""Gaps: does stage 4 call a segment unserved only when the catalogue has nothing for it?

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/gaps.py \\
        [--data ../shared/data] [--clothing 3000] [--bbc 1000] [--seeds 0 1 2] [--grid]

The samples and catalogues of ``proposals.py`` (one offer per clothing ``Department Name``, per
``Class Name``, per BBC category), segmented at the defaults. A segment's offer is the one of
its majority label. Per catalogue and rule:

* ``top-1``: the segment's best offer is its own (size-weighted share of the segments);
* ``false gaps``: with the whole catalogue, segments the rule calls gaps although their offer
  is there;
* ``found gaps``: each offer taken out of the catalogue in turn, the segments whose offer it was
  and that the rule then calls gaps (a segment that another offer then serves is a gap
  missed);
* ``AUC``: how well the best score tells a segment whose offer is in the catalogue from one
  whose offer was taken out (ROC AUC over the same segments, size-weighted), whatever the
  threshold.

The rules, each :func:`noomarketing.match_offers` (every figure from its own ``gaps``; for
the found gaps it is given the catalogue without the offer):

* ``meaning and tags, 0.35``: the rule before the idea's words and the margin
  (``lexical_weight=0, threshold=0.35, margin=2``);
* ``meaning and tags, 0.35 or margin``: the same with the margin;
* ``the library``: the defaults (the idea's words at ``lexical_weight`` 0.25, the threshold
  :data:`~noomarketing.matching.THRESHOLD`, or the best offer
  :data:`~noomarketing.matching.MARGIN` above the next).

``--grid`` adds the library's scores at other thresholds and margins (the choice of the
defaults). AUC reads each rule's best score alone, so it depends on the scores only.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import DATA_DIR, load_note, machine_note, markdown
from proposals import CATALOGUES, DATASETS, load
from sklearn.metrics import roc_auc_score

import noomarketing as nm

RULES = {  # name: match_offers' keywords
    "meaning and tags, 0.35": {"lexical_weight": 0.0, "threshold": 0.35, "margin": 2.0},
    "meaning and tags, 0.35 or margin": {"lexical_weight": 0.0, "threshold": 0.35},
    "the library": {},
}
GRID = {
    f"words, {t} or margin {m}": {"threshold": t, "margin": m}
    for t in (0.4, 0.45, 0.5, 0.55, 0.6) for m in (0.1, 0.15, 0.2, 2.0)
}


def matched(ideas, offers, embedder, settings: dict) -> tuple[np.ndarray, set[int]]:
    """The library's scores (segments × offers) and the segments it calls gaps."""
    result = nm.match_offers(ideas, offers, embedder=embedder, **settings)
    segments = [idea.segment_id for idea in ideas]
    scores = result.score_table().loc[segments, [o.id for o in offers]].to_numpy()
    row = {segment: i for i, segment in enumerate(segments)}
    return scores, {row[gap.segment_id] for gap in result.gaps}


def measure(settings: dict, ideas, offers, own: np.ndarray, sizes: np.ndarray, embedder) -> dict:
    """top-1, false gaps, found gaps and the best score's AUC of one rule."""
    scores, false_gaps = matched(ideas, offers, embedder, settings)
    found, without = set(), np.zeros(len(ideas))
    for j, offer in enumerate(offers):
        mine = np.flatnonzero(own == j)
        if len(mine):
            rest = [o for o in offers if o.id != offer.id]
            rest_scores, left = matched(ideas, rest, embedder, settings)
            found |= left & set(mine.tolist())
            without[mine] = rest_scores[mine].max(axis=1)
    weight = sizes / sizes.sum()
    served = np.r_[np.ones(len(ideas)), np.zeros(len(ideas))]
    auc = roc_auc_score(served, np.r_[scores.max(axis=1), without],
                        sample_weight=np.r_[sizes, sizes])
    return {"top-1": float(weight @ (scores.argmax(axis=1) == own)),
            "false gaps": float(weight[sorted(false_gaps)].sum()),
            "found gaps": float(weight[sorted(found)].sum()), "AUC": auc}


def evaluate(frame: pd.DataFrame, name: str, seed: int, rules: dict[str, dict]) -> list[dict]:
    _, text, label_columns = DATASETS[name]
    texts = frame[text].astype(str).tolist()
    start = time.perf_counter()
    seg = nm.segment(nm.Feedback.from_texts(texts), nm.SegmentModel(random_state=seed))
    model = seg.model
    ideas = [idea for idea in seg.ideas if not idea.noise]
    sizes = np.array([idea.size for idea in ideas], dtype=float)
    print(f"{name}, seed {seed}: {len(texts)} texts, {len(ideas)} segments, segmented in "
          f"{time.perf_counter() - start:.0f} s", flush=True)
    rows = []
    for column, catalogue in label_columns.items():
        offers = nm.load_offers(CATALOGUES / catalogue)
        index = {str(o.attributes["label"]): j for j, o in enumerate(offers)}
        values = frame[column].astype(str).to_numpy()
        own = np.array([index[pd.Series(values[model.labels_ == i.segment_id]).mode()[0]]
                        for i in ideas])
        for rule, settings in rules.items():
            found = measure(settings, ideas, offers, own, sizes, model.embedder_)
            rows.append({"data": name, "seed": seed, "catalogue": f"{column} ({len(offers)})",
                         "segments": len(ideas), "rule": rule, **found})
            print({k: round(v, 3) if isinstance(v, float) else v for k, v in rows[-1].items()},
                  flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    parser.add_argument("--clothing", type=int, default=3000)
    parser.add_argument("--bbc", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="the random states of the samples and their segmentations")
    parser.add_argument("--grid", action="store_true", help="other thresholds and margins too")
    args = parser.parse_args()
    rules = {**RULES, **GRID} if args.grid else RULES
    print(machine_note(), flush=True)
    started = time.perf_counter()
    rows = []
    for seed in args.seeds:
        for name, n in (("clothing", args.clothing), ("bbc", args.bbc)):
            if n:
                rows += evaluate(load(args.data, name, n, seed), name, seed, rules)
    table = pd.DataFrame(rows)
    figures = ["top-1", "false gaps", "found gaps", "AUC"]
    print("\nper sample:\n" + markdown(table.round(3)))
    mean = table.groupby("rule", sort=False)[figures].mean()
    worst = table.groupby("rule", sort=False).agg(
        {"false gaps": "max", "found gaps": "min"}).add_prefix("worst ")
    print(f"\nover the {table.groupby(['data', 'seed', 'catalogue']).ngroups} samples and "
          f"catalogues:\n" + markdown(mean.join(worst).round(3).reset_index()))
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
