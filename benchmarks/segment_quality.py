"""Segment quality on real reviews: noomarketing vs BERTopic, same model and seed, same run.

    .venv/bin/python benchmarks/segment_quality.py [--n 22641] [--seed 0]

Data: ``../shared/data/clothing_reviews.csv.gz`` (text ``Review Text``; labels ``Class Name``
and ``Department Name``). Each system runs in its own fresh process (``--child``) that reports
its stage timings and peak RSS. Both get the same all-MiniLM-L6-v2 vectors: ours through its
on-disk cache, BERTopic as precomputed embeddings (so the comparison is about segmentation, not
about who embedded first; the embedding cost itself is measured in benchmarks/end_to_end.py).
BERTopic is a benchmark-only extra: ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "clothing_reviews.csv.gz"
LABELS = ["Class Name", "Department Name"]


def load_reviews(path: Path, n: int | None, seed: int) -> pd.DataFrame:
    frame = pd.read_csv(path)
    frame = frame[frame["Review Text"].fillna("").str.strip() != ""].reset_index(drop=True)
    if n is not None and n < len(frame):
        frame = frame.sample(n=n, random_state=seed).reset_index(drop=True)
    return frame


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_ours(csv: Path, out: Path, seed: int) -> dict:
    start = time.perf_counter()
    from noomarketing.cli import main

    code = main(["segment", str(csv), "--text", "Review Text", "--out", str(out),
                 "--seed", str(seed), "--no-progress"])
    wall = time.perf_counter() - start
    info = json.loads((out / "segments.json").read_text())["segmentation"]
    labels = pd.read_csv(out / "assignments.csv")["segment"].fillna(-1).astype(int).tolist()
    return {"exit": code, "wall_s": wall, "stages_s": info["timings_s"], "labels": labels,
            "peak_rss_mb": peak_rss_mb()}


def child_bertopic(csv: Path, seed: int) -> dict:
    start = time.perf_counter()
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from sentence_transformers import SentenceTransformer
    from umap import UMAP

    import noomarketing as nm
    from noomarketing.embedding import CachedEmbedder, SentenceTransformerEmbedder

    stages = {"import": time.perf_counter() - start}
    texts = pd.read_csv(csv)["Review Text"].astype(str).tolist()
    clock = time.perf_counter()
    vectors = CachedEmbedder(SentenceTransformerEmbedder(progress=False)).encode(texts)
    stages["embed (cached vectors)"] = time.perf_counter() - clock
    clock = time.perf_counter()
    model = BERTopic(
        embedding_model=SentenceTransformer(str(nm.embedding.default_model_path())),
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                        random_state=seed),
        hdbscan_model=HDBSCAN(min_cluster_size=10, metric="euclidean",
                              cluster_selection_method="eom", prediction_data=True),
    )
    topics, _ = model.fit_transform(texts, embeddings=vectors)
    stages["reduce+cluster+represent"] = time.perf_counter() - clock
    return {"exit": 0, "wall_s": time.perf_counter() - start, "stages_s": stages,
            "labels": [int(t) for t in topics], "peak_rss_mb": peak_rss_mb()}


def run_child(kind: str, csv: Path, out: Path, seed: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--csv", str(csv), "--out", str(out),
         "--seed", str(seed)],
        capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def scores(labels: list[int], frame: pd.DataFrame) -> dict:
    pred = np.asarray(labels)
    result = {
        "segments": len(set(pred[pred >= 0].tolist())),
        "unassigned": float(np.mean(pred < 0)),
    }
    for column in LABELS:
        known = frame[column].notna().to_numpy()
        truth = frame.loc[known, column].astype(str)
        result[f"NMI {column}"] = normalized_mutual_info_score(truth, pred[known])
        result[f"ARI {column}"] = adjusted_rand_score(truth, pred[known])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--n", type=int, default=None, help="seeded sample size (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-bertopic", action="store_true")
    parser.add_argument("--child", choices=["ours", "bertopic"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "ours":
        print(json.dumps(child_ours(args.csv, args.out, args.seed)))
        return
    if args.child == "bertopic":
        print(json.dumps(child_bertopic(args.csv, args.seed)))
        return

    frame = load_reviews(args.data, args.n, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "reviews.csv"
        frame.to_csv(csv, index=False)
        results = {"noomarketing": run_child("ours", csv, Path(tmp) / "out", args.seed)}
        if not args.skip_bertopic:
            results["BERTopic"] = run_child("bertopic", csv, Path(tmp) / "bt", args.seed)

    print(f"clothing reviews: {len(frame)} texts, seed {args.seed}, all-MiniLM-L6-v2 "
          "(same cached vectors for both)")
    rows = []
    for name, res in results.items():
        row = {"system": name, "wall_s": round(res["wall_s"], 1),
               "peak_rss_mb": round(res["peak_rss_mb"])}
        row.update({k: round(v, 3) if isinstance(v, float) else v
                    for k, v in scores(res["labels"], frame).items()})
        rows.append(row)
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in res["stages_s"].items())
        print(f"  {name} stages: {stages}")
    print(pd.DataFrame(rows).set_index("system").T.to_string())


if __name__ == "__main__":
    main()
