"""Segment selection: when excess of mass keeps only the tree's top branches, leaves win."""

from __future__ import annotations

import numpy as np
from hdbscan import HDBSCAN
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import FunctionTransformer

from noomarketing.segmentation import SegmentModel


def _two_groups_of_three(spread: float, seed: int = 0) -> tuple[np.ndarray, list[int]]:
    """Two far-apart groups, each of three sub-themes ``spread`` apart (noise 0.3)."""
    rng = np.random.default_rng(seed)
    points, truth = [], []
    for group, x in enumerate((-50.0, 50.0)):
        for sub in range(3):
            angle = 2 * np.pi * sub / 3
            centre = np.array([x + spread * np.cos(angle), 10 + spread * np.sin(angle)])
            points.append(centre + 0.3 * rng.normal(size=(100, 2)))
            truth += [group * 3 + sub] * 100
    return np.vstack(points).astype(np.float32), truth


def _fit(points: np.ndarray, **kwargs) -> SegmentModel:
    model = SegmentModel(reducer=FunctionTransformer(), embedding="torch", language="off",
                         use_cache=False, **kwargs)
    return model.fit([f"text {i}" for i in range(len(points))], embeddings=points)


def test_leaves_replace_an_excess_of_mass_collapse_to_two_clusters():
    points, truth = _two_groups_of_three(spread=0.7)
    truth = np.array(truth)
    eom_only = _fit(points, clusterer=HDBSCAN(min_cluster_size=12, min_samples=2))
    assert len(set(eom_only.cluster_labels_.tolist()) - {-1}) <= 2  # the collapse
    # default clusterer, same sizes (√600 / 2 = 12, 12 // 5 = 2); 2-d points have no useful
    # cosine, so noise stays out and the leaves are judged on the points they hold
    model = _fit(points, outliers="keep")
    assert model.clusterer_.cluster_selection_method == "leaf"
    assert "leaves are the segments" in model.strategy_reason_
    assert model.n_segments_ > 2
    kept = model.labels_ >= 0
    assert kept.mean() > 0.5
    assert normalized_mutual_info_score(
        truth[kept], model.labels_[kept]
    ) > normalized_mutual_info_score(truth, eom_only.labels_) + 0.1


def test_excess_of_mass_stays_when_it_finds_the_themes():
    points, truth = _two_groups_of_three(spread=3.0)
    model = _fit(points)
    assert model.clusterer_.cluster_selection_method == "eom"
    assert "leaves" not in model.strategy_reason_
    assert normalized_mutual_info_score(truth, model.labels_) > 0.8


def test_a_fit_smooths_at_half_the_segment_size_and_an_update_at_a_fifth():
    from noomarketing.clustering import default_clusterer

    fit = default_clusterer(SegmentModel(), 10_000)
    update = default_clusterer(SegmentModel(), 10_000, update=True)
    assert (fit.min_cluster_size, fit.min_samples) == (50, 25)
    assert (update.min_cluster_size, update.min_samples) == (50, 10)
    chosen = default_clusterer(SegmentModel(min_samples=3), 10_000, update=True)
    assert chosen.min_samples == 3
