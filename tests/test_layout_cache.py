"""The UMAP layout cache: a re-fit on the same vectors at the same settings reads the layout
instead of computing it; a damaged file is rejected with a log line and recomputed."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import noomarketing as nm
from noomarketing import layout_cache

N_PER_GROUP = 40


@pytest.fixture(scope="module")
def feedback_and_vectors():
    rng = np.random.default_rng(0)
    vectors = np.repeat(np.eye(3, 16), N_PER_GROUP, axis=0) + 0.1 * rng.standard_normal((120, 16))
    fb = nm.Feedback.from_texts([f"text {i}" for i in range(120)])
    return fb, vectors.astype(np.float32)


def fit(feedback_and_vectors, folder, **params):
    fb, vectors = feedback_and_vectors
    params = {"n_epochs": 30, "language": "off", "cache_dir": str(folder), **params}
    return nm.SegmentModel(**params).fit(fb, embeddings=vectors)


def layout_files(folder):
    return sorted((folder / "layouts").glob("*.npz"))


def test_a_second_fit_reads_the_same_layout_from_the_cache(feedback_and_vectors, tmp_path):
    first = fit(feedback_and_vectors, tmp_path)
    assert not first.layout_cached_ and first.reducer_ is not None
    assert len(layout_files(tmp_path)) == 1
    second = fit(feedback_and_vectors, tmp_path)
    assert second.layout_cached_ and second.reducer_ is None
    np.testing.assert_array_equal(second.reduced_, first.reduced_)
    np.testing.assert_array_equal(second.labels_, first.labels_)
    assert second.n_segments_ == first.n_segments_ == 3


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong checksum", "wrong shape"])
def test_a_damaged_layout_file_is_rejected_logged_and_recomputed(
    feedback_and_vectors, tmp_path, caplog, damage
):
    first = fit(feedback_and_vectors, tmp_path)
    [path] = layout_files(tmp_path)
    if damage == "garbage":
        path.write_bytes(b"not a numpy file at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "wrong checksum":
        with open(path, "wb") as file:
            np.savez(file, layout=first.reduced_ + 1.0, sha256=np.zeros(32, np.uint8))
    else:
        layout = np.ones((5, 2))
        with open(path, "wb") as file:
            np.savez(file, layout=layout, sha256=layout_cache._checksum(layout))
    with caplog.at_level(logging.WARNING, logger="noomarketing.layout_cache"):
        again = fit(feedback_and_vectors, tmp_path)
    assert not again.layout_cached_
    assert any("ignoring the cached layout" in r.getMessage() for r in caplog.records)
    np.testing.assert_array_equal(again.reduced_, first.reduced_)
    # the file was replaced by a good one: the next fit reads it
    assert fit(feedback_and_vectors, tmp_path).layout_cached_


def test_other_settings_or_no_seed_or_no_cache_do_not_read_the_layout(
    feedback_and_vectors, tmp_path
):
    fit(feedback_and_vectors, tmp_path)
    assert not fit(feedback_and_vectors, tmp_path, random_state=1).layout_cached_
    assert not fit(feedback_and_vectors, tmp_path, n_components=3).layout_cached_
    assert len(layout_files(tmp_path)) == 3
    unseeded = tmp_path / "unseeded"
    assert not fit(feedback_and_vectors, unseeded, random_state=None).layout_cached_
    assert not fit(feedback_and_vectors, unseeded, random_state=None).layout_cached_
    off = tmp_path / "off"
    fit(feedback_and_vectors, off, use_cache=False)
    assert not fit(feedback_and_vectors, off, use_cache=False).layout_cached_
    assert layout_files(unseeded) == layout_files(off) == []


def test_the_key_follows_the_vectors_and_the_settings():
    vectors = np.eye(4, dtype=np.float32)
    key = layout_cache.layout_key(vectors, {"n_components": 2})
    assert key == layout_cache.layout_key(vectors.copy(), {"n_components": 2})
    assert key != layout_cache.layout_key(vectors * 2, {"n_components": 2})
    assert key != layout_cache.layout_key(vectors.astype(np.float64), {"n_components": 2})
    assert key != layout_cache.layout_key(vectors, {"n_components": 3})


def test_the_layouts_used_longest_ago_are_pruned_never_the_one_just_written(tmp_path):
    folder = tmp_path / "layouts"
    for age, name in enumerate("abc"):
        layout_cache.store_layout(name * 64, np.ones((200, 5)), cache_dir=tmp_path)
        path = folder / f"{name * 64}.npz"
        os.utime(path, (1_000_000 - age * 1000, 1_000_000 - age * 1000))  # c oldest, a newest
    size = (folder / f"{'a' * 64}.npz").stat().st_size
    # reading "c" makes it the most recently used
    assert layout_cache.load_layout("c" * 64, (200, 5), cache_dir=tmp_path) is not None
    removed = layout_cache.prune_layouts(folder, max_bytes=2 * size)
    assert removed == 1
    assert sorted(p.stem[0] for p in folder.glob("*.npz")) == ["a", "c"]
    # the file to keep stays even when it alone is over the limit and the oldest
    os.utime(folder / f"{'a' * 64}.npz", (1, 1))
    layout_cache.prune_layouts(folder, keep=folder / f"{'a' * 64}.npz", max_bytes=0)
    assert [p.stem[0] for p in folder.glob("*.npz")] == ["a"]
