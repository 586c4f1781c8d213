"""Segment quality and time on real reviews: noomarketing vs BERTopic, same vectors, one run.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/segment_quality.py [--n 10000] [--seed 0]

Data: a seeded sample of ``--n`` clothing reviews from ``--data`` (default ``../shared/data``
next to the repository; text ``Review Text``, labels ``Class Name`` and ``Department Name``).
The parent embeds the sample once with all-MiniLM-L6-v2 (torch, through noomarketing's
embedding cache) and hands the same vectors to every system, so the comparison is about
segmentation, not about who embeds faster (``end_to_end.py`` measures that). Systems:

* ``noomarketing``: ``SegmentModel(language="off")`` fitted on the vectors, then
  ``highlight_ideas`` (labels, keywords, quotes, sentiment). Its "noise kept" row is the same
  run's HDBSCAN labels before noise joins the nearest segment (cosine ≥ 0.3);
* ``BERTopic, same UMAP/HDBSCAN``: BERTopic given our UMAP (the object ``SegmentModel`` builds:
  exact cosine neighbours, 200 epochs from 4,096 points, same seed) and our HDBSCAN settings
  (``min_cluster_size`` ≈ √n/2, ``min_samples`` half of it); noise kept, as BERTopic does;
* ``BERTopic, tuned``: BERTopic's own UMAP and HDBSCAN with ``min_topic_size`` chosen like ours
  (≈ √n/2), then ``reduce_outliers(strategy="embeddings", threshold=0.3)`` (our rule: nearest
  topic by cosine, at least 0.3) and ``update_topics`` with the new topics;
* ``BERTopic, defaults``: BERTopic's defaults (``min_topic_size=10``).

Every BERTopic UMAP gets ``random_state=seed`` (BERTopic's default has none), which makes UMAP
single-threaded, as ours is with a seed. Each system runs twice in fresh processes: **cold**
with an empty ``NUMBA_CACHE_DIR`` and an empty noomarketing cache (a first run on a machine:
numba compiles UMAP's kernels; ours embeds its keyword candidates), then **warm** with the
caches the cold run filled. Both sides import UMAP through ``noomarketing._numba.import_umap``,
so both load UMAP's compiled kernels from disk when warm (pynndescent's, used by BERTopic's own
UMAP past 4,096 points, compile in every process regardless). Quality comes from the warm run;
the script says if the cold run gave other labels. Wall time and CPU time (user + system,
children included) are measured from outside each process, peak RSS inside it (``VmHWM``). On
a shared machine CPU time is the figure to compare: wall time includes waiting for a core.
``--jobs 4`` runs the four systems' cold-then-warm chains at the same time, so that they share
whatever load there is alike.

BERTopic is a benchmark-only extra: ``pip install -c constraints.txt -e ".[bench]"``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import (
    TEXT,
    Run,
    add_data_argument,
    clothing_sample,
    load_note,
    machine_note,
    own_peak_rss_mb,
    run_fresh,
)
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

LABELS = ["Class Name", "Department Name"]
SYSTEMS = ["noomarketing", "bertopic-same", "bertopic-tuned", "bertopic-default"]
TITLES = {
    "noomarketing": "noomarketing",
    "noomarketing-kept": "noomarketing, noise kept (same run)",
    "bertopic-same": "BERTopic, same UMAP/HDBSCAN",
    "bertopic-tuned": "BERTopic, tuned + reduce_outliers",
    "bertopic-default": "BERTopic, defaults",
}
OUTLIER_THRESHOLD = 0.3  # SegmentModel's default outlier_threshold


class Precomputed:
    """A reducer that returns a reduction made before: the sweep varies HDBSCAN only."""

    def __init__(self, reduced: np.ndarray) -> None:
        self.reduced = reduced

    def fit_transform(self, vectors: np.ndarray) -> np.ndarray:
        if len(vectors) != len(self.reduced):
            raise ValueError(f"{len(vectors)} vectors for a reduction of {len(self.reduced)}")
        return self.reduced


# ---------------------------------------------------------------- children (fresh processes)
def child_ours(texts: list[str], vectors: np.ndarray, seed: int) -> dict:
    clock = time.perf_counter()
    import noomarketing as nm
    from noomarketing.highlighting import highlight_ideas

    stages = {"import": time.perf_counter() - clock}
    clock = time.perf_counter()
    model = nm.SegmentModel(language="off", random_state=seed, progress=False)
    model.fit(texts, embeddings=vectors)
    stages["segment (reduce, cluster, assign noise)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    ideas = highlight_ideas(model, texts)
    stages["highlight (labels, keywords, quotes, sentiment)"] = time.perf_counter() - clock
    return {"stages": stages, "labels": model.labels_.tolist(),
            "kept": model.cluster_labels_.tolist(), "ideas": len(ideas)}


def child_bertopic(kind: str, texts: list[str], vectors: np.ndarray, seed: int) -> dict:
    clock = time.perf_counter()
    import noomarketing as nm
    from noomarketing._numba import import_umap

    umap = import_umap()  # UMAP's kernels cached on disk, as for ours
    from bertopic import BERTopic

    stages = {"import": time.perf_counter() - clock}
    clock = time.perf_counter()
    auto = nm.segmentation.auto_min_cluster_size(len(texts))
    if kind == "same":
        ours = nm.SegmentModel(random_state=seed)
        model = BERTopic(
            umap_model=ours._default_reducer(vectors),  # the very UMAP SegmentModel fits
            hdbscan_model=ours._default_clusterer(len(texts)),
        )
    else:
        bertopic_umap = umap.UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                                  low_memory=False, random_state=seed)  # BERTopic's, seeded
        model = BERTopic(umap_model=bertopic_umap,
                         min_topic_size=auto if kind == "tuned" else 10)
    topics, _ = model.fit_transform(texts, embeddings=vectors)
    stages["fit_transform (reduce, cluster, c-TF-IDF)"] = time.perf_counter() - clock
    if kind == "tuned" and -1 in topics:  # BERTopic refuses to reduce no outliers
        clock = time.perf_counter()
        topics = model.reduce_outliers(texts, topics, strategy="embeddings",
                                       embeddings=vectors, threshold=OUTLIER_THRESHOLD)
        model.update_topics(texts, topics=topics)
        stages["reduce_outliers + update_topics"] = time.perf_counter() - clock
    return {"stages": stages, "labels": [int(t) for t in topics]}


def run_child(args: argparse.Namespace, folder: Path) -> None:
    texts = json.loads((folder / "texts.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    if args.child == "sweep":
        labels = pd.read_json(folder / "labels.json", orient="records")
        found = {"report": sweep(texts, vectors, labels, args.seed)}
    elif args.child == "noomarketing":
        found = child_ours(texts, vectors, args.seed)
    else:
        found = child_bertopic(args.child.removeprefix("bertopic-"), texts, vectors, args.seed)
    print("RESULT " + json.dumps({**found, "peak_rss_mb": own_peak_rss_mb()}))


# ---------------------------------------------------------------- the parent
def scores(labels: np.ndarray, frame: pd.DataFrame) -> dict[str, float | int]:
    """Segments, unassigned share, NMI/ARI against each label; -1 counts as one more group."""
    result: dict[str, float | int] = {
        "segments": len(set(labels[labels >= 0].tolist())),
        "unassigned": float(np.mean(labels < 0)),
    }
    for column in LABELS:
        known = frame[column].notna().to_numpy()
        truth = frame.loc[known, column].astype(str)
        short = column.split()[0].lower()
        result[f"NMI {short}"] = normalized_mutual_info_score(truth, labels[known])
        result[f"ARI {short}"] = adjusted_rand_score(truth, labels[known])
    return result


def shared_vectors(texts: list[str]) -> np.ndarray:
    from noomarketing.embedding import CachedEmbedder, SentenceTransformerEmbedder

    clock = time.perf_counter()
    vectors = CachedEmbedder(SentenceTransformerEmbedder(progress=False)).encode(texts)
    print(f"shared all-MiniLM-L6-v2 vectors: {time.perf_counter() - clock:.1f} s "
          "(noomarketing's embedding cache; not part of any timing below)", flush=True)
    return np.asarray(vectors, dtype=np.float32)


def cold_then_warm(system: str, folder: Path, seed: int) -> dict[str, tuple[Run, dict]]:
    """The system in a fresh process with empty caches, then again with the caches it filled."""
    caches = folder / f"caches-{system}"
    env = {"NUMBA_CACHE_DIR": str(caches / "numba"), "NOOMARKETING_CACHE": str(caches)}
    command = [sys.executable, __file__, "--child", system, "--folder", str(folder),
               "--seed", str(seed)]
    runs = {}
    for phase in ("cold", "warm"):
        run = run_fresh(command, **env)
        runs[phase] = (run, json.loads(run.output.split("RESULT ", 1)[1]))
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in runs[phase][1]["stages"].items())
        print(f"  {TITLES[system]}, {phase}: wall {run.wall_s:.1f} s, CPU {run.cpu_s:.1f} s, "
              f"peak RSS {runs[phase][1]['peak_rss_mb']:.0f} MB; {stages}; {load_note()}",
              flush=True)
    return runs


def compare(args: argparse.Namespace, folder: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """Cold then warm fresh process per system (``--jobs`` systems at a time); figures per row."""
    with ThreadPoolExecutor(args.jobs) as pool:
        chains = {pool.submit(cold_then_warm, s, folder, args.seed): s for s in args.systems}
        for chain in as_completed(chains):  # each system's quality as soon as it is known
            quality = scores(np.asarray(chain.result()["warm"][1]["labels"]), frame)
            print(f"  {TITLES[chains[chain]]}: " + ", ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in quality.items()
            ), flush=True)
        done = {system: chain.result() for chain, system in chains.items()}
    done = {system: done[system] for system in args.systems}
    rows, labels = [], {}
    for system, runs in done.items():
        cold, warm = runs["cold"], runs["warm"]
        if warm[1]["labels"] != cold[1]["labels"]:
            print(f"  {TITLES[system]}: cold and warm labels DIFFER (quality: warm run)")
        labels[system] = np.asarray(warm[1]["labels"])
        rows.append({"system": TITLES[system], **scores(labels[system], frame),
                     "cold wall s": cold[0].wall_s, "warm wall s": warm[0].wall_s,
                     "cold CPU s": cold[0].cpu_s, "warm CPU s": warm[0].cpu_s,
                     "warm peak RSS MB": warm[1]["peak_rss_mb"]})
        if system == "noomarketing":
            labels["kept"] = np.asarray(warm[1]["kept"])
            rows.append({"system": TITLES["noomarketing-kept"], **scores(labels["kept"], frame)})
    if "kept" in labels and "bertopic-same" in labels:
        print("agreement of 'noise kept' with 'BERTopic, same UMAP/HDBSCAN' (ARI of the two "
              f"labellings): {adjusted_rand_score(labels['kept'], labels['bertopic-same']):.3f}")
    return pd.DataFrame(rows).set_index("system")


def sweep(texts: list[str], vectors: np.ndarray, frame: pd.DataFrame, seed: int) -> str:
    """HDBSCAN settings on one UMAP reduction: where the quality comes from (a report)."""
    from hdbscan import HDBSCAN

    import noomarketing as nm
    from noomarketing.clustering import auto_min_samples

    first = nm.SegmentModel(language="off", random_state=seed, progress=False)
    first.fit(texts, embeddings=vectors)
    # the layout of the distinct vectors, in the order the reducer gets them (np.unique's)
    _, firsts = np.unique(first.embeddings_, axis=0, return_index=True)
    reduced = first.reduced_[firsts]
    auto = nm.segmentation.auto_min_cluster_size(len(texts))
    lines = [f"HDBSCAN sweep on one UMAP reduction (seed {seed}); NMI class / department:",
             f"{'min_cluster_size/min_samples':>29} {'noise':>6} {'noise kept':>14} "
             f"{'noise assigned':>15} {'segments':>9}"]
    # the third: min_samples at a fifth, the default before the library's auto_min_samples
    sizes = [(10, 10), (30, 6), (auto, max(2, auto // 5)), (auto, auto_min_samples(auto)),
             (2 * auto, auto_min_samples(2 * auto))]
    for size, samples in sizes:
        model = nm.SegmentModel(
            language="off", random_state=seed, progress=False, reducer=Precomputed(reduced),
            clusterer=HDBSCAN(min_cluster_size=size, min_samples=samples, core_dist_n_jobs=1),
        ).fit(texts, embeddings=vectors)
        kept, assigned = scores(model.cluster_labels_, frame), scores(model.labels_, frame)
        lines.append(f"{f'{size}/{samples}':>29} {kept['unassigned']:6.1%} "
                     f"{kept['NMI class']:6.3f}/{kept['NMI department']:.3f} "
                     f"{assigned['NMI class']:7.3f}/{assigned['NMI department']:.3f} "
                     f"{assigned['segments']:9d}")
    return "\n".join(lines)


def print_table(table: pd.DataFrame) -> None:
    def cell(column: str, value: object) -> str:
        if pd.isna(value):
            return "-"
        if column == "unassigned":
            return f"{value:.1%}"
        if column == "segments":
            return f"{value:.0f}"
        if column.endswith(" s") or column.endswith("MB"):
            return f"{value:.0f}" if column.endswith("MB") else f"{value:.1f}"
        return f"{value:.3f}"

    print("\n| | " + " | ".join(table.columns) + " |")
    print("|---" + "|---:" * len(table.columns) + "|")
    for name, row in table.iterrows():
        print(f"| {name} | " + " | ".join(cell(c, row[c]) for c in table.columns) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--n", type=int, default=10_000, help="seeded sample of reviews "
                        "(default 10000; 0 = all 22,641)")
    parser.add_argument("--seed", type=int, default=0, help="sample, UMAP and BERTopic seed")
    parser.add_argument("--systems", nargs="*", choices=SYSTEMS, default=SYSTEMS,
                        help="systems to time (default: all; none: the sweep only)")
    parser.add_argument("--jobs", type=int, default=1, help="systems run at the same time "
                        "(default 1; more share a loaded machine's cores alike, see CPU s)")
    parser.add_argument("--no-sweep", action="store_true", help="skip the HDBSCAN sweep")
    parser.add_argument("--child", choices=[*SYSTEMS, "sweep"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args, args.folder)
        return

    started = time.perf_counter()
    print(machine_note(), flush=True)
    frame = clothing_sample(args.n or None, seed=args.seed, data=args.data)
    texts = frame[TEXT].astype(str).tolist()
    print(f"{len(texts)} clothing reviews (seed {args.seed})", flush=True)
    vectors = shared_vectors(texts)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(1) as side:
        folder = Path(tmp)
        (folder / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        np.save(folder / "vectors.npy", vectors, allow_pickle=False)
        frame[LABELS].to_json(folder / "labels.json", orient="records")
        # the untimed sweep runs in its own process (a clean one: this one has loaded torch)
        # while the timed systems run in theirs
        swept = None if args.no_sweep else side.submit(
            run_fresh, [sys.executable, __file__, "--child", "sweep", "--folder", str(folder),
                        "--seed", str(args.seed)])
        if args.systems:
            print_table(compare(args, folder, frame))
        if swept is not None:
            print("\n" + json.loads(swept.result().output.split("RESULT ", 1)[1])["report"])
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
