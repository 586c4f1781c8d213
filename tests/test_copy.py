"""Copy that reads as written by a person, in the customer's language, for the right business."""

import csv
import re

import pandas as pd
import pytest
from bank_corpus import BANK_COMPLAINTS, BANK_OFFERS, bank_feedback

import noomarketing as nm
from noomarketing.embedding import CachedEmbedder
from noomarketing.generation import (
    check_business,
    generate_ideas,
    infer_business,
    load_catalogue,
)
from noomarketing.outputs import summary_text
from noomarketing.presentation import customer_languages, present, write_briefs
from noomarketing.presentation.words import WORDS
from noomarketing.schema import Idea, Keyword, NoomarketingError, Quote

_JOINERS = r"(?:and|or|i|lub|oraz|albo|и|или)"
_BETWEEN = re.compile(rf"[\s,;:/&()\"'„”«»\-–—]*(?:{_JOINERS}[\s,;:\"'„”«»]*)?")


def keywords_in_a_row(text: str, keywords: list[str]) -> int:
    """The longest run of keywords in ``text`` with only punctuation or "and"/"or" between."""
    lowered = text.lower()
    spans = sorted(
        (m.start(), -m.end())
        for term in {k.lower() for k in keywords if k.strip()}
        for m in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", lowered)
    )
    best = run = 0
    last_end = None
    for start, negative_end in spans:
        end = -negative_end
        if last_end is not None and start < last_end:
            continue  # overlaps the keyword just counted ("shipping" in "add shipping")
        joined = last_end is not None and _BETWEEN.fullmatch(lowered[last_end:start])
        run = run + 1 if joined else 1
        best, last_end = max(best, run), end
    return best


def test_the_checker_catches_spliced_keyword_lists():
    keywords = ["parcel", "delivery", "shipping", "add shipping", "shipping minimum"]
    assert keywords_in_a_row("they suffered from parcel, delivery, shipping", keywords) == 3
    assert keywords_in_a_row("who mention shipping, shipping minimum, add shipping.",
                             keywords) == 3
    russian = [*keywords, "посылка", "доставка"]
    assert keywords_in_a_row("«посылка» и «доставка», shipping", russian) == 3
    assert keywords_in_a_row('customers in the "Delivery" segment who wait for a parcel',
                             keywords) == 1


def make_idea(segment_id, label, terms, quotes, sentiment, **more) -> Idea:
    return Idea(
        segment_id=segment_id, label=label,
        keywords=[Keyword(term=t, score=1.0 - i / 20) for i, t in enumerate(terms)],
        quotes=[Quote(row=100 * segment_id + i, customer_id=f"c{segment_id}-{i}", text=q,
                      similarity=0.9) for i, q in enumerate(quotes)],
        size=20, share=0.2, sentiment=sentiment, **more,
    )


SHOP = [
    make_idea(0, "Shipping / shipping minimum / add shipping",
              ["shipping", "shipping minimum", "add shipping", "delivery", "parcel", "days"],
              ["Shipping costs 7 unless I add more to reach the minimum.",
               "The parcel took nine days, delivery is far too slow."], -0.5),
    make_idea(1, "late or lost parcels", ["late", "days", "rain shipping", "parcel", "courier"],
              ["My parcel came a week late and the box was soaked by rain.",
               "The courier lost my parcel and nobody answered."], -0.7),
    make_idea(2, "Love / organic cotton / quality", ["love", "organic cotton", "quality"],
              ["I love the organic cotton shirts, best quality I own.",
               "My favourite shop, I buy here every month."], 0.8),
]
BANK = [
    make_idea(10 + i, theme, [w for text in texts[:2] for w in text.lower().split()[3:5]],
              texts[:5], -0.7)
    for i, (theme, texts) in enumerate(BANK_COMPLAINTS.items())
]
BRANCH = make_idea(20, "the branch building", ["branch", "cold", "seats", "ramp"],
                   ["The branch is freezing in winter, the heating never works.",
                    "There is nowhere to sit in the branch while you wait.",
                    "The branch entrance has steps and no ramp for my wheelchair."], -0.4)


@pytest.fixture(scope="module")
def model(embedder, cache_dir):
    return CachedEmbedder(embedder, cache_dir=cache_dir)


@pytest.fixture(scope="module")
def shop_ideas(model):
    return generate_ideas(SHOP, n=5, embedder=model, business="retail")


@pytest.fixture(scope="module")
def bank_ideas(model):
    return generate_ideas([*BANK, BRANCH], n=5, embedder=model, business="finance")


def _texts(generated):
    for g in generated:
        yield g.text
        for copy in g.translations.values():
            yield from (copy.title, copy.text, copy.headline, copy.pitch)


def test_no_generated_text_splices_three_keywords_in_a_row(shop_ideas, bank_ideas, model):
    for ideas, generated in ((SHOP, shop_ideas), ([*BANK, BRANCH], bank_ideas)):
        for idea in ideas:
            terms = [k.term for k in idea.keywords] + [p.strip() for p in idea.label.split("/")]
            mine = [g for g in generated if g.segment_id == idea.segment_id]
            assert mine
            for text in _texts(mine):
                assert keywords_in_a_row(text, terms) < 3, text
    briefs = present(SHOP, shop_ideas, brand="Threadline")
    for brief, idea in zip(briefs, SHOP, strict=True):
        terms = [k.term for k in idea.keywords]
        for message in brief.messages:
            assert keywords_in_a_row(f"{message.subject or ''} {message.body}", terms) < 3
    # an offer that serves none of the ideas: each is a gap, described in a sentence
    unrelated = [{"id": "gift", "name": "Gift wrapping", "description": "Wrapping paper."}]
    gaps = nm.match_offers(SHOP, unrelated, embedder=model, generated=shop_ideas,
                           threshold=0.99).gaps
    assert [gap.segment_id for gap in gaps] == [idea.segment_id for idea in SHOP]
    for gap, idea in zip(gaps, SHOP, strict=True):
        terms = [k.term for k in idea.keywords]
        # the segment's label is named once, in quote marks (some of these labels are lists)
        text = gap.suggestion_description.replace(f"“{idea.label}”", "the segment")
        assert f"“{idea.label}”" in gap.suggestion_description
        assert keywords_in_a_row(text, terms) < 3, gap.suggestion_description
    # a suggested offering's tags name what it is about, not how its customers feel
    assert "love" not in gaps[2].suggestion_tags and "organic" in gaps[2].suggestion_tags


def test_every_segment_gets_a_development_not_only_repairs(shop_ideas, bank_ideas):
    for generated, ideas in ((shop_ideas, SHOP), (bank_ideas, [*BANK, BRANCH])):
        for idea in ideas:
            aims = {g.aim for g in generated if g.segment_id == idea.segment_id}
            assert "develop" in aims, idea.label
    unhappy = [g for g in shop_ideas if g.segment_id == 1]
    assert "repair" in {g.aim for g in unhappy}


def test_the_bank_gets_no_shop_tactic(bank_ideas):
    tactics = {t.id: t for t in load_catalogue()}
    for g in bank_ideas:
        businesses = tactics[g.tactic_id].businesses
        assert "finance" in businesses or "any" in businesses, g.tactic_id
    collectors = [g for g in bank_ideas if g.segment_id == 10]
    assert collectors[0].tactic_id == "hardship-payment-plan"
    assert not {"sustainable-collection", "late-delivery-compensation"} & {
        g.tactic_id for g in bank_ideas}


def test_a_segment_nothing_fits_gets_the_general_steps_and_the_brief_says_so(bank_ideas):
    branch = [g for g in bank_ideas if g.segment_id == BRANCH.segment_id]
    assert branch and all(g.general for g in branch)
    assert {"acknowledge-and-answer", "fix-the-cause", "follow-up-after-fix"} <= {
        g.tactic_id for g in branch}
    fitting = [g for g in bank_ideas if g.segment_id == 10]
    assert not any(g.general for g in fitting)
    briefs = present([BRANCH, BANK[0]], [*branch, *fitting], business="finance")
    assert "the catalogue has nothing specific" in briefs[0].markdown.lower()
    assert "nothing specific" not in briefs[1].markdown.lower()
    assert "Tactics for this kind of business: finance" in briefs[0].markdown


def test_noise_segments_get_no_ideas(model):
    noise = make_idea(5, "ok / thanks", ["ok", "thanks"], ["ok", "thanks"], 0.1, noise=True)
    generated = generate_ideas([noise, SHOP[1]], n=3, embedder=model)
    assert {g.segment_id for g in generated} == {1}
    brief = present([noise], [])[0]
    assert "nothing to act on" in brief.markdown and brief.messages == []


def test_the_kind_of_business_is_inferred_from_the_offers(model, caplog):
    with caplog.at_level("INFO", logger="noomarketing.generation.business"):
        kind, scores = infer_business(
            [f"{o['name']}. {o['description']}" for o in BANK_OFFERS], model)
    assert kind == "finance" and next(iter(scores)) == "finance"
    assert "finance" in caplog.text
    shop = nm.load_offers(nm.example_offers_path())
    assert infer_business([o.text for o in shop], model)[0] == "retail"
    # a shop's offers around its goods, none naming a product: once read as a subscription's
    books = ["Reading club discount. 10% off for club members on every book",
             "Gift wrapping. Books wrapped by hand at no charge",
             "Next-day delivery. Order by 6 pm, read tomorrow"]
    assert infer_business(books, model)[0] == "retail"
    assert check_business(" Retail") == "retail"
    with pytest.raises(NoomarketingError, match="unknown business kind 'bakery'"):
        check_business("bakery")
    with pytest.raises(NoomarketingError, match="at least one offer"):
        infer_business([], model)


MULTILINGUAL_SEGMENT = make_idea(
    30, "late or lost parcels", ["parcel", "late"],
    ["My parcel came two weeks late.", "Paczka przyszła dwa tygodnie po terminie.",
     "Посылка пришла на две недели позже."], -0.7,
    customer_ids=["anna", "ivan", "john", "nobody"],
    languages={"en": 0.4, "pl": 0.3, "ru": 0.3},
)
WRITTEN = {  # what each customer wrote, in their own language
    "anna": ["Paczka przyszła dwa tygodnie po terminie, nikt mnie nie uprzedził.",
             "Kurier znowu się spóźnił."],
    "ivan": ["Посылка пришла на две недели позже, никто не предупредил.",
             "The courier was late again.",
             "Курьер опять опоздал, это уже третий раз."],
    "john": ["My parcel came two weeks late and nobody told me."],
}


def test_each_customer_is_written_to_in_their_own_language(model, tmp_path):
    ids = [c for c, texts in WRITTEN.items() for _ in texts]
    texts = [t for c in WRITTEN for t in WRITTEN[c]]
    codes = [g.code for g in nm.detect_languages(texts)]
    languages = customer_languages(ids, codes)
    assert languages == {"anna": "pl", "ivan": "ru", "john": "en"}
    generated = generate_ideas(MULTILINGUAL_SEGMENT, n=3, embedder=model, business="retail")
    brief = present([MULTILINGUAL_SEGMENT], generated, brand="Threadline",
                    customer_languages=languages)[0]
    # "nobody" wrote nothing we could read: the segment's main language, English here
    assert brief.recipients == {"anna": "pl", "ivan": "ru", "john": "en", "nobody": "en"}
    by_language = {}
    for message in brief.messages:
        by_language.setdefault(message.language, []).append(message)
    assert set(by_language) == {"pl", "ru", "en"}
    for language, messages in by_language.items():
        for message in messages:
            text = message.body if message.channel == "email" else message.body.split(": ", 1)[1]
            assert nm.detect_languages([text])[0].code == language, message.body
            assert message.length <= (message.limit or 10_000)
    ru_email = next(m for m in by_language["ru"] if m.channel == "email")
    assert ru_email.body.startswith("Здравствуйте!") and "команда Threadline" in ru_email.body
    written = write_briefs([brief], tmp_path)
    with (tmp_path / "messages.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["language"] for r in rows} == {"pl", "ru", "en"}
    recipients = pd.read_csv(tmp_path / "recipients.csv", dtype=str)
    assert recipients.set_index("customer_id")["language"].to_dict() == brief.recipients
    assert tmp_path / "recipients.csv" in written


def test_without_customers_messages_follow_the_segments_language_mix(model):
    russian = make_idea(31, "доставка", ["посылка"], ["Посылка пришла на две недели позже."],
                        -0.6, languages={"ru": 0.9, "en": 0.1}, language="ru")
    generated = generate_ideas(russian, n=2, embedder=model)
    brief = present([russian], generated)[0]
    assert [m.language for m in brief.messages][:1] == ["ru"]
    assert {m.language for m in brief.messages} == {"ru", "en"} and brief.recipients == {}


@pytest.mark.parametrize(
    ("language", "heading", "repairs"),
    [("en", "## What they say", "## Repairs"), ("pl", "## Co mówią", "## Naprawy"),
     ("ru", "## Что они говорят", "## Исправить")],
)
def test_the_brief_is_in_the_chosen_language_and_quotes_stay_as_written(
    model, language, heading, repairs
):
    statement = "Klienci chcą dostać paczkę na czas."
    idea = MULTILINGUAL_SEGMENT.model_copy(update={"statement": statement})
    generated = generate_ideas(idea, n=4, embedder=model, business="retail")
    brief = present([idea], generated, language=language)[0]
    assert heading in brief.markdown and repairs in brief.markdown
    assert statement in brief.markdown and statement in brief.html  # in its own language
    for quote in idea.quotes:
        assert quote.text in brief.html
    best = generated[0].in_language(language)
    assert best.title in brief.markdown
    assert f'lang="{language}"' in brief.html
    if language != "en":
        assert "mood" not in brief.markdown and "-0,70" in brief.markdown
        # the kind and source of each idea are words of the brief's language, not ids
        for g in generated:
            assert g.kind not in brief.markdown.replace(g.tactic_id, "")
        assert "catalogue" not in brief.markdown and "catalogue" not in brief.html


def test_every_tactic_kind_and_source_has_a_word_in_every_brief_language():
    kinds = {t.kind for t in load_catalogue()}
    for language in WORDS:
        assert {k for k in kinds if f"kind_{k}" not in WORDS[language]} == set(), language
        assert {"source_catalogue", "source_llm"} <= set(WORDS[language]), language


@pytest.mark.parametrize(
    ("language", "warmer", "colder"),
    [("en", "Their words read happier", "Their words read less happy"),
     ("pl", "Ich opinie brzmią pogodniej", "Ich opinie brzmią mniej pogodnie"),
     ("ru", "Их отзывы звучат теплее", "Их отзывы звучат менее радостно")],
)
def test_words_and_ratings_that_part_ways_are_told_in_the_brief_and_summary(
    language, warmer, colder
):
    # words happier than the rest's, ratings lower, both beyond chance; then the reverse
    clear = {"sentiment_impact": 0.011, "sentiment_impact_q": 0.001, "mean_rating": 4.1,
             "rating_impact": -0.011, "rating_impact_q": 0.0001}
    praise = SHOP[0].model_copy(update=clear)
    complaint = SHOP[1].model_copy(
        update={**clear, "sentiment_impact": -0.002, "rating_impact": 0.006})
    chance = SHOP[2].model_copy(update={**clear, "rating_impact_q": 0.3})
    briefs = present([praise, complaint, chance], [], language=language)
    assert warmer in briefs[0].markdown and warmer in briefs[0].html
    assert colder in briefs[1].markdown and colder in briefs[1].html
    assert not any(text in briefs[2].markdown for text in (warmer, colder))
    summary = summary_text([praise, complaint, chance], 0, 30, "test").splitlines()
    parting = [line for line in summary if "words and ratings part ways" in line]
    assert len(parting) == 2 and "happier words" in parting[0] and "sadder" in parting[1]


def test_an_unknown_brief_language_is_one_clear_line(model):
    with pytest.raises(NoomarketingError, match="briefs and messages are written in en, pl, ru"):
        present([SHOP[0]], [], language="de")


@pytest.mark.slow
def test_run_infers_the_bank_and_offers_it_no_shop_tactic(embedder, cache_dir, tmp_path):
    rows = bank_feedback()
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0)
    result = nm.run(pd.DataFrame(rows), BANK_OFFERS, columns={"text": "text",
                    "customer": "customer_id"}, model=model, n_ideas=3, brief_language="pl",
                    out=tmp_path)
    assert result.business == "finance" and result.business_inferred
    assert "finance tactics" in result.summary()
    tactics = {t.id: t for t in load_catalogue()}
    assert result.generated
    for g in result.generated:
        assert {"finance", "any"} & set(tactics[g.tactic_id].businesses), g.tactic_id
    assert all("## Co mówią" in b.markdown for b in result.briefs)
    assert (tmp_path / "briefs" / "recipients.csv").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"business": "bakery"}, "unknown business kind 'bakery'"),
     ({"brief_language": "de"}, "no words for language 'de'")],
)
def test_run_refuses_a_bad_business_or_language_before_any_work(kwargs, message):
    class Unused:
        def encode(self, texts):
            raise AssertionError("nothing may be embedded before the arguments are checked")

    model = nm.SegmentModel(embedding=Unused(), language="off")
    with pytest.raises(NoomarketingError, match=message):
        nm.run(pd.DataFrame(bank_feedback()), BANK_OFFERS, columns={"text": "text"},
               model=model, **kwargs)


def test_the_cli_takes_the_business_and_the_brief_language():
    from noomarketing.cli import build_parser

    args = build_parser().parse_args(["run", "in.csv", "--text", "t", "--offers", "o.csv",
                                      "--out", "x", "--business", "finance",
                                      "--brief-language", "ru"])
    assert (args.business, args.brief_language, args.brand) == ("finance", "ru", None)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "in.csv", "--text", "t", "--offers", "o.csv",
                                   "--out", "x", "--brief-language", "de"])
