"""What moves NMI at the segment level: HDBSCAN's settings and how noise joins a segment.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/segment_knobs.py [--n 10000] [--seeds 5]

The same data and vectors as ``benchmarks/stability.py`` (same ``--cache``). Each seed's
default layout (UMAP, ``SegmentModel(language="off", random_state=seed)``) is computed once;
on it, HDBSCAN is run again at other settings (``min_cluster_size`` as a factor of the
automatic size, ``min_samples``, ``cluster_selection_epsilon``) and its noise joins the nearest
segment centroid at cosine ≥ 0.3, as in a fit. For the default segments, noise also joins by a
vote of its 15 nearest clustered neighbours, in the UMAP space or in the full vectors. Last,
the default themes are scored on the items HDBSCAN clustered only (noise left out), which
bounds what a better noise rule could give them. Printed per corpus: NMI per label (mean ±
sd over the seeds) and the pairwise ARI between seeds.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
from _perf import add_data_argument, load_note, machine_note
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import KNeighborsClassifier
from stability import CORPORA, load_corpus, model_for, nmi, theme_labels, vectors_of

GRID = {
    "default (size, size/5, 0)": (1.0, 5, 0.0),
    "min_samples 5": (1.0, None, 0.0),
    "min_samples size/2": (1.0, 2, 0.0),
    "min_samples size": (1.0, 1, 0.0),
    "min_cluster_size x0.7": (0.7, 5, 0.0),
    "min_cluster_size x1.4": (1.4, 5, 0.0),
    "epsilon 0.2": (1.0, 5, 0.2),
}
"""Name → (factor on the automatic ``min_cluster_size``, divisor of the size giving
``min_samples`` or None for 5, ``cluster_selection_epsilon``)."""


def recluster(reduced: np.ndarray, vectors: np.ndarray, size: int, knob: tuple) -> np.ndarray:
    """HDBSCAN at ``knob`` on a layout, noise joining the nearest centroid (cosine ≥ 0.3)."""
    from hdbscan import HDBSCAN

    from noomarketing.outliers import nearest_segments, unit_mean

    factor, divisor, epsilon = knob
    cluster_size = max(2, round(factor * size))
    samples = 5 if divisor is None else max(2, cluster_size // divisor)
    raw = HDBSCAN(
        min_cluster_size=cluster_size,
        min_samples=samples,
        cluster_selection_epsilon=epsilon,
        core_dist_n_jobs=1,
    ).fit_predict(reduced)
    found = sorted(set(raw.tolist()) - {-1})
    if not found:
        return np.zeros(len(raw), dtype=np.int64)
    labels = np.array([found.index(c) if c >= 0 else -1 for c in raw], dtype=np.int64)
    centroids = np.stack([unit_mean(vectors[labels == s]) for s in range(len(found))])
    noise = labels < 0
    labels[noise], _ = nearest_segments(vectors[noise], centroids, 0.3)
    return labels


def vote(space: np.ndarray, model, metric: str) -> np.ndarray:
    """The model's labels with its HDBSCAN noise joining by a vote of 15 clustered neighbours."""
    labels = np.asarray(model.labels_).copy()
    clustered = np.asarray(model.cluster_labels_) >= 0
    knn = KNeighborsClassifier(15, metric=metric).fit(space[clustered], labels[clustered])
    labels[~clustered] = knn.predict(space[~clustered])
    return labels


def row(name: str, runs: list[np.ndarray], truth, keep: list[np.ndarray] | None = None) -> str:
    parts = []
    for column in truth.columns:
        values = [
            nmi(truth[column][k].reset_index(drop=True), r[k]) if keep else nmi(truth[column], r)
            for r, k in zip(runs, keep or runs, strict=True)
        ]
        parts.append(f"{np.mean(values):.3f} ± {np.std(values):.3f}")
    pairs = [adjusted_rand_score(a, b) for a, b in itertools.combinations(runs, 2)]
    ari = f"{np.mean(pairs):.3f}" if pairs and not keep else "-"
    return f"| {name} | " + " | ".join(parts) + f" | {ari} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--n", type=int, default=10_000, help="clothing reviews (default 10000)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--corpora", nargs="*", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--cache", type=Path, required=True, help="stability.py's --cache")
    args = parser.parse_args()
    import noomarketing as nm

    started = time.perf_counter()
    print(machine_note(), flush=True)
    for corpus in args.corpora:
        texts, truth = load_corpus(corpus, args.n, args.data)
        vectors = vectors_of(texts, args.cache)
        size = nm.segmentation.auto_min_cluster_size(len(texts))
        runs: dict[str, list[np.ndarray]] = {name: [] for name in GRID}
        extra: dict[str, list[np.ndarray]] = {
            "noise by 15 neighbours, UMAP space": [],
            "noise by 15 neighbours, 384-d vectors": [],
        }
        themes, clustered = [], []
        for seed in range(args.seeds):
            model = model_for({}, seed, len(texts)).fit(texts, embeddings=vectors)
            for name, knob in GRID.items():
                runs[name].append(recluster(model.reduced_, vectors, size, knob))
            extra["noise by 15 neighbours, UMAP space"].append(
                vote(model.reduced_, model, "euclidean")
            )
            extra["noise by 15 neighbours, 384-d vectors"].append(vote(vectors, model, "cosine"))
            themes.append(theme_labels(model))
            clustered.append(np.asarray(model.cluster_labels_) >= 0)
        names = " | ".join(f"NMI {c.split()[0].lower()}" for c in truth.columns)
        print(f"\n{corpus}: {len(texts)} texts, {args.seeds} seeds; {load_note()}")
        print(f"\n| segments | {names} | ARI between seeds |")
        print("|---" * (len(truth.columns) + 2) + "|")
        for name, found in {**runs, **extra}.items():
            print(row(name, found, truth), flush=True)
        print(row("default themes", themes, truth))
        print(row("default themes, HDBSCAN's clustered items only", themes, truth, clustered))
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
