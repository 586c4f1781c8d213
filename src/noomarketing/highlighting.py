"""Stage 1b: highlight the idea of each segment.

For each segment: class-based TF-IDF keywords (stop words of many languages removed), kept
diverse with maximal marginal relevance; a short label; representative quotes nearest the
centroid with near-duplicates removed; size and share; sentiment from the texts and its impact
on the overall mean; and, when ratings exist, the mean rating and its impact on the overall mean
(the same contrast, so the two compare like with like).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from noomarketing.effects import chance_of_impacts, impact, mean_and_impact
from noomarketing.embedding import encode_unit
from noomarketing.labels import NO_LABEL, SegmentWords, distinct_labels
from noomarketing.languages import UNKNOWN, detect_languages
from noomarketing.loading import FeedbackSource, as_feedback
from noomarketing.noise import reasons_for
from noomarketing.schema import UNASSIGNED, Feedback, Idea, Keyword, NoomarketingError, Quote
from noomarketing.segmentation import SegmentModel
from noomarketing.sentiment import SentimentScorer
from noomarketing.statements import Statement, llm_statement, segment_kind, want_template
from noomarketing.text import TOKEN_PATTERN, stop_words, strip_redactions
from noomarketing.themes import segment_theme

QUOTE_CHARS = 500
"""Quotes longer than this are shown cut, with an ellipsis (the full text stays in the input)."""


def _words_only(text: str) -> str:
    """Lower case, without redaction marks: they are no customer's words."""
    return strip_redactions(text).lower()


def class_tfidf(documents: Sequence[str], ngram_range: tuple[int, int] = (1, 2)):
    """Class-based TF-IDF over one concatenated document per class (as in BERTopic).

    Returns ``(terms, scores)`` with ``scores`` of shape (n_classes, n_terms):
    ``tf(t, c) / |c| * log(1 + A / f(t))`` where A is the mean words per class.

    >>> terms, scores = class_tfidf(["late delivery late", "price too high"])
    >>> terms[scores[0].argmax()]
    'late'
    """
    vectorizer = CountVectorizer(
        token_pattern=TOKEN_PATTERN,
        stop_words=sorted(stop_words()),
        ngram_range=ngram_range,
        preprocessor=_words_only,
    )
    try:
        counts = vectorizer.fit_transform(documents)
    except ValueError:  # every word was a stop word (or there were none)
        return np.array([], dtype=object), np.zeros((len(documents), 0))
    counts = counts.astype(np.float64)
    totals = np.asarray(counts.sum(axis=1)).ravel()
    tf = counts.multiply(1.0 / np.maximum(totals, 1.0)[:, None]).tocsr()
    freq = np.asarray(counts.sum(axis=0)).ravel()
    avg_words = totals.mean() if len(totals) else 0.0
    idf = np.log(1.0 + avg_words / np.maximum(freq, 1.0))
    scores = tf.multiply(idf[None, :]).toarray()
    return vectorizer.get_feature_names_out(), scores


def mmr(
    candidate_vectors: np.ndarray,
    relevance: np.ndarray,
    k: int,
    diversity: float = 0.3,
) -> list[int]:
    """Maximal marginal relevance: pick ``k`` indices, trading relevance against redundancy.

    >>> mmr(np.array([[1, 0], [1, 0], [0, 1]], dtype=float), np.array([1.0, 0.9, 0.5]), 2, 0.7)
    [0, 2]
    """
    vectors = np.asarray(candidate_vectors)
    relevance = np.asarray(relevance, dtype=np.float64)
    chosen: list[int] = []
    open_ = np.ones(len(relevance), dtype=bool)
    # the highest similarity to any chosen candidate, grown one matrix-vector product at a
    # time: the full similarity matrix, a small matrix product, woke BLAS's threads on every
    # call (0.4-0.9 s of CPU per run of the bundled example on two busy cores)
    redundancy = np.zeros(len(relevance))
    while open_.any() and len(chosen) < k:
        gain = np.where(open_, (1 - diversity) * relevance - diversity * redundancy, -np.inf)
        best = int(np.argmax(gain))
        similarity = vectors @ vectors[best]
        redundancy = similarity if not chosen else np.maximum(redundancy, similarity)
        chosen.append(best)
        open_[best] = False
    return chosen


def make_label(terms: Sequence[str], n_terms: int = 3) -> str:
    """A short readable label from ranked keywords, skipping words already in the label.

    >>> make_label(["late delivery", "delivery", "courier", "box"])
    'Late delivery / courier / box'
    """
    picked: list[str] = []
    for term in terms:
        words = set(term.split())
        if any(words <= set(p.split()) for p in picked):
            continue
        picked.append(term)
        if len(picked) == n_terms:
            break
    if not picked:
        return NO_LABEL
    label = " / ".join(picked)
    return label[0].upper() + label[1:]


def _quotes(
    feedback: Feedback,
    members: np.ndarray,
    embeddings: np.ndarray,
    centroid: np.ndarray,
    n_quotes: int,
    languages: Sequence[str | None] | None,
    duplicate_similarity: float = 0.95,
) -> list[Quote]:
    sims = embeddings[members] @ centroid
    ranked = [int(members[local]) for local in np.argsort(-sims, kind="stable")]
    chosen: list[int] = []
    seen_texts: set[str] = set()

    def take(candidates: list[int]) -> None:
        """Add the first candidate that is neither a repeat nor a near-duplicate."""
        for index in candidates:
            if len(chosen) == n_quotes:
                return
            norm_text = " ".join(feedback.items[index].text.lower().split())
            if norm_text in seen_texts or (
                chosen
                and float((embeddings[chosen] @ embeddings[index]).max()) > duplicate_similarity
            ):
                continue
            chosen.append(index)
            seen_texts.add(norm_text)
            return

    if languages is not None:
        # a mixed segment shows the best quote of each language, most common language first
        codes = [languages[i] for i in ranked if languages[i] not in (None, UNKNOWN)]
        for code, _ in Counter(codes).most_common():
            take([i for i in ranked if languages[i] == code])
    for index in ranked:
        take([index])
    chosen.sort(key=lambda i: -float(embeddings[i] @ centroid))
    quotes = []
    for index in chosen:
        item = feedback.items[index]
        text = item.text if len(item.text) <= QUOTE_CHARS else item.text[:QUOTE_CHARS] + "…"
        quotes.append(
            Quote(
                row=item.row,
                customer_id=item.customer_id,
                text=text,
                similarity=round(float(embeddings[index] @ centroid), 4),
                language=languages[index] if languages is not None else None,
            )
        )
    return quotes


def _keywords(
    terms: np.ndarray,
    scores: np.ndarray,
    embedder: Any,
    centroid: np.ndarray,
    n_keywords: int,
    diversity: float,
) -> list[Keyword]:
    top = [i for i in np.argsort(-scores, kind="stable")[: n_keywords * 3] if scores[i] > 0]
    if not top:
        return []
    candidates = [str(terms[i]) for i in top]
    raw = scores[top]
    relevance = raw / raw.max()
    if embedder is not None and diversity > 0:
        vectors = encode_unit(embedder, candidates)
        relevance = 0.5 * relevance + 0.5 * np.clip(vectors @ centroid, 0, None)
        order = mmr(vectors, relevance, n_keywords, diversity)
    else:
        order = list(range(min(n_keywords, len(top))))
    return [Keyword(term=candidates[i], score=round(float(raw[i]), 6)) for i in order]


def _fitted_inputs(
    model: SegmentModel,
    feedback: Feedback,
    embeddings: np.ndarray | None,
    labels: np.ndarray | None,
    languages: Sequence[str | None] | None,
) -> tuple[np.ndarray, np.ndarray, Sequence[str | None] | None, np.ndarray | None]:
    """Embeddings, labels, languages and fit sample for highlighting ``feedback``.

    For the texts the model was fitted on (same :attr:`Feedback.fingerprint`) they are the
    model's; for other feedback they are computed now. Languages come from the caller, the
    feedback, the model (same texts), or are detected when the model detects languages.
    """
    same_data = model.fingerprint_ == feedback.fingerprint
    # A model fitted on a sample (SegmentModel.fit_sample_size) kept the sample's embeddings
    # only: keywords, quotes and sentiment are read from the sample, while sizes, ratings and
    # customers count every row. A saved and loaded model keeps its labels, not its vectors.
    kept = same_data and getattr(model, "embeddings_", None) is not None
    sample = model.sample_index_ if kept and embeddings is None else None
    if embeddings is None:
        embeddings = model.embeddings_ if kept else model.embed(feedback)
    if labels is None:
        labels = model.labels_ if same_data else model.predict(feedback, embeddings=embeddings)
    if languages is None:
        languages = feedback.languages
    if languages is None and model.languages_ is not None:
        languages = (
            model.languages_
            if same_data
            else [guess.code for guess in detect_languages(feedback.texts)]
        )
    return np.asarray(embeddings, dtype=np.float32), np.asarray(labels), languages, sample


def highlight_ideas(
    model: SegmentModel,
    feedback: Feedback | FeedbackSource,
    *,
    embeddings: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    n_keywords: int = 10,
    n_quotes: int = 5,
    diversity: float = 0.3,
    languages: Sequence[str | None] | None = None,
    noise: bool | Sequence[str | None] = True,
    noise_share: float = 0.5,
    llm: Any = None,
    sentiment_scorer: SentimentScorer | None = None,
) -> list[Idea]:
    """Stage 1: the idea of every segment of a fitted :class:`SegmentModel`.

    ``feedback`` is normally what the model was fitted on (the same texts: its ``labels_`` are
    used); for other feedback the model's :meth:`~SegmentModel.predict` assigns segments first.
    Unassigned items get no idea. ``languages`` (one code per item; by default those the
    feedback carries, or the model's ``languages_``, or detected for other feedback when the
    model detects languages) adds each segment's language mix, and for a segment in several
    languages its keywords per language and a quote in each language.

    Each idea has a label (a phrase of the customers' own words, :mod:`noomarketing.labels`)
    and a statement (one of their sentences saying what they want, :mod:`noomarketing.statements`)
    in the segment's main language. ``noise`` (``True``: :func:`noomarketing.noise.noise_reason`
    of every text; or one reason or ``None`` per item; ``False``: off) keeps feedback with
    nothing to act on out of keywords, labels, quotes and statements; a segment where at least
    ``noise_share`` of the items are noise is flagged ``noise`` and labelled as such. ``llm``
    (an :class:`~noomarketing.generation.LLMClient`, opt-in) rewrites each statement from the
    quotes; the extractive one stays in ``extractive_statement``. ``sentiment_scorer`` (a
    :class:`~noomarketing.sentiment.SentimentScorer`, fitted here) reads the texts' mood.

    Example:
        >>> import noomarketing as nm
        >>> fb = nm.load_feedback(nm.example_feedback_path(), text="text", customer="customer_id")
        >>> model = nm.SegmentModel(random_state=0).fit(fb)
        >>> ideas = nm.highlight_ideas(model, fb)
        >>> ideas[0].size >= ideas[-1].size, len({idea.label for idea in ideas}) == len(ideas)
        (True, True)
    """
    if not isinstance(model, SegmentModel):
        raise NoomarketingError(
            f"highlight_ideas needs a fitted SegmentModel, got {type(model).__name__}"
        )
    model._check_fitted()
    feedback = as_feedback(feedback)
    if languages is not None and len(languages) != len(feedback):
        raise NoomarketingError(f"got {len(languages)} languages for {len(feedback)} items")
    reasons = reasons_for(feedback, noise)
    if not 0.0 < noise_share <= 1.0:
        raise NoomarketingError(f"noise_share must be in (0, 1], got {noise_share}")
    if not isinstance(sentiment_scorer, SentimentScorer | None):
        kind = type(sentiment_scorer).__name__
        raise NoomarketingError(f"sentiment_scorer must be a SentimentScorer, got {kind}")
    embeddings, labels, languages, sample = _fitted_inputs(
        model, feedback, embeddings, labels, languages
    )
    texts_of = feedback if sample is None else feedback.subset(sample)
    text_labels = labels if sample is None else labels[sample]
    text_languages = (
        languages if languages is None or sample is None else [languages[i] for i in sample]
    )
    text_reasons = reasons if sample is None else [reasons[i] for i in sample]

    segment_ids = [int(s) for s in model.segment_ids_ if np.any(labels == s)]
    # the text-based parts read only feedback with something to act on
    clean_labels = np.where([r is None for r in text_reasons], text_labels, UNASSIGNED)
    documents = [
        " ".join(texts_of.items[i].text for i in np.flatnonzero(clean_labels == s))
        for s in segment_ids
    ]
    terms, scores = class_tfidf(documents)
    by_language = _keywords_by_language(texts_of, clean_labels, segment_ids, text_languages)
    embedder = model.embedder_
    centroids = np.stack([model.centroids_[s] for s in segment_ids]) if segment_ids else None
    keywords_of = [_keywords(terms, scores[position], embedder, model.centroids_[segment],
                             n_keywords, diversity) for position, segment in enumerate(segment_ids)]
    words = SegmentWords.read(texts_of, clean_labels, segment_ids, embeddings, centroids,
                              text_languages, embedder, word_scores=_word_scores(terms, scores),
                              anchors=[[k.term for k in kws] for kws in keywords_of])
    scorer = (sentiment_scorer or SentimentScorer()).fit(embedder)
    sentiment = scorer.score(embeddings, texts_of.texts, text_languages)
    ratings = np.array([np.nan if r is None else r for r in feedback.ratings], dtype=float)

    ideas, rows_of, moods_of = [], [], []
    for position, segment in enumerate(segment_ids):
        members = np.flatnonzero(labels == segment)
        centroid = model.centroids_[segment]
        keywords = keywords_of[position]
        text_members = members if sample is None else np.flatnonzero(text_labels == segment)
        clean = np.flatnonzero(clean_labels == segment)
        seg_reasons = Counter(reasons[i] for i in members if reasons[i] is not None)
        is_noise = sum(seg_reasons.values()) >= noise_share * len(members)
        # a segment counts the feedback it can act on; a noise segment counts all its rows
        counted = (
            members
            if is_noise
            else np.array([i for i in members if reasons[i] is None], dtype=np.int64)
        )
        mean_rating, rating_impact = mean_and_impact(ratings, counted)
        label = (
            f"Nothing to act on ({seg_reasons.most_common(1)[0][0]})"
            if is_noise
            else words.label(position, keywords, by_language.get(segment, {}))
        )
        # noise ("ok", "👍") would pull the mood up: the clean texts speak when any
        moody = clean if len(clean) else text_members
        mood = round(float(sentiment[moody].mean()), 4) if len(moody) else 0.0
        rows_of.append(None if is_noise else counted)
        moods_of.append(None if is_noise else moody)
        ideas.append(
            Idea(
                segment_id=segment,
                label=label,
                keywords=keywords,
                quotes=_quotes(texts_of, clean, embeddings, centroid, n_quotes, text_languages),
                size=len(counted),
                share=round(len(counted) / len(feedback), 4),
                sentiment=mood,
                mean_rating=mean_rating,
                rating_impact=rating_impact,
                sentiment_impact=impact(sentiment, moody) if len(moody) else None,
                customer_ids=list(dict.fromkeys(feedback.items[i].customer_id for i in counted)),
                languages=_language_mix(text_members, text_languages),
                keywords_by_language=by_language.get(segment, {}),
                **({} if is_noise else _statement_fields(
                    words.statements[position], label, words.languages[position], mood)),
                language=words.languages[position],
                noise=is_noise,
                theme=segment_theme(getattr(model, "themes_", None), segment),
            )
        )
    ideas = [
        idea.model_copy(update={"rating_impact_q": rating_q, "sentiment_impact_q": mood_q})
        for idea, rating_q, mood_q in zip(ideas, chance_of_impacts(ratings, rows_of),
                                          chance_of_impacts(sentiment, moods_of), strict=True)
    ]
    ideas = _distinct(ideas)
    return _with_llm_statements(ideas, llm) if llm is not None else ideas


def _statement_fields(
    statement: Statement | None, label: str, language: str | None, sentiment: float
) -> dict[str, Any]:
    """The idea's statement, its evidence and source: the customers' own want-sentence; when
    the segment states no wish near its centre, a fixed sentence from the label chosen by what
    the segment is (:func:`~noomarketing.statements.segment_kind`): a complaint wants it put
    right, a neutral segment looked into; praise keeps its most central sentence, which says
    what they value. A segment with no sentence to quote (its feedback is all two-word notes,
    "Rude support") gets the fixed sentence of its kind, praise too, without a quote.

    >>> from noomarketing.schema import Quote
    >>> quote = Quote(row=1, customer_id="a", text="Parcel late again.", similarity=0.9)
    >>> _statement_fields(Statement("Parcel late again.", quote, False), "Late parcels", "en",
    ...                   -0.5)["statement"]
    'They want this put right: “Late parcels”.'
    >>> _statement_fields(None, "Rude support", "en", -0.3)["statement"]
    'They want this put right: “Rude support”.'
    """
    kind = segment_kind(sentiment)
    if statement is None:
        if label == NO_LABEL:
            return {"statement": "", "statement_quote": None}
        return {"statement": want_template(label, language, kind), "statement_quote": None,
                "statement_source": "template"}
    if statement.wants or kind not in TEMPLATE_KINDS:
        return {"statement": statement.text, "statement_quote": statement.quote}
    return {"statement": want_template(label, language, kind),
            "statement_quote": statement.quote, "statement_source": "template"}


# The kinds of segment whose statement is a template when they state no wish near their centre
TEMPLATE_KINDS = frozenset(("complaint", "neutral"))


def _word_scores(terms: np.ndarray, scores: np.ndarray) -> list[dict[str, float]]:
    """Each segment's single words with their c-TF-IDF score (above 0).

    >>> _word_scores(np.array(["late", "late parcel"]), np.array([[0.5, 0.2], [0.0, 0.0]]))
    [{'late': 0.5}, {}]
    """
    single = np.flatnonzero([" " not in str(t) for t in terms])
    return [{str(terms[i]): float(row[i]) for i in single if row[i] > 0} for row in scores]


def _distinct(ideas: list[Idea]) -> list[Idea]:
    """The ideas with a number added to any label another segment has too."""
    labels = distinct_labels([idea.label for idea in ideas])
    return [
        idea.model_copy(update={"label": label}) for idea, label in zip(ideas, labels, strict=True)
    ]


def _with_llm_statements(ideas: list[Idea], llm: Any) -> list[Idea]:
    """Statements written by an LLM from the quotes, the extractive ones kept beside them."""
    rewritten = []
    for idea in ideas:
        if idea.noise or not idea.quotes:
            rewritten.append(idea)
            continue
        rewritten.append(
            idea.model_copy(
                update={
                    "statement": llm_statement(idea, llm),
                    "statement_source": "llm",
                    "extractive_statement": idea.statement,
                }
            )
        )
    return rewritten


def _language_mix(members: np.ndarray, languages: Sequence[str | None] | None) -> dict[str, float]:
    """Share of each language among a segment's members, most common first."""
    if languages is None:
        return {}
    counts = Counter(languages[i] or UNKNOWN for i in members)
    return {code: round(n / len(members), 4) for code, n in counts.most_common()}


def _keywords_by_language(
    feedback: Feedback,
    labels: np.ndarray,
    segment_ids: list[int],
    languages: Sequence[str | None] | None,
    n_terms: int = 5,
) -> dict[int, dict[str, list[Keyword]]]:
    """Keywords per language of each segment written in more than one language.

    For each language, c-TF-IDF runs over that language's texts of every segment, so a word
    ranks high when it sets the segment apart among texts of the same language.
    """
    if languages is None:
        return {}
    members = {s: np.flatnonzero(labels == s) for s in segment_ids}
    mixes = {s: _language_mix(m, languages) for s, m in members.items()}
    known = {s: [c for c in mix if c != UNKNOWN] for s, mix in mixes.items()}
    mixed = [s for s in segment_ids if len(known[s]) > 1]
    result: dict[int, dict[str, list[Keyword]]] = {s: {} for s in mixed}
    for code in sorted({c for s in mixed for c in known[s]}):
        docs = [
            " ".join(feedback.items[i].text for i in members[s] if languages[i] == code)
            for s in segment_ids
        ]
        terms, scores = class_tfidf(docs, ngram_range=(1, 1))
        if len(terms) == 0:
            continue
        for s in mixed:
            row = scores[segment_ids.index(s)]
            top = [i for i in np.argsort(-row, kind="stable")[:n_terms] if row[i] > 0]
            if top:
                result[s][code] = [
                    Keyword(term=str(terms[i]), score=round(float(row[i]), 6)) for i in top
                ]
    # languages in the order of the segment's mix
    return {s: {c: result[s][c] for c in known[s] if c in result[s]} for s in mixed}
