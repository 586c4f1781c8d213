"""Write the bundled English sentiment word list from VADER's lexicon.

    pip install -e .[bench]     # vaderSentiment 3.3.2
    python scripts/make_sentiment_lexicon.py

The word list is VADER's ``vader_lexicon.txt`` (vaderSentiment 3.3.2 on PyPI, MIT licence,
Copyright (c) 2016 C.J. Hutto): about 7,500 English words and emoticons, each rated from -4
(most negative) to +4 by ten people. Kept: the words (letters, with ``'`` or ``-`` inside),
with their mean rating; emoticons are left out, as the library reads words only. Written to
``src/noomarketing/data/sentiment_lexicon.json`` with the licence notice; the library reads it
with its own small scorer (:mod:`noomarketing.sentiment`), not with VADER's rules.
"""

from __future__ import annotations

import argparse
import json
import re
from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"^[a-z]+(?:['-][a-z]+)*$")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path,
                        default=ROOT / "src" / "noomarketing" / "data" / "sentiment_lexicon.json")
    args = parser.parse_args(argv)
    version = metadata.version("vaderSentiment")
    raw = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8")
    words = {}
    for line in raw.splitlines():
        fields = line.strip().split("\t")
        if len(fields) >= 2 and WORD.match(fields[0]):
            words[fields[0]] = round(float(fields[1]), 2)
    document = {
        "_about": "English words and their sentiment, -4 (most negative) to +4, the mean of "
        "ten people's ratings: the words of VADER's lexicon, written by "
        "scripts/make_sentiment_lexicon.py. Plain data, not code.",
        "source": f"vaderSentiment=={version}, vader_lexicon.txt",
        # the package's own notice, word for word, as its MIT licence asks
        "licence": metadata.distribution("vaderSentiment").read_text("LICENSE.txt"),
        "words": dict(sorted(words.items())),
    }
    args.out.write_text(json.dumps(document, indent=0, ensure_ascii=False) + "\n")
    print(f"wrote {len(words)} words to {args.out}")


if __name__ == "__main__":
    main()
