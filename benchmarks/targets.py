"""The offer, seed-stability and sentiment targets in one run: measured, and met or not.

    PYTHONPATH=src HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/targets.py \\
        --cache /tmp/clusters3/cache

Each figure is measured with the functions of the script that studies it in depth, on the
same samples, so it equals that script's figure on the same machine:

* offers (``proposals.py``): top-1 accuracy of ``propose`` (the hybrid default) over direct
  text → offer cosine, 3,000 clothing reviews (seed 0) against the department catalogue and
  the class catalogue, 1,000 BBC articles against the news catalogue;
* segments (``stability.py``): the default ``SegmentModel`` on the same 10,000 clothing
  reviews' vectors for random states 0-4 (mean NMI against ``Class Name``, mean pairwise ARI
  between their segmentations), beside KMeans given the number of classes on the same
  384-d vectors; the 2,225 BBC articles' themes beside KMeans told 5. ``--cache`` is
  ``stability.py``'s folder of vectors (outside the repository);
* sentiment (``sentiment.py``): ROC AUC of the library's score telling 4-5 from 1-2 stars over
  all clothing reviews with text, beside VADER's; the sign of each segment's
  ``sentiment_impact`` against its ``rating_impact``, over the segments whose rating effect is
  significant (Mann-Whitney U, Benjamini-Hochberg at 0.05), over those whose sentiment effect
  is significant as well (``Idea.sentiment_impact_q``: the impacts the summary does not call
  "could be chance"), and over all. ``--cache-dir`` is the
  embedding cache of this part, as ``sentiment.py``'s: int8 vectors move slightly with the
  batch they were embedded in, so two caches can hold slightly different vectors of the same
  reviews. The Polish and Russian check is a test (``tests/test_sentiment.py``), not a figure.

The targets are those the benchmarks were built for; a row says ``met`` only when the
measured value is at or past the bar before rounding.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import TEXT, add_data_argument, clothing_sample, load_note, machine_note, nmi
from proposals import RULES, evaluate
from proposals import load as load_customers
from sentiment import segment_table, vader
from sklearn.metrics import adjusted_rand_score, roc_auc_score
from stability import kmeans_runs, load_corpus, model_for, theme_labels, vectors_of

import noomarketing as nm
from noomarketing.embedding import CachedEmbedder, encode_unit, resolve_embedder
from noomarketing.sentiment import SentimentScorer

ALPHA = 0.05


def row(target: str, measured: str, met: bool) -> dict:
    return {"target": target, "measured": measured, "met": "met" if met else "not met"}


def offers(data: Path) -> list[dict]:
    """Top-1 of the hybrid proposals over direct cosine, per catalogue."""
    found = []
    for name, n in (("clothing", 3000), ("bbc", 1000)):
        rows = evaluate(load_customers(data, name, n, 0), name, 0,
                        {"propose, hybrid": RULES["propose, hybrid"]})
        top1 = {(r["catalogue"], r["method"]): r["top-1"] for r in rows}
        for catalogue in sorted({r["catalogue"] for r in rows}):
            gain = top1[(catalogue, "propose, hybrid")] - top1[(catalogue, "direct cosine")]
            found.append(row(f"offers: top-1 ≥ direct cosine + 0.10, {name} {catalogue}",
                             f"{gain:+.3f}", gain >= 0.10))
    return found


def seeds_of(corpus: str, n: int, data: Path, cache: Path, seeds: int):
    """Each seed's segments and themes on the corpus' cached vectors, and KMeans told k."""
    texts, truth = load_corpus(corpus, n, data)
    vectors = vectors_of(texts, cache)
    segments, themes = [], []
    for seed in range(seeds):
        model = model_for({}, seed, len(texts)).fit(texts, embeddings=vectors)
        segments.append(np.asarray(model.labels_))
        themes.append(theme_labels(model))
    column = truth.columns[0]
    told = kmeans_runs(vectors, truth[column].nunique(), seeds)
    return truth[column], segments, themes, told


def mean_nmi(truth: pd.Series, runs: list[np.ndarray]) -> float:
    return float(np.mean([nmi(truth, labels) for labels in runs]))


def stability(data: Path, cache: Path, seeds: int) -> list[dict]:
    truth, segments, _, told = seeds_of("clothing", 10_000, data, cache, seeds)
    pairs = [adjusted_rand_score(a, b) for a, b in itertools.combinations(segments, 2)]
    ours, kmeans = mean_nmi(truth, segments), mean_nmi(truth, told)
    found = [
        row("segments: ARI between seeds ≥ 0.8, 10,000 clothing reviews",
            f"{np.mean(pairs):.3f} (min {min(pairs):.3f})", float(np.mean(pairs)) >= 0.8),
        row("segments: NMI vs Class Name ≥ 0.42, mean over random states", f"{ours:.4f}",
            ours >= 0.42),
        row("segments: NMI ≥ KMeans told k, clothing (Class Name)",
            f"{ours:.4f} vs {kmeans:.4f}", ours >= kmeans),
    ]
    truth, _, themes, told = seeds_of("bbc", 10_000, data, cache, seeds)
    ours, kmeans = mean_nmi(truth, themes), mean_nmi(truth, told)
    found.append(row("themes: NMI ≥ KMeans told k, BBC news (label)",
                     f"{ours:.4f} vs {kmeans:.4f}", ours >= kmeans))
    return found


def sentiment(data: Path, cache_dir: Path | None) -> list[dict]:
    frame = clothing_sample(None, seed=0, data=data)
    texts = frame[TEXT].astype(str).tolist()
    ratings = frame["Rating"].to_numpy(dtype=float)
    embedder = CachedEmbedder(resolve_embedder(None), cache_dir=cache_dir)
    vectors = encode_unit(embedder, texts)
    rated = ratings != 3
    happy = (ratings[rated] >= 4).astype(int)
    rated_texts = [t for t, keep in zip(texts, rated, strict=True) if keep]
    scorer = SentimentScorer().fit(embedder)
    ours = roc_auc_score(happy, scorer.score(vectors[rated], rated_texts))
    reference = vader(rated_texts)
    beside = f" (VADER {roc_auc_score(happy, reference):.3f})" if reference is not None else ""
    found = [row("sentiment: ROC AUC ≥ 0.85, 4-5 vs 1-2 stars, English, no ratings seen",
                 f"{ours:.3f}{beside}", ours >= 0.85)]
    model = nm.SegmentModel(random_state=0, cache_dir=cache_dir, progress=False)
    result = nm.segment(frame, model, columns={"text": TEXT, "rating": "Rating"})
    score = scorer.score(vectors, texts, result.model.languages_)
    table = segment_table(result, ratings, {"ours": score})
    clear = (table["q"] < ALPHA) & (table["sentiment_q"] < ALPHA)
    for which, part in (("with a significant rating effect", table[table["q"] < ALPHA]),
                        ("whose rating and sentiment effects are both significant", table[clear]),
                        ("all", table)):
        agree = int((np.sign(part["sentiment_impact"]) == np.sign(part["rating_impact"])).sum())
        found.append(row(f"sentiment: segment sign = rating_impact sign, segments {which}",
                         f"{agree} of {len(part)}", agree == len(part)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser)
    parser.add_argument("--cache", type=Path, required=True, help="stability.py's --cache")
    parser.add_argument("--seeds", type=int, default=5, help="random states 0..N-1 (default 5)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="the sentiment part's embedding cache, as sentiment.py's")
    args = parser.parse_args()
    started = time.perf_counter()
    print(machine_note(), flush=True)
    rows = offers(args.data) + stability(args.data, args.cache, args.seeds)
    rows += sentiment(args.data, args.cache_dir)
    print("\n| target | measured | |\n|---|---|---|")
    for found in rows:
        print(f"| {found['target']} | {found['measured']} | {found['met']} |")
    print(f"\n{sum(r['met'] == 'met' for r in rows)} of {len(rows)} met; "
          f"total {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
