"""A saved model is untrusted: every damaged file is one line naming the file and the key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder, fake_model
from safetensors.numpy import load_file, save_file

import noomarketing as nm
from noomarketing.schema import NoomarketingError


@pytest.fixture
def saved(tmp_path) -> Path:
    texts = ["late parcel", "rude courier", "sizes run small", "late delivery again"]
    return fake_model().fit(texts).save(tmp_path / "model")


def _edit_config(folder: Path, change) -> None:
    path = folder / "config.json"
    config = json.loads(path.read_text())
    change(config)
    path.write_text(json.dumps(config))


def _edit_arrays(folder: Path, change) -> None:
    arrays = dict(load_file(str(folder / "arrays.safetensors")))
    change(arrays)
    save_file(arrays, str(folder / "arrays.safetensors"))


def _set(*keys, value):
    def change(config):
        target = config
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return change


CONFIG_CASES = {
    "unknown parameter": (_set("params", "bogus_param", value=1), "key 'params.bogus_param'"),
    "number as a word": (_set("params", "n_neighbors", value="fifteen"),
                         "key 'params.n_neighbors'"),
    "list for a float": (_set("params", "outlier_threshold", value=[1, 2]),
                         "key 'params.outlier_threshold'"),
    "out of range": (_set("params", "outlier_threshold", value=5.0),
                     "key 'params.outlier_threshold'"),
    "negative seed": (_set("params", "random_state", value=-1), "key 'params.random_state'"),
    "unknown strategy": (_set("strategy_", value="magic"), "key 'strategy_'"),
    "unknown top key": (_set("run_this", value="rm -rf /"), "key 'run_this'"),
    "share above 1": (_set("unassigned_share_", value=3.0), "key 'unassigned_share_'"),
    "customer segment out of range": (_set("customer_segments_", value={"x": 99}),
                                      "key 'customer_segments_'"),
    "embedder setting unknown": (
        _set("embedder", value={"type": "sentence-transformers", "bogus": 1}),
        "key 'embedder.bogus'"),
    "embedder path outside": (
        _set("embedder", value={"type": "sentence-transformers", "model": "/etc/secrets"}),
        "key 'embedder.model'"),
    "embedding path climbing out": (_set("params", "embedding", value="../../elsewhere"),
                                    "key 'params.embedding'"),
    "other format": (_set("format_version", value=99), "holds format 99"),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_damaged_config_is_one_line_naming_file_and_key(saved, case):
    change, expected = CONFIG_CASES[case]
    _edit_config(saved, change)
    with pytest.raises(NoomarketingError) as info:
        nm.SegmentModel.load(saved, embedding=HashEmbedder())
    message = str(info.value)
    assert expected in message and "\n" not in message
    assert str(saved) in message


def test_unreadable_files(saved):
    (saved / "config.json").write_text('{"format_version": 1, "params": {')
    with pytest.raises(NoomarketingError, match=r"config.json: not valid JSON"):
        nm.SegmentModel.load(saved)
    (saved / "config.json").write_text("[1, 2]")
    with pytest.raises(NoomarketingError, match="expected a JSON object"):
        nm.SegmentModel.load(saved)
    (saved / "config.json").unlink()
    with pytest.raises(NoomarketingError, match=r"config.json missing"):
        nm.SegmentModel.load(saved)


def test_damaged_or_missing_arrays(saved):
    path = saved / "arrays.safetensors"
    path.write_bytes((2**62).to_bytes(8, "little") + b"{}")  # a header "too large"
    with pytest.raises(NoomarketingError, match=r"arrays.safetensors: damaged"):
        nm.SegmentModel.load(saved, embedding=HashEmbedder())
    path.unlink()
    with pytest.raises(NoomarketingError, match=r"arrays.safetensors is missing"):
        nm.SegmentModel.load(saved, embedding=HashEmbedder())


ARRAY_CASES = {
    "missing centroids": (lambda a: a.pop("centroids"), "array 'centroids' is missing"),
    "nan centroids": (lambda a: a["centroids"].__setitem__((0, 0), np.nan), "finite floats"),
    "label out of range": (lambda a: a["labels"].__setitem__(0, 99), "array 'labels'"),
    "sizes do not match": (lambda a: a.__setitem__("segment_sizes", np.zeros(1, np.int64)),
                           "array 'segment_sizes'"),
    "float labels": (lambda a: a.__setitem__("labels", a["labels"].astype(np.float32)),
                     "must hold integers"),
}


@pytest.mark.parametrize("case", list(ARRAY_CASES))
def test_arrays_must_agree_with_the_config(saved, case):
    change, expected = ARRAY_CASES[case]
    _edit_arrays(saved, change)
    with pytest.raises(NoomarketingError, match=expected):
        nm.SegmentModel.load(saved, embedding=HashEmbedder())


def test_a_saved_cache_folder_is_not_used(saved, tmp_path):
    _edit_config(saved, _set("params", "cache_dir", value="/somewhere/else"))
    loaded = nm.SegmentModel.load(saved, embedding=HashEmbedder(), cache_dir=tmp_path / "c")
    assert loaded.cache_dir == tmp_path / "c"
    assert loaded.predict(["late parcel"]).tolist() == [0]


class _Payload:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self):
        return (Path(self.target).touch, ())


def test_a_pickle_in_place_of_the_arrays_is_refused_not_run(saved, tmp_path):
    import pickle

    proof = tmp_path / "code-ran"
    (saved / "arrays.safetensors").write_bytes(pickle.dumps(_Payload(str(proof))))
    with pytest.raises(NoomarketingError, match="damaged"):
        nm.SegmentModel.load(saved, embedding=HashEmbedder())
    assert not proof.exists()
