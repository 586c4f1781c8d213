import numpy as np
import pandas as pd
import pytest
from test_matching import make_idea
from test_proposing import IDEAS, OFFERS, ROWS, feedback_of

import noomarketing as nm
from noomarketing.hybrid import (
    EVIDENCE,
    Unit,
    deciding_evidence,
    lexical_scores,
    neighbour_votes,
    score_units,
    typicality,
)
from noomarketing.lexical import BM25, lexical_similarity, stem
from noomarketing.schema import NoomarketingError

CATALOGUE = [
    nm.Offer(id="hem", name="Dress fitting", description="We alter the hem of any dress"),
    nm.Offer(id="denim", name="Denim swap", description="Exchange your jeans for another cut"),
    nm.Offer(id="knit", name="Sweater care", description="Free repair of any sweater"),
]


def no_history(unit):
    return np.ones(len(CATALOGUE))


def scores_for(texts, sims, labels=None, table=None, typical=(0.0,), segment_weight=0.5):
    """score_units for one customer per text, with the given cosine similarities."""
    sims = np.asarray(sims, dtype=float)
    lexical, _, bm25 = lexical_scores(texts, [], CATALOGUE)
    table = (
        table
        if table is not None
        else pd.DataFrame([[0.0] * len(CATALOGUE)], index=[0], columns=[o.id for o in CATALOGUE])
    )
    units = [
        Unit(
            f"c{i}",
            None if labels is None else labels[i],
            [i],
            1.0,
            1,
            typical[i] if i < len(typical) else 0.0,
        )
        for i in range(len(texts))
    ]
    return score_units(
        units, sims, lexical, table, {}, no_history, "customer", segment_weight, 0.5, bm25
    )


def test_stems_join_inflections_and_bm25_weighs_rare_words_more():
    assert stem("dresses") == stem("dress") and stem("jeans") == stem("jean")
    bm25 = BM25().fit(["service dress fitting", "service jeans hemming", "service sweater repair"])
    # "service" is in every offer: it weighs less than a word only one offer uses
    common, dress = bm25.score(["service"])[0], bm25.score(["dresses"])[0]
    assert dress.argmax() == 0 and dress[0] > common.max() > 0
    similarity = lexical_similarity(["service dress fitting", "dress dress dress", "parcel"], bm25)
    assert similarity.min() >= 0 and similarity.max() <= 1
    assert similarity[0, 0] == pytest.approx(1.0) and similarity[2].sum() == 0
    assert set(bm25.shared("My dresses need fitting", 0)) == {"dresses", "fitting"}
    assert bm25.shared("My dresses need fitting", 1) == []


def test_bm25_refuses_bad_settings_and_use_before_fit():
    with pytest.raises(NoomarketingError, match="k1"):
        BM25(k1=-1).fit(["a dress"])
    with pytest.raises(NoomarketingError, match="not fitted"):
        BM25().score(["a dress"])
    # a catalogue of stop words only scores nothing, without an error
    assert BM25().fit(["the and of"]).score(["the dress"]).sum() == 0


def test_shared_rare_words_decide_when_the_meaning_ties():
    texts = ["The seam of my dress came undone after one wash"]
    scores = scores_for(texts, [[0.4, 0.4, 0.4]])
    assert scores.own_best[0].tolist() == [0.4, 0.4, 0.4]  # the meaning alone ties
    assert int(scores.score[0].argmax()) == 0  # the offer that shares "dress"
    assert scores.own_lexical[0, 0] > 0 and scores.own_lexical[0, 1:].sum() == 0
    assert deciding_evidence(scores, 0, 0) == "own words"
    assert scores.shared_words(texts[0], 0, 0) == ["dress"]
    assert scores.shared_words(texts[0], 0, 1) == []


def test_the_meaning_decides_when_no_words_are_shared():
    scores = scores_for(["Everything arrived broken"], [[0.2, 0.5, 0.3]])
    assert int(scores.score[0].argmax()) == 1
    assert deciding_evidence(scores, 0, 1) == "own meaning"
    assert all(deciding_evidence(scores, 0, j) in EVIDENCE for j in range(3))


def test_a_typical_customer_follows_the_segment_more_than_one_at_its_edge():
    # both wrote words that ask for "hem"; their segment's idea asks for "denim"
    texts = ["Something about my order", "Something about my order"]
    sims = [[0.5, 0.3, 0.1], [0.5, 0.3, 0.1]]
    table = pd.DataFrame([[0.2, 0.9, 0.1]], index=[0], columns=[o.id for o in CATALOGUE])
    scores = scores_for(
        texts, sims, labels=[0, 0], table=table, typical=(1.0, 0.05), segment_weight=0.5
    )
    central, edge = scores.score
    assert central[1] - central[0] > edge[1] - edge[0]
    assert int(central.argmax()) == 1 and int(edge.argmax()) == 0
    assert deciding_evidence(scores, 0, 1) == "segment meaning"
    assert deciding_evidence(scores, 1, 0) == "own meaning"
    # the lift never lowers what the customer asked for
    assert (scores.relevance >= scores.own_best + 0.5 * scores.own_lexical - 1e-12).all()


def test_typicality_is_the_rank_towards_the_centroid_within_each_segment():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.repeat([0, 1, -1, 1], 10)
    typical = typicality(vectors, labels)
    assert (typical[labels == -1] == 0).all()
    for segment in (0, 1):
        members = np.flatnonzero(labels == segment)
        centroid = vectors[members].mean(axis=0)
        closeness = vectors[members] @ centroid
        assert typical[members].max() == 1.0 and typical[members].min() > 0
        assert typical[members[closeness.argmax()]] == 1.0
        assert typical[members[closeness.argmin()]] == typical[members].min()


@pytest.fixture(scope="module")
def hybrid_result(embedder, cache_dir):
    cached = nm.CachedEmbedder(embedder, cache_dir)
    matches = nm.match_offers(IDEAS, OFFERS, embedder=cached)
    feedback, labels = feedback_of(ROWS)
    return nm.propose(feedback, labels, IDEAS, matches, embedder=cached)


def test_propose_is_hybrid_by_default_and_explains_each_proposal(hybrid_result):
    result = hybrid_result
    assert result.settings["scoring"] == "hybrid" and result.settings["lexical_weight"] > 0
    frame = result.to_frame()
    assert {"own_lexical", "segment_lexical", "typicality", "decided_by"} <= set(frame.columns)
    assert any(p.shared_words for p in result.proposals)
    for p in result.proposals:
        assert p.decided_by in EVIDENCE
        assert bool(p.shared_words) == (p.own_lexical > 0)
        assert all(word in p.quote_text.lower() for word in p.shared_words)
        assert 0 <= p.own_lexical <= 1 and 0 <= p.typicality <= 1
        own = p.own_similarity + result.settings["lexical_weight"] * p.own_lexical
        assert p.relevance >= own - 2e-4  # the segment never lowers what they asked for
    # the customer at the segment's edge who asked for a bigger size still gets the advisor
    fit = next(p for p in result.for_customer("edge") if p.offer_id == "fit")
    assert fit.quote_text == "Also the jeans run small, I needed a bigger size"
    # decided by their words or by the customer who also wrote about sizes, not the segment
    assert fit.decided_by in ("own meaning", "own words", "similar customers")


def test_bad_scoring_settings_are_one_clear_line(embedder, cache_dir):
    cached = nm.CachedEmbedder(embedder, cache_dir)
    matches = nm.match_offers(
        [make_idea(0, "Late parcel", ["parcel"], ["late"])], OFFERS[:2], embedder=cached
    )
    feedback, labels = feedback_of(ROWS[:1])
    with pytest.raises(NoomarketingError, match="scoring must be 'hybrid' or 'semantic'"):
        nm.propose(feedback, labels, IDEAS[:1], matches, embedder=cached, scoring="bm25")
    with pytest.raises(NoomarketingError, match="lexical_weight must be between 0 and 1"):
        nm.propose(feedback, labels, IDEAS[:1], matches, embedder=cached, lexical_weight=2)


def test_a_segment_is_ranked_on_its_meaning_and_words(embedder, cache_dir):
    cached = nm.CachedEmbedder(embedder, cache_dir)
    matches = nm.match_offers(IDEAS, OFFERS, embedder=cached)
    feedback, labels = feedback_of([(f"d{i}", "My parcel came a week late", 0) for i in range(3)])
    result = nm.propose(feedback, labels, IDEAS, matches, embedder=cached, per="segment")
    weight = result.settings["lexical_weight"]
    assert result.proposals and all(p.audience == 3 for p in result.proposals)
    for p in result.proposals:
        assert p.decided_by in ("segment meaning", "segment words")
        assert p.score == pytest.approx(p.segment_score + weight * p.segment_lexical, abs=2e-4)


def test_neighbour_votes_count_other_customers_only():
    rng = np.random.default_rng(0)
    centres = np.eye(4)[:2] * 5
    vectors = np.vstack(
        [centres[0] + rng.normal(size=(6, 4)) * 0.1, centres[1] + rng.normal(size=(6, 4)) * 0.1]
    )
    own = np.zeros((12, 3))
    own[:6, 0] = 1.0  # the first cluster's customers ask for offer 0 in their own words
    own[6:, 1] = 1.0
    owners = np.arange(12)
    owners[1] = owners[0]  # customer 0 wrote twice: their second text is not a neighbour
    own[1] = [0.0, 0.0, 1.0]
    votes = neighbour_votes(vectors, own, owners, k=4)
    assert votes.shape == own.shape and np.isfinite(votes).all()
    assert np.allclose(votes.sum(axis=1), 1.0)
    assert votes[0].tolist() == [1.0, 0.0, 0.0]  # offer 2 is only their own other text's
    assert (votes[6:, 1] == 1.0).all() and votes[2:6, 2].max() <= 0.25
    # one customer alone has no neighbours: no votes, not an error
    assert neighbour_votes(vectors[:2], own[:2], np.zeros(2, dtype=int)).sum() == 0


def test_similar_customers_decide_when_the_own_text_is_ambiguous():
    texts = ["I sent it back"] * 3
    scores = scores_for(texts, [[0.4, 0.4, 0.4]] * 3)
    assert deciding_evidence(scores, 0, 0) != "similar customers"
    votes = np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.0, 0.0, 0.0]])
    lexical, _, bm25 = lexical_scores(texts, [], CATALOGUE)
    units = [Unit(f"c{i}", None, [i], 1.0, 1) for i in range(3)]
    table = pd.DataFrame([[0.0] * 3], index=[0], columns=[o.id for o in CATALOGUE])
    scores = score_units(
        units,
        np.full((3, 3), 0.4),
        lexical,
        table,
        {},
        no_history,
        "customer",
        0.5,
        0.25,
        bm25,
        votes,
        0.3,
    )
    assert int(scores.score[0].argmax()) == 1
    assert deciding_evidence(scores, 0, 1) == "similar customers"
    assert scores.parts(0).shape == (len(EVIDENCE), 3)
    assert np.allclose(scores.parts(0)[:5].sum(axis=0), scores.relevance[0])
    assert scores.similar[2].sum() == 0 and np.isfinite(scores.score).all()


DRESS = [
    "The dress hem is far too long, I trip over it",
    "This dress needs a shorter hem",
    "Lovely dress but the hem drags on the floor",
    "The hem of the dress came undone",
    "I had to take the dress to a tailor for the hem",
    "Dress fits but the hem is uneven",
]


def test_a_customer_gets_what_customers_who_wrote_alike_asked_for(embedder, cache_dir):
    cached = nm.CachedEmbedder(embedder, cache_dir)
    matches = nm.match_offers(IDEAS[:1], CATALOGUE, embedder=cached)
    rows = [(f"d{i}", text, -1) for i, text in enumerate(DRESS)]
    rows.append(("vague", "I sent it back, it was not right for me", -1))  # which offer?
    feedback, labels = feedback_of(rows)
    result = nm.propose(feedback, labels, IDEAS[:1], matches, embedder=cached, min_score=-1)
    assert result.settings["neighbours"] > 0 and result.settings["neighbour_weight"] > 0
    vague = result.for_customer("vague")[0]
    assert vague.offer_id == "hem" and vague.similar_customers == 1.0
    assert vague.decided_by == "similar customers"  # their own words lean nowhere
    for p in result.proposals:
        assert np.isfinite(p.score) and 0 <= p.similar_customers <= 1
        if p.decided_by == "similar customers":
            assert p.similar_customers > 0
    # without neighbours no proposal is put down to them, and the field stays empty
    alone = nm.propose(
        feedback, labels, IDEAS[:1], matches, embedder=cached, min_score=-1, neighbours=0
    )
    assert alone.settings["neighbours"] == 0
    assert all(
        p.decided_by != "similar customers" and p.similar_customers is None for p in alone.proposals
    )
    for bad, message in (
        (dict(neighbours=-1), "neighbours must be a whole number"),
        (dict(neighbour_weight=2.0), "neighbour_weight must be between"),
    ):
        with pytest.raises(NoomarketingError, match=message):
            nm.propose(feedback, labels, IDEAS[:1], matches, embedder=cached, **bad)
