"""Label rules: a label names a topic, so it neither tells what someone did nor stops where
its object should follow, and the words that anchor it are the segment's own keywords."""

import numpy as np
import pytest
from fakes import TableEmbedder

from noomarketing.embedding import apartness
from noomarketing.label_rules import GENERIC_WORDS, narrates
from noomarketing.labels import (
    LabelCandidates,
    LabelWeights,
    choose_labels,
    phrases,
    top_words,
)

OPEN = [
    "This blouse runs small.",
    "I bought this jacket based on the reviews.",
    "Saw this shirt online and ordered it.",
    "The skirt ran a bit big.",
    "This jumpsuit feels soft and looks expensive.",
]


@pytest.mark.parametrize("text", OPEN)
def test_no_candidate_stops_where_its_object_should_follow(text):
    found = phrases(text)
    assert found  # the text has phrases: the test can fail
    for phrase in found:
        open_ends = {"run", "runs", "ran", "based", "online", "bit", "feels", "looks"}
        assert phrase.split()[-1] not in open_ends, phrase


def test_an_aside_of_a_review_is_no_candidate():
    found = phrases("Love this jacket, I wear a small for comparison and a 4 for reference.")
    assert "love this jacket" in found  # the text has phrases: the test can fail
    assert not [p for p in found if p.endswith(("for comparison", "for reference"))]


def test_no_candidate_stops_on_an_adverb_before_its_word():
    found = phrases("This shirt is incredibly soft and fits perfectly.")
    assert "shirt is incredibly soft" in found  # the whole phrase is there: the test can fail
    assert "fits perfectly" in found  # an adverb that ends its clause is fine
    assert not [p for p in found if p.endswith("incredibly")]


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("Plastic-free packaging and organic fabrics, exactly what I look for.", "organic"),
        ("Хочу быструю доставку или бесплатный возврат товара.", "бесплатный"),
        ("Szybka wysyłka i darmowe zwroty towaru, proszę.", "darmowe"),
    ],
)
def test_no_candidate_stops_inside_a_joined_pair(text, cut):
    found = phrases(text)
    joined = [p for p in found if len(p.split()) >= 3 and p.split()[-2] in {"and", "или", "i"}]
    assert any(cut in p.split() for p in found)  # the word is in some phrase: the test can fail
    for phrase in joined:
        assert phrase.split()[-1] != cut, phrase


def test_a_purpose_clause_narrates_and_a_name_does_not():
    for phrase in ("top to wear", "skirt to work", "dress to try", "exchanged the jacket"):
        assert narrates(phrase), phrase
    for phrase in ("fits true to size", "easy to wear jumpsuit", "summer top", "size chart"):
        assert not narrates(phrase), phrase


def test_a_clause_cut_around_its_verb_narrates_and_a_name_does_not():
    for phrase in (
        "buying the shirt",
        "eyeing this skirt",
        "wearing this sweater",
        "description that vest",
        "vest looked",
        "dress bought",
    ):
        assert narrates(phrase), phrase
    for phrase in (
        "matching vest",
        "blouse for curvy women",
        "size chart is wrong",
        "missing buttons",
        "recycled packaging",
        "order cancelled",
    ):
        assert not narrates(phrase), phrase


def test_a_purpose_clause_loses_to_the_topic_it_is_about():
    found = LabelCandidates([["top to wear", "summer top"]], [np.array([1.0, 0.9])])
    words = [{"top": 1.0, "wear": 1.0, "summer": 0.9}]
    assert choose_labels(found, np.zeros((1, 2)), None, [0], words) == ["summer top"]


def test_a_unit_or_filler_word_loses_to_the_kind_it_stands_before():
    found = LabelCandidates([["pair of jeans", "skinny jeans"]], [np.array([1.0, 0.9])])
    words = [{"pair": 1.0, "jeans": 1.0, "skinny": 0.9}]
    assert choose_labels(found, np.zeros((1, 2)), None, [0], words) == ["skinny jeans"]
    assert {"pair", "actual"} <= GENERIC_WORDS


def test_top_words_come_from_the_keywords_without_generic_or_multiword_terms():
    keywords = [["love", "swimsuit", "cup size", "size", "support", "beach"], ["great"], []]
    words = top_words(None, keywords)
    assert words == [["swimsuit", "size", "support"], [], []]
    scores = [{"love": 3.0, "swimsuit": 1.0, "size": 2.0, "cup": 0.5, "beach": 0.1}]
    (ranked,) = top_words(scores, n=3)
    assert len(ranked) == 3 and not set(ranked) & GENERIC_WORDS
    assert [scores[0][w] for w in ranked] == sorted((scores[0][w] for w in ranked), reverse=True)
    assert top_words(None) is None


def _unit(*values):
    vector = np.array(values, dtype=np.float64)
    return (vector / np.linalg.norm(vector)).tolist()


def test_a_phrase_as_near_another_segment_does_not_name_either():
    # "summer top" is as near both segments' centres; each has a phrase of its own that is a
    # little less central but nearer its own centre than the other's
    shared, tank, knit = "summer top", "tank top", "knit sweater"
    table = {
        shared: _unit(0.7, 0.7, 0.14, 0.14),
        tank: _unit(0.65, 0.0, 0.76, 0.0),
        knit: _unit(0.0, 0.65, 0.0, 0.76),
    }
    centroids = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    found = LabelCandidates([[shared, tank], [shared, knit]], [np.ones(2), np.ones(2)])
    embedder = TableEmbedder(table)
    labels = choose_labels(found, centroids, embedder, [0, 1])
    assert shared not in labels and labels == [tank, knit]
    # the test can fail: by closeness to its own centre alone, the shared phrase wins
    alone = choose_labels(found, centroids, embedder, [0, 1], weights=LabelWeights(contrast=0.0))
    assert alone[0] == shared


@pytest.mark.parametrize("seed", range(10))
def test_apartness_is_the_margin_over_the_nearest_other_centre(seed):
    rng = np.random.default_rng(seed)
    centroids = rng.normal(size=(5, 8))
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    vectors = rng.normal(size=(20, 8))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for position in range(5):
        apart = apartness(vectors, centroids, position)
        nearest = np.argmax(vectors @ centroids.T, axis=1)
        assert ((apart > 0) == (nearest == position)).all()
        assert (np.abs(apart) <= 2.0 + 1e-9).all()
    assert (apartness(vectors, centroids[:1], 0) == 0).all()  # one segment: nothing to set apart
