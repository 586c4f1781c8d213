import numpy as np
import pytest
from scipy.stats import mannwhitneyu

import noomarketing as nm
from noomarketing.effects import CLEAR, chance_of_impacts, rank_test
from noomarketing.highlighting import class_tfidf, make_label, mmr
from noomarketing.labels import NO_LABEL
from noomarketing.sentiment import SentimentScorer


@pytest.fixture(scope="module")
def ideas_and_labels(themed, embedder, cache_dir):
    texts, labels = themed
    ratings = {"delivery": 2.0, "price": 3.0, "support": 1.0}
    fb = nm.load_feedback(
        [{"t": t, "r": ratings[lab]} for t, lab in zip(texts, labels, strict=True)],
        text="t",
        rating="r",
    )
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0).fit(fb)
    return nm.highlight_ideas(model, fb), model, labels


def test_each_theme_gets_its_own_keywords(ideas_and_labels):
    ideas, _model, _labels = ideas_and_labels
    words = " ".join(k.term for i in ideas for k in i.keywords)
    for expected in ("late", "expensive", "support"):
        assert expected in words
    for idea in ideas:
        assert idea.label and idea.label != NO_LABEL
        assert 1 <= len(idea.quotes) <= 5
        assert len({q.text for q in idea.quotes}) == len(idea.quotes)


def test_sizes_shares_and_rating_impact_add_up(ideas_and_labels):
    ideas, model, labels = ideas_and_labels
    assert sum(i.size for i in ideas) == int((model.labels_ >= 0).sum())
    stars = np.array([{"delivery": 2.0, "price": 3.0, "support": 1.0}[lab] for lab in labels])
    overall = stars.mean()
    for idea in ideas:
        members = np.flatnonzero(model.labels_ == idea.segment_id)
        seg, rest = stars[members], np.delete(stars, members)
        assert idea.mean_rating == pytest.approx(seg.mean(), abs=1e-3)
        assert idea.rating_impact == pytest.approx(overall - rest.mean(), abs=1e-3)
        # the test scipy runs on the segment and the rest, adjusted across the segments
        # (Benjamini-Hochberg never lowers a p-value, nor raises it past Bonferroni's)
        p = mannwhitneyu(seg, rest).pvalue
        assert p - 1e-4 <= idea.rating_impact_q <= min(p * len(ideas), 1.0) + 1e-4
        assert idea.sentiment_impact_q is not None and 0.0 <= idea.sentiment_impact_q <= 1.0
    # the support theme (1 star) and the price theme (3 stars) stand out from the rest;
    # delivery's 2 stars sit between the others' 1 and 3, where the test sees no difference
    pure = [i for i in ideas if len(set(stars[model.labels_ == i.segment_id])) == 1]
    outer = [i for i in pure if round(i.mean_rating) in (1, 3)]
    assert outer and all(i.rating_impact_q < CLEAR for i in outer)


def test_an_impact_of_chance_is_told_from_a_clear_one():
    rng = np.random.default_rng(0)
    stars = rng.integers(1, 6, size=600).astype(float)
    stars[:100] = rng.integers(1, 3, size=100)  # an unhappier group
    stars[100:200] = rng.integers(4, 6, size=100)  # and a happier one: the rest stays even
    stars[rng.random(600) < 0.05] = np.nan  # unrated rows are left out, not zeros
    groups = [np.arange(0, 100), np.arange(300, 400), np.arange(100, 200), None]
    sad, chance, happy, untested = chance_of_impacts(stars, groups)
    assert sad < CLEAR and happy < CLEAR <= chance and untested is None
    # the two-sided test of each group against the rest, as scipy's asymptotic one
    for group in groups[:3]:
        own, rest = stars[group], np.delete(stars, group)
        expected = mannwhitneyu(own[np.isfinite(own)], rest[np.isfinite(rest)],
                                method="asymptotic").pvalue
        assert rank_test(stars, group) == pytest.approx(expected, rel=1e-9)
    # nothing to compare: no ratings at all, or every row in the group
    assert chance_of_impacts(np.full(10, np.nan), [np.arange(5)]) == [None]
    assert chance_of_impacts(np.arange(10.0), [np.arange(10)]) == [None]


def test_sentiment_separates_praise_from_complaints(embedder, cache_dir):
    texts = [f"I love this shop, wonderful service number {i}" for i in range(30)] + [
        f"terrible shop, awful broken product number {i}" for i in range(30)
    ]
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0).fit(texts)
    ideas = nm.highlight_ideas(model, texts)
    by_label = {i.label.lower(): i.sentiment for i in ideas}
    assert any(s > 0.3 for s in by_label.values()) and any(s < -0.3 for s in by_label.values())
    # sentiment_impact is rating_impact's contrast on sentiment: overall mean minus the rest's
    scores = (
        SentimentScorer().fit(model.embedder_).score(model.embeddings_, texts, model.languages_)
    )
    for idea in ideas:
        members = model.labels_ == idea.segment_id
        assert idea.sentiment == pytest.approx(scores[members].mean(), abs=1e-3)
        expected = scores.mean() - scores[~members].mean()
        assert idea.sentiment_impact == pytest.approx(expected, abs=1e-3)
        # a segment happier than the rest lifts the mean, a sadder one pulls it down
        assert np.sign(idea.sentiment_impact) == np.sign(idea.sentiment - scores[~members].mean())
    assert {np.sign(i.sentiment_impact) for i in ideas if abs(i.sentiment) > 0.3} == {-1, 1}


def test_class_tfidf_and_mmr_and_label_units():
    terms, scores = class_tfidf(["late late parcel", "price price high", "rude support"])
    assert [terms[scores[i].argmax()] for i in range(3)] == ["late", "price", "rude"]
    vecs = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0]])
    assert mmr(vecs, np.array([1.0, 0.95, 0.6]), 2, diversity=0.5) == [0, 2]
    assert make_label(["late delivery", "late", "courier"]) == "Late delivery / courier"


def test_each_segments_quotes_and_customers_belong_to_it(ideas_and_labels):
    ideas, model, _labels = ideas_and_labels
    for idea in ideas:
        members = set(np.flatnonzero(model.labels_ == idea.segment_id).tolist())
        assert {q.row for q in idea.quotes} <= members  # rows are positions: nothing skipped
        assert len(idea.customer_ids) == idea.size == len(members)


def test_the_fitted_texts_are_recognised_by_content_not_by_row_numbers(themed, embedder, cache_dir):
    texts, _ = themed
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, language="off").fit(texts)
    same = nm.highlight_ideas(model, list(texts))  # another object, the same texts
    assert {i.segment_id: i.size for i in same} == {
        s: int(n) for s, n in enumerate(model.segment_sizes_) if n
    }
    shuffled = texts[1:] + texts[:1]  # the same rows 0..n-1, other texts in them
    predicted = model.predict(shuffled)
    moved = nm.highlight_ideas(model, shuffled)
    assert {i.segment_id: i.size for i in moved} == {
        int(s): int((predicted == s).sum()) for s in set(predicted.tolist()) if s >= 0
    }
    for idea in moved:
        rows = set(np.flatnonzero(predicted == idea.segment_id).tolist())
        assert {q.row for q in idea.quotes} <= rows


def test_a_sentiment_scorer_can_be_chosen_and_a_wrong_one_is_one_clear_error(ideas_and_labels):
    ideas, model, _labels = ideas_and_labels
    texts = [quote.text for idea in ideas for quote in idea.quotes]
    scorer = SentimentScorer(by_sentence=True)
    chosen = nm.highlight_ideas(model, texts, sentiment_scorer=scorer)
    assert scorer.embedder_ is model.embedder_  # fitted and used here
    assert [i.segment_id for i in chosen] and all(-1 <= i.sentiment <= 1 for i in chosen)
    with pytest.raises(nm.NoomarketingError, match="must be a SentimentScorer, got str"):
        nm.highlight_ideas(model, texts, sentiment_scorer="by sentence")


def test_a_saved_and_loaded_model_highlights_the_feedback_it_was_fitted_on(
    themed, embedder, cache_dir, tmp_path
):
    texts, _labels = themed
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0).fit(texts)
    model.save(tmp_path / "model")
    loaded = nm.SegmentModel.load(tmp_path / "model")  # labels kept, vectors not
    before, after = nm.highlight_ideas(model, texts), nm.highlight_ideas(loaded, texts)
    assert [(i.segment_id, i.size) for i in after] == [(i.segment_id, i.size) for i in before]
    assert all(i.label and i.quotes for i in after)
