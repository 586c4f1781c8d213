"""Could small inputs skip UMAP? Segments' NMI with UMAP beside PCA, same vectors, one run.

A reducer without numba would spare a small run the import of numba, pynndescent and UMAP
(~1.4 s of CPU) and the layout. It is worth it only if its segments are as good: this prints,
for several seeds, the NMI against the department and the class of ``SegmentModel(
language="off")`` with the default UMAP and with PCA in its place (HDBSCAN after both), on the
first ``--n`` reviews of the seeded 10,000-review sample that ``scale.py --rerun`` embeds (so a
machine that ran it has the vectors cached), embedded with the default model.

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/small_reducer.py --n 1500
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _perf import TEXT, add_data_argument, clothing_sample, load_note, machine_note, nmi


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--n", type=int, default=1500, help="reviews (default 1500)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--components",
        type=int,
        nargs="+",
        default=[5, 10],
        help="PCA dimensions to try (default 5 10)",
    )
    args = parser.parse_args()

    from sklearn.decomposition import PCA

    import noomarketing as nm
    from noomarketing.embedding import CachedEmbedder, encode_unit, resolve_embedder

    print(machine_note(), flush=True)
    frame = clothing_sample(10_000, 0, args.data).head(args.n)
    texts = frame[TEXT].astype(str).tolist()
    vectors = encode_unit(CachedEmbedder(resolve_embedder(None)), texts)
    truths = {"department": frame["Department Name"], "class": frame["Class Name"]}

    def fit(seed: int, reducer: object | None) -> tuple[dict[str, float], int, float]:
        model = nm.SegmentModel(
            language="off", random_state=seed, progress=False, reducer=reducer, use_cache=False
        )
        clock = time.process_time()
        model.fit(texts, embeddings=vectors)
        cpu = time.process_time() - clock
        return {k: nmi(t, model.labels_) for k, t in truths.items()}, model.n_segments_, cpu

    rows: dict[str, list] = {}
    for seed in args.seeds:
        rows.setdefault("UMAP (default)", []).append(fit(seed, None))
        for k in args.components:
            rows.setdefault(f"PCA {k}", []).append(fit(seed, PCA(k, random_state=seed)))
        print(f"seed {seed} done", flush=True)

    print(f"\n{args.n} reviews, seeds {args.seeds}; {load_note()}")
    print(
        f"{'reducer':16} {'NMI department: mean (min-max)':>32} {'NMI class: mean':>16} "
        f"{'segments':>10} {'CPU s per fit':>14}"
    )
    for name, found in rows.items():
        dept = np.array([f[0]["department"] for f in found])
        klass = np.array([f[0]["class"] for f in found])
        sizes = [f[1] for f in found]
        print(
            f"{name:16} {dept.mean():>14.3f} ({dept.min():.3f}-{dept.max():.3f})"
            f"{'':>6} {klass.mean():>16.3f} {np.mean(sizes):>10.1f} "
            f"{np.mean([f[2] for f in found]):>14.2f}"
        )


if __name__ == "__main__":
    main()
