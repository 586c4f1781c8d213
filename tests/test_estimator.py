"""SegmentModel as a scikit-learn estimator; anonymous texts; parameters checked in one place."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.metrics import make_scorer, normalized_mutual_info_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils.validation import check_is_fitted

import noomarketing as nm
from noomarketing.schema import UNASSIGNED, NoomarketingError
from noomarketing.segmentation import ModelNotFittedError

FEW = ["late delivery", "prices are too high", "rude staff"]


@pytest.fixture(scope="module")
def few(embedder, cache_dir):
    return nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, language="off").fit(FEW)


def test_clone_get_params_and_set_params_follow_scikit_learn():
    model = nm.SegmentModel(reducer=PCA(n_components=3), min_cluster_size=5, random_state=3)
    params = model.get_params(deep=True)
    assert params["min_cluster_size"] == 5 and params["reducer__n_components"] == 3
    assert set(model.get_params(deep=False)) < set(params)
    copy = clone(model)
    assert copy is not model and copy.reducer is not model.reducer
    assert copy.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert copy.set_params(min_cluster_size=9, reducer__n_components=4) is copy
    assert (copy.min_cluster_size, copy.reducer.n_components) == (9, 4)
    assert model.min_cluster_size == 5  # the original is untouched
    with pytest.raises(ValueError, match="nonsense"):
        copy.set_params(nonsense=1)


def test_a_clone_of_a_fitted_model_is_not_fitted(few):
    check_is_fitted(few)
    fresh = clone(few)
    with pytest.raises(NotFittedError):
        check_is_fitted(fresh)
    for call in (fresh.predict, fresh.transform):
        with pytest.raises(ModelNotFittedError, match="not fitted yet"):
            call(["late again"])
    with pytest.raises(NoomarketingError):  # a NotFittedError that is also one clear line
        _ = fresh.n_segments_


def test_fit_transform_transform_and_predict_count_the_same_rows(few, embedder, cache_dir):
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, language="off")
    similarities = model.fit_transform(FEW)
    assert similarities.shape == (3, model.n_segments_)
    np.testing.assert_array_equal(similarities.argmax(axis=1), model.labels_)
    new = ["the parcel came a week late", "", None, "too pricey"]
    table, labels = few.transform(new), few.predict(new)
    assert table.shape == (4, few.n_segments_) and labels.shape == (4,)
    assert np.isnan(table[1:3]).all() and (labels[1:3] == UNASSIGNED).all()
    assert np.isfinite(table[[0, 3]]).all()
    assert labels[0] == table[0].argmax() and labels[3] == table[3].argmax()


def test_anonymous_texts_get_answers_that_do_not_depend_on_their_position(few):
    """Plain texts have no customer id: a new text is never mapped through a made-up one."""
    new = ["prices are too high, I pay more each month", "rude staff hung up on me",
           "my delivery was late again"]
    forward, backward = few.predict(new), few.predict(new[::-1])
    np.testing.assert_array_equal(forward, backward[::-1])
    streamed = np.concatenate(list(few.predict_batches(iter(new), batch_size=2)))
    np.testing.assert_array_equal(streamed, forward)
    # each new text joins the segment of the old text on its topic, not of the old text in
    # its place
    by_topic = {text: few.labels_[i] for i, text in enumerate(FEW)}
    assert forward[0] == by_topic["prices are too high"]
    assert forward[2] == by_topic["late delivery"]
    assert few.customer_segments_ == {}


def test_a_given_customer_keeps_their_segment_but_an_empty_id_is_anonymous(embedder, cache_dir):
    rows = [{"c": "ann", "t": "late delivery again"}, {"c": None, "t": "too expensive"},
            {"c": "ann", "t": "the courier was late"}]
    fb = nm.load_feedback(rows, text="t", customer="c")
    assert [item.anonymous for item in fb] == [False, True, False]
    model = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, language="off").fit(fb)
    assert model.customer_segments_ == {"ann": 0}
    assert model.labels_.tolist() == [0, 1, 0]
    again = nm.load_feedback([{"c": "ann", "t": "too expensive"}], text="t", customer="c")
    assert model.predict(again).tolist() == [0]  # ann is known by the id she gave
    stranger = nm.load_feedback([{"c": None, "t": "late delivery again"}], text="t", customer="c")
    assert model.predict(stranger).tolist() == [0]  # by its text, as "row-0" names no one


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"random_state": -1},
         "random_state must be None or an integer from 0 to 4294967295, not -1"),
        ({"random_state": 1.5}, "random_state must be None or an integer"),
        ({"min_cluster_size": 1}, "min_cluster_size must be None or an integer ≥ 2, not 1"),
        ({"min_samples": 0}, "min_samples must be None or an integer ≥ 1, not 0"),
        ({"n_neighbors": 1}, "n_neighbors must be None or an integer ≥ 2, not 1"),
        ({"n_components": 0}, "n_components must be an integer ≥ 1, not 0"),
        ({"min_dist": -0.1}, "min_dist must be a number from 0.0 to 1.0, not -0.1"),
        ({"n_epochs": 0}, "n_epochs must be None or an integer ≥ 1, not 0"),
        ({"outlier_threshold": 2}, "outlier_threshold must be a number from -1.0 to 1.0, not 2"),
        ({"min_texts": True}, "min_texts must be an integer ≥ 1, not True"),
        ({"strategy": "kmeans"}, "strategy must be 'auto', 'clusters' or 'per_customer'"),
        ({"outliers": "drop"}, "outliers must be 'vote', 'nearest' or 'keep', not 'drop'"),
        ({"language": "en"}, "language must be 'auto', 'off' or None, not 'en'"),
        ({"use_cache": "yes"}, "use_cache must be True or False, not 'yes'"),
        ({"progress": 1}, "progress must be None, True or False, not 1"),
        ({"cache_dir": 3}, "cache_dir must be None or a folder, not 3"),
        ({"embedding": 42}, "embedding must be None, a name, a folder or an object with encode"),
        ({"reducer": "umap"}, "reducer must be None or an object with fit_transform"),
        ({"clusterer": 5}, "clusterer must be None or an object with fit_predict"),
        ({"fit_sample_size": 0}, "fit_sample_size must be None or an integer ≥ 1, not 0"),
        ({"fit_sample_size": 10}, "fit_sample_size must be None or at least min_texts=50, not 10"),
    ],
)
def test_every_parameter_is_checked_before_any_work(params, message):
    model = nm.SegmentModel(**params)  # __init__ only stores
    assert model.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(NoomarketingError) as caught:
        model.fit(["a text that is never embedded"])
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_grid_search_picks_min_cluster_size_by_nmi(themed, embedder, cache_dir, seed):
    texts, themes = themed
    base = nm.SegmentModel(embedding=embedder, cache_dir=cache_dir, language="off",
                           min_texts=20, random_state=seed)
    search = GridSearchCV(
        base,
        {"min_cluster_size": [5, 45]},
        scoring=make_scorer(normalized_mutual_info_score),
        cv=KFold(3, shuffle=True, random_state=seed),
    )
    search.fit(texts, themes)
    scores = dict(zip(search.cv_results_["param_min_cluster_size"],
                      search.cv_results_["mean_test_score"], strict=True))
    # three themes of ~20 texts per fold: segments of at least 45 cannot tell them apart
    assert scores[5] > scores[45] and search.best_params_ == {"min_cluster_size": 5}
    assert search.best_score_ > 0.6
    assert search.best_estimator_.n_segments_ >= 3
