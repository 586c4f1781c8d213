"""Label fidelity: does a segment's label name what its feedback is about?

    .venv/bin/python benchmarks/label_fidelity.py [--data ../shared/data] [--clothing 3000]
        [--bbc 1000] [--seed 0] [--show] [--cache /tmp/label-fidelity]
        [--neighbours 15]

For each segment, the name of the class most of its items carry (clothing reviews: ``Department
Name`` and ``Class Name``; BBC news: ``label``) is compared with the other class names: a label
is *faithful* when, embedded with the segmentation's embedder, it is more similar to its
segment's majority class name than to every other class name. The share of faithful segments,
weighted by segment size, is printed for

* ``label``: today's readable label (a phrase of the customers' own words, ``Idea.label``);
* ``statement``: the idea statement (``Idea.statement``);
* ``keywords``: the keyword label the project used before (``make_label`` of the c-TF-IDF
  keywords, e.g. "Dress / fabric / fit");
* ``bertopic``: BERTopic's default topic names (``0_dress_the_fabric_and`` without the number)
  for BERTopic's own topics, fitted on the same vectors (its outlier topic left out).

``--show`` prints the first 12 segments (majority department, label, keyword label, statement)
and, for each class column, the segments whose label and keyword label differ in fidelity, with
the shares of their two largest classes. Segments flagged as noise and unassigned items are
left out of ours. ``--cache DIR`` (a folder
outside the repository) keeps each sample's fitted segmentation and vectors there, so a re-run
that changes only how segments are labelled skips embedding, UMAP and HDBSCAN (``ours_s`` then
times highlighting alone); a change to the segmentation code fits again. BERTopic is a
benchmark-only extra: ``pip install -e .[bench]``.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import load_note, machine_note, markdown

import noomarketing as nm
from noomarketing.highlighting import make_label

ROOT = Path(__file__).resolve().parents[1]


def load(data: Path, name: str, n: int, seed: int) -> tuple[list[str], dict[str, list[str]]]:
    """Texts and their class columns, a seeded sample of ``n`` rows with text."""
    if name == "clothing":
        frame = pd.read_csv(data / "clothing_reviews.csv.gz")
        text, columns = "Review Text", ["Department Name", "Class Name"]
    else:
        frame = pd.read_csv(data / "bbc_news.csv.gz")
        text = "text" if "text" in frame.columns else frame.columns[0]
        columns = ["label"]
    frame = frame[frame[text].fillna("").str.strip() != ""]
    frame = frame.dropna(subset=columns)
    if n < len(frame):
        frame = frame.sample(n=n, random_state=seed)
    frame = frame.reset_index(drop=True)
    return frame[text].astype(str).tolist(), {c: frame[c].astype(str).tolist() for c in columns}


def faithful(names: list[str], majority: list[str], classes: list[str], embedder) -> np.ndarray:
    """Whether each name is nearer its majority class name than any other class name."""
    vectors = nm.embedding.normalize_rows(np.asarray(embedder.encode(names + classes)))
    sims = vectors[: len(names)] @ vectors[len(names):].T
    index = {c: i for i, c in enumerate(classes)}
    return np.array([
        int(np.argmax(row)) == index[m] for row, m in zip(sims, majority, strict=True)
    ])


def print_parted(ideas, values: np.ndarray, labels: np.ndarray, hits: dict[str, np.ndarray],
                 column: str) -> None:
    """The segments whose label and keyword label differ in fidelity to ``column``, with the
    shares of their two largest classes (a segment split near evenly is a coin toss)."""
    for position, idea in enumerate(ideas):
        if hits["label"][position] == hits["keywords"][position]:
            continue
        top = pd.Series(values[labels == idea.segment_id]).value_counts(normalize=True)[:2]
        print(f"  {column}: #{idea.segment_id} ({idea.size}) "
              + ", ".join(f"{name} {part:.0%}" for name, part in top.items())
              + f"; faithful: label {idea.label!r} {bool(hits['label'][position])}, keywords "
              f"{make_label([k.term for k in idea.keywords])!r} "
              f"{bool(hits['keywords'][position])}")


def share(hits: np.ndarray, sizes: np.ndarray) -> float:
    return float((hits * sizes).sum() / max(sizes.sum(), 1))


def bertopic_names(
    texts: list[str], vectors: np.ndarray, seed: int
) -> tuple[list[str], np.ndarray]:
    """BERTopic's default topic name per document (``None`` for its outliers)."""
    from bertopic import BERTopic
    from hdbscan import HDBSCAN
    from umap import UMAP

    model = BERTopic(
        umap_model=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                        random_state=seed),
        hdbscan_model=HDBSCAN(min_cluster_size=10, metric="euclidean",
                              cluster_selection_method="eom", prediction_data=True),
        embedding_model=None,
    )
    topics, _ = model.fit_transform(texts, embeddings=vectors)
    info = model.get_topic_info().set_index("Topic")["Name"]
    names = {t: " ".join(str(name).split("_")[1:]) for t, name in info.items()}
    return [names[t] if t != -1 else None for t in topics], np.asarray(topics)


def segmentation_code() -> str:
    """A digest of the library's segmentation code, so that a saved fit is read back only by
    the code that made it (a change of a default refits instead of reusing stale segments)."""
    from noomarketing import clustering, outliers, segmentation

    digest = hashlib.sha256()
    for module in (clustering, outliers, segmentation):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:10]


def fitted(
    feedback: nm.Feedback, seed: int, cache: Path | None, neighbours: int | None = None
) -> tuple[nm.SegmentModel, np.ndarray]:
    """The segmentation of ``feedback`` and its vectors, read from ``cache`` when saved there
    (``neighbours``: UMAP's ``n_neighbors``, ``None`` the default)."""
    name = f"{feedback.fingerprint}-{seed}-{segmentation_code()}" + (
        "" if neighbours is None else f"-n{neighbours}"
    )
    folder = None if cache is None else cache / name
    if folder is not None and (folder / "vectors.npy").exists():
        model = nm.SegmentModel.load(folder / "model")
        return model, np.load(folder / "vectors.npy")
    model = nm.SegmentModel(random_state=seed, embedding="default", n_neighbors=neighbours)
    model.fit(feedback)
    if folder is not None:
        model.save(folder / "model")
        np.save(folder / "vectors.npy", model.embeddings_)
    return model, model.embeddings_


def run(
    texts: list[str], classes: dict[str, list[str]], seed: int, show: bool = False,
    cache: Path | None = None, neighbours: int | None = None,
) -> list[dict]:
    start = time.perf_counter()
    feedback = nm.Feedback.from_texts(texts)
    model, vectors = fitted(feedback, seed, cache, neighbours)
    ideas = [i for i in nm.highlight_ideas(model, feedback, embeddings=vectors,
                                           labels=model.labels_) if not i.noise]
    elapsed = time.perf_counter() - start
    embedder = model.embedder_
    rows = []
    first = next(iter(classes.values()))
    for idea in ideas[:12] if show else []:
        values = pd.Series(np.asarray(first)[model.labels_ == idea.segment_id])
        print(f"  #{idea.segment_id:<3} {idea.size:>5} {values.mode()[0]:<12} {idea.label!r:<32} "
              f"{make_label([k.term for k in idea.keywords])!r:<36} {idea.statement[:90]!r}")
    for column, values in classes.items():
        names = sorted(set(values))
        values_arr = np.asarray(values)
        majority = [pd.Series(values_arr[model.labels_ == i.segment_id]).mode()[0] for i in ideas]
        sizes = np.array([i.size for i in ideas], dtype=float)
        row = {"classes": column, "n_classes": len(names), "segments": len(ideas),
               "covered": round(sizes.sum() / len(texts), 3), "ours_s": round(elapsed, 1)}
        hits = {}
        for kind, strings in (
            ("label", [i.label for i in ideas]),
            ("statement", [i.statement or i.label for i in ideas]),
            ("keywords", [make_label([k.term for k in i.keywords]) for i in ideas]),
        ):
            hits[kind] = faithful(strings, majority, names, embedder)
            row[kind] = round(share(hits[kind], sizes), 3)
        if show:
            print_parted(ideas, values_arr, model.labels_, hits, column)
        rows.append(row)
    topic_names, topics = bertopic_names(texts, vectors, seed)
    for row, values in zip(rows, classes.values(), strict=True):
        names = sorted(set(values))
        kept = sorted({t for t in topics.tolist() if t != -1})
        values_arr = np.asarray(values)
        majority = [pd.Series(values_arr[topics == t]).mode()[0] for t in kept]
        strings = [topic_names[int(np.flatnonzero(topics == t)[0])] for t in kept]
        sizes = np.array([(topics == t).sum() for t in kept], dtype=float)
        row["bertopic"] = round(share(faithful(strings, majority, names, embedder), sizes), 3)
        row["bertopic_topics"] = len(kept)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--clothing", type=int, default=3000, help="reviews sampled (0: skip)")
    parser.add_argument("--bbc", type=int, default=1000, help="articles sampled (0: skip)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", action="store_true",
                        help="print the first 12 segments, and those whose label and keyword "
                        "label differ in fidelity")
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder (outside the repo) for fitted segmentations and vectors")
    parser.add_argument("--neighbours", type=int, default=None,
                        help="UMAP's n_neighbors for the segmentation (default: the library's)")
    args = parser.parse_args()
    print(machine_note(), flush=True)
    print(f"label fidelity, {datetime.now(UTC):%Y-%m-%d}, seed {args.seed} "
          "(size-weighted share of segments whose name is nearest their majority class name)",
          flush=True)
    results = []
    for name, n in (("clothing", args.clothing), ("bbc", args.bbc)):
        if n > 0:
            texts, classes = load(args.data, name, n, args.seed)
            for row in run(texts, classes, args.seed, args.show, args.cache, args.neighbours):
                results.append({"data": f"{name} ({len(texts)})", **row})
                print(row, flush=True)  # each figure as soon as it is known
    table = pd.DataFrame(results)
    print(markdown(table))
    print(load_note())



if __name__ == "__main__":
    main()
