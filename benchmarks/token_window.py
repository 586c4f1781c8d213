"""How wide a window long feedback needs: 128 vs 256 word pieces on the longest shared texts.

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/token_window.py [--n 400] [--seed 0]

BBC news articles (``../shared/data/bbc_news.csv.gz``, 5 topics, ~500 word pieces each: the
longest texts of the shared data) are embedded with the default embedder (int8 ONNX MiniLM)
reading their first 128 or 256 word pieces. Texts are sorted by length into batches either
way, so the time is what the window costs. Printed per window: texts/s (best of
``--rounds``), NMI vs topic of ``SegmentModel`` (UMAP + HDBSCAN, seeds 0-2, mean) and of
KMeans told k=5 (a view that does not depend on the clusterer).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _perf import DATA, load_note
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score

from noomarketing.embedding import OnnxEmbedder
from noomarketing.segmentation import SegmentModel

NEWS = DATA.parent / "bbc_news.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="articles (seeded sample)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    frame = pd.read_csv(NEWS).sample(args.n, random_state=args.seed).reset_index(drop=True)
    texts, topics = frame["text"].astype(str).tolist(), frame["label"].astype(str)
    print(f"{len(texts)} BBC articles, {topics.nunique()} topics; {load_note()}", flush=True)
    rows = []
    for window in (128, 256):
        embedder = OnnxEmbedder(max_tokens=window, progress=False)
        embedder.encode(["warm up"])
        pieces = [len(e.ids) for e in embedder._tokenizer.encode_batch(texts)]
        best, vectors = float("inf"), None
        for _ in range(args.rounds):
            start = time.perf_counter()
            vectors = embedder.encode(texts)
            best = min(best, time.perf_counter() - start)
        segments = [
            normalized_mutual_info_score(
                topics,
                SegmentModel(embedding=embedder, use_cache=False, language="off",
                             random_state=seed).fit(texts, embeddings=vectors).labels_,
            )
            for seed in range(3)
        ]
        kmeans = normalized_mutual_info_score(
            topics, KMeans(5, n_init=5, random_state=0).fit_predict(vectors)
        )
        rows.append((window, len(texts) / best, float(np.mean(segments)), min(segments),
                     max(segments), kmeans, float(np.mean(pieces))))
        print(rows[-1], flush=True)
    print(f"\n{'window':>6} {'texts/s':>8} {'NMI segments (min-max)':>24} {'NMI KMeans k=5':>14} "
          f"{'pieces read':>11}")
    for window, rate, mean, low, high, kmeans, pieces in rows:
        print(f"{window:6d} {rate:8.1f} {mean:10.3f} ({low:.3f}-{high:.3f}) {kmeans:14.3f} "
              f"{pieces:11.0f}")
    print(load_note())


if __name__ == "__main__":
    main()
