import subprocess
import sys

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

import noomarketing as nm
from noomarketing.schema import UNASSIGNED, NoomarketingError


@pytest.fixture(scope="module")
def fitted(themed, embedder, tmp_path_factory):
    # A cache of its own: vectors another test cached, embedded in other batches, differ in
    # the 7th decimal, and on 90 texts that moves NMI between about 0.67 and 0.84
    texts, labels = themed
    fb = nm.Feedback.from_texts(texts)
    cache_dir = str(tmp_path_factory.mktemp("segmentation-cache"))
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, random_state=0).fit(fb)
    return fb, labels, model


def test_umap_hdbscan_finds_the_themes(fitted):
    _fb, labels, model = fitted
    assert model.strategy_ == "clusters"
    assert model.n_segments_ >= 3
    # three themes; chance is near 0, and float noise alone moves it 0.67-0.84 (see fitted)
    assert normalized_mutual_info_score(labels, model.labels_) > 0.55
    assert model.unassigned_share_ <= 0.15


def test_same_seed_same_segments(fitted, embedder):
    fb, _, model = fitted
    # the same vectors laid out again (no cache: UMAP runs) give the same segments
    again = nm.SegmentModel(embedding=embedder, use_cache=False, random_state=0).fit(
        fb, embeddings=model.embeddings_
    )
    assert again.layout_cached_ is False
    np.testing.assert_array_equal(again.labels_, model.labels_)


def test_another_seed_finds_the_same_segments():
    """Only UMAP's layout changes with the seed (same vectors): clearly separated groups must
    come out as the same segments, whatever their ids."""
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 6, 600)
    vectors = (rng.standard_normal((6, 64))[truth] + 0.5 * rng.standard_normal((600, 64)))
    fb = nm.Feedback.from_texts([f"text {i}" for i in range(600)])
    labels = [
        nm.SegmentModel(use_cache=False, language="off", random_state=seed)
        .fit(fb, embeddings=vectors.astype(np.float32)).labels_
        for seed in (0, 7)
    ]
    assert adjusted_rand_score(*labels) >= 0.9
    assert min(normalized_mutual_info_score(truth, found) for found in labels) > 0.9


def test_outlier_policy_keep_reports_more_unassigned(fitted, embedder, cache_dir):
    fb, _, model = fitted
    keep = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, outliers="keep").fit(
        fb, embeddings=model.embeddings_
    )
    assert keep.unassigned_share_ == pytest.approx(np.mean(keep.cluster_labels_ == -1))
    assert keep.unassigned_share_ >= model.unassigned_share_


class _FarAsNoise:
    """KMeans on the layout with the 20% of points farthest from their centre called noise:
    a clusterer whose noise is certain, unlike HDBSCAN's on a small fixture."""

    def fit_predict(self, points):
        kmeans = KMeans(3, n_init=3, random_state=0).fit(points)
        distance = np.linalg.norm(points - kmeans.cluster_centers_[kmeans.labels_], axis=1)
        return np.where(distance > np.quantile(distance, 0.8), -1, kmeans.labels_)


def test_noise_joins_by_the_vote_of_its_layout_neighbours():
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 300)
    vectors = (rng.standard_normal((3, 32))[truth] + 0.6 * rng.standard_normal((300, 32)))
    fb = nm.Feedback.from_texts([f"text {i}" for i in range(300)])
    fits = {
        rule: nm.SegmentModel(clusterer=_FarAsNoise(), outliers=rule, use_cache=False,
                              language="off").fit(fb, embeddings=vectors.astype(np.float32))
        for rule in ("vote", "nearest", "keep")
    }
    vote, keep = fits["vote"], fits["keep"]
    noise = vote.cluster_labels_ < 0
    assert noise.sum() >= 50
    assert vote.unassigned_share_ == 0.0 and keep.unassigned_share_ == pytest.approx(noise.mean())
    for found in fits.values():  # the clustered points keep their segment under every rule
        assert (found.labels_[~noise] == vote.labels_[~noise]).all()
    # the noise joins the segment of its own group, as the centroid rule places it
    assert normalized_mutual_info_score(truth[noise], vote.labels_[noise]) > 0.8
    assert np.mean(vote.labels_[noise] == fits["nearest"].labels_[noise]) > 0.9
    # the themes are found in the embedding space, the noise counted with its nearest centroid
    assert (vote.themes_ == fits["nearest"].themes_).all()


def test_predict_matches_segment_of_similar_text(fitted):
    _fb, labels, model = fitted
    pred = model.predict(["the courier brought my parcel 9 days late"])
    delivery = [model.labels_[i] for i, lab in enumerate(labels) if lab == "delivery"]
    assert pred[0] == max(set(delivery), key=delivery.count)


def test_texts_on_one_topic_share_a_segment_and_another_topic_does_not(fitted):
    _fb, _, model = fitted
    late, later, pricey = model.predict([
        "my parcel arrived nine days late",
        "the courier delivered my package a week after the promised date",
        "way too expensive, the prices went up again",
    ])
    assert late == later != UNASSIGNED
    assert pricey not in (late, UNASSIGNED)


def test_predict_keeps_one_label_per_input_row(fitted):
    _, _, model = fitted
    pred = model.predict(["the courier brought my parcel 9 days late", "", None, "too pricey"])
    assert len(pred) == 4
    assert pred[1] == pred[2] == UNASSIGNED
    assert pred[0] != UNASSIGNED and pred[3] != UNASSIGNED


def test_save_load_in_a_new_process_predicts_the_same(fitted, tmp_path, cache_dir):
    fb, _, model = fitted
    model.save(tmp_path / "run")
    assert not list(tmp_path.glob("run/*.pkl"))
    expected = model.predict(fb.texts[:20])
    code = (
        "import sys, json, noomarketing as nm;"
        f"m = nm.SegmentModel.load({str(tmp_path / 'run')!r});"
        f"print(json.dumps(m.predict({fb.texts[:20]!r}).tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == str(expected.tolist()).replace(" ", "").replace(
        ",", ", "
    )


def test_custom_embedder_must_be_given_again_on_load(tmp_path):
    class Hashing:
        def encode(self, texts):
            return np.array([[len(t), t.count("a") + 1.0] for t in texts])

    model = nm.SegmentModel(embedding=Hashing(), strategy="per_customer", use_cache=False)
    model.fit(["a", "bb", "aaa"])
    model.save(tmp_path / "m")
    with pytest.raises(NoomarketingError, match="custom embedder"):
        nm.SegmentModel.load(tmp_path / "m")
    loaded = nm.SegmentModel.load(tmp_path / "m", embedding=Hashing())
    np.testing.assert_array_equal(loaded.predict(["a", "bb"]), [0, 1])


def test_swappable_reducer_and_clusterer(fitted, embedder, cache_dir):
    fb, labels, model = fitted
    swapped = nm.SegmentModel(
        embedding=embedder,
        reducer=PCA(n_components=5, random_state=0),
        clusterer=KMeans(n_clusters=3, n_init=10, random_state=0),
        cache_dir=cache_dir,
    ).fit(fb, embeddings=model.embeddings_)
    assert swapped.n_segments_ == 3
    assert normalized_mutual_info_score(labels, swapped.labels_) > 0.7


def test_few_texts_give_one_segment_per_customer(embedder, cache_dir):
    fb = nm.load_feedback(
        [
            {"c": "ann", "t": "late delivery again"},
            {"c": "bob", "t": "too expensive"},
            {"c": "ann", "t": "the courier was late"},
        ],
        text="t",
        customer="c",
    )
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir).fit(fb)
    assert model.strategy_ == "per_customer"
    assert model.labels_.tolist() == [0, 1, 0]
    assert model.predict(fb).tolist() == [0, 1, 0]  # a known customer keeps their segment


@pytest.mark.parametrize("texts", [["one lonely review"], ["same words"] * 10])
def test_degenerate_inputs_do_not_crash(texts, embedder, cache_dir):
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir).fit(texts)
    assert model.n_segments_ == 1  # identical texts of many customers: one segment, not ten
    assert (model.labels_ != UNASSIGNED).all()
    ideas = nm.highlight_ideas(model, texts)
    assert sum(i.size for i in ideas) == len(texts)


def test_many_identical_texts_with_a_forced_clustering(embedder, cache_dir):
    texts = ["spam spam buy now"] * 60 + ["real review about late delivery"] * 5
    with pytest.raises(NoomarketingError, match="cannot cluster 2 distinct"):
        nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, strategy="clusters").fit(texts)


def test_bad_parameters_are_clear_errors():
    with pytest.raises(NoomarketingError, match="outliers must be"):
        nm.SegmentModel(outliers="drop").fit(["a"])
    with pytest.raises(NoomarketingError, match="not fitted"):
        nm.SegmentModel().predict(["a"])
    with pytest.raises(NoomarketingError, match="n_epochs must be"):
        nm.SegmentModel(n_epochs=0).fit(["a"])


def test_n_epochs_reaches_umap_and_is_saved(tmp_path):
    rng = np.random.default_rng(0)
    vectors = (np.repeat(np.eye(3, 16), 40, axis=0) + 0.1 * rng.standard_normal((120, 16)))
    fb = nm.Feedback.from_texts([f"text {i}" for i in range(120)])
    model = nm.SegmentModel(n_epochs=30, use_cache=False, language="off")
    model.fit(fb, embeddings=vectors.astype(np.float32))
    assert model.reducer_.n_epochs == 30
    assert model.n_segments_ == 3
    assert nm.SegmentModel.load(model.save(tmp_path / "m")).n_epochs == 30
