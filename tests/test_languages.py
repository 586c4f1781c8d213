import json
from collections import Counter

import numpy as np
import pytest
from corpus import multilingual_feedback
from sklearn.metrics import normalized_mutual_info_score

import noomarketing as nm
from noomarketing.embedding import (
    MultilingualEmbedder,
    embedder_from_config,
    resolve_embedder,
)
from noomarketing.languages import (
    DEFAULT_MODEL_SHARE,
    UNKNOWN,
    auto_embedding,
    detect_languages,
    language_mix,
)
from noomarketing.schema import NoomarketingError


@pytest.fixture(scope="module")
def multilingual():
    return multilingual_feedback()


# ---------------------------------------------------------------- detection
def test_detection_of_short_texts_uses_the_input_as_prior():
    texts = [
        "The courier lost my parcel and nobody called me back",
        "Kurier zgubił moją paczkę i nikt do mnie nie oddzwonił",
        "Курьер потерял мою посылку, и мне никто не перезвонил",
        "Дорого",  # alone it looks Ukrainian; in this input it is Russian
        "Доставка опоздала",  # Macedonian to a detector of every language
        "ok",
        "👍",
        "...",
    ]
    guesses = detect_languages(texts)
    assert [g.code for g in guesses] == ["en", "pl", "ru", "ru", "ru", UNKNOWN, UNKNOWN, UNKNOWN]
    assert all(0.7 <= g.confidence <= 1.0 for g in guesses[:5])
    assert detect_languages(texts) == guesses  # deterministic


def test_unsure_text_is_not_forced_into_a_language_it_does_not_resemble():
    # Only Polish and Russian are confident here; the short English text must not become one.
    texts = ["Paczka przyszła po dwóch tygodniach", "Посылка пришла через две недели",
             "The parcel came late"]
    assert detect_languages(texts)[2].code in ("en", UNKNOWN)


def test_detection_reads_only_the_beginning_of_long_texts(monkeypatch):
    import noomarketing.languages as languages

    texts = [f"the parcel number {i} arrived late again" for i in range(2000)]
    texts.append("word " * 200_000)  # 1 MB
    real, lengths = languages._identifier, []

    def spying(*args, **kwargs):
        identifier = real(*args, **kwargs)

        class Spy:
            def __getattr__(self, name):
                return getattr(identifier, name)

            def rank(self, text):
                lengths.append(len(text))
                return identifier.rank(text)

        return Spy()

    monkeypatch.setattr(languages, "_identifier", spying)
    guesses = detect_languages(texts, use_cache=False)
    assert {g.code for g in guesses} == {"en"}
    assert lengths and max(lengths) <= languages.DETECT_CHARS


def test_detection_errors_are_one_line():
    with pytest.raises(NoomarketingError, match="min_confidence"):
        detect_languages(["hello"], min_confidence=0)
    with pytest.raises(NoomarketingError, match="language detection"):
        detect_languages(["hello"], languages=["en", "xx-not-a-language"])


def test_mix_summary_and_auto_choice_threshold():
    mix = language_mix(["en"] * 6 + ["pl"] * 3 + ["ru"] + [UNKNOWN] * 2)
    assert mix.summary() == "en 60%, pl 30%, ru 10% (12 texts, 2 unknown)"
    assert mix.dominant == "en" and mix.dominant_share == pytest.approx(0.6)
    n_en = round(DEFAULT_MODEL_SHARE * 100)
    assert auto_embedding(language_mix(["en"] * n_en + ["pl"] * (100 - n_en)))[0] == "default"
    assert auto_embedding(language_mix(["en"] * (n_en - 1) + ["ru"] * (101 - n_en)))[0] == (
        "multilingual"
    )
    # unknown texts do not count either way; nothing detected keeps the default
    assert auto_embedding(language_mix(["en"] * 9 + [UNKNOWN] * 5))[0] == "default"
    assert auto_embedding(language_mix([UNKNOWN] * 3))[0] == "default"
    assert auto_embedding(language_mix(["pl"] * 10))[0] == "multilingual"


def test_inflected_slavic_pronouns_are_not_keywords():
    from noomarketing.text import tokenize

    assert tokenize("Kurier zgubił moją przesyłkę") == ["kurier", "zgubił", "przesyłkę"]
    assert tokenize("Курьер потерял мою посылку") == ["курьер", "потерял", "посылку"]


# ---------------------------------------------------------------- the multilingual embedder
def test_multilingual_embedder_is_offline_normalised_and_crosslingual():
    emb = resolve_embedder("multilingual")
    assert isinstance(emb, MultilingualEmbedder) and isinstance(resolve_embedder("usem3"),
                                                                MultilingualEmbedder)
    vectors = emb.encode([
        "the parcel arrived two weeks late",
        "paczka przyszła z dwutygodniowym opóźnieniem",
        "посылка пришла с опозданием на две недели",
        "customer support was rude to me",
    ])
    assert vectors.shape == (4, 512) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 3] + 0.2 and sims[0, 2] > sims[0, 3] + 0.2
    # numbers are one placeholder by default: the same complaint with other numbers is one idea
    late = emb.encode(["late by 3 days", "late by 9 days"])
    assert float(late[0] @ late[1]) > 0.99
    rebuilt = embedder_from_config(emb.get_config())
    assert isinstance(rebuilt, MultilingualEmbedder) and rebuilt.name == emb.name
    assert MultilingualEmbedder(denoise_numbers=False).name != emb.name  # separate cache rows


def test_multilingual_embedder_batches_give_the_same_vectors():
    texts = [f"complaint {i}: the delivery was slow" for i in range(7)] + ["Доставка опоздала"]
    whole = MultilingualEmbedder(progress=False).encode(texts)
    batched = MultilingualEmbedder(batch_size=3, progress=False).encode(texts)
    np.testing.assert_allclose(batched, whole, atol=1e-5)
    assert MultilingualEmbedder().encode([]).shape == (0, 512)


# ---------------------------------------------------------------- the automatic choice
def test_english_only_input_keeps_the_default_model(themed, cache_dir):
    texts, _ = themed
    model = nm.SegmentModel(cache_dir=cache_dir)
    model.embed(texts[:20])
    assert model.embedder_.name.startswith(nm.embedding.DEFAULT_MODEL)
    assert model.language_mix_.dominant == "en" and model.language_mix_.dominant_share == 1.0
    assert model.embedding_choice_.startswith("all-MiniLM-L6-v2: 100% of the texts are en")


def test_an_explicit_embedding_wins_and_languages_are_still_detected(
    multilingual, embedder, cache_dir
):
    texts, _, languages = multilingual
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0).fit(texts)
    assert model.embedder_.name == embedder.name
    assert model.embedding_choice_.endswith("it was asked for")
    assert model.languages_ == languages
    assert model.language_mix_.counts == {"en": 36, "pl": 36, "ru": 36}


def test_language_off_detects_nothing(multilingual, embedder, cache_dir):
    texts, _, _ = multilingual
    model = nm.SegmentModel(embedding=embedder, language="off", cache_dir=cache_dir).fit(texts)
    assert model.languages_ is None and model.language_mix_ is None
    assert all(idea.languages == {} for idea in nm.highlight_ideas(model, texts))
    with pytest.raises(NoomarketingError, match="language must be"):
        nm.SegmentModel(language="pl").fit(texts)


@pytest.mark.slow
def test_themes_not_languages_form_the_segments_with_default_settings(
    multilingual, cache_dir, tmp_path
):
    texts, themes, languages = multilingual
    result = nm.segment(texts, nm.SegmentModel(cache_dir=cache_dir))
    model = result.model
    assert model.embedding_choice_.startswith("universal-sentence-encoder-multilingual-3")
    assert normalized_mutual_info_score(themes, model.labels_) >= 0.75
    assert normalized_mutual_info_score(languages, model.labels_) <= 0.2

    info = result.info()
    assert info["languages"] == {"en": 36, "pl": 36, "ru": 36}
    assert "multilingual" in info["embedding_choice"]
    assert "languages: en 33%, pl 33%, ru 33%" in result.summary()
    for idea in result.ideas:
        members = np.flatnonzero(model.labels_ == idea.segment_id)
        present = {languages[i] for i in members}
        assert set(idea.languages) == present
        assert sum(idea.languages.values()) == pytest.approx(1.0, abs=1e-3)
        # a quote in every language of the segment, with its language named
        assert {q.language for q in idea.quotes} == present
        for quote in idea.quotes:
            assert quote.language == languages[texts.index(quote.text)]
        if len(present) > 1:
            assert set(idea.keywords_by_language) == present
            for code, keywords in idea.keywords_by_language.items():
                own = " ".join(texts[i].lower() for i in members if languages[i] == code)
                assert keywords and all(k.term in own for k in keywords)

    # the choice survives save/load: the loaded model embeds with the same model
    model.save(tmp_path / "model")
    loaded = nm.SegmentModel.load(tmp_path / "model")
    assert isinstance(loaded.embedder_.embedder, MultilingualEmbedder)
    assert loaded.embedding_choice_ == model.embedding_choice_
    assert loaded.language_mix_ == model.language_mix_ and loaded.languages_ == languages
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert "languages_" not in config  # per-row codes live in the safetensors file
    new = ["Przesyłka nie dotarła na czas, czekam już dwa tygodnie.",
           "Слишком высокие цены, в другом магазине то же самое дешевле."]
    np.testing.assert_array_equal(loaded.predict(new), model.predict(new))
    delivery = Counter(model.labels_[np.array(themes) == "delivery"]).most_common(1)[0][0]
    price = Counter(model.labels_[np.array(themes) == "price"]).most_common(1)[0][0]
    assert loaded.predict(new).tolist() == [delivery, price]


def test_detection_probabilities_are_cached_and_guesses_unchanged(tmp_path, monkeypatch):
    from noomarketing import languages as lang

    texts = ["The parcel came two weeks late", "Paczka przyszła późno", "Посылка пришла поздно",
             "Дорого", "👍"]
    cold = lang.detect_languages(texts, cache_dir=tmp_path, use_cache=True)

    def no_detector(*args, **kwargs):
        raise AssertionError("the detector ran although every text was cached")

    monkeypatch.setattr(lang, "_identifier", no_detector)
    warm = lang.detect_languages(texts, cache_dir=tmp_path, use_cache=True)
    assert warm == cold
    assert [g.code for g in warm] == ["en", "pl", "ru", "ru", "unknown"]
