"""New feedback every month: SegmentModel.update, fit(previous=), the saved update state.

The vectors are given (``embeddings=``): well-separated themes on the unit sphere, so the tests
check what the update does with segments, not what an embedder makes of words. Every check is
an invariant (ids kept, a new id above the old ones, nothing lost), never an exact clustering.
"""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from fakes import fake_model
from safetensors.numpy import load_file, save_file

import noomarketing as nm
from noomarketing import updating
from noomarketing.schema import NoomarketingError
from noomarketing.updating import batch_counts, match_segments, segment_trends

DIM = 64  # the fake embedder's size, so that texts given without vectors fit too


def themes(which: list[int], n: int, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``n`` texts per theme in ``which``: unit vectors around the theme's own axis."""
    rng = np.random.default_rng(seed)
    texts, vectors, truth = [], [], []
    for theme in which:
        v = np.eye(DIM, dtype=np.float32)[theme] + rng.normal(0, 0.15, (n, DIM)).astype(np.float32)
        vectors.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        texts += [f"theme {theme} note {i} batch {seed}" for i in range(n)]
        truth += [theme] * n
    return texts, np.vstack(vectors), np.array(truth)


def majority(labels: np.ndarray, truth: np.ndarray, theme: int) -> int:
    """The segment most rows of ``theme`` are in."""
    return Counter(labels[truth == theme].tolist()).most_common(1)[0][0]


def _fitted(**kwargs) -> nm.SegmentModel:
    """January: themes 0, 1 and 2."""
    texts, vectors, _ = themes([0, 1, 2], 60, seed=1)
    return fake_model(random_state=0, **kwargs).fit(texts, embeddings=vectors)


@pytest.fixture(scope="module")
def january():
    _, _, truth = themes([0, 1, 2], 60, seed=1)
    model = _fitted()
    return model, {t: majority(model.labels_, truth, t) for t in (0, 1, 2)}


def test_a_new_theme_becomes_a_new_segment_and_old_ids_keep_their_meaning(january):
    _, ids = january
    model = _fitted()
    old = [int(s) for s in model.segment_ids_]
    texts, vectors, truth = themes([0, 1, 3], 40, seed=2)
    model.update(texts, embeddings=vectors, batch="February")
    for theme in (0, 1):
        assert majority(model.labels_, truth, theme) == ids[theme]
    new = majority(model.labels_, truth, 3)
    assert new > max(old)
    assert (model.labels_[truth == 3] == new).mean() > 0.9
    trends = segment_trends(model)
    assert trends.at[new, "status"] == "new"
    assert trends.at[new, "first_batch"] == "February"
    assert trends.at[ids[0], "first_batch"] == "1"
    assert model.batches_ == ["1", "February"]
    counts = batch_counts(model)
    assert counts.loc["February"].sum() == len(texts)  # every row counted, -1 included


def test_update_keeps_old_centroids_and_leaves_no_row_behind():
    model = _fitted()
    before = model.centroids_.copy()
    texts, vectors, _ = themes([0, 2, 5], 30, seed=3)
    model.update(texts, embeddings=vectors)
    assert np.array_equal(model.centroids_[: len(before)], before)
    assert len(model.labels_) == len(texts) == len(model.similarities_)
    assert model.labels_.min() >= -1 and model.labels_.max() < len(model.segment_ids_)
    assert int(model.batch_counts_[-1].sum() + model.batch_unassigned_[-1]) == len(texts)


def test_an_update_that_fits_finds_nothing_new():
    model = _fitted()
    n = len(model.segment_ids_)
    texts, vectors, _ = themes([0, 1, 2], 30, seed=4)
    model.update(texts, embeddings=vectors)
    assert len(model.segment_ids_) == n
    assert set(segment_trends(model)["status"]) <= {"stable", "growing", "fading"}


def test_refit_with_previous_keeps_ids_and_reports_gone_ones(january):
    previous, ids = january
    texts, vectors, truth = themes([0, 1, 3], 50, seed=5)  # theme 2 is gone, 3 is new
    model = fake_model(random_state=1).fit(texts, embeddings=vectors, previous=previous)
    for theme in (0, 1):
        assert majority(model.labels_, truth, theme) == ids[theme]
    new = majority(model.labels_, truth, 3)
    assert new >= len(previous.segment_ids_)  # never an id the previous model used
    assert ids[2] in model.gone_segments_
    assert not model.centroids_[ids[2]].any()  # kept as a zero centroid: nothing joins it
    assert ids[2] not in set(model.predict(texts, embeddings=vectors).tolist())
    trends = segment_trends(model)
    assert trends.at[ids[2], "status"] == "gone"
    assert trends.at[new, "status"] == "new"
    assert model.batches_ == ["1", "2"]


def test_match_segments_is_optimal_and_has_a_floor():
    eye = np.eye(4, dtype=np.float32)
    assert match_segments(eye[[3, 1, 0]], eye) == {0: 3, 1: 1, 2: 0}
    tilted = eye[[0]] * 0.6 + eye[[1]] * 0.8  # cosine 0.6 with axis 0 and 0.8 with axis 1
    assert match_segments(tilted, eye, floor=0.9) == {}
    assert match_segments(tilted, eye, floor=0.7) == {0: 1}
    gone = eye.copy()
    gone[1] = 0
    assert match_segments(eye[[1]], gone) == {}


def test_saved_update_state_round_trips(tmp_path):
    model = _fitted()
    texts, vectors, _ = themes([0, 3], 40, seed=6)
    model.update(texts, embeddings=vectors, batch="2026-02")
    loaded = nm.SegmentModel.load(model.save(tmp_path / "model"), embedding=model.embedding)
    assert loaded.batches_ == model.batches_
    for name in updating.HISTORY_ARRAYS:
        assert np.array_equal(getattr(loaded, f"{name}_"), getattr(model, f"{name}_")), name
    assert np.array_equal(loaded.predict(texts, embeddings=vectors),
                          model.predict(texts, embeddings=vectors))
    more, more_vectors, truth = themes([4], 40, seed=7)
    loaded.update(more, embeddings=more_vectors, batch="2026-03")
    assert majority(loaded.labels_, truth, 4) >= len(model.segment_ids_)
    assert loaded.batches_ == ["1", "2026-02", "2026-03"]


def test_a_model_saved_before_updates_existed_loads_with_one_batch(tmp_path):
    folder = _fitted().save(tmp_path / "model")
    config = json.loads((folder / "config.json").read_text())
    del config["batches_"], config["gone_segments_"]
    (folder / "config.json").write_text(json.dumps(config))
    arrays = load_file(str(folder / "arrays.safetensors"))
    save_file({k: v for k, v in arrays.items() if k not in updating.HISTORY_ARRAYS},
              str(folder / "arrays.safetensors"))
    loaded = nm.SegmentModel.load(folder, embedding=fake_model().embedding)
    assert loaded.batches_ == ["1"]
    assert loaded.batch_counts_[0].sum() == (loaded.labels_ >= 0).sum()
    texts, vectors, _ = themes([0, 1], 20, seed=8)
    assert loaded.update(texts, embeddings=vectors).batches_ == ["1", "2"]


def test_damaged_update_state_is_one_line(tmp_path):
    folder = _fitted().save(tmp_path / "model")
    arrays = load_file(str(folder / "arrays.safetensors"))
    arrays["batch_counts"] = arrays["batch_counts"][:, :1].copy()
    save_file(arrays, str(folder / "arrays.safetensors"))
    with pytest.raises(NoomarketingError, match="batch_counts"):
        nm.SegmentModel.load(folder, embedding=fake_model().embedding)


def test_leftovers_stay_bounded(monkeypatch):
    monkeypatch.setattr(updating, "MAX_LEFTOVERS", 25)
    model = _fitted(outlier_threshold=0.9)
    for seed in (10, 11):
        rng = np.random.default_rng(seed)
        noise = rng.normal(size=(30, DIM)).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        model.update([f"scattered {seed} {i}" for i in range(30)], embeddings=noise)
        assert len(model.leftovers_) <= 25
        assert len(model.leftover_batches_) == len(model.leftovers_)


def test_per_customer_models_give_new_customers_new_segments():
    def feedback(pairs):
        return pd.DataFrame(pairs, columns=["customer", "text"])

    columns = {"text": "text", "customer": "customer"}
    january = feedback([("ann", "late parcel"), ("bob", "too expensive"), ("cy", "rude support")])
    model = fake_model().fit(nm.load_feedback(january, **columns))
    assert model.strategy_ == "per_customer"
    model.update(nm.load_feedback(feedback([("ann", "still late"), ("dee", "new here"),
                                            ("eve", "late parcel")]), **columns))
    assert model.labels_[0] == model.customer_segments_["ann"]
    assert model.labels_[1] == 3 == model.customer_segments_["dee"]
    # a new customer writing what a known one wrote is still a customer of their own
    assert model.labels_[2] == 4 == model.customer_segments_["eve"]
    assert len(model.segment_ids_) == 5


@pytest.mark.parametrize("call, message", [
    (lambda m: m.update(["a"], embeddings=np.ones((1, 3), np.float32)), "dimensions"),
    (lambda m: m.update(["a"], batch="1"), "already has a batch named '1'"),
    (lambda m: m.update(["a"], batch=" "), "batch name"),
    (lambda m: fake_model().fit(["a", "b"], previous="model/"), "previous= needs a fitted"),
])
def test_bad_update_input_is_one_line(call, message):
    with pytest.raises(NoomarketingError, match=message) as info:
        call(_fitted())
    assert "\n" not in str(info.value)


def test_an_unfitted_model_cannot_be_updated():
    with pytest.raises(nm.ModelNotFittedError):
        fake_model().update(["late parcel"])


def test_segment_with_update_writes_every_row_with_a_status(tmp_path):
    model = _fitted()
    texts, _, _ = themes([1, 3], 30, seed=12)
    texts[4] = "   "  # skipped at loading, and still in assignments.csv
    result = nm.segment(texts, model, update=True, batch="March", noise=False)
    written = result.write(tmp_path / "out")
    assignments = result.assignments
    assert sorted(assignments["row"]) == list(range(len(texts)))
    assert set(assignments["status"]) <= {"assigned", "unassigned", "noise", "skipped"}
    assert (assignments["status"] == "skipped").sum() == 1
    segments = json.loads((tmp_path / "out" / "segments.json").read_text())
    assert all(s["status"] in {"new", "growing", "stable", "fading", "gone"}
               and s["first_batch"] for s in segments["segments"])
    trends = segments["segmentation"]["trends"]
    assert {t["segment"] for t in trends} == set(range(len(result.model.segment_ids_)))
    assert segments["segmentation"]["batches"] == ["1", "March"]
    assert tmp_path / "out" / "model" in written


def test_workers_get_a_model_without_the_update_state_and_it_assigns_the_same(tmp_path):
    from noomarketing.distributed import model_files

    model = _fitted()
    texts, vectors, _ = themes([0, 1, 3], 40, seed=2)
    model.update(texts, embeddings=vectors)
    assert len(model.reference_) or len(model.leftovers_)  # there is state to leave out
    full = model.save(tmp_path / "full")
    files = model_files(model)
    assert len(files["arrays.safetensors"]) < (full / "arrays.safetensors").stat().st_size
    assert "batches_" not in json.loads(files["config.json"])
    (tmp_path / "slim").mkdir()
    for name, data in files.items():
        (tmp_path / "slim" / name).write_bytes(data)
    slim = nm.SegmentModel.load(tmp_path / "slim", embedding=model.embedding)
    np.testing.assert_array_equal(slim.predict(texts, embeddings=vectors),
                                  model.predict(texts, embeddings=vectors))


def test_an_update_says_it_keeps_the_fits_embedding_and_warns_of_another_language(cache_dir):
    # the first fit chose the English model; a batch in Polish is read by it all the same (the
    # vectors must stay comparable), and the summary says so instead of calling it English
    english = [f"The parcel came {n} days late and the box was crushed" for n in range(2, 9)]
    model = nm.SegmentModel(cache_dir=cache_dir, progress=False, random_state=0)
    nm.segment(english, model)
    polish = ["Paczka przyszła po dwóch tygodniach i była zgnieciona",
              "Obsługa klienta nie odpowiada na maile od tygodnia"]
    line = next(line for line in nm.segment(polish, model, update=True).summary().splitlines()
                if line.startswith("embedding:"))
    assert "as chosen when the model was fitted" in line and "kept by the update" in line
    assert "this batch is pl 100%" in line and "reads poorly" in line
    again = nm.segment(english[:2], model, update=True).summary()
    assert "kept by the update" in again and "reads poorly" not in again
