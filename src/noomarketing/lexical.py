"""Lexical evidence: BM25 scores of texts against offers, over word stems.

Semantic similarity alone ranks "the dress is too long" near every offer about clothes; the
customer's own rare words ("dress", "hem") name the offer. :class:`BM25` scores texts (the
queries) against a small collection of documents (the offers): Okapi BM25 with ``k1`` and ``b``,
IDF learned from the documents, so a word every offer uses weighs nothing and a word one offer
uses weighs most::

    bm25(q, d) = sum over q's stems t of  idf(t) * tf(t, d) * (k1 + 1)
                                          / (tf(t, d) + k1 * (1 - b + b * |d| / avgdl))
    idf(t)     = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))

Words are :func:`noomarketing.text.tokenize`'s (lower case, no stop words), cut to a
:func:`stem`: the first five letters, less a final ``s`` ("dresses" and "dress" → "dres"), a
truncation stemmer that needs no dictionary and serves every language the library reads.

It is a few lines over scikit-learn's ``CountVectorizer`` rather than the ``rank-bm25``
package: the collection is a catalogue of tens of offers, scoring is one sparse product, the
tokenizer is the project's own and no dependency is added.

:func:`lexical_similarity` maps scores to ``[0, 1]``: each document's score over what the
document scores against itself (its own words, each once), capped at 1, so that a text using all
of an offer's distinctive words scores 1 and a text sharing none scores 0, whatever the length
of the text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from noomarketing.schema import NoomarketingError
from noomarketing.text import tokenize

logger = logging.getLogger(__name__)

STEM_LETTERS = 5
"""Letters a stem keeps: five is where English and Slavic inflections mostly begin."""


def stem(word: str) -> str:
    """The first :data:`STEM_LETTERS` letters of ``word``, less a final ``s``.

    >>> [stem(w) for w in ["dresses", "dress", "jeans", "jean", "films", "politics"]]
    ['dres', 'dres', 'jean', 'jean', 'film', 'polit']
    """
    cut = word[:STEM_LETTERS]
    return cut[:-1] if len(cut) > 3 and cut.endswith("s") else cut


def stems(text: str) -> list[str]:
    """The stems of ``text``'s words, stop words left out.

    >>> stems("The dresses were too tight")
    ['dres', 'tight']
    """
    return [stem(word) for word in tokenize(text)]


class BM25:
    """Okapi BM25 of queries against a fitted collection of documents.

    Parameters are stored by ``__init__`` and used by :meth:`fit` (scikit-learn conventions).
    ``k1=1.2, b=0.75`` are the usual defaults; they were kept, not tuned.

    Example:
        >>> bm25 = BM25().fit(["Dress fitting: we alter the hem", "Jeans: free hemming",
        ...                    "Sweater repair"])
        >>> scores = bm25.score(["my dress is too long"])
        >>> int(scores.argmax()), scores.shape
        (0, (1, 3))
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b

    def fit(self, documents: Sequence[str]) -> BM25:
        """Learn the vocabulary, IDF and length-normalised term weights of ``documents``."""
        if self.k1 < 0 or not 0.0 <= self.b <= 1.0:
            raise NoomarketingError(f"BM25 needs k1 ≥ 0 and 0 ≤ b ≤ 1, got {self.k1}, {self.b}")
        if len(documents) == 0:
            raise NoomarketingError("BM25 needs at least one document")
        self.vectorizer_ = CountVectorizer(analyzer=stems)
        try:
            counts = self.vectorizer_.fit_transform(documents).tocsc().astype(np.float64)
        except ValueError:  # no document has a word that is not a stop word
            self.vectorizer_ = None
            self.weights_ = sparse.csr_matrix((0, len(documents)))
            self.idf_ = np.zeros(0)
            return self
        n = counts.shape[0]
        df = np.diff(counts.indptr)
        self.idf_ = np.log1p((n - df + 0.5) / (df + 0.5))
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        norm = self.k1 * (1.0 - self.b + self.b * lengths / max(lengths.mean(), 1e-9))
        counts = counts.tocoo()
        tf = counts.data
        data = tf * (self.k1 + 1.0) / (tf + norm[counts.row]) * self.idf_[counts.col]
        # vocabulary × documents: one product scores every query against every document
        self.weights_ = sparse.csr_matrix((data, (counts.col, counts.row)),
                                          shape=(counts.shape[1], n))
        return self

    def _query_counts(self, queries: Sequence[str]) -> sparse.csr_matrix:
        if not hasattr(self, "weights_"):
            raise NoomarketingError("BM25 is not fitted: call fit(documents) first")
        if self.vectorizer_ is None:
            return sparse.csr_matrix((len(queries), 0))
        return self.vectorizer_.transform(queries).astype(np.float64)

    def score(self, queries: Sequence[str]) -> np.ndarray:
        """BM25 of every query against every document: shape ``(len(queries), documents)``."""
        counts = self._query_counts(queries)
        scores = np.asarray((counts @ self.weights_).todense())
        return scores.reshape(len(queries), self.weights_.shape[1])  # also for no queries

    def self_scores(self) -> np.ndarray:
        """Each document's score against its own words, each counted once."""
        return np.asarray(self.weights_.sum(axis=0)).ravel()

    def shared(self, query: str, document: int, top: int = 3) -> list[str]:
        """The query's words that score for ``document``, heaviest first (at most ``top``)."""
        if self.vectorizer_ is None:
            return []
        column = self.weights_[:, document].toarray().ravel()
        vocabulary = self.vectorizer_.vocabulary_
        weights: dict[str, float] = {}
        for word in tokenize(query):
            index = vocabulary.get(stem(word))
            if index is not None and column[index] > 0:
                weights.setdefault(word, float(column[index]))
        return sorted(weights, key=lambda w: -weights[w])[:top]


def lexical_similarity(queries: Sequence[str], bm25: BM25) -> np.ndarray:
    """BM25 of each query over each document's self-score, capped at 1: shape ``(q, d)``.

    >>> bm25 = BM25().fit(["Dress fitting service", "Jeans hemming"])
    >>> lexical_similarity(["dress", "jeans hemming please", "a parcel"], bm25).round(2).tolist()
    [[0.33, 0.0], [0.0, 1.0], [0.0, 0.0]]
    """
    scores = bm25.score(queries)
    own = bm25.self_scores()
    if own.size == 0:
        return scores
    return np.minimum(np.divide(scores, own, out=np.zeros_like(scores), where=own > 0), 1.0)
