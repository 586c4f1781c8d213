"""Is a trend real? share_trends' false alarms on shuffled months, and the shifts it finds.

    PYTHONPATH=src python benchmarks/trends.py [--months 6] [--rounds 40] [--seed 0]

The clothing reviews (``../shared/data/clothing_reviews.csv.gz``) stand in for a feedback
history, with the retailer's ``Class Name`` (20 classes) as the segments: this measures the
trend test alone, not the segmentation. Rows are dealt at random into ``--months`` equal
batches, so no class has a trend: every status other than ``stable`` is a false alarm, counted
with the Benjamini–Hochberg correction (the default) and without. Then, in each round, one
class's rows in the last month are made ``--lift`` times as many (rows of other classes
replaced by unused rows of that class): the share of those shifts called ``growing`` is the
power, by class size. Last, the time of ``ideas_over_time`` and ``idea_changes`` over all the
rows, with made-up customers writing 1-5 times.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _perf import add_data_argument, clothing_sample, machine_note

from noomarketing.over_time import idea_changes, ideas_over_time, share_trends

CLASS = "Class Name"


def _counts(segments: np.ndarray, months: np.ndarray) -> pd.DataFrame:
    return pd.crosstab(months, segments)


def false_alarms(segments: np.ndarray, months: int, rounds: int, rng) -> pd.DataFrame:
    """Share of (segment, round) pairs per status on randomly dealt months, per correction."""
    found: dict[str, list[str]] = {"bh": [], "none": []}
    for _ in range(rounds):
        dealt = rng.permutation(len(segments)) % months
        counts = _counts(segments, dealt)
        for correction, statuses in found.items():
            statuses += share_trends(counts, correction=correction)["status"].tolist()
    return pd.DataFrame({k: pd.Series(v).value_counts(normalize=True) for k, v in found.items()}
                        ).fillna(0.0)


def power(segments: np.ndarray, months: int, rounds: int, lift: float, rng) -> pd.DataFrame:
    """Per round: a class lifted ``lift``-fold in the last month; is it called growing?"""
    classes, sizes = np.unique(segments, return_counts=True)
    rows = []
    for r in range(rounds):
        target = classes[r % len(classes)]
        dealt = rng.permutation(len(segments)) % months
        last = np.flatnonzero(dealt == months - 1)
        mine = last[segments[last] == target]
        extra = round((lift - 1) * len(mine))
        spare = np.flatnonzero((segments == target) & (dealt != months - 1))
        others = last[segments[last] != target]
        extra = min(extra, len(spare), len(others))
        labels = segments.copy()
        labels[rng.choice(others, extra, replace=False)] = target  # the lifted class's rows
        trends = share_trends(_counts(labels, dealt))
        rows.append({"class": target, "size": int(sizes[classes == target][0]),
                     "last_month": len(mine) + extra, "growing": trends.loc[target, "status"]
                     == "growing"})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--lift", type=float, default=1.5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(machine_note(), flush=True)
    frame = clothing_sample(data=args.data)
    frame = frame[frame[CLASS].notna()].reset_index(drop=True)
    segments = pd.factorize(frame[CLASS])[0]
    rng = np.random.default_rng(args.seed)
    print(f"{len(frame)} reviews, {segments.max() + 1} classes, {args.months} months, "
          f"{args.rounds} rounds")
    sizes = np.bincount(segments)
    print(f"classes under {args.months * 5} rows: {int((sizes < args.months * 5).sum())} "
          f"({', '.join(map(str, sorted(sizes[sizes < args.months * 5])))} rows)")
    alarms = false_alarms(segments, args.months, args.rounds, rng)
    print("statuses on shuffled months (no class has a trend), share of class × round:")
    print(alarms.map(lambda x: f"{x:.2%}").to_string())
    found = power(segments, args.months, args.rounds, args.lift, rng)
    found["band"] = pd.cut(found["last_month"], [0, 20, 50, 100, 200, 10**9],
                           labels=["<=20", "21-50", "51-100", "101-200", ">200"])
    print(f"x{args.lift:g} lift in the last month called growing: {found['growing'].mean():.0%}"
          " overall; by the class's rows in that month:")
    print(found.groupby("band", observed=True)["growing"].agg(["count", "mean"]).to_string())

    customers = rng.integers(0, len(frame) // 3, len(frame)).astype(str)
    table = pd.DataFrame({"row": np.arange(len(frame)), "customer_id": customers,
                          "segment": segments, "batch": rng.permutation(len(frame))
                          % args.months + 1}).sort_values("batch")
    clock = time.perf_counter()
    over_time = ideas_over_time(None, table)
    middle = time.perf_counter()
    changes = idea_changes(None, table)
    done = time.perf_counter()
    print(f"ideas_over_time {middle - clock:.2f} s ({len(over_time)} rows), idea_changes "
          f"{done - middle:.2f} s ({len(changes)} changes) on {len(frame)} rows")


if __name__ == "__main__":
    main()
