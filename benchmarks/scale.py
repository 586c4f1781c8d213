"""Scale: 10k, 100k and 1M feedback texts on this machine, time and peak RSS; the Dask path.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/scale.py [--sizes 10000 100000 1000000]

Texts are synthetic, built from real sentences: each is one to three sentences drawn (seeded)
from clothing reviews of one department, so 1M texts are mostly distinct and have a known
label. Embedding is a static model distilled from MiniLM (``_static.py``, benchmark-local: the
library does not offer it, its segments are poor): the full model would need hours for 1M
texts on these two cores, and these rows measure what the rest of the path costs.

Each size runs twice, each time in a fresh process:

* ``segment``: ``nm.segment(texts, SegmentModel(embedding=StaticEmbedder()))`` with everything in
  memory, as the CLI does: UMAP+HDBSCAN on a seeded sample of 50,000 rows
  (``fit_sample_size``), every other row embedded and assigned 10,000 at a time, ideas from the
  sample, the assignment table of all rows;
* ``stream``: a model fitted on 50,000 texts, then ``predict_batches`` over a generator of N
  texts (texts and embeddings never all in memory: RSS stays flat).

* ``dask``: the same fitted model, ``assign_with_dask`` over N texts on a local Dask cluster
  of 2 worker processes (``--dask-sizes``), checked equal to ``predict_batches``.

Then ``--rerun`` (default 10,000): the README's ``nm.segment`` with the default model (int8
ONNX) on that many real clothing reviews, twice in fresh processes: the second run is the warm
re-run (embedding and UMAP layout cache hit). It uses the user's cache folder, so the first may
be warm too: each row says whether its layout was computed or read, with its NMI against the
department (a cached layout must give the same segments).

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
from _static import StaticEmbedder  # benchmark-local: measures cost, not quality

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
    model = nm.SegmentModel(embedding=StaticEmbedder(), use_cache=False, fit_sample_size=SAMPLE,
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
    model = nm.SegmentModel(embedding=StaticEmbedder(), use_cache=False, random_state=seed,
                            progress=False).fit(sample)
    fitted = time.perf_counter()
    texts = (text for part, _ in synthetic(n, seed, data) for text in part)
    counts = np.zeros(model.n_segments_ + 1, dtype=np.int64)
    for labels in model.predict_batches(texts, batch_size=CHUNK):
        counts += np.bincount(labels + 1, minlength=len(counts))
    done = time.perf_counter()
    return {"fit_s": fitted - start, "stream_s": done - fitted, "assigned": int(counts.sum())}


def child_dask(n: int, seed: int, data: Path) -> dict:
    from dask.distributed import Client, LocalCluster

    import noomarketing as nm
    from noomarketing.distributed import assign_with_dask

    start = time.perf_counter()
    embedder = StaticEmbedder()
    sample = [text for part, _ in synthetic(SAMPLE, seed + 1, data) for text in part]
    model = nm.SegmentModel(embedding=embedder, use_cache=False, random_state=seed,
                            progress=False).fit(sample)
    fitted = time.perf_counter()
    texts = [text for part, _ in synthetic(n, seed, data) for text in part]
    expected = np.concatenate(list(model.predict_batches(texts, batch_size=CHUNK)))
    one = time.perf_counter()
    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=None) as cluster, Client(cluster) as client):
        started = time.perf_counter()
        labels = assign_with_dask(model, texts, client, partition_size=CHUNK,
                                  embedding=StaticEmbedder())  # unloaded: it travels light
        done = time.perf_counter()
    return {"fit_s": fitted - start, "one_process_s": one - fitted, "dask_s": done - started,
            "equal": bool(np.array_equal(labels, expected))}


def child_rerun(n: int, seed: int, data: Path) -> dict:
    import noomarketing as nm

    frame = clothing_sample(n, seed, data)
    texts = frame[TEXT].astype(str).tolist()
    clock = time.process_time()
    result = nm.segment(texts, nm.SegmentModel(random_state=seed, progress=False))
    return {"stages": result.timings, "cpu_in_s": time.process_time() - clock,
            "segments": result.model.n_segments_,
            "nmi": nmi(frame["Department Name"], result.model.labels_),
            "layout_cached": result.model.layout_cached_}


CHILDREN = {"segment": child_segment, "stream": child_stream, "dask": child_dask,
            "rerun": child_rerun}


def main() -> None:
    global SAMPLE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--fit-size", type=int, default=SAMPLE,
                        help=f"rows the model is fitted on (default {SAMPLE:,})")
    parser.add_argument("--dask-sizes", type=int, nargs="*", default=[100_000],
                        help="texts assigned on a local Dask cluster (none: skip)")
    parser.add_argument("--rerun", type=int, default=10_000,
                        help="real reviews segmented twice with the default model (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    SAMPLE = args.fit_size
    if args.child:
        print("RESULT " + json.dumps(CHILDREN[args.child](args.n, args.seed, args.data)))
        return

    started = time.perf_counter()
    print(machine_note(), flush=True)
    print("synthetic texts from clothing-review sentences, static embedding", flush=True)
    def child(mode: str, n: int) -> dict:
        run = run_fresh([sys.executable, __file__, "--child", mode, "--n", str(n),
                         "--seed", str(args.seed), "--data", str(args.data),
                         "--fit-size", str(SAMPLE)])
        found = json.loads(run.output.split("RESULT ", 1)[1])
        row = {"n": n, "mode": mode, "wall_s": run.wall_s, "cpu_s": run.cpu_s,
               "rss_mb": run.peak_rss_mb, **found}
        print(row, flush=True)
        return row

    rows = [child(mode, n) for n in args.sizes for mode in ("segment", "stream")]
    extra = [child("dask", n) for n in args.dask_sizes]
    extra += [child("rerun", args.rerun) for _ in range(2 if args.rerun else 0)]

    print(f"\n{'rows':>9} {'mode':8} {'wall s':>8} {'CPU s':>7} {'peak RSS MB':>12} "
          f"{'segments':>9} {'NMI dept':>9} {'µs/row past sample':>19}")
    for row in rows:
        past = ""
        if row["mode"] == "segment" and row["n"] > SAMPLE:
            past = f"{1e6 * row['stages']['segment'] / row['n']:.0f} (all rows, fit incl.)"
        if row["mode"] == "stream":
            past = f"{1e6 * row['stream_s'] / row['n']:.1f}"
        print(f"{row['n']:9d} {row['mode']:8} {row['wall_s']:8.1f} {row['cpu_s']:7.1f} "
              f"{row['rss_mb']:12.0f} "
              f"{row.get('segments', '-'):>9} {row.get('nmi', float('nan')):9.3f} {past:>19}")
    for row in extra:
        if row["mode"] == "dask":
            print(f"dask, {row['n']:,} texts on 2 local workers: {row['dask_s']:.1f} s vs "
                  f"{row['one_process_s']:.1f} s in one process (same labels: {row['equal']}); "
                  f"peak RSS {row['rss_mb']:.0f} MB (client)")
        else:
            layout = "read from the cache" if row["layout_cached"] else "computed"
            print(f"nm.segment, default model, {row['n']:,} reviews: {row['wall_s']:.1f} s wall, "
                  f"{row['cpu_s']:.1f} s CPU, peak RSS {row['rss_mb']:.0f} MB; stages "
                  + ", ".join(f"{k} {v:.1f}" for k, v in row["stages"].items())
                  + f"; UMAP layout {layout}; {row['segments']} segments, "
                  f"NMI department {row['nmi']:.3f}")
    big = [r for r in rows if r["mode"] == "segment" and r["n"] > SAMPLE]
    if len(big) >= 2:
        (a, b) = big[-2], big[-1]
        slope = (b["wall_s"] - a["wall_s"]) / (b["n"] - a["n"]) * 1e6
        print(f"\nsegment: {a['n']:,} → {b['n']:,} rows adds {b['wall_s'] - a['wall_s']:.0f} s "
              f"= {slope:.0f} µs per extra row (linear past the {SAMPLE:,}-row sample)")
    if len(rows) >= 2:
        print(f"peak RSS at {rows[-2]['n']:,} rows: {rows[-2]['rss_mb'] / 1024:.2f} GB in "
              f"memory, {rows[-1]['rss_mb'] / 1024:.2f} GB streamed")
    print(f"total {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
