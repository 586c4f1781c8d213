"""Is the default embedder as good as the torch path? Segments' NMI over several seeds, one run.

The default (int8 ONNX export of all-MiniLM-L6-v2), the same model through torch, and the
static model distilled from it (``--models``) each embed the same seeded sample of clothing
reviews once (through noomarketing's embedding cache; the time of a cold embedding of the
first ``--speed-n`` texts is printed beside it). Then ``SegmentModel(language="off")`` is fitted
on each model's vectors with every seed in ``--seeds``: NMI against ``Department Name`` and
``Class Name`` (unassigned rows count as one more group), segments and the unassigned share,
mean and range over the random states. KMeans told the number of departments is a view of
the vectors that does not depend on the clusterer. The cosine of each model's vectors to
torch's is printed too.

    PYTHONPATH=src .venv/bin/python benchmarks/default_quality.py --n 10000 --seeds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _perf import add_data_argument, clothing_sample, load_note, machine_note, markdown, nmi

MODELS = ("default", "torch", "static")
TRUTH = ("Department Name", "Class Name")


def embed(name: str, texts: list[str], speed_n: int) -> tuple[np.ndarray, float]:
    """The model's vectors of ``texts`` (cached on disk) and its cold texts/s on a prefix."""
    from noomarketing.embedding import CachedEmbedder, encode_unit, resolve_embedder

    if name == "static":  # benchmark-local: the library no longer offers it
        from _static import StaticEmbedder

        embedder = StaticEmbedder()
    else:
        embedder = resolve_embedder(name)
    if hasattr(embedder, "progress"):
        embedder.progress = False
    head = texts[:speed_n]
    embedder.encode(head[:8])  # load the model outside the timing
    clock = time.perf_counter()
    embedder.encode(head)
    speed = len(head) / (time.perf_counter() - clock)
    vectors = encode_unit(CachedEmbedder(embedder), texts)
    return np.asarray(vectors, dtype=np.float32), speed


def segment_scores(vectors: np.ndarray, texts: list[str], frame: pd.DataFrame,
                   seed: int, neighbours: int | None = None) -> dict[str, float]:
    """NMI of one seeded ``SegmentModel`` fit against each truth column, and its shape
    (``neighbours``: UMAP's ``n_neighbors``, ``None`` the default)."""
    import noomarketing as nm

    clock = time.process_time()
    model = nm.SegmentModel(language="off", random_state=seed, progress=False,
                            n_neighbors=neighbours)
    labels = np.asarray(model.fit(texts, embeddings=vectors).labels_)
    found = {f"NMI {column.split()[0].lower()}": nmi(frame[column], labels) for column in TRUTH}
    return found | {"segments": float(len(set(labels[labels >= 0].tolist()))),
                    "unassigned": float(np.mean(labels < 0)),
                    "cpu_s": time.process_time() - clock}


def kmeans_nmi(vectors: np.ndarray, frame: pd.DataFrame, seeds: list[int]) -> float:
    from sklearn.cluster import KMeans

    k = frame[TRUTH[0]].nunique()
    return float(np.mean([nmi(frame[TRUTH[0]], KMeans(k, n_init=3, random_state=seed)
                              .fit_predict(vectors)) for seed in seeds]))


def spread(values: list[float], digits: int = 3) -> str:
    return f"{np.mean(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(parser)
    parser.add_argument("--n", type=int, default=10000, help="seeded sample of reviews")
    parser.add_argument("--sample-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4],
                        help="SegmentModel seeds (UMAP)")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--neighbours", type=int, nargs="*", default=[],
                        help="also UMAP at these n_neighbors, each model on the same vectors")
    parser.add_argument("--speed-n", type=int, default=300,
                        help="texts embedded without the cache to time each model")
    args = parser.parse_args()
    print(machine_note(), flush=True)
    frame = clothing_sample(args.n, seed=args.sample_seed, data=args.data)
    texts = frame["Review Text"].astype(str).tolist()
    vectors, speeds = {}, {}
    for name in args.models:
        clock = time.perf_counter()
        vectors[name], speeds[name] = embed(name, texts, args.speed_n)
        print(f"{name}: vectors in {time.perf_counter() - clock:.1f} s (cache), "
              f"{speeds[name]:.0f} texts/s cold on {min(args.speed_n, len(texts))}", flush=True)
    rows = []
    for name, neighbours in [(m, k) for m in args.models for k in [None, *args.neighbours]]:
        runs = [segment_scores(vectors[name], texts, frame, seed, neighbours)
                for seed in args.seeds]
        label = name if neighbours is None else f"{name}, {neighbours} neighbours"
        for seed, run in zip(args.seeds, runs, strict=True):
            print(f"  {label} seed {seed}: " + ", ".join(f"{k} {v:.3f}" for k, v in run.items()),
                  flush=True)
        same_space = "torch" in vectors and vectors[name].shape == vectors["torch"].shape
        cosine = (np.mean(np.sum(vectors[name] * vectors["torch"], axis=1))
                  if same_space else float("nan"))
        rows.append({
            "model": label, "texts/s": f"{speeds[name]:.0f}", "cosine to torch": f"{cosine:.3f}",
            **{key: spread([run[key] for run in runs])
               for key in ("NMI department", "NMI class")},
            "segments": spread([run["segments"] for run in runs], 1),
            "unassigned": spread([100 * run["unassigned"] for run in runs], 1) + " %",
            "KMeans k=dept NMI": f"{kmeans_nmi(vectors[name], frame, args.seeds):.3f}",
            "fit CPU s": f"{np.mean([run['cpu_s'] for run in runs]):.1f}",
        })
    print(f"\n{len(texts):,} reviews (sample seed {args.sample_seed}), SegmentModel seeds "
          f"{args.seeds}: mean (min-max)")
    print(markdown(pd.DataFrame(rows)))
    print(f"\nend: {load_note()}")


if __name__ == "__main__":
    main()
