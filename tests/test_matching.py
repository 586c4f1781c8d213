import json

import pandas as pd
import pytest

import noomarketing as nm
from noomarketing.matching import MATCH_COLUMNS, matched_tags
from noomarketing.offers import parse_tags
from noomarketing.schema import Idea, Keyword, NoomarketingError, Quote


def make_idea(segment_id, label, terms, quotes, size=10):
    return Idea(
        segment_id=segment_id,
        label=label,
        keywords=[Keyword(term=t, score=1.0 / (i + 1)) for i, t in enumerate(terms)],
        quotes=[Quote(row=i, customer_id=f"c{i}", text=q, similarity=0.9)
                for i, q in enumerate(quotes)],
        size=size,
        share=0.25,
        sentiment=-0.5,
    )


@pytest.fixture(scope="module")
def ideas():
    return [
        make_idea(0, "Late delivery / parcel / courier", ["late delivery", "parcel", "courier"],
                  ["My parcel arrived ten days late", "The courier never came, delivery is slow"]),
        make_idea(1, "Prices / discount / loyalty", ["prices", "discount", "loyalty"],
                  ["Too expensive, a loyalty discount would keep me", "Prices keep going up"]),
        make_idea(2, "Recycling / planet / organic", ["recycling", "planet", "organic"],
                  ["Please start a recycling programme for old clothes",
                   "I only buy organic cotton, I care about the planet"]),
    ]


OFFERS = [
    {"id": "ship", "name": "Free express shipping",
     "description": "Your next parcel ships by express courier for free and arrives in two days",
     "cost": 6, "tags": "delivery;courier"},
    {"id": "points", "name": "Loyalty points card",
     "description": "Earn points on every purchase and turn them into discounts",
     "cost": "2", "price": "", "tags": "loyalty,discount", "season": "all year"},
    {"id": "stylist", "name": "Personal stylist session",
     "description": "A stylist puts complete outfits together for you", "cost": 25, "tags": []},
]


def test_load_offers_reads_every_source_alike(tmp_path):
    csv = tmp_path / "offers.csv"
    pd.DataFrame(OFFERS).to_csv(csv, index=False)
    jsonl = tmp_path / "offers.jsonl"
    jsonl.write_text("\n".join(json.dumps(o) for o in OFFERS))
    loaded = [nm.load_offers(s) for s in (OFFERS, pd.DataFrame(OFFERS), csv, jsonl)]
    for offers in loaded:
        assert [o.id for o in offers] == ["ship", "points", "stylist"]
        assert [o.cost for o in offers] == [6.0, 2.0, 25.0]
        assert offers[0].tags == ["delivery", "courier"]
        assert offers[1].tags == ["loyalty", "discount"]
        assert offers[1].price is None
        assert offers[1].attributes["season"] == "all year"
        assert offers[2].attributes.get("season") is None  # kept, empty for this row


def test_tags_and_ids_are_normalised():
    assert parse_tags(["Eco", " eco ", "Planet"]) == ["eco", "planet"]
    assert parse_tags(float("nan")) == []
    offers = nm.load_offers(pd.DataFrame({"id": [1, 2], "name": ["a", "b"],
                                          "description": ["x", "y"]}))
    assert [o.id for o in offers] == ["1", "2"] and offers[0].cost == 0.0


ONE = {"id": "a", "name": "n", "description": "d"}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([{"id": "a", "name": "n"}], "lacks column(s) 'description'"),
        ([ONE, ONE], "duplicate offer id 'a' (rows 0 and 1)"),
        ([{**ONE, "name": float("nan")}], "offer row 0: name is empty"),
        ([{**ONE, "cost": "cheap"}], "'cheap' is not a number"),
        ([{**ONE, "cost": -3}], "must be a number ≥ 0"),
        ([{**ONE, "cost": None}], "cost is empty"),
        ([], "the offer catalogue is empty"),
        (42, "cannot read offers from int"),
    ],
)
def test_bad_catalogues_are_one_line_errors(rows, message):
    with pytest.raises(nm.NoomarketingError) as error:
        nm.load_offers(rows)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_tags_match_keyword_words_with_shared_stems(ideas):
    assert matched_tags(["delivery", "courier", "discount"], ideas[0]) == ["delivery", "courier"]
    assert matched_tags(["price"], ideas[1]) == ["price"]  # "prices"
    assert matched_tags(["eco"], ideas[2]) == []


def test_each_idea_gets_its_offer_and_an_unserved_idea_is_a_gap(ideas, embedder):
    result = nm.match_offers(ideas, OFFERS, embedder=embedder)
    assert result.matches_for(0)[0].offer_id == "ship"
    assert result.matches_for(1)[0].offer_id == "points"
    assert len(result.pairs) == len(ideas) * len(OFFERS)
    assert all(m.score >= result.threshold or m.rank == 1 for m in result.matches)
    # nothing in the catalogue serves the recycling idea: a gap, with an offering in its words
    assert [gap.segment_id for gap in result.gaps] == [2]
    gap = result.gaps[0]
    assert gap.best_score < result.threshold and gap.best_offer_id in {"ship", "points", "stylist"}
    assert {"recycling", "planet", "organic"} <= set(gap.suggestion_tags)
    assert gap.quote.startswith("Please start") and gap.quote[:20] in gap.suggestion_description
    assert gap.label in gap.suggestion_description


def test_score_is_the_documented_weighted_sum(ideas, embedder):
    result = nm.match_offers(ideas, OFFERS, embedder=embedder, tag_weight=0.4,
                             lexical_weight=0.3)
    meaning = result.score_table(words=False)
    for pair in result.pairs:
        assert 0.0 <= pair.words <= 1.0
        assert pair.score == pytest.approx(
            0.6 * pair.similarity + 0.4 * pair.tag_overlap + 0.3 * pair.words, abs=3e-4)
        assert meaning.loc[pair.segment_id, pair.offer_id] == pytest.approx(
            0.6 * pair.similarity + 0.4 * pair.tag_overlap, abs=3e-4)
    # the words the idea shares with an offer: "parcel" and "courier" with the shipping offer,
    # nothing with the stylist's
    assert result.pairs[0].segment_id == 0
    words = {p.offer_id: p.words for p in result.pairs if p.segment_id == 0}
    assert words["ship"] > 0.0 and words["stylist"] == 0.0
    without = nm.match_offers(ideas, OFFERS, embedder=embedder, tag_weight=0.4,
                              lexical_weight=0.0)
    assert without.score(0, "ship") == pytest.approx(meaning.loc[0, "ship"], abs=2e-4)
    assert without.score(0, "ship") < result.score(0, "ship")
    ship = next(p for p in result.pairs if p.segment_id == 0 and p.offer_id == "ship")
    assert ship.tag_overlap == 1.0 and ship.matched_tags == ["delivery", "courier"]
    # tags break ties: the same offer without tags scores lower for the same idea
    untagged = [{**o, "tags": ""} for o in OFFERS]
    plain = nm.match_offers(ideas, untagged, embedder=embedder, tag_weight=0.4)
    assert plain.score(0, "ship") < result.score(0, "ship")


def test_a_generated_idea_names_the_suggested_offering(ideas, embedder):
    from noomarketing.generation import generate_ideas

    generated = generate_ideas(ideas, n=3, embedder=embedder, random_state=0)
    result = nm.match_offers(ideas, OFFERS, embedder=embedder, generated=generated)
    gap = result.gaps[0]
    best = min((g for g in generated if g.segment_id == 2), key=lambda g: g.rank)
    assert gap.generated_title == best.title == gap.suggestion_name


def test_write_files_and_table(ideas, embedder, tmp_path):
    result = nm.match_offers(ideas, OFFERS, embedder=embedder)
    result.write(tmp_path)
    matches = pd.read_csv(tmp_path / "offer_matches.csv")
    assert matches.columns.tolist() == MATCH_COLUMNS
    assert len(matches) == len(result.matches)
    gaps = json.loads((tmp_path / "gaps.json").read_text())
    assert gaps["threshold"] == result.threshold
    assert [g["segment_id"] for g in gaps["gaps"]] == [2]
    table = result.score_table()
    assert table.shape == (3, 3) and table.loc[0, "ship"] == result.score(0, "ship")


def test_an_offer_that_stands_out_serves_under_the_threshold(ideas, embedder):
    result = nm.match_offers(ideas, OFFERS, embedder=embedder, margin=2.0)
    table = result.score_table()
    best, runner_up = sorted(table.loc[0], reverse=True)[:2]
    # a threshold just above the delivery idea's best score, a margin just under its lead
    lead = best - runner_up
    assert lead > 0.05
    strict = nm.match_offers(ideas, OFFERS, embedder=embedder, threshold=best + 0.01,
                             margin=2.0)
    assert 0 in {gap.segment_id for gap in strict.gaps} and not strict.matches_for(0)
    served = nm.match_offers(ideas, OFFERS, embedder=embedder, threshold=best + 0.01,
                             margin=lead - 0.01)
    assert 0 not in {gap.segment_id for gap in served.gaps}
    assert [m.offer_id for m in served.matches_for(0)] == ["ship"]


def test_a_single_offer_serves_only_at_the_threshold(ideas, embedder):
    result = nm.match_offers(ideas, OFFERS[:1], embedder=embedder, margin=0.0)
    for pair in result.pairs:
        assert pair.matched == (pair.score >= result.threshold)
    assert {gap.segment_id for gap in result.gaps} == {
        p.segment_id for p in result.pairs if p.score < result.threshold}
    assert 2 in {gap.segment_id for gap in result.gaps}  # shipping does not serve recycling


def test_bad_settings(ideas, embedder):
    with pytest.raises(nm.NoomarketingError, match="tag_weight"):
        nm.match_offers(ideas, OFFERS, embedder=embedder, tag_weight=2)
    with pytest.raises(nm.NoomarketingError, match="lexical_weight"):
        nm.match_offers(ideas, OFFERS, embedder=embedder, lexical_weight=-0.1)
    with pytest.raises(nm.NoomarketingError, match="margin"):
        nm.match_offers(ideas, OFFERS, embedder=embedder, margin=-1)
    with pytest.raises(nm.NoomarketingError, match="no ideas"):
        nm.match_offers([], OFFERS, embedder=embedder)


def test_html_from_a_product_feed_is_read_as_text():
    offers = nm.load_offers([
        {"id": "a", "name": "Linen <b>shirt</b>",
         "description": "<p>Soft linen&nbsp;&amp; cool</p>"},
    ])
    assert (offers[0].name, offers[0].description) == ("Linen shirt", "Soft linen & cool")
    with pytest.raises(NoomarketingError, match="offer row 0: description holds only HTML"):
        nm.load_offers([{"id": "b", "name": "Shirt", "description": "<p><br></p>"}])
