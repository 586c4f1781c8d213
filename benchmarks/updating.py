"""The monthly update on real reviews: emerging segments, agreement with a refit, and cost.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/updating.py [--fit-size 20000] [--seed 0]

Data: the clothing reviews with text from ``--data`` (default ``../shared/data`` next to the
repository; text ``Review Text``, label ``Class Name``), replayed as monthly batches in which
some classes appear only from a later batch on (``LATE``):

* month 1: ``--fit-size`` reviews of the other classes → ``SegmentModel(...).fit``;
* month 2: ``--batch-size`` reviews, ``Swim`` starting (a fifth of the batch), the rest of the
  other classes;
* month 3: as many reviews, ``Swim`` going on, ``Shorts`` and ``Sleep`` starting.

It prints

* (a) **emergence**: for each late class, whether a new segment whose majority it is appears in
  the batch the class starts, with that segment's purity (share of its rows of that class)
  and how much of the class it holds (the class's rows of that batch in it);
* (b) **stability**: the share of rows (month 1 and month 2) whose segment after
  ``update`` equals their segment after a full refit of the same rows with ``previous=`` the
  updated model (the refit's ids are matched to the model's; unassigned counts as a segment);
* (c) **cost**: the wall and CPU time of ``update`` with month 2 against the full refit of
  months 1 and 2 (the target: under a tenth).

All rows are embedded once, with the default embedder (all-MiniLM-L6-v2 as int8 ONNX, through
noomarketing's embedding cache), and both sides get the same vectors through ``embeddings=``:
the timing compares the clustering work, not the embedding (an update embeds only the batch,
a refit everything). Language detection is off (the reviews are English).
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections import Counter

import numpy as np
import pandas as pd
from _perf import TEXT, add_data_argument, clothing_sample, load_note, machine_note

LABEL = "Class Name"
LATE = {"Swim": 2, "Shorts": 3, "Sleep": 3}
"""Classes held back from month 1 and the month each starts in."""


def months(frame: pd.DataFrame, fit_size: int, batch_size: int, seed: int) -> list[pd.DataFrame]:
    """Month 1 (no late class), month 2 and month 3 (late classes starting as in ``LATE``)."""
    rng = np.random.default_rng(seed)
    frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    late = frame[LABEL].isin(list(LATE))
    old = frame[~late]
    if len(old) < fit_size + batch_size:
        raise SystemExit(f"only {len(old)} reviews outside the late classes: lower --fit-size")
    first = old.iloc[:fit_size]
    rest = old.iloc[fit_size:]
    swim = frame[frame[LABEL] == "Swim"]
    second_late = swim.iloc[: batch_size // 5]
    third_late = pd.concat([swim.iloc[batch_size // 5 : batch_size // 5 + batch_size // 8],
                            frame[frame[LABEL] == "Shorts"].iloc[: batch_size * 3 // 20],
                            frame[frame[LABEL] == "Sleep"].iloc[: batch_size * 3 // 20]])
    second = pd.concat([rest.iloc[: batch_size - len(second_late)], second_late])
    used = batch_size - len(second_late)
    third = pd.concat([rest.iloc[used : used + batch_size - len(third_late)], third_late])
    return [first] + [part.iloc[rng.permutation(len(part))].reset_index(drop=True)
                      for part in (second, third)]


def emergence(model, labels: np.ndarray, truth: pd.Series, n_before: int, month: int) -> list:
    """Per class starting this month: (class, segment, size, purity, share of the class)."""
    rows = []
    new_ids = [s for s in range(n_before, len(model.segment_ids_)) if (labels == s).any()]
    for name, start in LATE.items():
        if start != month:
            continue
        best = None
        for segment in new_ids:
            members = truth[labels == segment]
            top, count = Counter(members).most_common(1)[0]
            if top == name and (best is None or count > best[4]):
                best = (name, segment, len(members), count / len(members), count)
        if best is None:
            rows.append((name, None, 0, 0.0, 0.0))
        else:
            name, segment, size, purity, count = best
            rows.append((name, segment, size, purity, count / int((truth == name).sum())))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit-size", type=int, default=20_000, help="reviews in month 1")
    parser.add_argument("--batch-size", type=int, default=1_000, help="reviews per later month")
    parser.add_argument("--seed", type=int, default=0, help="shuffle and model seed")
    add_data_argument(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import noomarketing as nm

    print(machine_note())
    frame = clothing_sample(data=args.data)
    first, second, third = months(frame, args.fit_size, args.batch_size, args.seed)
    print(f"months: {len(first)} / {len(second)} / {len(third)} reviews; late classes "
          + ", ".join(f"{name} from month {m}" for name, m in LATE.items()))

    def new_model(use_cache: bool = False):
        # fits lay their vectors out every time: a cached UMAP layout would make a second run's
        # refit nearly free and the cost comparison (c) meaningless
        return nm.SegmentModel(embedding="default", language="off", progress=False,
                               random_state=args.seed, use_cache=use_cache)

    embedder = new_model(use_cache=True)
    clock = time.perf_counter()
    vectors = [embedder.embed(part[TEXT].astype(str).tolist()) for part in (first, second, third)]
    print(f"embedding {sum(map(len, vectors))} reviews (once, cached): "
          f"{time.perf_counter() - clock:.0f}s")

    clock = time.perf_counter()
    model = new_model().fit(first[TEXT].astype(str).tolist(), embeddings=vectors[0])
    print(f"month 1: {len(model.segment_ids_)} segments, fit {time.perf_counter() - clock:.0f}s;"
          f" {load_note()}")
    month1 = model.labels_.copy()

    # (a) + (c, update side): month 2
    n_before = len(model.segment_ids_)
    wall, cpu = time.perf_counter(), time.process_time()
    model.update(second[TEXT].astype(str).tolist(), embeddings=vectors[1], batch="month 2")
    update_wall, update_cpu = time.perf_counter() - wall, time.process_time() - cpu
    month2 = model.labels_.copy()
    found = emergence(model, month2, second[LABEL], n_before, 2)
    with tempfile.TemporaryDirectory() as folder:  # the model as month 2 left it
        saved = nm.SegmentModel.load(model.save(folder))

    n_before = len(model.segment_ids_)
    model.update(third[TEXT].astype(str).tolist(), embeddings=vectors[2], batch="month 3")
    found += emergence(model, model.labels_, third[LABEL], n_before, 3)
    print("\n(a) emergence: a new segment whose majority is the class, in the month it starts")
    for name, segment, size, purity, share in found:
        where = "none" if segment is None else f"segment {segment} ({size} rows)"
        print(f"  {name:<7} {where:<22} purity {purity:5.1%}  holds {share:5.1%} of the class")
    hits = [row for row in found if row[1] is not None]
    print(f"  recall {len(hits)}/{len(found)}; mean purity of those found "
          f"{np.mean([r[3] for r in hits]) if hits else 0:.1%}")
    trends = nm.updating.segment_trends(model)
    print("  statuses after month 3: " + ", ".join(
        f"{k} {v}" for k, v in trends["status"].value_counts().sort_index().items()))

    # (b) + (c, refit side): months 1 and 2 refitted with previous= the updated model
    texts = pd.concat([first, second])[TEXT].astype(str).tolist()
    wall, cpu = time.perf_counter(), time.process_time()
    refit = new_model().fit(texts, embeddings=np.vstack(vectors[:2]), previous=saved)
    refit_wall, refit_cpu = time.perf_counter() - wall, time.process_time() - cpu
    updated = np.concatenate([month1, month2])
    same = refit.labels_ == updated
    print("\n(b) stability: rows whose segment after update equals the refit's (ids matched)")
    n_saved, gone = len(saved.segment_ids_), len(refit.gone_segments_)
    print(f"  all {len(same)} rows: {same.mean():.1%}; month 2's {len(month2)} rows: "
          f"{same[len(month1):].mean():.1%}; the refit kept {n_saved - gone} of {n_saved} ids, "
          f"{len(refit.segment_ids_) - n_saved} new, {gone} gone")
    print(f"\n(c) cost, same vectors: update of {len(month2)} rows on a {len(month1)}-row model "
          f"{update_wall:.1f}s wall / {update_cpu:.1f}s CPU; full refit of {len(same)} rows "
          f"{refit_wall:.1f}s wall / {refit_cpu:.1f}s CPU; ratio {update_wall / refit_wall:.3f} "
          f"(wall), {update_cpu / refit_cpu:.3f} (CPU)")
    print(load_note())


if __name__ == "__main__":
    main()
