"""Sentiment: does the library's score agree with the customers' own star ratings?

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/sentiment.py [--data ../shared/data]
        [--sample 3000] [--seed 0] [--embedding default]

On a seeded sample of the clothing reviews (``clothing_reviews.csv.gz`` in ``--data``, default
``../shared/data`` next to the repository), 3-star reviews left out, the ROC AUC of each score
for telling 4-5 stars from 1-2 stars, all on the same reviews in one run:

* ours: ``SentimentScorer`` as ``highlight_ideas`` uses it (anchors, the bundled head when one
  fits the embedder, the English word list), and each of its readings alone ("anchors only" is
  how the library scored before the head and the word list, with today's anchors);
* VADER (``vaderSentiment``, a benchmark-only extra: ``pip install -e .[bench]``), compound;
* the ceiling of a head trained on these very reviews: a logistic regression on the same
  vectors, 5-fold cross-validated (the library never sees a rating).

Then segments: ``SegmentModel`` (defaults, the same vectors) on the whole sample, 3-star
reviews included, as a user would run it. For each segment its mean sentiment (over all its
members, as ``highlight_ideas`` reads it, noise filter aside) and its ``rating_impact`` (the
overall mean rating minus the mean without the segment): the share of segments, and of reviews,
where the two agree in sign, for the raw sentiment and for the sentiment's own impact (the
overall mean sentiment minus the mean without the segment: the same contrast as
``rating_impact``), and the Spearman correlation of segment sentiment with mean rating.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _perf import add_data_argument, clothing_sample, machine_note
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

import noomarketing as nm
from noomarketing.embedding import CachedEmbedder, encode_unit, resolve_embedder
from noomarketing.sentiment import SentimentScorer, word_scores


def vader(texts: list[str]) -> np.ndarray | None:
    """VADER's compound score of each text, or None when it is not installed."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("VADER not installed (pip install -e .[bench]): its row is left out")
        return None
    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts])


def scores(embedder, vectors: np.ndarray, texts: list[str], y: np.ndarray,
           seed: int) -> dict[str, np.ndarray]:
    """Every score compared, one value per review."""
    anchors = SentimentScorer(head=False).fit(embedder)
    with_head = SentimentScorer().fit(embedder)
    found = {
        "ours (anchors + head + words)": with_head.score(vectors, texts),
        "ours, anchors + head (no words)": with_head.score(vectors),
        "ours, anchors only": anchors.score(vectors),
        "ours, words only": word_scores(texts)[0],
    }
    if with_head.head_coef_ is None:
        for name in list(found):
            if "head" in name and name != "ours (anchors + head + words)":
                del found[name]
    reference = vader(texts)
    if reference is not None:
        found["VADER (compound)"] = reference
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    found["ceiling: logistic regression on these reviews, 5-fold"] = cross_val_predict(
        LogisticRegression(max_iter=2000), vectors, y, cv=folds, method="decision_function")
    return found


def segment_agreement(sentiment: np.ndarray, ratings: np.ndarray,
                      labels: np.ndarray) -> dict[str, str]:
    """Sign agreement of segment sentiment (raw and as impact) with ``rating_impact``."""
    rows = []
    for segment in sorted(set(labels.tolist()) - {-1}):
        inside = labels == segment
        rows.append({
            "size": int(inside.sum()),
            "sentiment": sentiment[inside].mean(),
            "sentiment_impact": sentiment.mean() - sentiment[~inside].mean(),
            "mean_rating": np.nanmean(ratings[inside]),
            "rating_impact": np.nanmean(ratings) - np.nanmean(ratings[~inside]),
        })
    frame = pd.DataFrame(rows)
    impact_sign = np.sign(frame["rating_impact"])

    def share(column: str) -> str:
        agree = np.sign(frame[column]) == impact_sign
        return (f"{agree.mean():.2f} of segments, "
                f"{frame['size'][agree].sum() / frame['size'].sum():.2f} of reviews")

    rho = spearmanr(frame["sentiment"], frame["mean_rating"]).statistic
    impact = frame["rating_impact"]
    return {"segments": str(len(frame)),
            "rating_impact from / to": f"{impact.min():+.3f} / {impact.max():+.3f}",
            "sentiment sign = rating_impact sign": share("sentiment"),
            "sentiment impact sign = rating_impact sign": share("sentiment_impact"),
            "Spearman(segment sentiment, mean rating)": f"{rho:.3f}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(parser)
    parser.add_argument("--sample", type=int, default=3000, help="clothing reviews sampled")
    parser.add_argument("--seed", type=int, default=0, help="sample, folds and UMAP seed")
    parser.add_argument("--embedding", default=None,
                        help="embedder name for resolve_embedder (default: the library's)")
    parser.add_argument("--no-segments", action="store_true",
                        help="skip the segment agreement (UMAP + HDBSCAN)")
    args = parser.parse_args()
    print(machine_note(), flush=True)
    frame = clothing_sample(args.sample, seed=args.seed, data=args.data)
    texts = frame["Review Text"].astype(str).tolist()
    ratings = frame["Rating"].to_numpy(dtype=float)
    embedder = CachedEmbedder(resolve_embedder(args.embedding))
    clock = time.perf_counter()
    vectors = encode_unit(embedder, texts)
    print(f"{len(texts)} reviews embedded with {embedder.name} "
          f"in {time.perf_counter() - clock:.0f} s (cached vectors are reused)")

    rated = ratings != 3
    y = (ratings[rated] >= 4).astype(int)
    rated_texts = [t for t, keep in zip(texts, rated, strict=True) if keep]
    print(f"\nROC AUC, 4-5 vs 1-2 stars, {rated.sum()} reviews ({y.sum()} 4-5 stars):")
    print("| score | ROC AUC |\n|---|---:|")
    for name, values in scores(embedder, vectors[rated], rated_texts, y, args.seed).items():
        print(f"| {name} | {roc_auc_score(y, values):.3f} |")

    if args.no_segments:
        return
    clock = time.perf_counter()
    model = nm.SegmentModel(embedding=embedder, random_state=args.seed).fit(
        texts, embeddings=vectors)
    print(f"\nsegments of all {len(texts)} reviews (3-star ones included), "
          f"fitted in {time.perf_counter() - clock:.0f} s:")
    print("| sentiment | segments | rating_impact from / to | sentiment sign = rating_impact "
          "sign | sentiment impact sign = rating_impact sign | Spearman with mean rating |")
    print("|---|---:|---|---|---|---:|")
    readers = {"ours": SentimentScorer(), "anchors only": SentimentScorer(head=False)}
    for name, scorer in readers.items():
        sentiment = scorer.fit(embedder).score(vectors, texts if name == "ours" else None)
        found = segment_agreement(sentiment, ratings, np.asarray(model.labels_))
        print(f"| {name} | " + " | ".join(found.values()) + " |")


if __name__ == "__main__":
    main()
