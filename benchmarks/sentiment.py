"""Sentiment: does the library's score agree with the customers' own star ratings?

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/sentiment.py [--data ../shared/data]
        [--sample 10000 (0: all)] [--seed 0] [--embedding default] [--cache-dir FOLDER]

On a seeded sample of the clothing reviews (``clothing_reviews.csv.gz`` in ``--data``, default
``../shared/data`` next to the repository), 3-star reviews left out, the ROC AUC of each score
for telling 4-5 stars from 1-2 stars, all on the same reviews in one run:

* ours: ``SentimentScorer`` as ``highlight_ideas`` uses it (anchors, the bundled head when one
  fits the embedder, the English word list), and each of its readings alone ("anchors only" is
  how the library scored before the head and the word list, with today's anchors), and the
  score without each of the word list's own rules: the hope rule (``EXPECTATIONS``: "I
  wanted to love it"), the product words left unread (``PRODUCT_WORDS``: "top", "fit") and
  "like" read only after someone who likes (``LIKERS``: not "looks like a sack"), and with
  none of them (the words read as VADER reads them), the other side of each rule in the same
  run;
* VADER (``vaderSentiment``, a benchmark-only extra: ``pip install -e .[bench]``), compound;
* the ceiling of a head trained on these very reviews: a logistic regression on the same
  vectors, 5-fold cross-validated (the library never sees a rating).

Then the same ROC AUC for ways of reading a review sentence by sentence
(:func:`sentence_variants`: the word list per sentence, VADER's "but" rule, every sentence
embedded and scored), with the scorer's CPU seconds per 10,000 reviews and what embedding the
sentences costs beside embedding the reviews whole.

Then segments: ``nm.segment`` (defaults, the same cached vectors) on the whole sample, 3-star
reviews included, as a user would run it. Per segment with something to act on, its
``Idea.rating_impact`` (the overall mean rating minus the mean without the segment) and whether
that effect is real: ``Idea.rating_impact_q``, the Mann-Whitney U test of the segment's
ratings against every other row's, Benjamini-Hochberg across the segments, under ``--alpha``
(the false discovery rate). Printed: the
share of segments, and of their reviews, where ``Idea.sentiment`` and ``Idea.sentiment_impact``
(the same contrast on sentiment) agree in sign with ``rating_impact``, over every segment and
over those with a significant rating effect; the same for the impact each reading of the score
alone gives and with the words read as VADER reads them, and for the impact a score that read
the stars only would give (each review scored as the mean score of its star rating). The
difference between that and the real impact is what the score reads from the segment's topic
rather than its stars; the significant segments that disagree are printed with their first
quotes. Last, the sign agreement of every sentence
variant under each contrast in :data:`CONTRASTS` (means, as the library, medians, the share of
reviews read negative), none of which reads a rating.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from _perf import TEXT, add_data_argument, clothing_sample, load_note, machine_note
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

import noomarketing as nm
from noomarketing.embedding import CachedEmbedder, encode_unit, resolve_embedder
from noomarketing.languages import UNKNOWN, detect_languages
from noomarketing.sentiment import (
    EXPECTATIONS,
    LIKERS,
    PRODUCT_WORDS,
    SATURATION,
    WORD_LANGUAGES,
    SentimentScorer,
    word_scores,
)
from noomarketing.statements import split_sentences

COST_SAMPLE = 500
"""Reviews whose embedding cost, whole and sentence by sentence, is timed without the cache."""
BUT = re.compile(r"(?i)\bbut\b")


def vader(texts: list[str]) -> np.ndarray | None:
    """VADER's compound score of each text, or None when it is not installed."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("VADER not installed (pip install -e .[bench]): its row is left out")
        return None
    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts])


def scores(
    embedder, vectors: np.ndarray, texts: list[str], y: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    """Every score compared, one value per review."""
    anchors = SentimentScorer(head=False).fit(embedder)
    with_head = SentimentScorer().fit(embedder)
    found = {
        "ours (anchors + head + words)": with_head.score(vectors, texts),
        "ours, the words read as VADER reads them (none of the three rules)": with_word_rules(
            with_head, vectors, texts, frozenset(), frozenset(), None),
        "ours, without the words' hope rule": with_word_rules(
            with_head, vectors, texts, frozenset(), PRODUCT_WORDS, LIKERS),
        "ours, with the product words read as feelings": with_word_rules(
            with_head, vectors, texts, EXPECTATIONS, frozenset(), LIKERS),
        "ours, with every \"like\" read as praise": with_word_rules(
            with_head, vectors, texts, EXPECTATIONS, PRODUCT_WORDS, None),
        "ours, anchors + head (no words)": with_head.score(vectors),
        "ours, anchors only": anchors.score(vectors),
        "ours, words only": word_scores(texts)[0],
        "ours, words only, read as VADER reads them": word_scores(
            texts, frozenset(), frozenset(), None)[0],
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
        LogisticRegression(max_iter=2000), vectors, y, cv=folds, method="decision_function"
    )
    return found


def with_word_rules(
    scorer: SentimentScorer, vectors: np.ndarray, texts: list[str], hopes: frozenset[str],
    product_words: frozenset[str], likers: frozenset[str] | None,
) -> np.ndarray:
    """The library's blend with the word list read with ``hopes`` as its hope words,
    ``product_words`` left unread and "like" read after ``likers`` only (empty sets and None:
    as VADER reads it), the other side of ``EXPECTATIONS``, ``PRODUCT_WORDS`` and ``LIKERS`` in
    the same run; with the library's own sets it is the library's score (``main`` prints the
    largest difference)."""
    words, rated = word_scores(texts, hopes, product_words, likers)
    english = np.array([(g.code or UNKNOWN) in WORD_LANGUAGES for g in detect_languages(texts)])
    meaning = scorer.score(vectors)
    weight = scorer.word_weight
    return np.where(english & (rated > 0), weight * words + (1 - weight) * meaning, meaning)


def _raw(score: np.ndarray) -> np.ndarray:
    """The sum of ratings a word-list score was saturated from (the inverse of
    ``s / sqrt(s² + SATURATION)``)."""
    score = np.clip(score, -1 + 1e-12, 1 - 1e-12)
    return score * np.sqrt(SATURATION) / np.sqrt(1 - score * score)


def but_rule(texts: list[str]) -> np.ndarray:
    """The word list's reading with VADER's "but" rule: the rated words before a text's first
    "but" count half, those after it one and a half (VADER's own weights)."""
    whole = _raw(word_scores(texts)[0])
    parts = [BUT.split(t, maxsplit=1) for t in texts]
    before = _raw(word_scores([p[0] for p in parts])[0])
    after = _raw(word_scores([p[1] if len(p) > 1 else "" for p in parts])[0])
    has_but = np.array([len(p) > 1 for p in parts])
    total = np.where(has_but, 0.5 * before + 1.5 * after, whole)
    return total / np.sqrt(total * total + SATURATION)


def sentence_variants(
    embedder, vectors: np.ndarray, texts: list[str], languages: list[str | None]
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Ways of reading a review sentence by sentence (``split_sentences``, the statements'
    splitter), one score per review, beside the library's whole-text score; and the scorer's
    CPU seconds per 10,000 reviews for each (embedding not included: see ``embedding_cost``).

    The word-list variants keep the library's blend and change only the words' reading: the
    mean over the sentences (all of them, or those with a rated word), the lowest sentence, the
    mean of the whole text's and the lowest sentence's, VADER's "but" rule. The embedding
    variants score every sentence's own vector (anchors + head, and the words of that
    sentence): their mean, their lowest, the mean of the whole text's score and the lowest
    sentence's; and the sentences' mean vector reading with the whole text's words. No
    variant has a weight of its own: each is a plain mean, minimum or VADER's rule.
    """
    scorer = SentimentScorer().fit(embedder)
    per_10k = 10_000 / len(texts)
    cost: dict[str, float] = {}

    def timed(name: str, make: Callable[[], np.ndarray]) -> np.ndarray:
        clock = time.process_time()
        values = make()
        cost[name] = (time.process_time() - clock) * per_10k
        return values

    found: dict[str, np.ndarray] = {}
    found["library: whole text"] = timed(
        "library: whole text", lambda: scorer.score(vectors, texts, languages)
    )
    meaning = scorer.score(vectors)
    whole, rated_words = word_scores(texts)
    english = np.array([(code or UNKNOWN) in WORD_LANGUAGES for code in languages])
    weight = scorer.word_weight

    def blend(words: np.ndarray) -> np.ndarray:
        return np.where(
            english & (rated_words > 0), weight * words + (1 - weight) * meaning, meaning
        )

    clock = time.process_time()
    pieces = [split_sentences(t) or [t] for t in texts]
    flat = [s for piece in pieces for s in piece]
    owner = np.repeat(np.arange(len(texts)), [len(piece) for piece in pieces])
    by_sentence, by_sentence_found = word_scores(flat)
    split_cost = (time.process_time() - clock) * per_10k

    def per_review(values: np.ndarray, how: str) -> np.ndarray:
        return getattr(pd.Series(values).groupby(owner), how)().fillna(0.0).to_numpy()

    rated = np.where(by_sentence_found > 0, by_sentence, np.nan)
    cheap = {
        "words: mean over sentences": lambda: per_review(by_sentence, "mean"),
        "words: mean over sentences with a rated word": lambda: per_review(rated, "mean"),
        "words: lowest sentence": lambda: per_review(by_sentence, "min"),
        "words: mean of whole text and lowest sentence": lambda: (
            (whole + per_review(by_sentence, "min")) / 2
        ),
        "words: mean of whole text and lowest sentence with a rated word": lambda: (
            (whole + per_review(rated, "min")) / 2
        ),
    }
    for name, make in cheap.items():
        found[name] = blend(timed(name, make))
        cost[name] += cost["library: whole text"] + split_cost
    found["words: VADER's 'but' rule"] = blend(
        timed("words: VADER's 'but' rule", lambda: but_rule(texts))
    )
    cost["words: VADER's 'but' rule"] += cost["library: whole text"]

    sentence_vectors = encode_unit(embedder, flat)
    each = timed(
        "sentences", lambda: scorer.score(sentence_vectors, flat, [languages[i] for i in owner])
    )
    mean_vector = timed("mean vector", lambda: per_review(scorer.score(sentence_vectors), "mean"))
    embedded = {
        "embedded sentences: mean": per_review(each, "mean"),
        "embedded sentences: lowest": per_review(each, "min"),
        "embedded: mean of whole text and lowest sentence": (
            found["library: whole text"] + per_review(each, "min")
        )
        / 2,
        "embedded sentences: mean of their vectors' reading, words of the whole text": np.where(
            english & (rated_words > 0), weight * whole + (1 - weight) * mean_vector, mean_vector
        ),
    }
    for name, values in embedded.items():
        found[name] = values
        cost[name] = split_cost + (cost["mean vector"] if "vectors'" in name else cost["sentences"])
        if "whole text" in name:
            cost[name] += cost["library: whole text"]
    del cost["sentences"], cost["mean vector"]
    return found, cost


def embedding_cost(embedder, texts: list[str]) -> tuple[float, float]:
    """CPU seconds per 10,000 reviews of embedding ``texts`` whole and sentence by sentence,
    without the cache (the embedder inside ``CachedEmbedder``), one after the other, the model
    loaded first. Sentence by sentence embeds what ``SentimentScorer(by_sentence=True)`` does:
    the sentences of the texts that have more than one (a text of one sentence is read from
    its own vector)."""
    inner = getattr(embedder, "embedder", embedder)
    inner.encode(texts[:8])  # loads the model: its start is not what is timed
    pieces = [split_sentences(t) for t in texts]
    sentences = [s for piece in pieces if len(piece) > 1 for s in piece]
    spent = []
    for batch in (texts, sentences):
        clock = time.process_time()
        inner.encode(batch)
        spent.append((time.process_time() - clock) * 10_000 / len(texts))
    return spent[0], spent[1]


def segment_rows(table: pd.DataFrame, segment: int, n: int) -> np.ndarray:
    """The rows a segment's size counts, as a mask over the ``n`` input rows (noise rows are in
    no segment)."""
    inside = np.zeros(n, dtype=bool)
    inside[table.loc[table["segment"] == segment, "row"].to_numpy()] = True
    return inside


CONTRASTS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "mean (the library's)": lambda v, inside: v.mean() - v[~inside].mean(),
    "median": lambda v, inside: float(np.median(v) - np.median(v[~inside])),
    "share below 0, fewer: +": lambda v, inside: (v[~inside] < 0).mean() - (v < 0).mean(),
    "share below -0.05, fewer: +": lambda v, inside: (
        (v[~inside] < -0.05).mean() - (v < -0.05).mean()
    ),
}
"""Segment impacts a per-review score can give, none reading a rating: the library's contrast
of means, the same contrast of medians, and how many fewer reviews read negative (below 0, the
score's own neutral point, or below -0.05, VADER's usual cut) with the segment than without."""


def print_variants(
    result, frame: pd.DataFrame, variants: dict[str, np.ndarray], alpha: float
) -> None:
    """Sign agreement with ``rating_impact`` of every variant under every contrast: over the
    segments with a significant rating effect, and over all of them in brackets."""
    table, n = result.assignments, len(next(iter(variants.values())))
    masks = [segment_rows(table, segment, n) for segment in frame["segment"]]
    sign = np.sign(frame["rating_impact"].to_numpy())
    significant = (frame["q"] < alpha).to_numpy()
    print(
        f"\nsign agreement with rating_impact per variant and contrast: segments with a "
        f"significant rating effect (q < {alpha}), all segments in brackets\n"
        "| variant | " + " | ".join(CONTRASTS) + " |\n|---|" + "---|" * len(CONTRASTS)
    )
    for name, values in variants.items():
        cells = []
        for contrast in CONTRASTS.values():
            agree = np.sign([contrast(values, inside) for inside in masks]) == sign
            cells.append(
                f"{agree[significant].sum()} of {significant.sum()} ({agree.sum()} of {len(agree)})"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")


def segment_table(result, ratings: np.ndarray, readers: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per segment with something to act on: the library's idea figures, whether its rating
    effect is real (``q``: the library's ``Idea.rating_impact_q``, the Mann-Whitney U test of
    its ratings against every other row's, the rows ``rating_impact`` compares it with,
    Benjamini-Hochberg across the segments: :mod:`noomarketing.effects`), and the same
    contrast on each per-review reading in ``readers`` (input order).

    ``from_stars`` is the sentiment impact the segment would have if the score read the stars
    only (every review scored the mean score of its star rating); ``from_topic`` is the rest of
    its impact (the two add up to it): how much happier or sadder the score reads the segment
    than its stars say.
    """
    table = result.assignments
    ours = readers["ours"]
    rated = np.isfinite(ratings)
    by_star = pd.Series(ours[rated]).groupby(ratings[rated]).mean()
    level = np.where(rated, pd.Series(ratings).map(by_star).to_numpy(), np.nan)
    rows = []
    for idea in result.ideas:
        if idea.noise:
            continue
        inside = segment_rows(table, idea.segment_id, len(ratings))
        row = {
            "segment": idea.segment_id,
            "label": idea.label,
            "size": idea.size,
            "mean_rating": idea.mean_rating,
            "rating_impact": idea.rating_impact,
            "sentiment": idea.sentiment,
            "sentiment_impact": idea.sentiment_impact,
            "from_stars": np.nanmean(level) - np.nanmean(level[~inside]),
            "q": idea.rating_impact_q,
            "sentiment_q": idea.sentiment_impact_q,
            "quotes": [q.text for q in idea.quotes[:2]],
        }
        for name, values in readers.items():
            row[name] = values.mean() - values[~inside].mean()
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["from_topic"] = frame["ours"] - frame["from_stars"]
    return frame


def agreement(frame: pd.DataFrame, column: str) -> str:
    """The share of segments, and of their reviews, where ``column`` and ``rating_impact``
    agree in sign."""
    if frame.empty:
        return "-"
    agree = np.sign(frame[column]) == np.sign(frame["rating_impact"])
    return (
        f"{agree.mean():.2f} ({agree.sum()} of {len(frame)}) of segments, "
        f"{frame['size'][agree].sum() / frame['size'].sum():.2f} of reviews"
    )


def print_segments(frame: pd.DataFrame, alpha: float) -> None:
    """Sign agreement over every segment and over those whose rating effect is significant;
    the significant segments where the signs disagree, with their first quotes."""
    significant = frame[frame["q"] < alpha]
    impact = frame["rating_impact"]
    print(
        f"rating_impact from {impact.min():+.3f} to {impact.max():+.3f} stars; "
        f"{len(significant)} of {len(frame)} segments have a rating effect significant at a "
        f"false discovery rate of {alpha} (Mann-Whitney U, Benjamini-Hochberg)"
    )
    rho = spearmanr(frame["sentiment"], frame["mean_rating"]).statistic
    print(f"Spearman(segment sentiment, mean rating) over all segments: {rho:.3f}\n")
    names = {
        "sentiment": "Idea.sentiment (members' mean)",
        "sentiment_impact": "Idea.sentiment_impact",
        "from_stars": "impact of the stars alone (each review read as its star's mean score)",
        "anchors + head (no words)": "impact read by anchors + head (no words)",
        "words only": "impact read by the word list only",
        "as VADER reads the words": "impact read with the words as VADER reads them (none of "
        "the three rules)",
    }
    print(
        "| sign = rating_impact sign (0 counts as disagreeing) | all segments | "
        f"rating effect significant (q < {alpha}) |\n|---|---|---|"
    )
    for column, name in names.items():
        print(f"| {name} | {agreement(frame, column)} | {agreement(significant, column)} |")
    spread = frame[["from_stars", "from_topic"]].abs().median()
    print(
        f"\nmedian size over the segments of the sentiment impact the stars explain "
        f"{spread['from_stars']:.4f}, of the rest (the topic's) {spread['from_topic']:.4f}"
    )
    print("\nper segment, by rating_impact:")
    print(
        "| segment | size | mean rating | rating_impact | q | sentiment | sentiment_impact "
        "| from stars | from topic | label |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    for row in frame.sort_values("rating_impact").itertuples():
        print(
            f"| {row.segment} | {row.size} | {row.mean_rating:.2f} | {row.rating_impact:+.4f} "
            f"| {row.q:.2g} | {row.sentiment:+.3f} | {row.sentiment_impact:+.4f} "
            f"| {row.from_stars:+.4f} | {row.from_topic:+.4f} | {row.label} |"
        )
    wrong = significant[
        np.sign(significant["sentiment_impact"]) != np.sign(significant["rating_impact"])
    ]
    for row in wrong.itertuples():
        print(
            f"\ndisagrees, significant: #{row.segment} {row.label!r}, {row.size} reviews, "
            f"mean rating {row.mean_rating:.2f}; sentiment impact from its stars "
            f"{row.from_stars:+.4f}, from its topic {row.from_topic:+.4f}"
        )
        for quote in row.quotes:
            print(f"  > {' '.join(quote.split())[:240]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(parser)
    parser.add_argument(
        "--sample", type=int, default=10_000, help="clothing reviews sampled (0: all of them)"
    )
    parser.add_argument("--seed", type=int, default=0, help="sample, folds and UMAP seed")
    parser.add_argument(
        "--embedding",
        default=None,
        help="embedder name for resolve_embedder (default: the library's)",
    )
    parser.add_argument(
        "--no-segments", action="store_true", help="skip the segment agreement (UMAP + HDBSCAN)"
    )
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="false discovery rate a segment's rating effect is tested at",
    )
    parser.add_argument(
        "--cache-dir", default=None, help="folder of the embedding cache (default: the library's)"
    )
    args = parser.parse_args()
    print(machine_note(), flush=True)
    frame = clothing_sample(args.sample or None, seed=args.seed, data=args.data)
    texts = frame[TEXT].astype(str).tolist()
    ratings = frame["Rating"].to_numpy(dtype=float)
    embedder = CachedEmbedder(resolve_embedder(args.embedding), cache_dir=args.cache_dir)
    clock = time.perf_counter()
    vectors = encode_unit(embedder, texts)
    print(
        f"{len(texts)} reviews embedded with {embedder.name} "
        f"in {time.perf_counter() - clock:.0f} s (cached vectors are reused)"
    )

    rated = ratings != 3
    y = (ratings[rated] >= 4).astype(int)
    rated_texts = [t for t, keep in zip(texts, rated, strict=True) if keep]
    print(f"\nROC AUC, 4-5 vs 1-2 stars, {rated.sum()} reviews ({y.sum()} 4-5 stars):")
    print("| score | ROC AUC |\n|---|---:|")
    for name, values in scores(embedder, vectors[rated], rated_texts, y, args.seed).items():
        print(f"| {name} | {roc_auc_score(y, values):.3f} |")
    scorer = SentimentScorer().fit(embedder)
    same = with_word_rules(
        scorer, vectors[rated], rated_texts, EXPECTATIONS, PRODUCT_WORDS, LIKERS)
    print(f"the blend rebuilt with the library's word rules differs from the library's score by "
          f"at most {np.abs(same - scorer.score(vectors[rated], rated_texts)).max():.1e}")

    languages = [guess.code for guess in detect_languages(texts)]
    clock = time.process_time()
    variants, cost = sentence_variants(embedder, vectors, texts, languages)
    whole, by_sentence = embedding_cost(embedder, texts[:COST_SAMPLE])
    pieces = [split_sentences(t) for t in texts]
    several = [piece for piece in pieces if len(piece) > 1]
    print(
        f"\nreading reviews sentence by sentence ({time.process_time() - clock:.0f} CPU s in all, "
        f"sentence vectors cached after the first run); the same ROC AUC, and the scorer's CPU "
        f"seconds per 10,000 reviews (embedding left out: {whole:.0f} CPU s per 10,000 reviews "
        f"embedded whole, {by_sentence:.0f} sentence by sentence, timed on {COST_SAMPLE} "
        f"reviews without the cache; by sentence, {len(several):,} of the {len(texts):,} reviews "
        f"have more than one sentence, {sum(map(len, several)):,} sentences in all):"
        f"\n| score | ROC AUC | scorer CPU s per 10k reviews |"
        f"\n|---|---:|---:|"
    )
    for name, values in variants.items():
        print(f"| {name} | {roc_auc_score(y, values[rated]):.3f} | {cost[name]:.2f} |")
    opt_in = SentimentScorer(by_sentence=True).fit(embedder).score(vectors, texts, languages)
    same = variants["embedded sentences: mean of their vectors' reading, words of the whole text"]
    print(f"the library's SentimentScorer(by_sentence=True): ROC AUC "
          f"{roc_auc_score(y, opt_in[rated]):.3f}; its largest difference from the last variant "
          f"{np.abs(opt_in - same).max():.1e}")

    if args.no_segments:
        return
    clock, cpu = time.perf_counter(), time.process_time()
    model = nm.SegmentModel(
        random_state=args.seed,
        cache_dir=args.cache_dir,
        progress=False,
        **({} if args.embedding is None else {"embedding": embedder}),
    )
    result = nm.segment(frame, model, columns={"text": TEXT, "rating": "Rating"})
    print(
        f"\nsegments of all {len(texts)} reviews (3-star ones included), nm.segment at the "
        f"defaults, {time.perf_counter() - clock:.0f} s ({time.process_time() - cpu:.0f} CPU "
        f"s); {result.model.n_segments_} segments, "
        f"{sum(idea.noise for idea in result.ideas)} of them noise (left out below)"
    )
    with_head = SentimentScorer().fit(embedder)
    readers = {
        "ours": with_head.score(vectors, texts, result.model.languages_),
        "anchors + head (no words)": with_head.score(vectors),
        "words only": word_scores(texts)[0],
        "as VADER reads the words": with_word_rules(
            with_head, vectors, texts, frozenset(), frozenset(), None),
    }
    table = segment_table(result, ratings, readers)
    print_segments(table, args.alpha)
    print_variants(result, table, variants, args.alpha)
    print(f"\n{load_note()}")


if __name__ == "__main__":
    main()
