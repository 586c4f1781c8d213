"""Proposals: does each customer get the offer for what they wrote about?

    .venv/bin/python benchmarks/proposals.py [--data ../shared/data] [--clothing 3000]
        [--bbc 1000] [--seed 0] [--grid] [--by-class] [--also-seeds 1 2]

Each review (article) is one customer. The catalogues in ``benchmarks/catalogues/`` are written
by hand as a shop would write them: one offer per clothing ``Department Name`` (6), one per
``Class Name`` (20), one per BBC news category (5); each offer's ``label`` column names the
class it serves (kept in ``Offer.attributes``, never read by the library's scoring). A proposal
is right when it serves the customer's own class; top-1 and top-3 accuracy are printed for

* ``propose, hybrid``: :func:`noomarketing.propose` with its defaults (``scoring="hybrid"``:
  the customer's words by meaning and by shared words, lifted towards the segment's idea by how
  typical of it the customer is, plus the votes of the most similar customers), on the segments
  of one ``SegmentModel`` fit and its stage-4 ``match_offers``;
* ``propose, hybrid, no neighbours``: the same with ``neighbours=0``, to show what the similar
  customers add; with ``--grid``, also the other neighbour settings tried (``k=…, w=…``:
  ``neighbours`` and ``neighbour_weight``), on the same segments;
* ``propose, semantic``: the same with ``scoring="semantic"``, the earlier rule;
* ``direct cosine``: each text against each offer (name and description), the same embedder,
  no segments;
* ``BM25``: each text against each offer (name, description, tags), no segments
  (:class:`noomarketing.lexical.BM25`);
* ``oracle``: the offer of the segment's majority label (top 3: its three most common labels),
  a ceiling for any rule that gives a whole segment the same offers (items in no segment get
  their direct-cosine ranking).

Every row is measured on the same customers: those ``propose`` does not set aside as noise.
``propose`` runs with ``min_score=-1`` and ``per_customer=3`` so that every customer gets a
ranking. Embeddings are computed once per data set (the segmentation's); the library's embedding
cache makes a second run much faster.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _perf import DATA_DIR, machine_note, markdown

import noomarketing as nm
from noomarketing.embedding import encode_unit, normalize_rows
from noomarketing.hybrid import offer_document
from noomarketing.lexical import BM25

CATALOGUES = Path(__file__).resolve().parent / "catalogues"
DATASETS = {
    "clothing": ("clothing_reviews.csv.gz", "Review Text",
                 {"Department Name": "clothing_departments.csv",
                  "Class Name": "clothing_classes.csv"}),
    "bbc": ("bbc_news.csv.gz", "text", {"label": "bbc_categories.csv"}),
}

RULES = {
    "propose, hybrid": {},
    "propose, hybrid, no neighbours": {"neighbours": 0},
    "propose, semantic": {"scoring": "semantic"},
}
GRID = {
    **{f"k={k}, w=0.3": {"neighbours": k, "neighbour_weight": 0.3} for k in (10, 20, 50)},
    **{f"k=30, w={w}": {"neighbours": 30, "neighbour_weight": w} for w in (0.2, 0.5)},
}


def load(data: Path, name: str, n: int, seed: int) -> pd.DataFrame:
    """A seeded sample of ``n`` rows with text and labels (all rows when ``n`` ≥ their count)."""
    file, text, labels = DATASETS[name]
    path = data / file
    if not path.exists():
        sys.exit(f"no {file} in {data}: pass --data FOLDER")
    frame = pd.read_csv(path).dropna(subset=[text, *labels])
    frame = frame[frame[text].astype(str).str.strip() != ""]
    if n < len(frame):
        frame = frame.sample(n=n, random_state=seed)
    return frame.reset_index(drop=True)


def accuracy(ranked: list[list[str]], truth: list[str]) -> tuple[float, float]:
    """Top-1 and top-3 accuracy of offer-id rankings (an empty ranking is a miss)."""
    top1 = np.mean([bool(r) and r[0] == t for r, t in zip(ranked, truth, strict=True)])
    top3 = np.mean([t in r[:3] for r, t in zip(ranked, truth, strict=True)])
    return float(top1), float(top3)


def rankings(scores: np.ndarray, ids: list[str]) -> list[list[str]]:
    order = np.argsort(-scores, axis=1, kind="stable")[:, :3]
    return [[ids[j] for j in row] for row in order]


def oracle(labels: np.ndarray, truth: list[str], cosine: np.ndarray,
           ids: list[str]) -> list[list[str]]:
    """The segment's most common offers (top 3) for everyone in it; direct cosine for items in
    none."""
    ranked = rankings(cosine, ids)
    truth_arr = np.asarray(truth)
    for segment in np.unique(labels[labels != nm.UNASSIGNED]):
        members = np.flatnonzero(labels == segment)
        common = pd.Series(truth_arr[members]).value_counts().index[:3].tolist()
        for i in members:
            ranked[i] = common
    return ranked


def by_class(labels: list[str], truth: list[str], results: dict[str, list[list[str]]],
             keep: list[int]) -> pd.DataFrame:
    """Per class: its customers, the top-1 accuracy of the hybrid, direct cosine and the oracle,
    and the offers the hybrid most often gives its customers instead."""
    first = {m: [results[m][i][0] if results[m][i] else "" for i in keep]
             for m in ("propose, hybrid", "direct cosine", "oracle (segment majority)")}
    frame = pd.DataFrame({"class": [labels[i] for i in keep], "truth": [truth[i] for i in keep],
                          **first})
    rows = []
    for label, group in frame.groupby("class"):
        wrong = group["propose, hybrid"][group["propose, hybrid"] != group["truth"]]
        rows.append({"class": label, "customers": len(group),
                     **{m: round(float((group[m] == group["truth"]).mean()), 2) for m in first},
                     "hybrid's other offers": ", ".join(
                         f"{offer} {count}" for offer, count in wrong.value_counts()[:2].items())})
    return pd.DataFrame(rows).sort_values("customers", ascending=False)


def evaluate(frame: pd.DataFrame, name: str, seed: int, rules: dict[str, dict],
             classes: bool = False) -> list[dict]:
    _, text, label_columns = DATASETS[name]
    texts = frame[text].astype(str).tolist()
    customers = [f"c{i}" for i in range(len(texts))]
    feedback = nm.Feedback(items=[nm.FeedbackItem(row=i, text=t, customer_id=c)
                                  for i, (t, c) in enumerate(zip(texts, customers, strict=True))])
    start = time.perf_counter()
    seg = nm.segment(feedback, nm.SegmentModel(random_state=seed))
    model, embedder = seg.model, seg.model.embedder_
    vectors = normalize_rows(np.asarray(model.embeddings_, dtype=np.float32))
    ideas = [idea for idea in seg.ideas if not idea.noise]
    print(f"{name}: {len(texts)} texts, {len(ideas)} segments, "
          f"{seg.unassigned} unassigned, segmented in {time.perf_counter() - start:.0f} s",
          flush=True)
    rows = []
    for column, catalogue in label_columns.items():
        offers = nm.load_offers(CATALOGUES / catalogue)
        offer_of = {str(o.attributes["label"]): o.id for o in offers}
        truth = [offer_of[str(v)] for v in frame[column]]
        ids = [o.id for o in offers]
        matches = nm.match_offers(ideas, offers, embedder=embedder)
        results: dict[str, list[list[str]]] = {}
        clock = time.perf_counter()
        for method, settings in rules.items():
            proposed = nm.propose(seg.feedback, model.labels_, seg.ideas, matches,
                                  embeddings=model.embeddings_, embedder=embedder,
                                  min_score=-1.0, per_customer=3, noise=seg.noise, **settings)
            by_customer: dict[str, list[str]] = {c: [] for c in customers}
            for p in sorted(proposed.proposals, key=lambda p: p.rank):
                by_customer[p.customer_id].append(p.offer_id)
            results[method] = [by_customer[c] for c in customers]
            if method == "propose, hybrid":
                set_aside = {u.customer_id for u in proposed.unserved if "noise" in u.reason}
                decided = pd.Series([p.decided_by for p in proposed.proposals if p.rank == 1])
        propose_s = (time.perf_counter() - clock) / len(rules)
        cosine = vectors @ encode_unit(embedder, [o.text for o in offers]).T
        results["direct cosine"] = rankings(cosine, ids)
        bm25 = BM25().fit([offer_document(o) for o in offers])
        results["BM25"] = rankings(bm25.score(texts), ids)
        results["oracle (segment majority)"] = oracle(model.labels_, truth, cosine, ids)
        keep = [i for i, c in enumerate(customers) if c not in set_aside]
        base = accuracy([results["direct cosine"][i] for i in keep], [truth[i] for i in keep])
        for method, ranked in results.items():
            top1, top3 = accuracy([ranked[i] for i in keep], [truth[i] for i in keep])
            rows.append({"data": name, "catalogue": f"{column} ({len(offers)})",
                         "customers": len(keep), "method": method, "top-1": round(top1, 3),
                         "top-3": round(top3, 3), "top-1 vs cosine": f"{top1 - base[0]:+.3f}"})
            print(rows[-1], flush=True)
        if classes:
            table = by_class(frame[column].astype(str).tolist(), truth, results, keep)
            print(f"  by {column}, top-1:\n{table.to_string(index=False)}", flush=True)
        shares = (decided.value_counts(normalize=True) * 100).round(0).astype(int)
        print(f"  hybrid top proposals decided by: "
              f"{', '.join(f'{k} {v}%' for k, v in shares.items())}; "
              f"propose took {propose_s:.1f} s per rule", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR,
                        help="folder with the shared data sets (default: ../shared/data)")
    parser.add_argument("--clothing", type=int, default=3000, help="reviews sampled (0: skip)")
    parser.add_argument("--bbc", type=int, default=1000, help="articles sampled (0: skip)")
    parser.add_argument("--seed", type=int, default=0, help="sample and segmentation seed")
    parser.add_argument("--also-seeds", type=int, nargs="*", default=[],
                        help="more samples (their seeds): the hybrid's and the oracle's top-1 "
                        "gain over direct cosine on each, without the full table")
    parser.add_argument("--grid", action="store_true",
                        help="also the other neighbour settings tried (k, weight)")
    parser.add_argument("--by-class", action="store_true",
                        help="also each class's top-1 and the offers its customers get instead")
    args = parser.parse_args()
    start = time.perf_counter()
    print(f"proposals vs labels, seed {args.seed}; {machine_note()}", flush=True)
    rows = []
    for name, n in (("clothing", args.clothing), ("bbc", args.bbc)):
        if n > 0:
            rows += evaluate(load(args.data, name, n, args.seed), name, args.seed,
                             {**RULES, **GRID} if args.grid else RULES, args.by_class)
    table = pd.DataFrame(rows)
    print(markdown(table))
    for seed in args.also_seeds:
        for name, n in (("clothing", args.clothing), ("bbc", args.bbc)):
            if n > 0:
                rows += [{**row, "seed": seed} for row in evaluate(
                    load(args.data, name, n, seed), name, seed, RULES)]
    if args.also_seeds:
        every = pd.DataFrame(rows).fillna({"seed": args.seed}).astype({"seed": int})
        every = every[every["method"].isin(["propose, hybrid", "oracle (segment majority)"])]
        gains = every.pivot_table(index=["catalogue", "method"], columns="seed",
                                  values="top-1 vs cosine", aggfunc="first")
        print(f"top-1 over direct cosine, by sample seed:\n{gains.to_string()}", flush=True)
    print(f"total {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
