"""Seed stability of the segments, and the gap to KMeans told the true number of classes.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/stability.py [--n 10000] [--seeds 5]

Data: a seeded sample (seed 0) of ``--n`` clothing reviews (labels ``Class Name`` and
``Department Name``) and the BBC news articles (label ``label``) from ``--data`` (default
``../shared/data`` next to the repository). Each corpus is embedded ONCE with the default
embedder (the bundled all-MiniLM-L6-v2, int8 ONNX) and the vectors are kept in a ``.npy`` under
``--cache`` (a temporary folder by default, never the repository), so that the random states
vary only UMAP and what follows it. ``--windows 128 64`` also embeds each corpus with the int8 ONNX
MiniLM reading at most that many word pieces (the default embedder reads 256), each kept in its
own ``.npy``, and fits the first setting on those vectors too.

For each setting (``--settings``; ``default`` is ``SegmentModel``'s defaults) and each seed
0..``--seeds``-1 the script fits ``SegmentModel(language="off", random_state=seed)`` on the
vectors and prints, per corpus: the number of segments (min-max), NMI against each label as
mean ± standard deviation over the random states, the pairwise ARI between their segmentations
(mean and min), and the CPU seconds of one fit (its layout computed: no layout cache); then
the same for the themes the model groups its segments into (``themes_``, sized without labels:
:mod:`noomarketing.themes`). Beside
them: KMeans told the true number of classes, on the full 384-d vectors and on the setting's
UMAP space (5 seeds of KMeans too), scored the same way, so the gap to a told-k clusterer is
always visible.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import TEXT, add_data_argument, clothing_sample, load_note, machine_note, nmi
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

SETTINGS: dict[str, dict] = {
    "default": {},
    "epochs 100": {"n_epochs": 100},
    "epochs 200": {"n_epochs": 200},
    "epochs 500": {"n_epochs": 500},
    "neighbours 10": {"n_neighbors": 10},
    "neighbours 15": {"n_neighbors": 15},
    "neighbours 30": {"n_neighbors": 30},
    "neighbours 50": {"n_neighbors": 50},
    "neighbours 100": {"n_neighbors": 100},
    "components 10": {"n_components": 10},
    "min_dist 0.1": {"min_dist": 0.1},
    "3 layouts": {"layouts": 3},
    "leaf": {"selection": "leaf"},
    "size x1.4": {"size_factor": 1.4},
    "size x2": {"size_factor": 2.0},
    "samples size/5": {"samples_divisor": 5},
    "samples size": {"samples_divisor": 1},
    "noise nearest": {"outliers": "nearest"},
}
"""Settings compared: keyword arguments of ``SegmentModel`` (``size_factor`` multiplies the
automatic ``min_cluster_size``; ``samples_divisor`` sets ``min_samples`` to the automatic size
over it instead of over 2; ``selection`` is HDBSCAN's cluster selection method;
``layouts`` runs the default UMAP with that many seeds, side by side: ``LayoutEnsemble``)."""

CORPORA = {"clothing": ["Class Name", "Department Name"], "bbc": ["label"]}


def load_corpus(name: str, n: int, data: Path) -> tuple[list[str], pd.DataFrame]:
    """Texts and label columns of one corpus (a seeded sample of ``n`` clothing reviews)."""
    if name == "clothing":
        frame = clothing_sample(n or None, seed=0, data=data)
        return frame[TEXT].astype(str).tolist(), frame[CORPORA[name]]
    path = (data if data.is_dir() else data.parent) / "bbc_news.csv.gz"
    frame = pd.read_csv(path)
    frame = frame[frame["text"].fillna("").str.strip() != ""].reset_index(drop=True)
    return frame["text"].astype(str).tolist(), frame[CORPORA[name]]


def vectors_of(texts: list[str], cache: Path, window: int | None = None) -> np.ndarray:
    """The default embedder's vectors of ``texts``, computed once and kept in ``cache``;
    ``window``: the int8 ONNX embedder reading at most that many word pieces instead."""
    key = hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache / f"vectors-{key}{'' if window is None else f'-{window}t'}.npy"
    if path.exists():
        return np.load(path, allow_pickle=False)
    from noomarketing.embedding import OnnxEmbedder, default_embedder

    clock = time.perf_counter()
    embedder = (
        default_embedder(progress=False)
        if window is None
        else OnnxEmbedder(max_tokens=window, progress=False)
    )
    vectors = np.asarray(embedder.encode(texts), dtype=np.float32)
    print(
        f"  embedded {len(texts)} texts in {time.perf_counter() - clock:.0f} s (kept in {path})",
        flush=True,
    )
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors, allow_pickle=False)
    return vectors


def word_pieces(texts: list[str]) -> np.ndarray:
    """How many word pieces (special tokens included) the bundled MiniLM makes of each text."""
    from tokenizers import Tokenizer

    from noomarketing.embedding.onnx import default_model_path

    tokenizer = Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return np.array([len(found.ids) for found in tokenizer.encode_batch(texts)])


def model_for(setting: dict, seed: int, n: int):
    """A ``SegmentModel`` for one setting and seed (``size_factor``/``selection`` unpacked)."""
    from hdbscan import HDBSCAN

    import noomarketing as nm
    from noomarketing.clustering import auto_min_samples
    from noomarketing.consensus import LayoutEnsemble

    kwargs = dict(setting)
    factor, selection = kwargs.pop("size_factor", None), kwargs.pop("selection", None)
    if "samples_divisor" in kwargs:
        size = nm.segmentation.auto_min_cluster_size(n)
        kwargs["min_samples"] = max(2, size // kwargs.pop("samples_divisor"))
    if "layouts" in kwargs:
        kwargs["reducer"] = LayoutEnsemble(
            lambda run_seed, vectors: nm.SegmentModel(random_state=run_seed)._default_reducer(
                vectors
            ),
            seed,
            runs=kwargs.pop("layouts"),
        )
    if factor or selection:
        size = round((factor or 1.0) * nm.segmentation.auto_min_cluster_size(n))
        kwargs["clusterer"] = HDBSCAN(
            min_cluster_size=size,
            min_samples=auto_min_samples(size),
            cluster_selection_method=selection or "eom",
            core_dist_n_jobs=1,
        )
    # use_cache=False: every fit lays its vectors out (no layout read from the cache folder),
    # so that the CPU seconds count UMAP and nothing is written outside --cache
    return nm.SegmentModel(
        language="off", random_state=seed, progress=False, use_cache=False, **kwargs
    )


def summary(runs: list[np.ndarray], truth: pd.DataFrame) -> dict[str, str]:
    """Segments, NMI per label (mean ± sd) and pairwise ARI (mean, min) of several runs."""
    counts = [len(set(r[r >= 0].tolist())) for r in runs]
    row = {
        "segments": f"{min(counts)}-{max(counts)}" if min(counts) != max(counts) else str(counts[0])
    }
    for column in truth.columns:
        values = [nmi(truth[column], r) for r in runs]
        row[f"NMI {column.split()[0].lower()}"] = f"{np.mean(values):.3f} ± {np.std(values):.3f}"
    pairs = [adjusted_rand_score(a, b) for a, b in itertools.combinations(runs, 2)]
    row["ARI between seeds"] = f"{np.mean(pairs):.3f} (min {min(pairs):.3f})" if pairs else "-"
    return row


def kmeans_runs(space: np.ndarray, k: int, seeds: int) -> list[np.ndarray]:
    return [KMeans(k, n_init=3, random_state=s).fit_predict(space) for s in range(seeds)]


def theme_labels(model) -> np.ndarray:
    """Each item's theme: the theme of its segment (-1 when it has none)."""
    labels = np.asarray(model.labels_)
    return np.where(labels >= 0, model.themes_[np.maximum(labels, 0)], -1)


def measure(
    name: str, setting: dict, texts: list[str], vectors: np.ndarray, truth: pd.DataFrame, seeds: int
) -> tuple[list[dict], np.ndarray]:
    """One setting over the random states: its summary rows (segments, then themes, whose "segments"
    column counts themes) and the first seed's UMAP space."""
    runs, themes, cpu, reduced = [], [], [], None
    for seed in range(seeds):
        clock = time.process_time()
        model = model_for(setting, seed, len(texts)).fit(texts, embeddings=vectors)
        cpu.append(time.process_time() - clock)
        runs.append(np.asarray(model.labels_))
        themes.append(theme_labels(model))
        if reduced is None:
            reduced = model.reduced_
    rows = [
        {"setting": name, **summary(runs, truth), "CPU s a fit": f"{np.mean(cpu):.1f}"},
        {"setting": f"{name}: themes", **summary(themes, truth), "CPU s a fit": "-"},
    ]
    for row in rows:
        print("  " + ", ".join(f"{k} {v}" for k, v in row.items()), f"; {load_note()}", flush=True)
    return rows, reduced


def told_k(vectors: np.ndarray, reduced: np.ndarray, truth: pd.DataFrame, seeds: int) -> list[dict]:
    """KMeans told each label's number of classes, full-dim and on the UMAP space."""
    rows = []
    for column in truth.columns:
        k = truth[column].nunique()
        for space, vecs in (("384-d vectors", vectors), ("UMAP space", reduced)):
            found = summary(kmeans_runs(vecs, k, seeds), truth)
            rows.append(
                {"setting": f"KMeans k={k} ({column}), {space}", **found, "CPU s a fit": "-"}
            )
    return rows


def print_table(rows: list[dict]) -> None:
    columns = list(rows[0])
    print("\n| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "-")) for c in columns) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument(
        "--n",
        type=int,
        default=10_000,
        help="seeded sample of clothing reviews (default 10000; 0 = all)",
    )
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument(
        "--settings",
        nargs="*",
        choices=list(SETTINGS),
        default=["default"],
        help="settings compared (default: the defaults only)",
    )
    parser.add_argument("--corpora", nargs="*", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument(
        "--cache",
        type=Path,
        default=Path(tempfile.gettempdir()) / "noomarketing-stability",
        help="folder for the vectors' .npy (default: a folder in the system's temporary directory)",
    )
    parser.add_argument(
        "--windows",
        type=int,
        nargs="*",
        default=[],
        help="also embed with the int8 ONNX MiniLM reading at most this many word pieces "
        "(the default embedder reads 256) and fit the first setting on those vectors",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    print(machine_note(), flush=True)
    for corpus in args.corpora:
        texts, truth = load_corpus(corpus, args.n, args.data)
        print(f"\n{corpus}: {len(texts)} texts, {args.seeds} seeds", flush=True)
        vectors = vectors_of(texts, args.cache)
        rows, reduced = [], None
        for name in args.settings:
            found, space = measure(name, SETTINGS[name], texts, vectors, truth, args.seeds)
            rows += found
            reduced = space if reduced is None else reduced
        if args.windows:
            lengths = word_pieces(texts)
            print(
                f"  word pieces a text: median {np.median(lengths):.0f}, max {lengths.max()}; "
                + ", ".join(
                    f"{np.mean(lengths > w):.1%} longer than {w}" for w in [*args.windows, 256]
                ),
                flush=True,
            )
        for window in args.windows:
            first = args.settings[0]
            found, _ = measure(
                f"{first}, window {window} word pieces",
                SETTINGS[first],
                texts,
                vectors_of(texts, args.cache, window),
                truth,
                args.seeds,
            )
            rows += found
        rows += told_k(vectors, reduced, truth, args.seeds)
        print_table(rows)
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
