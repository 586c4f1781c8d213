"""Large inputs: fit on a seeded sample, assign the rest in batches, stream predictions."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

import noomarketing as nm
from noomarketing import clustering, neighbours, segmentation
from noomarketing.schema import UNASSIGNED, NoomarketingError


@pytest.fixture(scope="module")
def corpus(themed, embedder):
    texts, themes = themed
    return nm.Feedback.from_texts(texts), themes, embedder.encode(texts)


@pytest.fixture(scope="module")
def sampled(corpus, embedder):
    fb, _, vectors = corpus
    model = nm.SegmentModel(embedding=embedder, use_cache=False, fit_sample_size=60)
    return model.fit(fb, embeddings=vectors)


def test_fit_learns_from_a_seeded_sample_and_assigns_every_row(corpus, sampled):
    fb, themes, vectors = corpus
    assert len(sampled.sample_index_) == 60 and len(sampled.embeddings_) == 60
    np.testing.assert_array_equal(sampled.embeddings_, vectors[sampled.sample_index_])
    assert len(sampled.labels_) == len(sampled.similarities_) == len(fb) == 90
    rest = np.setdiff1d(np.arange(len(fb)), sampled.sample_index_)
    np.testing.assert_array_equal(
        sampled.labels_[rest], sampled.predict(fb.subset(rest), embeddings=vectors[rest])
    )
    assert normalized_mutual_info_score(themes, sampled.labels_) > 0.7
    assert sampled.segment_sizes_.sum() == (sampled.labels_ != UNASSIGNED).sum()


def test_the_sample_depends_only_on_the_seed(corpus, sampled, embedder):
    fb, _, vectors = corpus
    again = nm.SegmentModel(embedding=embedder, use_cache=False, fit_sample_size=60)
    again.fit(fb, embeddings=vectors)
    np.testing.assert_array_equal(again.sample_index_, sampled.sample_index_)
    np.testing.assert_array_equal(again.labels_, sampled.labels_)
    other = nm.SegmentModel(
        embedding=embedder, use_cache=False, fit_sample_size=60, random_state=1
    ).fit(fb, embeddings=vectors)
    assert not np.array_equal(other.sample_index_, again.sample_index_)


def test_embedding_inside_fit_in_small_batches_gives_the_same_segments(
    corpus, sampled, embedder, monkeypatch
):
    fb, _, _ = corpus
    monkeypatch.setattr(segmentation, "ASSIGN_BATCH", 7)
    calls = []

    class Counting:
        name = None

        def encode(self, texts):
            calls.append(len(texts))
            return embedder.encode(texts)

    model = nm.SegmentModel(embedding=Counting(), use_cache=False, fit_sample_size=60).fit(fb)
    assert calls[0] == 60 and max(calls[1:]) <= 7 and sum(calls[1:]) == 30
    np.testing.assert_array_equal(model.sample_index_, sampled.sample_index_)
    agree = np.mean(model.labels_ == sampled.labels_)
    assert agree >= 0.97  # same rows and seed; only float noise of batched encoding differs


def test_predict_batches_streams_in_order_and_keeps_blank_texts_in_place(corpus, sampled):
    fb, _, _ = corpus
    texts = [*fb.texts[:25], "   ", *fb.texts[25:40]]
    parts = list(sampled.predict_batches(iter(texts), batch_size=10))
    assert [len(p) for p in parts] == [10, 10, 10, 10, 1]
    labels = np.concatenate(parts)
    assert labels[25] == UNASSIGNED
    expected = sampled.predict(fb.texts[:40])
    np.testing.assert_array_equal(np.delete(labels, 25), expected)


def test_predict_batches_rejects_bad_input_clearly(sampled):
    with pytest.raises(NoomarketingError, match="batch_size"):
        sampled.predict_batches(["a"], batch_size=0)
    with pytest.raises(NoomarketingError, match="reads strings, got int"):
        list(sampled.predict_batches(["fine", 3]))
    with pytest.raises(NoomarketingError, match="fit_sample_size"):
        nm.SegmentModel(fit_sample_size=10).fit(["a", "b"])


def test_ideas_of_a_sampled_fit_count_every_row_and_quote_the_sample(corpus, sampled):
    fb, _, _ = corpus
    ideas = nm.highlight_ideas(sampled, fb)
    assert sum(i.size for i in ideas) == (sampled.labels_ != UNASSIGNED).sum()
    sample_rows = {fb.items[i].row for i in sampled.sample_index_}
    for idea in ideas:
        assert idea.keywords and idea.quotes
        assert {q.row for q in idea.quotes} <= sample_rows
        members = np.flatnonzero(sampled.labels_ == idea.segment_id)
        assert idea.customer_ids == [fb.items[i].customer_id for i in members]


@pytest.mark.slow
def test_segment_pipeline_with_a_sample_reports_every_row(corpus, embedder):
    fb, _, _ = corpus
    model = nm.SegmentModel(embedding=embedder, use_cache=False, fit_sample_size=60)
    result = nm.segment(fb, model)
    assert len(result.assignments) == len(fb)
    assert result.assignments["similarity"].notna().all()
    assigned = result.assignments["status"] == "assigned"
    assert assigned.sum() == sum(i.size for i in result.ideas)


def test_cosine_knn_is_exact_whatever_the_threads(monkeypatch):
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((300, 16)).astype(np.float32)
    indices, distances = neighbours.cosine_knn(vectors, 5, block=64)
    monkeypatch.setattr(neighbours, "KNN_THREADS", 1)
    one_thread = neighbours.cosine_knn(vectors, 5, block=64)
    np.testing.assert_array_equal(indices, one_thread[0])
    np.testing.assert_array_equal(distances, one_thread[1])
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    expected = np.argsort(-(unit @ unit.T), axis=1, kind="stable")[:, :5]
    np.testing.assert_array_equal(indices, expected)
    assert (indices[:, 0] == np.arange(300)).all() and np.allclose(distances[:, 0], 0, atol=1e-5)
    assert (np.diff(distances, axis=1) >= 0).all()


@pytest.mark.slow
def test_from_4096_points_umap_gets_exact_neighbours_and_finds_the_groups():
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((6, 64))
    truth = rng.integers(0, 6, 4500)
    vectors = (centres[truth] + 0.5 * rng.standard_normal((4500, 64))).astype(np.float32)
    fb = nm.Feedback.from_texts([f"text {i}" for i in range(4500)])
    model = nm.SegmentModel(use_cache=False).fit(fb, embeddings=vectors)
    assert model.reducer_.precomputed_knn[0].shape == (4500, clustering.LARGE_N_NEIGHBORS)
    assert model.reducer_.n_epochs == segmentation.LARGE_N_EPOCHS == 200
    assert normalized_mutual_info_score(truth, model.labels_) > 0.9
    other = nm.SegmentModel(use_cache=False, random_state=3).fit(fb, embeddings=vectors)
    assert adjusted_rand_score(model.labels_, other.labels_) >= 0.9  # the seed moves nothing
