"""Segment labels a person would write: a 2-4 word phrase of the customers' own words, the
product named before it where the phrase lacks it ("Swimsuit: cup size").

Candidates are the phrases of a segment's texts in its main language: 2 to 4 consecutive words
inside one clause, starting and ending on a content word (not a stop word), with at most one
stop word inside, in one script, with no redaction mark ("late or lost parcels", "size chart",
"loyalty discount"), never ending on a word that leaves it open ("blouse runs", "jacket
based", "blouse for curvy"). A label names the topic (a product, a problem or a wish), so each
candidate is scored like KeyBERT against c-TF-IDF distinctiveness (:class:`LabelWeights`):

    score = 0.4 × phrase c-TF-IDF / max + 0.8 × cosine(phrase, segment centroid)
            + 0.3 × apart + 0.2 × words − 0.5 × generic − 0.3 × verb − 0.2 × product
            − 0.3 × max cosine(phrase, labels already taken)

``apart`` is how much nearer the phrase is to its own segment's centroid than to any other
segment's (:func:`noomarketing.embedding.apartness`): in a segment of jackets beside one of
sweaters, "sweater coat" (as near the sweaters) loses to "denim jacket", which picks its
segment out; no word list, so it works in any language the embedder reads.

``words`` is the mean, over the phrase's content words, of each word's c-TF-IDF in the segment
over the segment's best word, so every word of the label sets the segment apart ("poor
stitching", not "exchanged the jacket"). ``generic`` is 1 when a word of the phrase is a
generic sentiment or filler word of English, Polish or Russian ("love", "great", "kocham",
"люблю": :data:`noomarketing.label_rules.GENERIC_WORDS`), which says how customers feel, not
what about ("knit top", not "love this top"). ``verb`` is 1 when the phrase tells what someone
did or does rather than naming a topic (:func:`noomarketing.label_rules.narrates`): it opens
on such a verb ("exchanged the jacket", "buying the shirt", "zamknął zgłoszenie"), ends on an
English infinitive ("top to wear") or past form ("vest looked"), or holds a determiner inside
("eyeing this skirt"). The
phrase c-TF-IDF counts in how many of the segment's texts the phrase occurs, over its texts,
times ``log(1 + A / occurrences in all segments)`` (A: mean texts per segment). Candidates are
each segment's 25 most distinctive phrases found in two of its texts, and the phrases holding
one of its three anchor words ("supportive swimsuit"): the first single words of its keywords,
ranked by c-TF-IDF and closeness to the centroid (:func:`top_words`), then the one whose own
embedding is nearest the centroid first (:func:`~noomarketing.label_products.centre_first`:
the word that says what the segment is about, "dress" before "xs"). ``LabelWeights.top`` can
add a bonus for holding an anchor; the tuning left it at 0. The cosines use the embedder of
the segmentation, so they work in every language that embedder reads; all candidates of all
segments are embedded in one batch. ``product`` is 1 for a candidate that joins an anchor to
a phrase lacking it ("swimsuit: cup size": :mod:`noomarketing.label_products`), which no
customer wrote, so it wins only where the product's name brings it clearly nearer the centroid.
Once chosen, a phrase lacking the segment's first anchor gets it before a colon where customers
who wrote the phrase wrote the anchor beside it and the joined label is nearer the centroid
(:func:`~noomarketing.label_products.named_products`: "Dress: regular XS", where the phrase
says what sets the segment apart and the anchor what it is about). Segments pick their labels
largest first (maximal marginal relevance across segments: a phrase near a label already
taken loses), each the best phrase no larger segment took, so labels are distinct. The
weights were tuned on the shared labelled reviews and news (``benchmarks/label_fidelity.py``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from noomarketing.embedding import apartness
from noomarketing.label_products import (
    SEPARATOR,
    centre_first,
    label_words,
    named_products,
    names_product,
    top_share,
    with_products,
    written_form,
)
from noomarketing.label_rules import DETERMINERS, GENERIC_WORDS, narrates
from noomarketing.languages import UNKNOWN
from noomarketing.schema import Feedback, Keyword
from noomarketing.statements import Statement, choose_statements
from noomarketing.text import script_of, stop_words, strip_redactions

# A clause ends at a punctuation mark, a dash, or a word that turns to another clause ("jumpsuit
# but poor design", "design but jacket" are no names).
_CLAUSE = re.compile(
    r"[.,;:!?()\[\]{}\"“”„«»…/|\n\r\t*+=<>#~]+|\s[-–—]+\s"
    r"|(?<![^\W_])(?:but|however|although|though|whereas|ale|lecz|jednak|chociaż|choć|но|однако"
    r"|хотя)(?![^\W_])"
)
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\S+")
# Words of the (broad) stop-word lists that customers use as content: "love this top",
# "runs small", "long sleeves", "late order". They may start or end a label.
# fmt: off
_CONTENT = frozenset(
    ("top", "tops", "small", "large", "long", "short", "back", "side", "front", "big", "little",
     "full", "run", "runs", "order", "ordered", "orders", "new", "old", "high", "low", "line",
     "point", "place", "home", "work", "problem", "problems", "case", "part", "parts", "member",
     "members", "area", "face", "clear", "open", "help")
)
# fmt: on


@cache
def label_stop_words() -> frozenset[str]:
    """The stop words a label may not start or end on (:func:`stop_words` less content words).

    >>> "top" in label_stop_words(), "the" in label_stop_words()
    (False, True)
    """
    return stop_words() - _CONTENT


# Words that leave a phrase open: what follows them is what the phrase is about.
_OPEN_ENDS = frozenset(("run", "runs", "ran", "based", "online", "bit", "feels", "looks", "seems"))
# Words that say whom a thing is for and want their noun: "blouse for curvy | women".
# fmt: off
_WHOM = frozenset(("curvy", "petite", "tall", "short", "busty", "slim", "thin", "larger",
                   "bigger", "smaller", "older", "younger"))
# fmt: on
# Asides of a review that name no topic: "jacket for comparison", "size for reference".
_ASIDES = frozenset(("comparison", "reference"))
# "and"/"or": a phrase that ends on the word after one, while the clause goes on with a content
# word, stops inside a joined pair: "plastic-free packaging and organic | fabrics".
_JOINS = frozenset(("and", "or", "и", "или", "i", "oraz", "lub", "albo"))
_LETTERS = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")
NO_LABEL = "(no keywords)"
"""The label of a segment whose feedback has no word to name it by (emoji, numbers)."""


def phrases(text: str, max_words: int = 4) -> set[str]:
    """Label candidates in ``text``: 2..``max_words`` consecutive words of one clause.

    They start and end on a content word, hold at least two content words and at most one
    stop word, are in one script and never span a number or a redaction mark.

    >>> sorted(phrases("The size chart is wrong, I ordered an M."))
    ['chart is wrong', 'size chart', 'size chart is wrong']
    >>> sorted(phrases("Recycled packaging and organic fabrics, please"))[:3]
    ['organic fabrics', 'packaging and organic fabrics', 'recycled packaging']
    >>> sorted(phrases("Cute jumpsuit but poor design"))
    ['cute jumpsuit', 'poor design']
    """
    stops = label_stop_words()
    found: set[str] = set()
    for clause in _CLAUSE.split(strip_redactions(text).lower()):
        run: list[str] = []
        run_script = ""
        for token in [*_WORD.findall(clause), "0"]:  # "0" closes the last run
            script = script_of(token) if _LETTERS.match(token) else None
            if script is not None and run and script == run_script:
                run.append(token)
                continue
            if run:
                found |= _runs(run, stops, max_words)
            run, run_script = ([token], script) if script is not None else ([], "")
    return found


def _runs(words: list[str], stops: frozenset[str], max_words: int) -> set[str]:
    content = [len(w) > 1 and w not in stops for w in words]
    found = set()
    n_words = len(words)
    for start in range(n_words):
        if not content[start]:
            continue
        n_content = 1
        for end in range(start + 2, min(start + max_words, n_words) + 1):
            n_content += content[end - 1]
            # at most one small word inside: "size chart is wrong", not "knit after a month";
            # a longer phrase has at least as many small words, so stop at the second
            if end - start - n_content > 1:
                break
            dangling = end < n_words and words[end] in DETERMINERS  # "shrank and lost"
            dangling = dangling or words[end - 1] in _OPEN_ENDS  # "blouse runs", "jacket based"
            dangling = dangling or (words[end - 2] == "for" and words[end - 1] in _WHOM)
            aside = words[end - 2] == "for" and words[end - 1] in _ASIDES
            goes_on = end < n_words and content[end]
            dangling = dangling or (words[end - 2] in _JOINS and goes_on)
            # an adverb that leaves its word behind: "shirt is incredibly | soft"
            dangling = dangling or (words[end - 1].endswith("ly") and goes_on)
            if content[end - 1] and n_content >= 2 and not (dangling or aside):
                found.add(" ".join(words[start:end]))
    return found


@dataclass
class LabelCandidates:
    """Each segment's candidate phrases with their c-TF-IDF score (best first)."""

    phrases: list[list[str]]
    distinct: list[np.ndarray]


def label_candidates(
    documents: Sequence[Sequence[str]],
    per_segment: int = 25,
    anchors: Sequence[Sequence[str]] | None = None,
) -> LabelCandidates:
    """The ``per_segment`` most distinctive phrases of each segment (a list of texts each).

    A phrase needs two texts of its segment when the segment has two or more; the phrases
    holding one of the segment's ``anchors`` (its most distinctive words) need one and come
    in beside the ``per_segment`` others, so the topic's own word can name it.

    >>> found = label_candidates([["late parcel again", "parcel late, late parcel"],
    ...                           ["size chart wrong", "the size chart lies"]])
    >>> found.phrases
    [['late parcel'], ['size chart']]
    """
    counts = [Counter(p for text in texts for p in phrases(text)) for texts in documents]
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    mean_texts = max(float(np.mean([len(t) for t in documents])) if documents else 1.0, 1.0)
    kept, scores = [], []
    for position, (texts, count) in enumerate(zip(documents, counts, strict=True)):
        support = min(2, len(texts))
        ranked = sorted(
            ((n / len(texts) * math.log(1.0 + mean_texts / total[p]), p) for p, n in count.items()),
            key=lambda pair: (-pair[0], pair[1]),
        )
        scored = [pair for pair, n in ((q, count[q[1]]) for q in ranked) if n >= support]
        scored = scored[:per_segment]
        if anchors is not None and anchors[position]:
            words = set(anchors[position])
            extra = [q for q in ranked if q not in scored and words & set(q[1].split())]
            scored = sorted(scored + extra[:per_segment], key=lambda pair: (-pair[0], pair[1]))
        kept.append([p for _, p in scored])
        scores.append(np.array([s for s, _ in scored], dtype=np.float64))
    return LabelCandidates(kept, scores)


@dataclass(frozen=True)
class LabelWeights:
    """How label candidates are scored (see the module docstring).

    Tuned on the shared labelled data (``benchmarks/label_fidelity.py``): clothing reviews by
    department and by class, news by category.
    """

    phrase: float = 0.4
    semantic: float = 0.8
    words: float = 0.2
    generic: float = 0.5
    verb: float = 0.3
    top: float = 0.0
    redundancy: float = 0.3
    product: float = 0.2
    contrast: float = 0.3


def choose_labels(
    candidates: LabelCandidates,
    centroids: np.ndarray,
    embedder: Any,
    order: Sequence[int],
    word_scores: Sequence[Mapping[str, float]] | None = None,
    weights: LabelWeights | None = None,
    anchors: Sequence[Sequence[str]] | None = None,
) -> list[str | None]:
    """One distinct phrase per segment (``None`` when it has no candidate left).

    ``order`` says which segment chooses first (largest first); the cosine parts need an
    embedder (without one, c-TF-IDF alone decides). ``word_scores`` are each segment's word
    c-TF-IDF scores (any scale: each segment's best word counts 1); ``anchors`` the words the
    top-word bonus rewards (by default each segment's :func:`top_words`).
    """
    weights = weights or LabelWeights()
    unique = sorted({p for group in candidates.phrases for p in group})
    vectors: dict[str, np.ndarray] = {}
    if embedder is not None and unique and weights.semantic > 0:
        encoded = np.asarray(embedder.encode(unique), dtype=np.float32)
        norms = np.linalg.norm(encoded, axis=1, keepdims=True)
        vectors = dict(zip(unique, encoded / np.maximum(norms, 1e-12), strict=True))
    labels: list[str | None] = [None] * len(candidates.phrases)
    taken: set[frozenset[str]] = set()
    chosen: list[np.ndarray] = []
    for position in order:
        group = candidates.phrases[position]
        if not group:
            continue
        score = _label_scores(
            group,
            candidates.distinct[position],
            weights,
            word_scores[position] if word_scores is not None else None,
            anchors[position] if anchors is not None else None,
        )
        if vectors:
            matrix = np.stack([vectors[p] for p in group])
            score += weights.semantic * np.clip(matrix @ centroids[position], 0, None)
            if weights.contrast:
                score += weights.contrast * apartness(matrix, centroids, position)
            if chosen:
                score -= weights.redundancy * np.clip(matrix @ np.stack(chosen).T, 0, None).max(1)
        for index in np.argsort(-score, kind="stable"):
            words = frozenset(label_words(group[index]))
            if words not in taken:
                taken.add(words)
                labels[position] = group[index]
                if vectors:
                    chosen.append(vectors[group[index]])
                break
    return labels


def _label_scores(
    group: list[str],
    distinct: np.ndarray,
    weights: LabelWeights,
    word_scores: Mapping[str, float] | None,
    anchors: Sequence[str] | None = None,
) -> np.ndarray:
    """The text-only part of the candidates' scores: distinctiveness less generic words."""
    score = weights.phrase * distinct / max(float(distinct.max()), 1e-12)
    plain = [" ".join(label_words(p)) for p in group]
    generic = np.array([any(w in GENERIC_WORDS for w in p.split()) for p in plain], dtype=float)
    verb = np.array([narrates(p.split(SEPARATOR)[-1]) for p in group], dtype=float)
    joined = np.array([names_product(p) for p in group], dtype=float)
    score = score - weights.generic * generic - weights.verb * verb - weights.product * joined
    if word_scores:
        best = max(max(word_scores.values()), 1e-12)
        score = score + weights.words * np.array([word_share(p, word_scores) / best for p in plain])
        ranked = anchors if anchors is not None else top_words([word_scores])[0]
        score = score + weights.top * np.array([top_share(p, ranked) for p in group])
    return score


def top_words(
    word_scores: Sequence[Mapping[str, float]] | None,
    keywords: Sequence[Sequence[str]] | None = None,
    n: int = 3,
) -> list[list[str]] | None:
    """Each segment's ``n`` words that name it best: its first single-word ``keywords`` (ranked
    by c-TF-IDF and closeness to the centroid), else its best c-TF-IDF words; generic words
    ("love", "great") never count.

    >>> top_words([{"love": 3.0, "swimsuit": 1.0, "size": 2.0}])
    [['size', 'swimsuit']]
    >>> top_words(None, [["love", "swimsuit", "cup size", "size"]])
    [['swimsuit', 'size']]
    """
    if keywords is not None:
        return [
            [t for t in terms if " " not in t and t not in GENERIC_WORDS][:n] for terms in keywords
        ]
    if word_scores is None:
        return None
    return [
        sorted((w for w in scores if w not in GENERIC_WORDS), key=lambda w: (-scores[w], w))[:n]
        for scores in word_scores
    ]


def word_share(phrase: str, word_scores: Mapping[str, float]) -> float:
    """Mean score of the phrase's content words (generic words count 0; stop words are skipped).

    >>> word_share("poor stitching", {"poor": 0.5, "stitching": 1.0})
    0.75
    >>> word_share("love this top", {"love": 1.0, "top": 0.5})
    0.25
    """
    stops = label_stop_words()
    words = [w for w in phrase.split() if w not in stops]
    if not words:
        return 0.0
    return sum(0.0 if w in GENERIC_WORDS else word_scores.get(w, 0.0) for w in words) / len(words)


def tidy_label(text: str) -> str:
    """Capitalised first letter, single spaces.

    >>> tidy_label("  late  or lost parcels ")
    'Late or lost parcels'
    """
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def distinct_labels(labels: Sequence[str]) -> list[str]:
    """The labels with a number added to repeats, so no two segments share one.

    >>> distinct_labels(["Late parcels", "Size chart", "Late parcels"])
    ['Late parcels', 'Size chart', 'Late parcels (2)']
    """
    seen: Counter[str] = Counter()
    result = []
    for label in labels:
        seen[label.lower()] += 1
        n = seen[label.lower()]
        result.append(label if n == 1 else f"{label} ({n})")
    return result


class SegmentWords:
    """Each segment's main language, label phrase and statement, read from its clean texts.

    ``clean_labels`` are the segment of each text, with noise as unassigned; labels and
    statements are read from the texts in the segment's main language (its most common
    detected one), the statements from the ``n_texts`` nearest its centroid. ``anchors`` are
    each segment's keywords, best first: their first single words (:func:`top_words`) are
    always label candidates, and the one nearest the segment's centroid is joined before a
    chosen phrase that lacks it where its customers write the two together and the joined
    label is nearer the centroid
    (:func:`~noomarketing.label_products.named_products`).
    """

    def __init__(
        self,
        languages: list[str | None],
        phrases: list[str | None],
        statements: list[Statement | None],
    ) -> None:
        self.languages = languages
        self.phrases = phrases
        self.statements = statements

    @classmethod
    def read(
        cls,
        feedback: Feedback,
        clean_labels: np.ndarray,
        segment_ids: list[int],
        embeddings: np.ndarray,
        centroids: np.ndarray | None,
        languages: Sequence[str | None] | None,
        embedder: Any,
        word_scores: Sequence[Mapping[str, float]] | None = None,
        n_texts: int = 40,
        weights: LabelWeights | None = None,
        anchors: Sequence[Sequence[str]] | None = None,
    ) -> SegmentWords:
        mains: list[str | None] = []
        ranked: list[list[int]] = []
        for position, segment in enumerate(segment_ids):
            members = np.flatnonzero(clean_labels == segment)
            known = Counter(
                languages[i] for i in members if languages and languages[i] not in (None, UNKNOWN)
            )
            main = known.most_common(1)[0][0] if known else None
            if main is not None and languages is not None:
                members = np.array([i for i in members if languages[i] == main], dtype=np.int64)
            order = np.argsort(-(embeddings[members] @ centroids[position]), kind="stable")
            mains.append(main)
            ranked.append([int(members[i]) for i in order])
        if not segment_ids:
            return cls([], [], [])
        anchors = centre_first(top_words(word_scores, anchors), centroids, embedder)
        texts = [[feedback.items[i].text for i in group] for group in ranked]
        found = label_candidates(texts, anchors=anchors)
        # a product is a word customers share: one customer's text is labelled by its phrase
        shared = None if anchors is None else [
            words if len(group) > 1 else [] for words, group in zip(anchors, texts, strict=True)
        ]
        candidates = LabelCandidates(*with_products(found.phrases, found.distinct, shared))
        by_size = sorted(range(len(segment_ids)), key=lambda p: (-len(ranked[p]), p))
        phrases = choose_labels(
            candidates, centroids, embedder, by_size, word_scores, weights, anchors
        )
        phrases = named_products(phrases, shared, texts, centroids, embedder)
        phrases = [
            written_form(phrase, texts[p][:200]) if phrase else phrase
            for p, phrase in enumerate(phrases)
        ]
        statements = choose_statements(
            feedback,
            [group[:n_texts] for group in ranked],
            centroids,
            embedder,
            languages,
            names=phrases,
        )
        return cls(mains, phrases, statements)

    def label(
        self, position: int, keywords: list[Keyword], by_language: dict[str, list[Keyword]]
    ) -> str:
        """The segment's phrase, else its two best keywords of one script."""
        if self.phrases[position]:
            return tidy_label(self.phrases[position])
        main = self.languages[position]
        terms = [k.term for k in (by_language.get(main, keywords) if main else keywords)]
        if terms:
            script = script_of(terms[0])
            same = [t for t in terms if script_of(t) == script]
            return tidy_label(", ".join(same[:2]))
        return NO_LABEL
