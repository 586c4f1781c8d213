"""Themes: segments grouped by their centroids, the number of groups chosen without labels.

The vectors are given: unit vectors around broad axes, each made of sub-groups, so the tests
check the rule, not an embedder. Every check is an invariant or a relation.
"""

from __future__ import annotations

import numpy as np
import pytest
from fakes import HashEmbedder, fake_model
from safetensors.numpy import load_file, save_file

import noomarketing as nm
from noomarketing.schema import NoomarketingError
from noomarketing.themes import extend_themes, find_themes, own_themes


def nested(n_broad: int, n_sub: int, per: int, seed: int = 0, dim: int = 64):
    """``per`` unit vectors in each of ``n_broad`` × ``n_sub`` sub-groups: sub-groups of one
    broad group are closer to each other than to any other group's."""
    rng = np.random.default_rng(seed)
    broad = np.eye(dim)[:n_broad] * 3.0
    subs = np.repeat(broad, n_sub, axis=0) + rng.normal(0, 0.1, (n_broad * n_sub, dim))
    sub = np.repeat(np.arange(n_broad * n_sub), per)
    vectors = subs[sub] + rng.normal(0, 0.1, (len(sub), dim))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float32), sub, sub // n_sub


def test_three_blobs_of_two_sub_blobs_make_three_themes():
    vectors, sub, broad = nested(3, 2, 40)
    themes = find_themes(vectors, sub, 6)
    assert sorted(set(themes.tolist())) == [0, 1, 2]
    for b in range(3):  # sub-blobs of one blob share a theme, blobs do not
        assert len(set(themes[np.unique(sub[broad == b])].tolist())) == 1
    assert len({themes[sub[broad == b][0]] for b in range(3)}) == 3


def test_groups_without_a_broader_structure_stay_their_own_themes():
    vectors, sub, _ = nested(5, 1, 40, seed=1)
    assert sorted(find_themes(vectors, sub, 5).tolist()) == [0, 1, 2, 3, 4]


def test_themes_partition_the_segments_and_theme_0_holds_the_most_feedback():
    vectors, sub, _ = nested(3, 3, 30, seed=2)
    keep = np.ones(len(sub), dtype=bool)
    keep[sub == 8] = False  # segment 8 has no members
    keep[np.flatnonzero(sub == 0)[:20]] = False  # segment 0 is smaller than the others
    labels = np.where(keep, sub, -1)
    themes = find_themes(vectors, labels, 9)
    assert themes[8] == -1 and (themes[:8] >= 0).all()
    found = sorted(set(themes[:8].tolist()))
    assert found == list(range(len(found))) and len(found) <= 8
    mass = np.bincount(themes[labels[labels >= 0]])
    assert mass[0] == mass.max()


def test_one_or_two_segments_are_their_own_themes_and_none_is_empty():
    vectors, sub, _ = nested(2, 1, 20)
    assert sorted(find_themes(vectors, sub, 2).tolist()) == [0, 1]
    assert find_themes(vectors, np.full(len(sub), -1), 3).tolist() == [-1, -1, -1]


def test_new_segments_join_the_theme_of_the_most_similar_one():
    centroids = np.eye(4, dtype=np.float32)[[0, 1, 0, 1, 2]]
    centroids[4] = 0  # a segment without a centroid
    assert extend_themes(np.array([1, 0]), centroids).tolist() == [1, 0, 1, 0, -1]
    assert own_themes(centroids).tolist() == [0, 1, 2, 3, -1]


@pytest.fixture(scope="module")
def fitted():
    vectors, _, broad = nested(3, 2, 50, seed=3)
    texts = [f"note {i}" for i in range(len(vectors))]
    model = fake_model(random_state=0, language="off").fit(texts, embeddings=vectors)
    return model, texts, vectors, broad


def test_a_fitted_model_has_a_theme_per_segment(fitted):
    model, _, _, broad = fitted
    assert len(model.themes_) == model.n_segments_
    assert 1 <= model.n_themes_ <= model.n_segments_
    theme_of = np.where(model.labels_ >= 0, model.themes_[np.maximum(model.labels_, 0)], -1)
    # no theme mixes the broad groups much: each holds mostly one of them
    for theme in range(model.n_themes_):
        members = broad[theme_of == theme]
        assert np.bincount(members).max() >= 0.9 * len(members)


def test_themes_are_saved_loaded_and_checked(fitted, tmp_path):
    model = fitted[0]
    folder = model.save(tmp_path / "model")
    loaded = nm.SegmentModel.load(folder, embedding=HashEmbedder())
    assert np.array_equal(loaded.themes_, model.themes_)
    arrays = dict(load_file(str(folder / "arrays.safetensors")))
    arrays["themes"] = np.full(len(model.themes_), model.n_segments_, dtype=np.int64)
    save_file(arrays, str(folder / "arrays.safetensors"))
    with pytest.raises(NoomarketingError, match="array 'themes'") as info:
        nm.SegmentModel.load(folder, embedding=HashEmbedder())
    assert "\n" not in str(info.value)
    del arrays["themes"]  # saved before themes existed: each segment its own theme
    save_file(arrays, str(folder / "arrays.safetensors"))
    older = nm.SegmentModel.load(folder, embedding=HashEmbedder())
    assert sorted(older.themes_.tolist()) == list(range(model.n_segments_))


def test_an_update_gives_every_new_segment_a_theme(fitted):
    _, texts, vectors, _ = fitted
    new = nested(4, 2, 50, seed=3)[0][-100:]  # a fourth broad group, unseen
    fresh = fake_model(random_state=0, language="off").fit(texts, embeddings=vectors)
    before = fresh.themes_.copy()
    fresh.update([f"new {i}" for i in range(len(new))], embeddings=new)
    assert len(fresh.themes_) == fresh.n_segments_ > len(before)
    assert np.array_equal(fresh.themes_[: len(before)], before)
    assert (fresh.themes_[len(before) :] >= 0).all()
