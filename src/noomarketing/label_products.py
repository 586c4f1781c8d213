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

Whatever phrase wins, the label then names the segment's product: the anchor nearest the
segment's centroid (:func:`centre_first`) is joined before a chosen phrase that lacks it
(:func:`named_products`: "Dress: regular XS") where customers who wrote the phrase wrote the
product beside it (:func:`written_beside`) and the joined label is nearer the centroid than
the phrase alone. The phrase often says what sets a segment apart from its neighbours (a size,
a strap) and the product what it is about; a reader wants both. A phrase that names the
product already ("Denim jacket", "Tee shirt"), or a product its customers write elsewhere
than beside the phrase (a segment that mixes "lookbook emails" and "office blazers"), leaves
the phrase as it is, and so does a segment of one text: a product is a word its customers
share, and one customer's words are labelled by their phrase ("Operator was rude", not
"Phone: operator was rude").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from noomarketing.label_rules import GENERIC_WORDS, opens_on_verb
from noomarketing.lexical import stem
from noomarketing.text import script_of, surface_form

SEPARATOR = ": "
SAME_MEANING = 0.7
"""Cosine of a phrase to the segment's product above which the phrase names the product
already ("bathing suits" and "swimsuit": 0.79 with the bundled MiniLM; "cup size" 0.35,
"soft material" and "fabric" 0.66)."""
# Clothing sizes that people write in capitals.
_SIZES = frozenset(("xxs", "xs", "xl", "xxl", "xxxl", "3xl"))
_LETTERS = re.compile(r"[^\W\d_]+")


def products(anchors: Sequence[str]) -> list[str]:
    """The anchors that may name what a segment is about: neither a verb that narrates
    ("wear", "bought": :func:`~noomarketing.label_rules.opens_on_verb`) nor a generic word
    ("love"), so no label reads "Wear: maternity top".

    >>> products(["wear", "top", "love", "zamówiłam", "sukienka"])
    ['top', 'sukienka']
    """
    return [a for a in anchors if a not in GENERIC_WORDS and not opens_on_verb(a)]


def with_products(
    phrases: Sequence[Sequence[str]],
    distinct: Sequence[np.ndarray],
    anchors: Sequence[Sequence[str]] | None,
    n_phrases: int = 10,
    n_anchors: int = 2,
) -> tuple[list[list[str]], list[np.ndarray]]:
    """Each segment's candidates with "<anchor>: <phrase>" added after them.

    The first ``n_phrases`` phrases (most distinctive first) are each joined to each of the
    first ``n_anchors`` anchors that may name a product (:func:`products`), that the phrase
    lacks and that is in the phrase's script; the joined candidate keeps the phrase's c-TF-IDF
    score. A phrase of four words or more stays as it is, so a label has at most five words.

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
        words = products(anchors[position][:n_anchors]) if anchors is not None else []
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


def centre_first(
    anchors: Sequence[Sequence[str]] | None, centroids: np.ndarray | None, embedder: Any
) -> list[list[str]] | None:
    """Each segment's anchors, the one nearest its centroid first (the word that says what the
    segment is about); ties and segments without an embedder keep the keyword order.

    All anchors of all segments are embedded in one batch.

    >>> class Letters:  # a word is as near an axis as it holds the letter
    ...     def encode(self, words):
    ...         return np.array([[w.count("x"), w.count("d")] for w in words], dtype=float)
    >>> centre_first([["xs", "size", "dress"]], np.array([[0.2, 1.0]]), Letters())
    [['dress', 'xs', 'size']]
    """
    if anchors is None:
        return None
    if embedder is None or centroids is None:
        return [list(words) for words in anchors]
    unique = sorted({w for words in anchors for w in words})
    if not unique:
        return [list(words) for words in anchors]
    vectors = np.asarray(embedder.encode(unique), dtype=np.float64)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    row = {word: i for i, word in enumerate(unique)}
    ordered = []
    for words, centroid in zip(anchors, centroids, strict=True):
        near = {w: float(vectors[row[w]] @ centroid) for w in words}
        ordered.append(sorted(words, key=lambda w: -near[w]))  # stable: ties keep their order
    return ordered


def name_product(label: str, anchor: str | None) -> str:
    """``label`` with ``anchor`` (the segment's product) joined before it, unless the label
    names it already (a word of the same :func:`~noomarketing.lexical.stem`: "tops" names
    "top"), is joined already, has four words or more, or is in another script.

    >>> name_product("regular xs", "dress")
    'dress: regular xs'
    >>> name_product("maternity tops", "top"), name_product("cup size", "купальник")
    ('maternity tops', 'cup size')
    """
    if not anchor or names_product(label):
        return label
    words = label.split()
    if len(words) >= 4 or script_of(anchor) != script_of(label):
        return label
    if stem(anchor) in {stem(word) for word in words}:
        return label
    return f"{anchor}{SEPARATOR}{label}"


def written_beside(phrase: str, word: str, texts: Sequence[str]) -> bool:
    """Whether a text that holds ``phrase`` holds ``word`` too, in any form of the same
    :func:`~noomarketing.lexical.stem` ("dresses" for "dress").

    >>> written_beside("regular xs", "dress", ["My regular XS dresses fit.", "Size XS."])
    True
    >>> written_beside("lookbook emails", "blazer", ["Lookbook emails!", "More blazers."])
    False
    """
    pattern = re.compile(rf"(?<![^\W_]){re.escape(phrase)}(?![^\W_])")
    target = stem(word)
    return any(
        target in {stem(w) for w in _LETTERS.findall(text.lower())}
        for text in texts
        if pattern.search(text.lower())
    )


def named_products(
    labels: Sequence[str | None],
    anchors: Sequence[Sequence[str]] | None,
    texts: Sequence[Sequence[str]],
    centroids: np.ndarray | None,
    embedder: Any,
) -> list[str | None]:
    """Each segment's label with its product named before it: the segment's first anchor, unless
    it is a verb or a generic word (:func:`products`), joined (:func:`name_product`) where
    customers who wrote the phrase wrote the product beside it (:func:`written_beside` over the
    segment's ``texts``), the joined label is nearer the segment's centroid than the phrase
    alone, and the phrase does not already name the product in other words (cosine to the anchor
    below :data:`SAME_MEANING`: no "swimsuit: bathing suits").

    Without an embedder (or anchors) the labels stay as they are: nothing says the product
    helps. The joined candidates, their phrases and anchors are embedded in one batch.

    >>> class Words:  # a label is as near an axis as it holds the word
    ...     def encode(self, texts):
    ...         return np.array([[t.count("dress"), t.count("xs"), t.count("mail")]
    ...                          for t in texts], dtype=float)
    >>> named_products(["xs petite", "lookbook mails"], [["dress"], ["dress"]],
    ...                [["An xs petite dress."], ["Lookbook mails, and a dress."]],
    ...                np.array([[0.6, 0.8, 0.0], [0.1, 0.0, 1.0]]), Words())
    ['dress: xs petite', 'lookbook mails']
    """
    result = list(labels)
    if anchors is None or embedder is None or centroids is None:
        return result
    joined = {}
    for position, label in enumerate(labels):
        anchor = next(iter(products(anchors[position][:1])), None) if label else None
        if anchor is None:
            continue
        named = name_product(label, anchor)
        if named != label and written_beside(label, anchor, texts[position]):
            joined[position] = (named, label, anchor)
    if not joined:
        return result
    vectors = np.asarray(embedder.encode([t for triple in joined.values() for t in triple]),
                         dtype=np.float64)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    for row, (position, (named, _, _)) in enumerate(joined.items()):
        as_named, as_phrase, as_anchor = vectors[3 * row : 3 * row + 3]
        if as_phrase @ as_anchor >= SAME_MEANING:
            continue
        if as_named @ centroids[position] > as_phrase @ centroids[position]:
            result[position] = named
    return result
