"""Segment labels a person would write: a 2-4 word phrase of the customers' own words.

Candidates are the phrases of a segment's texts in its main language: 2 to 4 consecutive words
inside one clause, starting and ending on a content word (not a stop word), with at most one
stop word inside, in one script, with no redaction mark ("late or lost parcels", "size chart",
"loyalty discount"). Each candidate is scored like KeyBERT against c-TF-IDF distinctiveness:

    score = 0.3 × c-TF-IDF / max + 0.7 × cosine(phrase, segment centroid) + 0.15 × keyword

``keyword`` is 1, 2/3 or 1/3 when the phrase holds the segment's first, second or third
c-TF-IDF term (0 otherwise), so the label names the topic. The phrase c-TF-IDF counts in how
many of the segment's texts the phrase occurs, over its texts, times ``log(1 + A / occurrences
in all segments)`` (A: mean texts per segment). The cosine uses the embedder of the
segmentation, so it works in every language that embedder reads; all candidates of all
segments are embedded in one batch. Segments pick their labels largest first, each the best
phrase no larger segment took, so labels are distinct.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from noomarketing.languages import UNKNOWN
from noomarketing.schema import Feedback, Keyword, Quote
from noomarketing.statements import choose_statements
from noomarketing.text import stop_words, strip_redactions

_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”„«»…/|\n\r\t*+=<>#~]+|\s[-–—]+\s")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|\S+")
# Words of the (broad) stop-word lists that customers use as content: "love this top",
# "runs small", "long sleeves", "late order". They may start or end a label.
_CONTENT = frozenset(
    ("top", "tops", "small", "large", "long", "short", "back", "side", "front", "big", "little",
     "full", "run", "runs", "order", "ordered", "orders", "new", "old", "high", "low", "line",
     "point", "place", "home", "work", "problem", "problems", "case", "part", "parts", "member",
     "members", "area", "face", "clear", "open", "help")
)


@cache
def label_stop_words() -> frozenset[str]:
    """The stop words a label may not start or end on (:func:`stop_words` less content words).

    >>> "top" in label_stop_words(), "the" in label_stop_words()
    (False, True)
    """
    return stop_words() - _CONTENT


# A phrase that stops right before one of these cut its object off ("lost | its shape").
_DETERMINERS = frozenset(
    ("the", "a", "an", "its", "my", "your", "his", "her", "their", "our", "this", "that", "these",
     "those")
)
_LETTERS = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")


def script_of(word: str) -> str:
    """The Unicode script of a word's letters (``LATIN``, ``CYRILLIC``, ...), ``""`` if none.

    >>> script_of("parcel"), script_of("посылка"), script_of("42")
    ('LATIN', 'CYRILLIC', '')
    """
    scripts = {unicodedata.name(c, "?").split()[0] for c in word if c.isalpha()}
    if not scripts:
        return ""
    return scripts.pop() if len(scripts) == 1 else "MIXED"


def phrases(text: str, max_words: int = 4) -> set[str]:
    """Label candidates in ``text``: 2..``max_words`` consecutive words of one clause.

    They start and end on a content word, hold at least two content words and at most one
    stop word, are in one script and never span a number or a redaction mark.

    >>> sorted(phrases("The size chart is wrong, I ordered an M."))
    ['chart is wrong', 'size chart', 'size chart is wrong']
    """
    stops = label_stop_words()
    found: set[str] = set()
    for clause in _CLAUSE.split(strip_redactions(text).lower()):
        run: list[str] = []
        for token in [*_WORD.findall(clause), "0"]:  # "0" closes the last run
            if _LETTERS.match(token) and (not run or script_of(token) == script_of(run[0])):
                run.append(token)
                continue
            found |= _runs(run, stops, max_words)
            run = [token] if _LETTERS.match(token) else []
    return found


def _runs(words: list[str], stops: frozenset[str], max_words: int) -> set[str]:
    content = [len(w) > 1 and w not in stops for w in words]
    found = set()
    for start in range(len(words)):
        if not content[start]:
            continue
        for end in range(start + 2, min(start + max_words, len(words)) + 1):
            n_content = sum(content[start:end])
            # at most one small word inside: "size chart is wrong", not "knit after a month"
            dangling = end < len(words) and words[end] in _DETERMINERS  # "shrank and lost"
            small = end - start - n_content
            if content[end - 1] and n_content >= 2 and small <= 1 and not dangling:
                found.add(" ".join(words[start:end]))
    return found


@dataclass
class LabelCandidates:
    """Each segment's candidate phrases with their c-TF-IDF score (best first)."""

    phrases: list[list[str]]
    distinct: list[np.ndarray]


def label_candidates(
    documents: Sequence[Sequence[str]], per_segment: int = 25
) -> LabelCandidates:
    """The ``per_segment`` most distinctive phrases of each segment (a list of texts each).

    A phrase needs two texts of its segment when the segment has two or more.

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
    for texts, count in zip(documents, counts, strict=True):
        support = min(2, len(texts))
        scored = sorted(
            (
                (n / len(texts) * math.log(1.0 + mean_texts / total[p]), p)
                for p, n in count.items()
                if n >= support
            ),
            key=lambda pair: (-pair[0], pair[1]),
        )[:per_segment]
        kept.append([p for _, p in scored])
        scores.append(np.array([s for s, _ in scored], dtype=np.float64))
    return LabelCandidates(kept, scores)


def choose_labels(
    candidates: LabelCandidates,
    centroids: np.ndarray,
    embedder: Any,
    order: Sequence[int],
    semantic_weight: float = 0.7,
    key_terms: Sequence[Sequence[str]] | None = None,
    key_weight: float = 0.15,
) -> list[str | None]:
    """One distinct phrase per segment (``None`` when it has no candidate left).

    ``order`` says which segment chooses first (largest first); the cosine part needs an
    embedder (without one, c-TF-IDF alone decides). ``key_terms`` (each segment's top
    keywords, best first) add up to ``key_weight`` to a phrase holding one of them, more for a
    better keyword, so the label names the topic ("love these jeans", not "fits perfectly").
    """
    unique = sorted({p for group in candidates.phrases for p in group})
    vectors: dict[str, np.ndarray] = {}
    if embedder is not None and unique and semantic_weight > 0:
        encoded = np.asarray(embedder.encode(unique), dtype=np.float32)
        norms = np.linalg.norm(encoded, axis=1, keepdims=True)
        vectors = dict(zip(unique, encoded / np.maximum(norms, 1e-12), strict=True))
    labels: list[str | None] = [None] * len(candidates.phrases)
    taken: set[frozenset[str]] = set()
    for position in order:
        group, distinct = candidates.phrases[position], candidates.distinct[position]
        if not group:
            continue
        score = distinct / max(float(distinct.max()), 1e-12)
        if vectors:
            cosine = np.array([float(vectors[p] @ centroids[position]) for p in group])
            score = (1 - semantic_weight) * score + semantic_weight * np.clip(cosine, 0, None)
        if key_terms is not None and key_terms[position]:
            score = score + key_weight * np.array(
                [_keyword_share(p, key_terms[position]) for p in group]
            )
        for index in np.argsort(-score, kind="stable"):
            words = frozenset(group[index].split())
            if words not in taken:
                taken.add(words)
                labels[position] = group[index]
                break
    return labels


def _keyword_share(phrase: str, terms: Sequence[str]) -> float:
    """1 when ``phrase`` holds the best of ``terms``, less for a later one, 0 for none.

    >>> _keyword_share("love these jeans", ["jeans", "denim", "pair"])
    1.0
    >>> round(_keyword_share("soft denim", ["jeans", "denim", "pair"]), 3)
    0.667
    """
    words = f" {phrase} "
    for rank, term in enumerate(terms):
        if f" {term} " in words:
            return 1.0 - rank / len(terms)
    return 0.0


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
    detected one), the statements from the ``n_texts`` nearest its centroid.
    """

    def __init__(self, languages: list[str | None], phrases: list[str | None],
                 statements: list[tuple[str, Quote] | None]) -> None:
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
        key_terms: Sequence[Sequence[str]] | None = None,
        n_texts: int = 40,
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
        candidates = label_candidates(
            [[feedback.items[i].text for i in group] for group in ranked]
        )
        by_size = sorted(range(len(segment_ids)), key=lambda p: (-len(ranked[p]), p))
        phrases = choose_labels(candidates, centroids, embedder, by_size, key_terms=key_terms)
        statements = choose_statements(
            feedback, [group[:n_texts] for group in ranked], centroids, embedder, languages
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
        return "(no keywords)"
