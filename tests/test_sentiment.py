"""Sentiment: clearly happy feedback scores above clearly unhappy feedback, in English, Polish
and Russian, with the default and the multilingual embedder, and with an embedder that has no
trained head. Scores move a little between CPUs: the tests assert signs and gaps with margin."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from fakes import HashEmbedder

from noomarketing.embedding import MultilingualEmbedder, SentenceTransformerEmbedder, encode_unit
from noomarketing.schema import NoomarketingError
from noomarketing.sentiment import SentimentScorer, head_for, word_scores

# written for these tests: none of them is an anchor sentence or a training text
CHECK = {
    "en": (
        [
            "The dress fits perfectly and the fabric feels lovely. Very happy with it.",
            "Fast delivery, friendly support and great quality. I will order again.",
            "Absolutely love these shoes, comfortable from the first day.",
            "The staff solved my problem in minutes, thank you so much!",
            "Excellent value for the price, highly recommended.",
        ],
        [
            "The parcel arrived two weeks late and the box was crushed.",
            "Terrible quality, the seams came apart after one wash.",
            "Nobody answered my emails for a month, awful service.",
            "It looked cheap and nothing like the photos, I sent it back.",
            "I was charged twice and still have no refund. Never again.",
        ],
    ),
    "pl": (
        [
            "Sukienka leży idealnie, materiał jest przyjemny w dotyku. Jestem bardzo zadowolona.",
            "Szybka dostawa, miła obsługa i świetna jakość. Na pewno zamówię ponownie.",
            "Uwielbiam te buty, są wygodne od pierwszego dnia.",
            "Konsultant rozwiązał mój problem w kilka minut, dziękuję!",
            "Doskonały stosunek jakości do ceny, gorąco polecam.",
        ],
        [
            "Paczka przyszła dwa tygodnie po terminie, a pudełko było zgniecione.",
            "Fatalna jakość, szwy puściły po pierwszym praniu.",
            "Nikt nie odpowiadał na moje maile przez miesiąc, okropna obsługa.",
            "Wygląda tanio i zupełnie nie jak na zdjęciach, odesłałam.",
            "Pobrano opłatę dwa razy i nadal nie mam zwrotu pieniędzy. Nigdy więcej.",
        ],
    ),
    "ru": (
        [
            "Платье сидит идеально, ткань приятная на ощупь. Очень довольна.",
            "Быстрая доставка, вежливая поддержка и отличное качество. Обязательно закажу ещё.",
            "Обожаю эти туфли, удобные с первого дня.",
            "Оператор решил мою проблему за пару минут, большое спасибо!",
            "Отличное соотношение цены и качества, всем рекомендую.",
        ],
        [
            "Посылка пришла на две недели позже, коробка была смята.",
            "Ужасное качество, швы разошлись после первой стирки.",
            "Месяц никто не отвечал на мои письма, отвратительный сервис.",
            "Выглядит дёшево и совсем не как на фото, отправила обратно.",
            "Деньги списали дважды, а возврата до сих пор нет. Больше никогда.",
        ],
    ),
}


def scored(embedder, language: str, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """The scores of the language's positive and negative check sentences."""
    positive, negative = CHECK[language]
    texts = positive + negative
    scores = SentimentScorer(**kwargs).fit(embedder).score(encode_unit(embedder, texts), texts)
    return scores[: len(positive)], scores[len(positive):]


def assert_separated(positive: np.ndarray, negative: np.ndarray, gap: float,
                     in_order: float = 1.0, wrong_signs: int = 0) -> None:
    """The means ``gap`` apart, at least ``in_order`` of the (happy, unhappy) pairs in order,
    and at most ``wrong_signs`` texts on the wrong side of zero on each side."""
    shown = (positive.round(2), negative.round(2))
    assert positive.mean() - negative.mean() > gap, shown
    assert (positive[:, None] > negative[None, :]).mean() >= in_order, shown
    assert (positive <= 0).sum() <= wrong_signs and (negative >= 0).sum() <= wrong_signs, shown


@pytest.fixture(scope="module")
def multilingual():
    model = MultilingualEmbedder(progress=False)
    model.encode(["warm up"])
    return model


@pytest.mark.parametrize("language", ["en", "pl", "ru"])
def test_the_multilingual_embedder_reads_each_language(multilingual, language):
    # one sentence in five may be misread ("solved my problem" leans on "problem"), not more
    positive, negative = scored(multilingual, language)
    assert_separated(positive, negative, gap=0.5, in_order=0.8, wrong_signs=1)


def test_the_default_embedder_reads_english(embedder):
    positive, negative = scored(embedder, "en")
    assert_separated(positive, negative, gap=0.8)


def test_heads_serve_the_embedders_they_were_trained_for(embedder, multilingual):
    assert head_for(embedder)["model"] == "all-MiniLM-L6-v2"
    assert head_for(multilingual)["model"] == "USE multilingual v3"
    assert head_for(HashEmbedder()) is None
    for found in (head_for(embedder), head_for(multilingual)):
        assert found["tweets"] >= 1000 and found["tweets_auc_5fold"] > 0.8


class Unnamed:
    """The bundled model behind an object with no name: no head can be known to fit it."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def encode(self, texts: list[str]) -> np.ndarray:
        return self.inner.encode(texts)


def test_an_embedder_without_a_head_falls_back_to_the_anchors_and_says_so(embedder, caplog):
    with caplog.at_level(logging.INFO, logger="noomarketing.sentiment"):
        scorer = SentimentScorer().fit(Unnamed(embedder))
    assert scorer.head_coef_ is None
    assert "anchors alone" in caplog.text
    positive, negative = scored(Unnamed(embedder), "en")
    assert_separated(positive, negative, gap=0.6, in_order=0.9)


def test_a_head_of_the_wrong_size_is_not_used(caplog):
    class Impostor(HashEmbedder):  # claims the bundled model's name, gives 64-d vectors
        name = SentenceTransformerEmbedder().name

    with caplog.at_level(logging.INFO, logger="noomarketing.sentiment"):
        scorer = SentimentScorer().fit(Impostor())
    assert scorer.head_coef_ is None and "expects 384 dimensions" in caplog.text
    assert scorer.score(Impostor().encode(["fine"]), ["fine"]).shape == (1,)


def test_words_read_negation_and_skip_other_languages():
    scores, found = word_scores(["good", "not good", "it is not very good",
                                 "Очень хорошо", "", "the parcel came on Tuesday"])
    assert scores[0] > 0 > scores[1] and scores[2] < 0
    assert abs(scores[1]) < scores[0]  # "not good" is milder than "good" is good
    assert found.tolist() == [1, 1, 1, 0, 0, 0] and (scores[3:] == 0).all()
    assert np.all(np.abs(word_scores(["love " * 50, "hate " * 50])[0]) < 1.0)


def test_praise_that_was_only_hoped_for_reads_as_a_let_down():
    hoped = ["I wanted to love this top, but it hangs like a bag.",
             "I expected a nice fabric, it is scratchy.",
             "It would've been perfect with longer sleeves."]
    had = ["I love this top.", "A nice fabric.", "It is perfect."]
    hoped_scores, _ = word_scores(hoped)
    had_scores, _ = word_scores(had)
    assert (had_scores > 0).all() and (hoped_scores < 0).all()
    # only praise turns: a complaint after a hope stays a complaint
    assert word_scores(["I expected bad service."])[0][0] < 0
    assert word_scores(["I wanted a refund and got a great answer."])[0][0] > 0
    # a hope reaches the praise of its own clause only
    assert word_scores(["Just what I wanted, love it!"])[0][0] > 0


def test_words_that_name_the_product_are_no_feeling():
    # VADER rates "top" (the best), "fit" (healthy) and "cut" (a wound); here they are a garment
    plain = ["The top has a loose fit and a low cut.", "It is kind of long.", "Size L."]
    scores, found = word_scores(plain)
    assert found.tolist() == [2, 0, 0]  # "loose" and "low" still count
    assert scores[0] < 0 and (scores[1:] == 0).all()
    as_vader, counted = word_scores(plain, frozenset(), frozenset())
    assert counted[0] == 5 and as_vader[0] > scores[0]  # read as VADER: "top" and "fit" praise
    assert word_scores(["Kind staff."])[0][0] > 0  # "kind" still counts where it is kindness


def test_like_is_praise_only_where_someone_likes():
    liked, _ = word_scores(["I like it.", "You'll really like the colour."])
    disliked, _ = word_scores(["I didn't like it."])
    compared, found = word_scores(["It looks like the photo.", "Hangs like a sack."])
    assert (liked > 0).all() and disliked[0] < 0
    assert found.tolist() == [0, 0] and (compared == 0).all()


def test_words_weigh_in_only_for_english_texts_with_rated_words(embedder):
    # "problem" is a rated English word, and a Polish one too: only the English text reads it
    texts = ["I love it", "The parcel came on Tuesday", "Konsultant rozwiązał mój problem"]
    vectors = encode_unit(embedder, texts)
    vectors_only = SentimentScorer(word_weight=0.0).fit(embedder).score(vectors, texts)
    blended = SentimentScorer().fit(embedder).score(vectors, texts)
    assert blended[1:] == pytest.approx(vectors_only[1:])
    assert blended[0] != pytest.approx(vectors_only[0])
    assert np.all(np.abs(blended) <= 1.0)
    told_english = SentimentScorer().fit(embedder).score(vectors, texts, ["en", "en", "en"])
    assert told_english[2] != pytest.approx(blended[2])  # told English, the words count


def test_bad_use_is_one_clear_error(embedder):
    with pytest.raises(NoomarketingError, match="not fitted"):
        SentimentScorer().score(np.zeros((1, 384)))
    with pytest.raises(NoomarketingError, match="word_weight"):
        SentimentScorer(word_weight=2.0).fit(embedder)
    scorer = SentimentScorer().fit(embedder)
    with pytest.raises(NoomarketingError, match="2 texts for 1 vectors"):
        scorer.score(encode_unit(embedder, ["fine"]), ["fine", "bad"])
    with pytest.raises(NoomarketingError, match="2 languages for 1 vectors"):
        scorer.score(encode_unit(embedder, ["fine"]), ["fine"], ["en", "pl"])
    assert scorer.score(np.zeros((0, 384))).shape == (0,)


def test_by_sentence_reads_the_mean_of_the_sentences_embedded_one_by_one():
    embedder = HashEmbedder()
    texts = ["Soft fabric. The zip broke!", "Arrived late"]
    whole = encode_unit(embedder, texts)
    parts = ["Soft fabric.", "The zip broke!", "Arrived late"]
    each = SentimentScorer(word_weight=0.0).fit(embedder).score(encode_unit(embedder, parts))
    by_sentence = SentimentScorer(word_weight=0.0, by_sentence=True).fit(embedder)
    assert by_sentence.score(whole, texts) == pytest.approx([each[:2].mean(), each[2]])
    assert by_sentence.score(whole) == pytest.approx(  # no texts: the vectors are read
        SentimentScorer(word_weight=0.0).fit(embedder).score(whole))


def test_by_sentence_embeds_only_the_texts_of_several_sentences():
    embedder = HashEmbedder()
    texts = ["Soft fabric. The zip broke!", "Arrived late", "", "Great."]
    whole = encode_unit(embedder, texts)
    scorer = SentimentScorer(word_weight=0.0, by_sentence=True).fit(embedder)
    asked: list[str] = []
    original = embedder.encode
    embedder.encode = lambda batch: asked.extend(batch) or original(batch)  # type: ignore[method-assign]
    read = scorer.score(whole, texts)
    assert asked == ["Soft fabric.", "The zip broke!"]
    plain = SentimentScorer(word_weight=0.0).fit(HashEmbedder()).score(whole)
    assert read[1:] == pytest.approx(plain[1:])  # one sentence (or none): its own vector
    assert read[0] != pytest.approx(plain[0])


def test_by_sentence_still_reads_english(embedder):
    positive, negative = scored(embedder, "en", by_sentence=True)
    assert_separated(positive, negative, gap=0.8)
