import json
import math
import string

import numpy as np
import pytest

from noomarketing.embedding import CachedEmbedder, normalize_rows
from noomarketing.generation import (
    AIMS,
    BUSINESSES,
    GeneratedIdea,
    Tactic,
    bundled_catalogue_path,
    generate_ideas,
    load_catalogue,
    segment_mood,
)
from noomarketing.generation.ideas import label_phrase
from noomarketing.generation.mood import TEXT_NEUTRAL
from noomarketing.reactions import ReactionLog
from noomarketing.schema import Idea, Keyword, NoomarketingError, Quote


def make_idea(segment_id, label, terms, quotes, sentiment, rating=None) -> Idea:
    return Idea(
        segment_id=segment_id,
        label=label,
        keywords=[Keyword(term=t, score=1.0 - i / 10) for i, t in enumerate(terms)],
        quotes=[Quote(row=100 * segment_id + i, customer_id=f"c{segment_id}-{i}", text=q,
                      similarity=0.9) for i, q in enumerate(quotes)],
        size=30, share=0.25, sentiment=sentiment, mean_rating=rating,
    )


DELIVERY = make_idea(
    0, "Late delivery / parcel / courier", ["late delivery", "parcel", "courier", "tracking"],
    ["My parcel arrived 12 days late and nobody told me why.",
     "The courier lost the package and tracking never updated."], -0.7, 1.8)
PRICE = make_idea(
    1, "Expensive / prices / discount", ["expensive", "prices", "discount", "cheaper elsewhere"],
    ["Prices went up again, it is too expensive now.",
     "I found the same shirt 10 dollars cheaper elsewhere."], -0.3, 2.9)
SUPPORT = make_idea(
    2, "Support / rude / no answer", ["support", "rude agent", "no answer", "ticket closed"],
    ["Customer support was rude and hung up on me.",
     "I emailed support three times and nobody answered."], -0.8, 1.4)
FANS = make_idea(
    3, "Love / organic cotton / quality", ["love", "organic cotton", "quality", "favourite"],
    ["I love the organic cotton shirts, best quality I own.",
     "My favourite shop, I buy here every month."], 0.8, 4.8)
THEMES = [DELIVERY, PRICE, SUPPORT, FANS]


@pytest.fixture(scope="module")
def model(embedder, cache_dir):
    """The real model behind the session's embedding cache: repeated texts embed once."""
    return CachedEmbedder(embedder, cache_dir=cache_dir)


@pytest.fixture(scope="module")
def generated(model):
    return generate_ideas(THEMES, n=5, embedder=model)


def by_segment(generated, segment_id):
    return [g for g in generated if g.segment_id == segment_id]


def test_bundled_catalogue_covers_the_seeds_and_is_valid_data():
    tactics = load_catalogue()
    assert len(tactics) >= 40
    assert len({t.id for t in tactics}) == len(tactics)
    ids = {t.id for t in tactics}
    # what the method names: loyalty programmes, points, discount cards, vouchers, coupons,
    # sweepstakes, personal follow-up, upsell/cross-sell, service recovery, education, community
    assert {"loyalty-programme", "loyalty-points", "discount-card", "voucher-next-order",
            "targeted-coupons", "sweepstakes", "personal-follow-up", "upsell-premium",
            "cross-sell-complete-look", "apology-goodwill-credit", "care-guide",
            "customer-community", "refer-a-friend"} <= ids
    kinds = {t.kind for t in tactics}
    assert {"loyalty", "discount", "service_recovery", "personal", "upsell", "cross_sell",
            "education", "community", "gamification"} <= kinds
    assert {t.mood for t in tactics} == {"happy", "unhappy", "any"}
    assert {t.aim for t in tactics} == set(AIMS)
    quotes = {"en": ('"{label}"',), "pl": ("„{label}”",), "ru": ("«{label}»",)}
    for tactic in tactics:
        assert tactic.headline.isascii() and tactic.pitch.isascii(), tactic.id  # GSM-7 SMS
        assert set(tactic.businesses) <= {*BUSINESSES, "any"}, tactic.id
        assert set(tactic.languages) == {"en", "pl", "ru"}, tactic.id  # written by hand
        for language in tactic.languages:
            copy = tactic.in_language(language)
            slots = {f for _, f, _, _ in string.Formatter().parse(copy.template) if f}
            # the label as a quoted noun phrase, never a spliced list of raw keywords
            assert slots and slots <= {"label", "quote"}, (tactic.id, language)
            assert quotes[language][0] in copy.template, (tactic.id, language)
            assert copy.template.rstrip().endswith((".", "”", "»", '"')), (tactic.id, language)
    # every kind of business has its own tactics, repairs and developments among them
    for business in BUSINESSES:
        mine = [t for t in tactics if business in t.businesses]
        assert {t.aim for t in mine} >= {"repair", "develop"}, business
    general = {t.id for t in tactics if t.general}
    assert {"acknowledge-and-answer", "fix-the-cause", "follow-up-after-fix",
            "ask-what-next"} <= general
    assert all(t.businesses == ["any"] for t in tactics if t.general)
    raw = json.loads(bundled_catalogue_path().read_text(encoding="utf-8"))
    assert len(raw["tactics"]) == len(tactics)


def test_user_catalogues_from_files_dicts_and_yaml(tmp_path):
    mine = {"id": "tea-tasting", "kind": "community", "title": "Tea tasting",
            "description": "A tea tasting evening", "template": "Invite {label} to taste tea",
            "headline": "Tea?", "pitch": "Come taste our teas."}
    (tmp_path / "mine.json").write_text(json.dumps([mine]))
    (tmp_path / "more.yaml").write_text(
        "tactics:\n  - id: yaml-one\n    kind: loyalty\n    title: Y\n    description: d\n"
        "    template: 'For {keyword}'\n    headline: h\n    pitch: p\n    mood: happy\n")
    loaded = load_catalogue([bundled_catalogue_path(), tmp_path / "mine.json",
                             str(tmp_path / "more.yaml"), {**mine, "id": "inline"}])
    assert [t.id for t in loaded[-3:]] == ["tea-tasting", "yaml-one", "inline"]
    assert loaded[-2].mood == "happy"
    assert len(loaded) == len(load_catalogue()) + 3
    assert [t.id for t in load_catalogue(tmp_path / "mine.json")] == ["tea-tasting"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"template": "For {customer_name}"}, "unknown slot {customer_name}"),
        ({"template": "For {label.__class__}"}, "unknown slot"),
        ({"template": "For {label"}, "bad braces"),
        ({"pitch": "Hi {keyword}"}, "take no {slots}"),
        ({"mood": "angry"}, "mood"),
        ({"aim": "grow"}, "aim"),
        ({"businesses": []}, "businesses"),
        ({"translations": {"pl": {"title": "T", "template": "Dla {klient}", "headline": "h",
                                  "pitch": "p"}}}, "unknown slot {klient}"),
        ({"translations": {"ru": {"title": "T", "template": "x", "headline": "h"}}}, "pitch"),
        ({"title": None}, "title"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_tactics_are_refused_with_a_clear_message(change, message):
    entry = {"id": "t1", "kind": "loyalty", "title": "T", "description": "d",
             "template": "For {label}", "headline": "h", "pitch": "p"} | change
    entry = {k: v for k, v in entry.items() if v is not None}
    with pytest.raises(NoomarketingError, match=message):
        load_catalogue([entry])


def test_catalogue_file_problems(tmp_path):
    with pytest.raises(NoomarketingError, match="not found"):
        load_catalogue(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(NoomarketingError, match="could not parse"):
        load_catalogue(tmp_path / "bad.json")
    (tmp_path / "obj.json").write_text('{"id": "x"}')
    with pytest.raises(NoomarketingError, match="list of tactics"):
        load_catalogue(tmp_path / "obj.json")
    with pytest.raises(NoomarketingError, match="appears twice"):
        load_catalogue([bundled_catalogue_path(), load_catalogue()[0]])
    with pytest.raises(NoomarketingError, match="empty"):
        load_catalogue([])


def test_each_theme_gets_fitting_ideas(generated):
    top3 = {s: [g for g in by_segment(generated, s) if g.rank <= 3] for s in range(4)}
    assert {"late-delivery-compensation", "express-delivery-tracking"} & {
        g.tactic_id for g in top3[0]}
    assert "discount" in {g.kind for g in top3[1]}
    assert "service_recovery" in {g.kind for g in top3[2]}
    assert top3[0][0].tactic_id != top3[3][0].tactic_id
    assert {g.kind for g in top3[3]} & {"upsell", "cross_sell", "sustainability", "loyalty",
                                         "referral", "community", "exclusivity"}


def test_ideas_are_ranked_explained_and_use_the_segments_words(generated):
    assert all(isinstance(g, GeneratedIdea) for g in generated)
    assert [g.segment_id for g in generated] == [s for s in range(4) for _ in range(5)]
    for idea in THEMES:
        mine = by_segment(generated, idea.segment_id)
        assert [g.rank for g in mine] == [1, 2, 3, 4, 5]
        assert [g.score for g in mine] == sorted((g.score for g in mine), reverse=True)
        terms = [k.term for k in idea.keywords]
        for g in mine:
            assert -1 <= g.fit <= 1
            assert g.why and g.why_keywords and set(g.why_keywords) <= set(terms)
            assert set(g.why_quote_rows) <= {q.row for q in idea.quotes}
            assert label_phrase(idea.label) in g.text  # the label, quoted, in a sentence
            assert any(f'"{t}"' in " ".join(g.why) for t in g.why_keywords)


def test_a_seed_fixes_the_thompson_sample_and_the_sample_depends_on_it(model, tmp_path):
    log = ReactionLog(tmp_path / "reactions.sqlite3")
    for customer in range(3):
        log.record(f"c{customer}", "voucher-next-order", "accepted", item_kind="idea",
                   segment_id=0)
        log.record(f"c{customer}", "loyalty-points", "ignored", item_kind="idea", segment_id=0)
    runs = {seed: generate_ideas([DELIVERY], n=100, embedder=model, reactions=log,
                                 random_state=seed) for seed in range(5)}
    again = generate_ideas([DELIVERY], n=100, embedder=model, reactions=log, random_state=3)
    assert again == runs[3]
    draws = {tuple(g.reaction for g in run if g.trials) for run in runs.values()}
    assert all(draw for draw in draws) and len(draws) > 1


def test_mood_rule_lifts_recovery_for_unhappy_and_upsell_for_happy(model):
    neutral_words = ["jacket", "order", "colour"]
    quotes = ["About the jacket I ordered in a new colour."]
    unhappy = make_idea(7, "Jacket / order / colour", neutral_words, quotes, -0.8)
    happy = make_idea(7, "Jacket / order / colour", neutral_words, quotes, 0.8)
    ranks = {}
    for name, idea in (("unhappy", unhappy), ("happy", happy)):
        ranked = generate_ideas(idea, n=100, embedder=model, diversity=0.0, min_fit=-1.0)
        ranks[name] = {g.tactic_id: g for g in ranked}
    assert ranks["unhappy"]["apology-goodwill-credit"].rank < ranks["happy"][
        "apology-goodwill-credit"].rank
    assert ranks["happy"]["upsell-premium"].rank < ranks["unhappy"]["upsell-premium"].rank
    # the mood read from text: the sentiment less the score's neutral point, times 0.2
    assert ranks["unhappy"]["upsell-premium"].mood == pytest.approx(-0.2 * (0.8 + TEXT_NEUTRAL))
    assert ranks["unhappy"]["apology-goodwill-credit"].mood == pytest.approx(
        0.2 * (0.8 + TEXT_NEUTRAL))
    assert ranks["happy"]["loyalty-programme"].mood == 0.0
    # a tactic for any mood adds nothing, and is not shown as "-0.000" for unhappy customers
    assert math.copysign(1.0, ranks["unhappy"]["loyalty-programme"].mood) == 1.0
    # the fit itself does not depend on the mood
    assert ranks["happy"]["upsell-premium"].fit == ranks["unhappy"]["upsell-premium"].fit


def test_segment_mood_reads_the_stars_before_the_text():
    assert segment_mood(DELIVERY) == pytest.approx(-0.6)
    assert segment_mood(DELIVERY, rating_range=None) == pytest.approx(-0.7 - TEXT_NEUTRAL)
    assert segment_mood(FANS, rating_range=(0, 10)) == pytest.approx(-0.04)
    tens = make_idea(9, "x", ["x"], ["x"], 0.0, rating=8.0)
    with pytest.raises(NoomarketingError, match=r"the rating 8 lies outside the scale 1 to 5"):
        segment_mood(tens)


def test_low_rated_praise_and_complaint_gets_no_upsell_first(model):
    # 1-2 star reviews that praise as they complain read mildly positive as text; their
    # stars say they are unhappy, so no tactic for happy customers reaches their top 3
    jeans = make_idea(0, "Jeans that rip", ["pants", "jeans", "pair", "fit", "wear"], [
        "Cute jeans, but after three washes they ripped at the seam, so disappointed.",
        "Thin fabric with no stretch, tight on the legs and huge at the waist; they are going "
        "back.",
        "These pants fit well at first, then the fabric wore through in a month."], 0.19, 1.6)
    dress = make_idea(1, "Disappointing dress", ["dress", "fabric", "pretty", "received"], [
        "I was disappointed with the style and quality of this dress, it looks unflattering "
        "and I am sending it back.",
        "The dress looked pretty in the photos, but the one I received was thin and the "
        "colours were dull.",
        "Such a pretty design, but the waist is huge and it went back."], 0.15, 1.6)
    top = generate_ideas([jeans, dress], n=3, embedder=model, business="retail")
    moods = {t.id: t.mood for t in load_catalogue()}
    assert len(top) == 6
    assert "happy" not in [moods[g.tactic_id] for g in top], [g.tactic_id for g in top]


def test_diversity_spreads_the_picks(model):
    def spread(diversity):
        ranked = generate_ideas(DELIVERY, n=5, embedder=model, diversity=diversity)
        tactics = {t.id: t for t in load_catalogue()}
        vectors = normalize_rows(model.encode([tactics[g.tactic_id].description
                                                  for g in ranked]))
        sims = vectors @ vectors.T
        return sims[np.triu_indices(5, 1)].mean(), [g.fit + g.mood for g in ranked]

    similar, relevance_plain = spread(0.0)
    varied, relevance_diverse = spread(0.7)
    assert varied < similar
    assert relevance_plain == sorted(relevance_plain, reverse=True)
    assert sum(relevance_diverse) < sum(relevance_plain)


def test_own_catalogue_only(model):
    mine = [{"id": f"m{i}", "kind": "loyalty", "title": f"T{i}", "description": d,
             "template": "For {keyword}", "headline": "h", "pitch": "p"}
            for i, d in enumerate(["faster parcel delivery", "cheaper prices", "a poetry club"])]
    ranked = generate_ideas([DELIVERY, PRICE], n=10, embedder=model, catalogue=mine,
                            min_fit=-1.0)
    assert len(ranked) == 6  # fewer candidates than n: all of them
    assert by_segment(ranked, 0)[0].tactic_id == "m0"
    assert by_segment(ranked, 1)[0].tactic_id == "m1"
    # by default only what fits is offered: nobody late with a parcel gets the poetry club
    fitting = generate_ideas([DELIVERY, PRICE], n=10, embedder=model, catalogue=mine)
    assert "m2" not in {g.tactic_id for g in fitting}
    assert by_segment(fitting, 0)[0].tactic_id == "m0"


def test_reactions_rerank_the_reacted_segment_only(model, tmp_path):
    """The method's loop: present → record reactions → the next ranking changes."""
    before = generate_ideas([DELIVERY, PRICE], n=6, embedder=model)
    first, fourth = by_segment(before, 0)[0], by_segment(before, 0)[3]
    log = ReactionLog(tmp_path / "reactions.sqlite3")
    for customer in range(8):
        log.record(f"c{customer}", fourth.tactic_id, "accepted", item_kind="idea", segment_id=0)
        log.record(f"c{customer}", first.tactic_id, "rejected", item_kind="idea", segment_id=0)
    log.record("c99", first.tactic_id, "accepted", item_kind="offer", segment_id=0)  # not an idea

    for random_state in (0, None):  # Thompson sample and posterior mean
        after = generate_ideas([DELIVERY, PRICE], n=6, embedder=model, reactions=log,
                               random_state=random_state)
        delivery = {g.tactic_id: g for g in by_segment(after, 0)}
        assert [g.tactic_id for g in by_segment(after, 0)] != [
            g.tactic_id for g in by_segment(before, 0)]
        liked, disliked = delivery[fourth.tactic_id], delivery.get(first.tactic_id)
        assert liked.rank < 4 and liked.reaction > 0.1
        assert (liked.successes, liked.trials) == (8, 8)
        assert disliked is None or (disliked.rank > 1 and disliked.reaction < -0.1)
        assert by_segment(after, 0)[0].tactic_id != first.tactic_id
        assert by_segment(after, 1) == by_segment(before, 1)  # the other segment is untouched


def test_a_segments_thompson_sample_does_not_depend_on_the_other_segments(model, tmp_path):
    log = ReactionLog(tmp_path / "reactions.sqlite3")
    reactions = (("voucher-next-order", "accepted"), ("loyalty-points", "ignored"))
    for segment in (0, 1):
        for customer in range(3):
            for tactic, reaction in reactions:
                log.record(f"c{customer}", tactic, reaction, item_kind="idea", segment_id=segment)
    forward = generate_ideas([DELIVERY, PRICE], n=6, embedder=model, reactions=log)
    backward = generate_ideas([PRICE, DELIVERY], n=6, embedder=model, reactions=log)
    sampled = [g for g in forward if g.trials > 0]
    assert sampled and all(g.reaction != 0 for g in sampled)
    for segment in (0, 1):
        assert by_segment(forward, segment) == by_segment(backward, segment)


@pytest.mark.parametrize(
    ("ideas", "kwargs", "message"),
    [
        ([], {}, "at least one"),
        (["late delivery"], {}, "takes Idea objects"),
        ([DELIVERY, DELIVERY], {}, "unique"),
        ([DELIVERY], {"n": 0}, "positive integer"),
        ([DELIVERY], {"diversity": 1.5}, "between 0 and 1"),
        ([DELIVERY], {"reactions": "reactions.sqlite3"}, "ReactionLog"),
    ],
)
def test_bad_arguments(ideas, kwargs, message):
    with pytest.raises(NoomarketingError, match=message):
        generate_ideas(ideas, embedder=_Unused(), **kwargs)


def test_a_tactic_object_fills_its_slots():
    tactic = Tactic(id="x", kind="k", title="t", description="d", template="{label}: {quote}",
                    headline="h", pitch="p")
    assert tactic.fill({"label": "A", "keyword": "", "keywords": "", "quote": "B"}) == "A: B"
    apology = next(t for t in load_catalogue() if t.id == "apology-goodwill-credit")
    slots = {"label": "late parcels", "keyword": "", "keywords": "", "quote": ""}
    for language in ("en", "pl", "ru"):  # no quote: no empty quotation marks
        text = apology.fill(slots, language)
        assert text.endswith(".") and '""' not in text and "„”" not in text and "«»" not in text


class _Unused:
    def encode(self, texts):
        raise AssertionError("bad arguments must be caught before embedding")
