"""Labels that name the product as well as the topic: "Swimsuit: cup size".

A segment's phrases are its customers' own words for the topic ("cup size", "regular xs"),
but the product they speak of is often only among its keywords ("swimsuit", "dress"): each
customer names it once, in another clause than the one that says what is wrong. For each of a
segment's most distinctive phrases that lacks one of its first anchor words (its best
single-word keywords, :func:`noomarketing.labels.top_words`), the candidate
"<anchor>: <phrase>" joins the others, in the phrase's script only. It is scored like every
other candidate (cosine to the segment's centroid, c-TF-IDF of the phrase and of its words),
less a penalty for being a label no customer wrote (``LabelWeights.product``), so it is taken
only where naming the product makes the label clearly nearer what the segment is about.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from noomarketing.text import script_of, surface_form

SEPARATOR = ": "
# Clothing sizes that people write in capitals.
_SIZES = frozenset(("xxs", "xs", "xl", "xxl", "xxxl", "3xl"))


def with_products(
    phrases: Sequence[Sequence[str]],
    distinct: Sequence[np.ndarray],
    anchors: Sequence[Sequence[str]] | None,
    n_phrases: int = 10,
    n_anchors: int = 2,
) -> tuple[list[list[str]], list[np.ndarray]]:
    """Each segment's candidates with "<anchor>: <phrase>" added after them.

    The first ``n_phrases`` phrases (most distinctive first) are each joined to each of the
    first ``n_anchors`` anchors that the phrase lacks and that is in the phrase's script; the
    joined candidate keeps the phrase's c-TF-IDF score. A phrase of four words or more stays
    as it is, so a label has at most five words.

    >>> found, scores = with_products([["cup size", "swimsuit straps"]],
    ...                               [np.array([2.0, 1.0])], [["swimsuit", "size"]])
    >>> found
    [['cup size', 'swimsuit straps', 'swimsuit: cup size', 'size: swimsuit straps']]
    >>> scores[0].tolist()
    [2.0, 1.0, 2.0, 1.0]
    """
    kept, scores = [], []
    for position, (group, score) in enumerate(zip(phrases, distinct, strict=True)):
        group, added, added_scores = list(group), [], []
        words = list(anchors[position])[:n_anchors] if anchors is not None else []
        for phrase, value in list(zip(group, score, strict=True))[:n_phrases]:
            own = phrase.split()
            if len(own) >= 4:
                continue
            for anchor in words:
                if anchor not in own and script_of(anchor) == script_of(phrase):
                    added.append(f"{anchor}{SEPARATOR}{phrase}")
                    added_scores.append(float(value))
        kept.append(group + added)
        scores.append(
            np.concatenate(
                [np.asarray(score, dtype=np.float64), np.array(added_scores, dtype=np.float64)]
            )
        )
    return kept, scores


def names_product(label: str) -> bool:
    """Whether a label was joined from an anchor and a phrase ("swimsuit: cup size").

    >>> names_product("swimsuit: cup size"), names_product("cup size")
    (True, False)
    """
    return SEPARATOR in label


def label_words(label: str) -> list[str]:
    """The words of a label, without the separator of a joined one.

    >>> label_words("swimsuit: cup size")
    ['swimsuit', 'cup', 'size']
    """
    return label.replace(SEPARATOR, " ").split()


def written_form(label: str, texts: Sequence[str]) -> str:
    """The label as the customers write its parts (:func:`noomarketing.text.surface_form`),
    with clothing sizes in capitals ("XS petite", not "Xs petite").

    >>> written_form("tony blair", ["Voters like Tony Blair."])
    'Tony Blair'
    >>> written_form("labour: tony blair", ["Voters like Tony Blair."])
    'labour: Tony Blair'
    >>> written_form("xs petite", ["I wear an xs petite."])
    'XS petite'
    """
    parts = (surface_form(part, texts) for part in label.split(SEPARATOR))
    return SEPARATOR.join(
        " ".join(w.upper() if w.lower() in _SIZES else w for w in part.split()) for part in parts
    )


def top_share(phrase: str, terms: Sequence[str]) -> float:
    """1 when ``phrase`` holds the best of ``terms``, less for a later one, 0 for none.

    >>> top_share("petite dress", ["dress", "xs", "petite"])
    1.0
    >>> round(top_share("size xs", ["dress", "xs", "petite"]), 3)
    0.667
    """
    words = label_words(phrase)
    for rank, term in enumerate(terms):
        if term in words:
            return 1.0 - rank / len(terms)
    return 0.0
