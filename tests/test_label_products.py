"""Labels that name the product: "<anchor>: <phrase>" is formed only where the phrase lacks
the anchor, stays in one script and at most five words, and is taken only when it wins."""

import numpy as np

from noomarketing.label_products import (
    centre_first,
    label_words,
    name_product,
    named_products,
    names_product,
    products,
    with_products,
    written_beside,
    written_form,
)
from noomarketing.labels import LabelCandidates, choose_labels, phrases, script_of


class WordsEmbedder:
    """Bag of words over a fixed vocabulary: a label is as near a word as it holds it."""

    def __init__(self, vocabulary: list[str]) -> None:
        self.vocabulary = vocabulary

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), len(self.vocabulary)))
        for row, text in enumerate(texts):
            for word in label_words(text.lower()):
                if word in self.vocabulary:
                    rows[row, self.vocabulary.index(word)] += 1.0
        return rows


def joined(phrase_lists, anchors, **kwargs):
    scores = [np.linspace(1.0, 0.5, len(group)) for group in phrase_lists]
    return with_products(phrase_lists, scores, anchors, **kwargs)


def test_a_joined_label_names_an_anchor_the_phrase_lacks_in_the_phrase_script():
    groups = [["cup size", "swimsuit straps", "size chart wrong fit"], ["размер чашки"]]
    anchors = [["swimsuit", "size"], ["swimsuit", "купальник"]]
    found, scores = joined(groups, anchors)
    for group, new, anchor, score in zip(groups, found, anchors, scores, strict=True):
        assert new[: len(group)] == group  # the customers' phrases come first, unchanged
        assert len(score) == len(new)
        added = new[len(group) :]
        assert added and all(names_product(p) for p in added)
        for label in added:
            head, phrase = label.split(": ")
            assert head in anchor and head not in phrase.split() and phrase in group
            assert 3 <= len(label_words(label)) <= 5
            assert script_of(head) == script_of(phrase) != "MIXED"
    assert "swimsuit: cup size" in found[0] and "size: cup size" not in found[0]
    assert not any(p.endswith("size chart wrong fit") for p in found[0][3:])  # 5 words at most
    assert found[1][1:] == ["купальник: размер чашки"]


def test_a_joined_label_keeps_its_phrase_score_and_respects_the_limits():
    found, scores = joined([["cup size", "bust support"]], [["swimsuit"]], n_phrases=1)
    assert found == [["cup size", "bust support", "swimsuit: cup size"]]
    assert scores[0][2] == scores[0][0]
    assert joined([["cup size"]], None)[0] == [["cup size"]]
    assert joined([["cup size"]], [["swimsuit"]], n_anchors=0)[0] == [["cup size"]]


def test_a_joined_label_is_taken_only_when_it_is_clearly_nearer_the_segment():
    found = LabelCandidates(*joined([["cup size"]], [["swimsuit"]]))
    words = [{"swimsuit": 1.0, "size": 0.8, "cup": 0.6}]
    # no embedder: the phrase's c-TF-IDF alone decides, and the customers' own words win
    assert choose_labels(found, np.zeros((1, 3)), None, [0], words) == ["cup size"]
    embedder = WordsEmbedder(["swimsuit", "cup", "size"])
    # a segment about swimsuits: naming the product brings the label nearer its centre
    assert choose_labels(found, np.array([[1.0, 0.0, 0.0]]), embedder, [0], words) == [
        "swimsuit: cup size"
    ]
    # a segment about cup sizes: the product adds nothing, the phrase wins
    centre = np.array([[0.0, 1.0, 1.0]]) / np.sqrt(2)
    assert choose_labels(found, centre, embedder, [0], words) == ["cup size"]


def test_two_segments_never_share_a_label_by_joining():
    found = LabelCandidates(
        *joined([["cup size"], ["cup size", "bust support"]], [["swimsuit"], ["swimsuit"]])
    )
    embedder = WordsEmbedder(["swimsuit", "cup", "size", "bust", "support"])
    centres = np.array([[1.0, 0, 0, 0, 0], [1.0, 0, 0, 0, 0]])
    labels = choose_labels(found, centres, embedder, [0, 1])
    assert None not in labels and len(set(labels)) == 2


def test_a_joined_label_keeps_the_customers_capitals_and_sizes_read_as_sizes():
    texts = ["I wear an xs petite in Tommy Bahama.", "Love the Tommy Bahama cut."]
    assert written_form("swimsuit: tommy bahama", texts) == "swimsuit: Tommy Bahama"
    assert written_form("dress: regular xs", texts) == "dress: regular XS"
    assert written_form("xs petite", texts) == "XS petite"


def test_a_phrase_does_not_stop_before_the_people_it_is_for():
    found = phrases("A lovely blouse for curvy women, and a dress for tall girls.")
    assert "blouse for curvy women" in found and "dress for tall girls" in found
    assert not {"blouse for curvy", "dress for tall"} & found


def test_the_anchor_nearest_the_centre_comes_first_and_ties_keep_the_keyword_order():
    embedder = WordsEmbedder(["dress", "xs", "size"])
    centres = np.array([[1.0, 0.5, 0.0], [0.0, 0.0, 0.0]])
    anchors = [["xs", "size", "dress"], ["xs", "dress"]]
    assert centre_first(anchors, centres, embedder) == [["dress", "xs", "size"], ["xs", "dress"]]
    assert centre_first(anchors, centres, None) == anchors
    assert centre_first(None, centres, embedder) is None


def test_the_product_is_named_only_where_the_label_lacks_it_within_five_words_and_one_script():
    assert name_product("regular xs", "dress") == "dress: regular xs"
    for label, anchor in [
        ("maternity tops", "top"),  # the same word, inflected
        ("dresses for work", "dress"),
        ("swimsuit: cup size", "bra"),  # joined already
        ("size chart is wrong", "dress"),  # four words: a fifth would be too many
        ("cup size", "купальник"),
        ("cup size", None),
    ]:
        assert name_product(label, anchor) == label


def test_a_product_is_written_beside_a_phrase_only_in_a_text_that_holds_both():
    texts = ["An XS petite dress.", "The lookbook emails!", "More office blazers, please."]
    assert written_beside("xs petite", "dresses", texts)
    assert not written_beside("lookbook emails", "blazer", texts)
    assert not written_beside("xs pet", "dress", texts)  # a phrase is whole words


def test_a_label_names_its_product_where_customers_write_both_and_it_nears_the_centre():
    embedder = WordsEmbedder(["dress", "xs", "petite", "lookbook", "emails", "blazers"])
    about_dresses = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    about_emails = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    labels = ["xs petite", "lookbook emails", None]
    anchors = [["dress"], ["blazers"], ["dress"]]
    beside = [["An xs petite dress."], ["Lookbook emails and blazers."], []]
    apart = [["An xs petite.", "A dress."], ["Lookbook emails.", "Blazers."], []]
    centres = np.array([about_dresses, about_emails, about_dresses])
    assert named_products(labels, anchors, beside, centres, embedder) == [
        "dress: xs petite",
        "blazers: lookbook emails",
        None,
    ]
    # the product written in other texts than the phrase's: a segment of two topics
    assert named_products(labels, anchors, apart, centres, embedder) == labels
    # the product takes the label away from what the segment is about
    about_phrases = np.array([[0, 1.0, 1.0, 0, 0, 0], [0, 0, 0, 1.0, 1.0, 0], about_dresses])
    assert named_products(labels, anchors, beside, about_phrases, embedder) == labels
    # without an embedder nothing says the product helps
    assert named_products(labels, anchors, beside, centres, None) == labels
    assert named_products(labels, None, beside, centres, embedder) == labels


MEANINGS = {
    "swimsuit": [1.0, 0.0, 0.0],
    "bathing suits": [0.9, 0.1, 0.0],
    "swimsuit: bathing suits": [1.0, 0.1, 0.0],
    "cup size": [0.0, 1.0, 0.0],
    "swimsuit: cup size": [0.7, 0.7, 0.0],
}


class MeaningsEmbedder:
    """Fixed vectors for a few strings: "bathing suits" means what "swimsuit" means."""

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array([MEANINGS[t] for t in texts])


def test_a_label_that_names_its_product_in_other_words_is_not_joined_to_it():
    labels = ["bathing suits", "cup size"]
    anchors = [["swimsuit"], ["swimsuit"]]
    texts = [["Bathing suits, a swimsuit."], ["Cup size of the swimsuit."]]
    # the joined label is nearer the first centre than the phrase, yet names the same thing
    centres = np.array([[1.0, 0.0, 0.0], [0.7, 0.7, 0.0]])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    assert named_products(labels, anchors, texts, centres, MeaningsEmbedder()) == [
        "bathing suits",
        "swimsuit: cup size",
    ]


def test_a_verb_or_a_word_of_feeling_never_names_the_product():
    embedder = WordsEmbedder(["wear", "love", "top", "maternity"])
    centres = np.array([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])
    texts = [["Maternity tops to wear."], ["Love the maternity tops."], ["A top for maternity."]]
    labels = ["maternity top", "maternity top", "maternity"]
    # the test can fail: a noun in the same place is joined
    assert named_products(labels[2:], [["top"]], texts[2:], centres[2:], embedder) == [
        "top: maternity"]
    assert named_products(labels[:2], [["wear", "top"], ["love"]], texts[:2], centres[:2],
                          embedder) == labels[:2]
    found, _ = with_products([["maternity top"]], [np.array([1.0])], [["wear", "top"]])
    assert found == [["maternity top"]]  # no "wear: maternity top"; "top" it holds already
    found, _ = with_products([["maternity"]], [np.array([1.0])], [["wear", "top"]])
    assert found == [["maternity", "top: maternity"]]


def test_polish_and_russian_verbs_of_buying_or_recommending_never_name_the_product():
    # "Świetna jakość, kupię znowu!" once read "Kupię: świetna jakość" ("I'll buy: great quality")
    assert products(["kupię", "polecam", "sukienka", "закажу", "рекомендую", "платье"]) == [
        "sukienka", "платье"]
    found, _ = with_products([["świetna jakość"]], [np.array([1.0])], [["kupię", "jakość"]])
    assert found == [["świetna jakość"]]


def test_one_customers_text_is_labelled_by_its_phrase_with_no_product_joined():
    from noomarketing.labels import SegmentWords
    from noomarketing.schema import Feedback

    text = "Cup size of the swimsuit."
    feedback = Feedback.from_texts([text, text, text])  # one customer, then two who agree
    embedder = WordsEmbedder(["swimsuit", "cup", "size"])
    centres = np.array([[0.8, 0.4, 0.4], [0.8, 0.4, 0.4]])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vectors = embedder.encode([text] * 3)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    words = SegmentWords.read(feedback, np.array([0, 1, 1]), [0, 1], vectors, centres, None,
                              embedder, anchors=[["swimsuit", "size"], ["swimsuit", "size"]])
    # the test can fail: where two customers share the words, the product is joined
    assert words.phrases == ["cup size", "swimsuit: cup size"]
