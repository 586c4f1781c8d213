"""Scale: 10k, 100k and 1M feedback texts on this machine, time and peak RSS.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/scale.py [--sizes 10000 100000 1000000]

Texts are synthetic, built from real sentences: each is one to three sentences drawn (seeded)
from clothing reviews of one department, so 1M texts are mostly distinct and have a known
label. Embedding is the static model distilled from MiniLM (``embedding="static"``): the full
model would need about 4-5 hours for 1M texts on these two cores.

Each size runs twice, each time in a fresh process:

* ``segment``: ``nm.segment(texts, SegmentModel(embedding="static"))`` with everything in
  memory, as the CLI does: UMAP+HDBSCAN on a seeded sample of 50,000 rows
  (``fit_sample_size``), every other row embedded and assigned 10,000 at a time, ideas from the
  sample, the assignment table of all rows;
* ``stream``: a model fitted on 50,000 texts, then ``predict_batches`` over a generator of N
  texts (texts and embeddings never all in memory: RSS stays flat).

Past the sample the cost is embedding + nearest centroid per row, so time grows linearly:
the script prints µs per row beyond the sample.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from _perf import (
    TEXT,
    add_data_argument,
    clothing_sample,
    load_note,
    machine_note,
    nmi,
    run_fresh,
)

SAMPLE = 50_000
CHUNK = 10_000


def sentence_pools(data: Path) -> tuple[list[str], list[list[str]], np.ndarray]:
    frame = clothing_sample(data=data)
    frame = frame[frame["Department Name"].notna()]
    names = sorted(frame["Department Name"].unique())
    pools = []
    for name in names:
        reviews = frame.loc[frame["Department Name"] == name, TEXT].astype(str)
        pools.append([s.strip() for r in reviews for s in re.split(r"(?<=[.!?])\s+", r)
                      if len(s.strip()) > 3])
    shares = frame["Department Name"].value_counts(normalize=True).reindex(names).to_numpy()
    return names, pools, shares


def synthetic(n: int, seed: int, data: Path) -> Iterator[tuple[list[str], list[str]]]:
    """``n`` texts and their department, ``CHUNK`` at a time, the same for the same seed."""
    names, pools, shares = sentence_pools(data)
    for index, start in enumerate(range(0, n, CHUNK)):
        size = min(CHUNK, n - start)
        rng = np.random.default_rng([seed, index])
        depts = rng.choice(len(names), size=size, p=shares)
        counts = rng.integers(1, 4, size=size)
        picks = rng.random((size, 3))
        texts = [" ".join(pools[d][int(p * len(pools[d]))] for p in picks[i, : counts[i]])
                 for i, d in enumerate(depts)]
        yield texts, [names[d] for d in depts]


def child_segment(n: int, seed: int, data: Path) -> dict:
    import pandas as pd

    import noomarketing as nm

    start = time.perf_counter()
    texts, depts = [], []
    for part, labels in synthetic(n, seed, data):
        texts += part
        depts += labels
    made = time.perf_counter()
    model = nm.SegmentModel(embedding="static", use_cache=False, fit_sample_size=SAMPLE,
                            random_state=seed, progress=False)
    result = nm.segment(texts, model)
    done = time.perf_counter()
    return {"make_texts_s": made - start, "segment_s": done - made, "stages": result.timings,
            "segments": model.n_segments_, "unassigned": model.unassigned_share_,
            "nmi": nmi(pd.Series(depts), model.labels_)}


def child_stream(n: int, seed: int, data: Path) -> dict:
    import noomarketing as nm

    start = time.perf_counter()
    sample = [text for part, _ in synthetic(SAMPLE, seed + 1, data) for text in part]
    model = nm.SegmentModel(embedding="static", use_cache=False, random_state=seed,
                            progress=False).fit(sample)
    fitted = time.perf_counter()
    texts = (text for part, _ in synthetic(n, seed, data) for text in part)
    counts = np.zeros(model.n_segments_ + 1, dtype=np.int64)
    for labels in model.predict_batches(texts, batch_size=CHUNK):
        counts += np.bincount(labels + 1, minlength=len(counts))
    done = time.perf_counter()
    return {"fit_s": fitted - start, "stream_s": done - fitted, "assigned": int(counts.sum())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = child_segment if args.child == "segment" else child_stream
        print("RESULT " + json.dumps(work(args.n, args.seed, args.data)))
        return

    started = time.perf_counter()
    print(machine_note(), flush=True)
    print("synthetic texts from clothing-review sentences, static embedding", flush=True)
    rows = []
    for n in args.sizes:
        for mode in ("segment", "stream"):
            run = run_fresh([sys.executable, __file__, "--child", mode, "--n", str(n),
                             "--seed", str(args.seed), "--data", str(args.data)])
            found = json.loads(run.output.split("RESULT ", 1)[1])
            rows.append({"n": n, "mode": mode, "wall_s": run.wall_s, "rss_mb": run.peak_rss_mb,
                         **found})
            print(rows[-1], flush=True)

    print(f"\n{'rows':>9} {'mode':8} {'wall s':>8} {'peak RSS MB':>12} {'segments':>9} "
          f"{'NMI dept':>9} {'µs/row past sample':>19}")
    for row in rows:
        past = ""
        if row["mode"] == "segment" and row["n"] > SAMPLE:
            past = f"{1e6 * row['stages']['segment'] / row['n']:.0f} (all rows, fit incl.)"
        if row["mode"] == "stream":
            past = f"{1e6 * row['stream_s'] / row['n']:.1f}"
        print(f"{row['n']:9d} {row['mode']:8} {row['wall_s']:8.1f} {row['rss_mb']:12.0f} "
              f"{row.get('segments', '-'):>9} {row.get('nmi', float('nan')):9.3f} {past:>19}")
    big = [r for r in rows if r["mode"] == "segment" and r["n"] > SAMPLE]
    if len(big) >= 2:
        (a, b) = big[-2], big[-1]
        slope = (b["wall_s"] - a["wall_s"]) / (b["n"] - a["n"]) * 1e6
        print(f"\nsegment: {a['n']:,} → {b['n']:,} rows adds {b['wall_s'] - a['wall_s']:.0f} s "
              f"= {slope:.0f} µs per extra row (linear past the {SAMPLE:,}-row sample)")
    print(f"peak RSS at {rows[-2]['n']:,} rows: {rows[-2]['rss_mb'] / 1024:.2f} GB in memory, "
          f"{rows[-1]['rss_mb'] / 1024:.2f} GB streamed")
    print(f"total {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
