"""What moves NMI at the segment level: HDBSCAN's settings and how noise joins a segment.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/segment_knobs.py [--n 10000] [--seeds 5]

The same data and vectors as ``benchmarks/stability.py`` (same ``--cache``). Each random
state's default layout (UMAP, ``SegmentModel(language="off", random_state=seed)``) is computed once;
on it, HDBSCAN is run again at other settings (``min_cluster_size`` as a factor of the
automatic size, ``min_samples``, ``cluster_selection_epsilon``) and its noise joins by a vote
of its 15 nearest clustered neighbours in the layout, as in a fit. For the default segments,
noise also joins by other rules: the nearest segment centroid at cosine ≥ 0.3 (the rule
before the vote), a vote in the full vectors, through the themes (the theme whose centroid, the
mean of its clustered items, is most similar, then that theme's most similar segment), and the
nearest centroid at any similarity; the themes are scored under each rule, beside KMeans told
the number of classes on the 384-d vectors. Last, on the
items HDBSCAN clustered only (noise left out): the default themes, the best themes any grouping
of the segments could give (each segment replaced by its most common label: a ceiling, it reads
the labels) and KMeans. Printed per corpus: NMI per label (mean ± sd over the random states)
and the pairwise ARI between the random states' segmentations. ``--noise-only`` skips the
HDBSCAN settings and the votes.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
from _perf import add_data_argument, load_note, machine_note
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from stability import CORPORA, load_corpus, model_for, nmi, theme_labels, vectors_of

GRID = {
    "default (size, size/2, 0)": (1.0, 2, 0.0),
    "min_samples 5": (1.0, None, 0.0),
    "min_samples size/5": (1.0, 5, 0.0),
    "min_samples size": (1.0, 1, 0.0),
    "min_cluster_size x0.7": (0.7, 2, 0.0),
    "min_cluster_size x1.4": (1.4, 2, 0.0),
    "epsilon 0.2": (1.0, 2, 0.2),
}
"""Name → (factor on the automatic ``min_cluster_size``, divisor of the size giving
``min_samples`` or None for 5, ``cluster_selection_epsilon``)."""


def recluster(reduced: np.ndarray, size: int, knob: tuple) -> np.ndarray:
    """HDBSCAN at ``knob`` on a layout, noise joining by the vote of its layout neighbours."""
    from hdbscan import HDBSCAN

    from noomarketing.outliers import vote_noise

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
    return vote_noise(labels, reduced)


def vote(space: np.ndarray, model) -> np.ndarray:
    """The model's segments with its HDBSCAN noise joining by the vote of 15 clustered
    neighbours in ``space`` (unit vectors: Euclidean neighbours are the cosine ones)."""
    from noomarketing.outliers import vote_noise

    clustered = np.asarray(model.cluster_labels_) >= 0
    return vote_noise(np.where(clustered, model.labels_, -1), space)


def noise_rules(model, vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Segments with HDBSCAN's noise joining by other rules than the layout vote: the nearest
    centroid at cosine >= 0.3 (the rule before the vote), the vote leaving unassigned what that
    rule leaves unassigned, through the nearest theme (the theme whose centroid, the mean of
    its clustered items, is most similar, then that theme's most similar segment; the same
    items join as by the centroid rule) and the nearest centroid at any similarity."""
    from noomarketing.outliers import unit_mean

    vectors = np.asarray(vectors, dtype=np.float32)
    noise = np.asarray(model.cluster_labels_) < 0
    clustered = np.where(noise, -1, model.labels_)
    themes = model.themes_
    of_item = themes[np.maximum(clustered, 0)]
    centres = np.stack(
        [unit_mean(vectors[(clustered >= 0) & (of_item == t)]) for t in range(themes.max() + 1)]
    )
    sims = vectors[noise] @ model.centroids_.T
    nearest_theme = (vectors[noise] @ centres.T).argmax(axis=1)
    within = np.where(themes[None, :] == nearest_theme[:, None], sims, -np.inf).argmax(axis=1)
    joins = sims.max(axis=1) >= model.outlier_threshold
    rules = {}
    for name, segment, gate in (
        ("noise by nearest centroid, cosine ≥ 0.3", sims.argmax(axis=1), joins),
        (
            "noise by the vote, below cosine 0.3 to every centroid unassigned",
            np.asarray(model.labels_)[noise],
            joins,
        ),
        ("noise by nearest theme, then its segment", within, joins),
        ("noise at any similarity", sims.argmax(axis=1), np.ones_like(joins)),
        ("noise by nearest theme at any similarity", within, np.ones_like(joins)),
    ):
        labels = clustered.copy()
        labels[noise] = np.where(gate, segment, -1)
        rules[name] = labels
    return rules


def themes_of(model, labels: np.ndarray) -> np.ndarray:
    return np.where(labels >= 0, model.themes_[np.maximum(labels, 0)], -1)


def best_union(labels: np.ndarray, truth) -> np.ndarray:
    """Each segment replaced by its most common label among its items: the best themes any
    grouping of these segments could give (a ceiling, it reads the labels)."""
    known = truth.notna().to_numpy()
    values = truth.astype(str).to_numpy()
    out = np.full(len(labels), -1, dtype=np.int64)
    for segment in set(labels.tolist()) - {-1}:
        members = (labels == segment) & known
        found, counts = np.unique(values[members], return_counts=True)
        out[labels == segment] = int(
            np.flatnonzero(np.unique(values[known]) == found[counts.argmax()])[0]
        )
    return out


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
    parser.add_argument(
        "--noise-only",
        action="store_true",
        help="only the noise rules and the themes' ceiling (no HDBSCAN settings, no votes)",
    )
    args = parser.parse_args()
    import noomarketing as nm

    started = time.perf_counter()
    print(machine_note(), flush=True)
    for corpus in args.corpora:
        texts, truth = load_corpus(corpus, args.n, args.data)
        vectors = vectors_of(texts, args.cache)
        size = nm.segmentation.auto_min_cluster_size(len(texts))
        grid = {} if args.noise_only else GRID
        runs: dict[str, list[np.ndarray]] = {name: [] for name in ["default", *grid]}
        themes: dict[str, list[np.ndarray]] = {"default themes": []}
        clustered, union, kmeans = [], [], []
        label = truth.columns[0]
        for seed in range(args.seeds):
            model = model_for({}, seed, len(texts)).fit(texts, embeddings=vectors)
            runs["default"].append(np.asarray(model.labels_))
            themes["default themes"].append(theme_labels(model))
            for name, knob in grid.items():
                runs[name].append(recluster(model.reduced_, size, knob))
            if not args.noise_only:
                runs.setdefault("noise by 15 neighbours, 384-d vectors", []).append(
                    vote(vectors, model)
                )
            for name, labels in noise_rules(model, vectors).items():
                runs.setdefault(name, []).append(labels)
                themes.setdefault(f"themes, {name}", []).append(themes_of(model, labels))
            keep = np.asarray(model.cluster_labels_) >= 0
            clustered.append(keep)
            union.append(best_union(np.where(keep, model.labels_, -1), truth[label]))
            k = truth[label].nunique()
            kmeans.append(KMeans(k, n_init=3, random_state=seed).fit_predict(vectors))
        names = " | ".join(f"NMI {c.split()[0].lower()}" for c in truth.columns)
        print(f"\n{corpus}: {len(texts)} texts, {args.seeds} seeds; {load_note()}")
        print(f"\n| segments | {names} | ARI between seeds |")
        print("|---" * (len(truth.columns) + 2) + "|")
        for name, found in runs.items():
            print(row(name, found, truth), flush=True)
        for name, found in themes.items():
            print(row(name, found, truth), flush=True)
        print(row(f"KMeans k={k} ({label}), 384-d vectors", kmeans, truth))
        print(
            f"\nOn HDBSCAN's clustered items only ({np.mean([c.mean() for c in clustered]):.1%}):"
        )
        print(f"\n| items | {names} | ARI between seeds |")
        print("|---" * (len(truth.columns) + 2) + "|")
        default_themes = themes["default themes"]
        print(row("default themes", default_themes, truth, clustered))
        print(row(f"best union of segments ({label} read)", union, truth, clustered))
        print(row(f"KMeans k={k} ({label}), 384-d vectors", kmeans, truth, clustered))
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
