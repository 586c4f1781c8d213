"""Layouts of several seeds side by side: shape, seeds, bad input, and segments that hold."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.random_projection import GaussianRandomProjection

import noomarketing as nm
from noomarketing.consensus import LayoutEnsemble, run_seeds
from noomarketing.schema import NoomarketingError


def projection(seed, vectors):
    return GaussianRandomProjection(n_components=4, random_state=seed)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((4, 32)) * 3
    truth = np.repeat(np.arange(4), 60)
    vectors = (centres[truth] + rng.standard_normal((240, 32))).astype(np.float32)
    return nm.Feedback.from_texts([f"text {i}" for i in range(240)]), vectors, truth


def test_run_seeds_start_with_the_given_seed_and_differ():
    seeds = run_seeds(5, 4)
    assert seeds[0] == 5 and len(set(seeds)) == 4
    assert run_seeds(5, 4) == seeds  # drawn, not random
    assert run_seeds(6, 4)[1:] != seeds[1:]


def test_layouts_sit_side_by_side_with_the_same_spread(blobs):
    _, vectors, _ = blobs
    ensemble = LayoutEnsemble(projection, random_state=1, runs=3)
    space = ensemble.fit_transform(vectors)
    assert space.shape == (240, 12) and len(ensemble.reducers_) == 3
    for part in np.split(space, 3, axis=1):
        assert np.allclose(part.mean(axis=0), 0, atol=1e-4)
        assert np.sqrt((part**2).sum(axis=1).mean()) == pytest.approx(1.0, rel=1e-4)
    one = LayoutEnsemble(projection, random_state=1, runs=1).fit_transform(vectors)
    assert one.shape == (240, 4)


@pytest.mark.parametrize("runs", [0, -2, 1.5])
def test_bad_number_of_runs_is_one_clear_error(blobs, runs):
    with pytest.raises(NoomarketingError, match="runs must be an integer"):
        LayoutEnsemble(projection, runs=runs).fit_transform(blobs[1])


def test_segments_on_the_ensemble_hold_across_seeds(blobs):
    fb, vectors, truth = blobs
    labels = []
    for seed in (0, 11):
        model = nm.SegmentModel(reducer=LayoutEnsemble(projection, seed, runs=3),
                                language="off", use_cache=False, random_state=seed)
        labels.append(model.fit(fb, embeddings=vectors).labels_)
        assert model.reduced_.shape == (240, 12)
        assert normalized_mutual_info_score(truth, labels[-1]) > 0.8
    assert adjusted_rand_score(*labels) >= 0.9
