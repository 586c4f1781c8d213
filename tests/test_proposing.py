import json

import numpy as np
import pandas as pd
import pytest
from test_matching import make_idea

import noomarketing as nm
from noomarketing.proposing import PROPOSAL_COLUMNS, behaviour_factor, control_group
from noomarketing.reactions import ReactionLog
from noomarketing.schema import Feedback, FeedbackItem

IDEAS = [
    make_idea(0, "Late delivery / parcel / courier", ["late delivery", "parcel", "courier"],
              ["My parcel arrived ten days late", "The courier never came, delivery is slow"]),
    make_idea(1, "Size / fit / size chart", ["size", "fit", "size chart"],
              ["The size chart is wrong, M fits like XS", "Runs small, the fit is off"]),
]
OFFERS = [
    {"id": "ship", "name": "Free express shipping", "cost": 6, "tags": "delivery;courier",
     "description": "Your next parcel ships by express courier for free and arrives in two days"},
    {"id": "guarantee", "name": "On-time delivery guarantee", "cost": 3,
     "tags": "delivery;late;parcel",
     "description": "If a parcel arrives late we refund the shipping"},
    {"id": "fit", "name": "Personal fit advisor", "cost": 1, "tags": "size;fit",
     "description": "We recommend the right size for every item so it fits the first time"},
    {"id": "discount", "name": "Member discount", "cost": 8, "tags": "discount;loyalty",
     "description": "10% off every order for regular customers"},
    {"id": "voucher", "name": "Thank-you voucher", "cost": 10, "tags": "discount;voucher",
     "description": "A voucher for your next order, to thank you for staying with us"},
]
# customer, text, segment (as stage 1 would have labelled it)
ROWS = [
    ("c1", "My parcel came a week late", 0),
    ("c1", "The courier lost my package", 0),
    ("edge", "Delivery took twelve days", 0),
    ("edge", "Shipping is far too slow", 0),
    ("edge", "Also the jeans run small, I needed a bigger size", 0),
    ("c2", "The size chart is wrong", 1),
    ("c2", "Trousers too tight, sizing is off", 1),
]


def feedback_of(rows):
    items = [FeedbackItem(row=i, text=t, customer_id=c) for i, (c, t, _) in enumerate(rows)]
    return Feedback(items=items), [s for *_, s in rows]


@pytest.fixture(scope="module")
def cached(embedder, cache_dir):
    """The real model behind the disk cache: repeated texts are not embedded again."""
    return nm.CachedEmbedder(embedder, cache_dir)


@pytest.fixture(scope="module")
def matches(cached):
    return nm.match_offers(IDEAS, OFFERS, embedder=cached)


@pytest.fixture(scope="module")
def small(cached, matches):
    feedback, labels = feedback_of(ROWS)

    def run(**settings):
        return nm.propose(feedback, labels, IDEAS, matches, embedder=cached, **settings)

    return run


def offer_ids(result, customer):
    return [p.offer_id for p in result.for_customer(customer)]


def test_a_customer_at_the_edge_of_a_segment_gets_what_they_asked_for(small, matches):
    # the semantic rule's arithmetic; the hybrid default is covered in test_hybrid.py
    result = small(scoring="semantic")
    # the delivery segment's idea does not call for the fit advisor: ranked on the segment alone
    # it would stay under min_score, and a customer who only wrote about delivery never gets it
    assert matches.score(0, "fit") < 0.3
    assert "fit" not in offer_ids(result, "c1")
    # "edge" is in the delivery segment but also asked for a bigger size: their own words win
    assert offer_ids(result, "edge")[:2] == ["ship", "guarantee"] or offer_ids(result, "edge")[
        :2] == ["guarantee", "ship"]
    fit = next(p for p in result.for_customer("edge") if p.offer_id == "fit")
    assert fit.quote_text == "Also the jeans run small, I needed a bigger size"
    assert fit.quote_row == 4 and fit.segment_id == 0
    assert fit.segment_label == "Late delivery / parcel / courier"
    assert fit.score == fit.own_similarity > fit.segment_score  # the segment does not lower it
    # the segment lifts what its idea calls for, halfway to its score by default
    ship = next(p for p in result.for_customer("edge") if p.offer_id == "ship")
    assert ship.segment_score > ship.own_similarity
    assert ship.relevance == pytest.approx(
        ship.own_similarity + 0.5 * (ship.segment_score - ship.own_similarity), abs=2e-4
    )
    only_own = small(scoring="semantic", segment_weight=0.0).for_customer("edge")
    assert {p.offer_id: p.score for p in only_own}["ship"] == ship.own_similarity


def test_stage_4s_words_do_not_count_twice(cached, matches):
    """propose weighs the idea's words itself: the stage-4 scores it reads leave them out."""
    feedback, labels = feedback_of(ROWS)
    plain = nm.match_offers(IDEAS, OFFERS, embedder=cached, lexical_weight=0.0)
    assert any(p.words > 0 for p in matches.pairs)
    scores = [
        sorted((p.customer_id, p.offer_id, round(p.score, 3)) for p in nm.propose(
            feedback, labels, IDEAS, given, embedder=cached).proposals)
        for given in (matches, plain)
    ]
    assert scores[0] == scores[1]


def test_every_customer_is_served_or_told_why(small):
    result = small(per_customer=2)
    assert all(len(result.for_customer(c)) <= 2 for c in ("c1", "edge", "c2"))
    assert [p.rank for p in result.for_customer("edge")] == [1, 2]
    scores = [p.score for p in result.for_customer("edge")]
    assert scores == sorted(scores, reverse=True)
    strict = small(min_score=0.99)
    assert strict.proposals == []
    assert {u.customer_id for u in strict.unserved} == {"c1", "edge", "c2"}
    assert all("min_score" in u.reason for u in strict.unserved)


def test_budget_caps_the_proposals_greedily_by_value_per_cost(small):
    free = small()
    assert free.budget is None and free.spent == sum(p.cost for p in free.proposals) > 5
    capped = small(budget=5)
    # value per cost: both fit advisors (cost 1) first, then c1's guarantee (≈0.62 / 3) fills
    # the budget to exactly 5; nothing else fits
    chosen = {(p.customer_id, p.offer_id) for p in capped.proposals}
    assert chosen == {("c2", "fit"), ("edge", "fit"), ("c1", "guarantee")}
    assert capped.spent == sum(p.cost for p in capped.proposals) == 5
    nothing = small(budget=0)
    assert nothing.proposals == [] and nothing.spent == 0
    assert {u.reason for u in nothing.unserved} == {"budget spent before its turn"}


def test_customer_value_scales_expected_value(small):
    result = small(customer_value={"c1": 10.0, "edge": 1.0, "c2": 2.0})
    for p in result.proposals:
        value = {"c1": 10.0, "edge": 1.0, "c2": 2.0}[p.customer_id]
        assert p.expected_value == pytest.approx(p.score * value, abs=1e-3)
    with pytest.raises(nm.NoomarketingError, match="customer_value lacks 1 customer"):
        small(customer_value={"c1": 1.0, "edge": 1.0})


def test_past_behaviour_raises_and_lowers_offers_of_the_same_kind(cached, matches, tmp_path):
    assert behaviour_factor({}, nm.Offer(id="x", name="n", description="d"), {}) == 1.0
    text = "Delivery costs too much, a discount for regular customers would keep me"
    feedback, labels = feedback_of([("A", text, 0), ("B", text, 0), ("C", text, 0)])
    log = ReactionLog(tmp_path / "reactions.sqlite3")
    # customer A buys when given a discount; customer B turns discounts down; C has no history
    for offer in ("voucher", "discount"):
        log.record("A", offer, "accepted")
        log.record("B", offer, "rejected")

    def run(reactions=None):  # the semantic rule: its scores are the ones worked out below
        return nm.propose(feedback, labels, IDEAS, matches, embedder=cached,
                          reactions=reactions, scoring="semantic")

    before, after = run(), run(log)
    assert offer_ids(before, "A") == offer_ids(before, "B") == offer_ids(before, "C")
    assert "discount" in offer_ids(before, "A")[1:]  # not first without history
    # A: voucher and discount share the "discount" tag: 2 of 2 taken, Beta(1, 1) posterior mean
    # (1 + 2) / (2 + 2) = 0.75 over the prior mean 0.5 → × 1.5, and the discount goes first
    a = after.for_customer("A")[0]
    assert a.offer_id == "discount" and a.behaviour == 1.5
    assert a.score == pytest.approx(before_score(before, "A", "discount") * 1.5, abs=1e-3)
    # B: 0 of 2 → (1 + 0) / (2 + 2) / 0.5 = × 0.5: the discount drops under min_score
    assert "discount" not in offer_ids(after, "B")
    assert offer_ids(after, "B") == [o for o in offer_ids(before, "B") if o != "discount"]
    # other kinds of offer and other customers are untouched
    assert all(p.behaviour == 1.0 for p in after.proposals if p.offer_id in ("ship", "guarantee"))
    assert offer_ids(after, "C") == offer_ids(before, "C")
    assert {p.behaviour for p in after.for_customer("C")} == {1.0}


def before_score(result, customer, offer):
    return next(p.score for p in result.for_customer(customer) if p.offer_id == offer)


def test_segment_reactions_rerank_the_reacted_segment_only(cached, matches, tmp_path):
    rows = [(f"d{i}", "My parcel came a week late, the courier is slow", 0) for i in range(6)]
    rows += [(f"s{i}", "The size chart is wrong, it runs small", 1) for i in range(6)]
    feedback, labels = feedback_of(rows)

    def rank(reactions=None):
        result = nm.propose(feedback, labels, IDEAS, matches, embedder=cached, per="segment",
                            reactions=reactions, min_score=0.0, per_customer=5)
        return {s: [p.offer_id for p in result.proposals if p.segment_id == s] for s in (0, 1)}

    before = rank()
    assert before[0][0] in {"ship", "guarantee"}
    top, second = before[0][:2]
    log = ReactionLog(tmp_path / "segment.sqlite3")
    for i in range(6):  # the whole delivery segment turned its top offer down
        log.record(f"d{i}", top, "rejected", segment_id=0)
        log.record(f"d{i}", second, "accepted", segment_id=0)
    after = rank(log)
    assert after[0][:2] == [second, top]
    assert after[1] == before[1]


def test_control_group_is_seeded_and_gets_nothing(cached, matches):
    rows = [(f"c{i:02d}", text, s) for i in range(20) for text, s in
            [("My parcel came late", 0)] if i % 2] + [
        (f"c{i:02d}", "The size chart is wrong", 1) for i in range(20) if not i % 2]
    feedback, labels = feedback_of(rows)
    result = nm.propose(feedback, labels, IDEAS, matches, embedder=cached, control=0.25,
                        random_state=3)
    held = {c.customer_id for c in result.control}
    assert len(held) == 5
    assert not held & {p.customer_id for p in result.proposals}
    assert held | {p.customer_id for p in result.proposals} | {
        u.customer_id for u in result.unserved} == {f"c{i:02d}" for i in range(20)}
    assert all(c.segment_id == (0 if int(c.customer_id[1:]) % 2 else 1) for c in result.control)
    again = nm.propose(feedback, labels, IDEAS, matches, embedder=cached, control=0.25,
                       random_state=3)
    assert {c.customer_id for c in again.control} == held
    assert control_group([f"c{i:02d}" for i in range(20)][::-1], 0.25, 3) == held  # any order
    assert control_group([f"c{i:02d}" for i in range(20)], 0.25, 4) != held


def test_segment_mode_costs_the_whole_audience(cached, matches):
    rows = [(f"d{i}", "My parcel came a week late", 0) for i in range(4)]
    feedback, labels = feedback_of(rows)
    result = nm.propose(feedback, labels, IDEAS, matches, embedder=cached, per="segment",
                        per_customer=1, scoring="semantic")
    (top,) = result.proposals
    assert top.customer_id is None and top.segment_id == 0 and top.audience == 4
    assert top.cost == 4 * {"ship": 6, "guarantee": 3}[top.offer_id]
    assert top.score == top.segment_score  # a segment is ranked on its idea
    assert top.expected_value == pytest.approx(4 * top.score, abs=1e-3)


def test_unsegmented_customers_are_ranked_on_their_own_words(cached, matches):
    feedback, _ = feedback_of(ROWS[:2])
    result = nm.propose(feedback, [-1, -1], IDEAS, matches, embedder=cached)
    assert result.proposals and all(p.segment_id is None for p in result.proposals)
    weight = result.settings["lexical_weight"]  # shared words add to the meaning (hybrid)
    assert all(p.segment_score is None and p.typicality is None for p in result.proposals)
    assert all(p.score == pytest.approx(p.own_similarity + weight * p.own_lexical, abs=2e-4)
               for p in result.proposals)


def test_generated_ideas_complete_the_evidence_chain(cached, matches, small):
    from noomarketing.generation import generate_ideas

    generated = generate_ideas(IDEAS, n=4, embedder=cached, random_state=0)
    result = small(generated=generated)
    titles = {s: {g.title for g in generated if g.segment_id == s} for s in (0, 1)}
    for p in result.proposals:
        assert p.generated_title in titles[p.segment_id]
        assert -1.0 <= p.generated_similarity <= 1.0


def test_exports(small, tmp_path):
    result = small(control=0.34, random_state=0)
    frame = result.to_frame()
    assert frame.columns.tolist() == PROPOSAL_COLUMNS
    assert len(frame) == len(result.proposals)
    result.to_csv(tmp_path / "proposals.csv")
    back = pd.read_csv(tmp_path / "proposals.csv")
    assert back["offer_id"].tolist() == frame["offer_id"].tolist()
    assert back["quote_text"].tolist() == frame["quote_text"].tolist()
    result.to_json(tmp_path / "proposals.json")
    payload = json.loads((tmp_path / "proposals.json").read_text())
    assert len(payload["control"]) == 1 and len(payload["proposals"]) == len(frame)
    assert "budget" in payload and payload["settings"]["segment_weight"] == 0.5


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"segment_weight": 1.5}, "segment_weight must be between 0 and 1"),
        ({"per_customer": 0}, "per_customer must be at least 1"),
        ({"budget": -1}, "budget must be ≥ 0"),
        ({"control": 1.0}, "control must be a share in [0, 1)"),
        ({"per": "household"}, "per must be 'customer' or 'segment'"),
    ],
)
def test_bad_settings(small, settings, message):
    with pytest.raises(nm.NoomarketingError) as error:
        small(**settings)
    assert message in str(error.value)


def test_bad_labels(cached, matches):
    feedback, labels = feedback_of(ROWS)
    with pytest.raises(nm.NoomarketingError, match="got 6 segment labels for 7"):
        nm.propose(feedback, labels[:-1], IDEAS, matches, embedder=cached)
    with pytest.raises(nm.NoomarketingError, match=r"segment\(s\) \[7\] in labels have no idea"):
        nm.propose(feedback, [*labels[:-1], 7], IDEAS, matches, embedder=cached)


def test_embeddings_of_another_model_are_a_clear_error(cached, matches):
    feedback, labels = feedback_of(ROWS)
    other_model = np.ones((len(feedback), 512), dtype=np.float32)  # e.g. USE v3 vectors
    with pytest.raises(nm.NoomarketingError, match="512 dimensions but the embedder gives 384"):
        nm.propose(feedback, labels, IDEAS, matches, embeddings=other_model, embedder=cached)
