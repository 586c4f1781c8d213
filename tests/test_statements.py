"""Statement rules: a sentence near the segment's name wins among equally central ones, and the
template for a segment without a wish near its centre fits what the segment is."""

import numpy as np
import pytest
from fakes import TableEmbedder

from noomarketing.highlighting import TEMPLATE_KINDS, _statement_fields
from noomarketing.schema import Feedback, NoomarketingError, Quote
from noomarketing.statements import (
    KIND_MARGIN,
    KINDS,
    Statement,
    _best,
    choose_statements,
    segment_kind,
    want_template,
)


@pytest.mark.parametrize("seed", range(20))
def test_a_bonus_only_ranks_sentences_within_the_margin_and_wishes_still_come_first(seed):
    rng = np.random.default_rng(seed)
    cosine = rng.uniform(0.2, 0.9, 12)
    wants = rng.random(12) < 0.3
    bonus = rng.uniform(0.0, 0.5, 12)
    margin = 0.1
    best = _best(cosine, wants, margin, bonus)
    assert cosine[best] >= cosine.max() - margin
    eligible = cosine >= cosine.max() - margin
    if (eligible & wants).any():
        assert wants[best]
        assert cosine[best] + bonus[best] == max(cosine[eligible & wants] + bonus[eligible & wants])
    assert _best(cosine, wants, margin) == _best(cosine, wants, margin, np.zeros(12))


def test_a_sentence_near_the_segments_name_wins_among_equally_central_ones():
    vague, named = "I wish it came in more colours.", "I wish the swimsuit came in more colours."
    label = "swimsuit colours"
    fb = Feedback.from_texts([vague, named])
    centroid = np.array([[1.0, 0.0, 0.0]], dtype=np.float32)
    table = {vague: [0.82, 0.57, 0.0], named: [0.80, 0.0, 0.6], label: [0.0, 0.0, 1.0]}
    plain = choose_statements(fb, [[0, 1]], centroid, TableEmbedder(table), name_weight=0.0)[0]
    assert plain.text == vague  # the test can fail: without the name the nearest wins
    chosen = choose_statements(fb, [[0, 1]], centroid, TableEmbedder(table), names=[label])[0]
    assert chosen.text == named and chosen.quote.row == fb.rows[1]
    # a sentence far from the centre is not pulled in by its closeness to the name
    table[named] = [0.5, 0.0, 0.866]
    far = choose_statements(fb, [[0, 1]], centroid, TableEmbedder(table), names=[label])[0]
    assert far.text == vague and far.quote.row == fb.rows[0]


@pytest.mark.parametrize("sentiment", np.linspace(-1, 1, 41))
def test_the_kind_of_a_segment_follows_its_sentiment(sentiment):
    kind = segment_kind(float(sentiment))
    assert kind in KINDS
    assert (kind == "complaint") == (sentiment <= -KIND_MARGIN)
    assert (kind == "praise") == (sentiment >= KIND_MARGIN)


@pytest.mark.parametrize("language", ["en", "pl", "ru", "de", None])
def test_each_kind_has_its_own_one_sentence_template_holding_the_label(language):
    sentences = {kind: want_template("Economic growth", language, kind) for kind in KINDS}
    assert len(set(sentences.values())) == len(KINDS)
    for sentence in sentences.values():
        assert "Economic growth" in sentence and sentence.endswith(".")
        assert sentence.count(".") == 1 and "?" not in sentence and "!" not in sentence
    with pytest.raises(NoomarketingError, match="kind must be one of"):
        want_template("Economic growth", language, "angry")


def test_only_a_complaint_is_asked_to_be_put_right():
    quote = Quote(
        row=1, customer_id="a", text="Growth slowed in the third quarter.", similarity=0.9
    )
    statement = Statement("Growth slowed in the third quarter.", quote, wants=False)
    by_sentiment = {
        s: _statement_fields(statement, "Economic growth", "en", s)
        for s in (-0.5, -KIND_MARGIN / 2, 0.0, 0.5)
    }
    assert by_sentiment[-0.5]["statement"] == want_template("Economic growth", "en", "complaint")
    for sentiment in (-KIND_MARGIN / 2, 0.0):  # news is no complaint
        fields = by_sentiment[sentiment]
        assert fields["statement"] != by_sentiment[-0.5]["statement"]
        assert ("neutral" in TEMPLATE_KINDS) == (fields.get("statement_source") == "template")
    assert by_sentiment[0.5]["statement"] == statement.text  # praise says what they value
    for fields in by_sentiment.values():
        assert fields["statement_quote"] == quote  # the evidence is always the segment's own
    wish = Statement("Please publish the growth figures monthly.", quote, wants=True)
    assert _statement_fields(wish, "Economic growth", "en", -0.5)["statement"] == wish.text


def test_a_sentence_that_could_stand_for_another_segment_loses_to_one_that_sets_it_apart():
    anywhere, own, other = "I love it so much.", "The tank straps are thin.", "The sweater pills."
    centroids = np.array([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0]])
    table = {anywhere: [0.95, 0.31, 0.0], own: [0.85, -0.3, 0.43], other: [0.8, 0.6, 0.0]}
    fb = Feedback.from_texts([anywhere, own, other])
    embedder = TableEmbedder(table)
    chosen = choose_statements(fb, [[0, 1], [2]], centroids, embedder)[0]
    assert chosen.text == own and chosen.quote.row == fb.rows[1]
    assert abs(chosen.quote.similarity - 0.85) < 0.01  # the evidence keeps its own cosine
    # the test can fail: by closeness to the centre alone, the sentence for anything wins
    plain = choose_statements(fb, [[0, 1], [2]], centroids, embedder, apart_weight=0.0)[0]
    assert plain.text == anywhere
