"""The fast paths give documented-close results to the plain torch path."""

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

import noomarketing as nm
from noomarketing.embedding import (
    OnnxEmbedder,
    embedder_from_config,
    resolve_embedder,
)

LONG = "The dress fits well but the zipper broke after two washes. " * 40  # > 256 word pieces


def _sample(themed):
    texts, labels = themed
    return [*texts[:30], LONG, "ok"], labels[:30]


def test_onnx_vectors_are_close_to_the_torch_vectors(themed, embedder, onnx_embedder):
    texts, _ = _sample(themed)
    fast, plain = onnx_embedder.encode(texts), embedder.encode(texts)
    assert fast.shape == plain.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    cosine = (fast * plain).sum(axis=1)
    assert cosine.min() >= 0.97, cosine.min()
    assert cosine.mean() >= 0.985


def test_onnx_file_is_int8_cached_and_reused(onnx_embedder, model_store):
    path = onnx_embedder.model_file
    assert path.parent.parent == type(path)(model_store) and path.name.endswith("-int8.onnx")
    assert path.stat().st_size < 40e6  # int8 but the FFN outputs: far below the 90 MB floats
    again = OnnxEmbedder(cache_dir=model_store, progress=False)
    mtime = path.stat().st_mtime
    vectors = again.encode(["late parcel", "rude support"])
    assert path.stat().st_mtime == mtime  # loaded, not exported again
    np.testing.assert_allclose(vectors, onnx_embedder.encode(["late parcel", "rude support"]))


def test_onnx_vectors_barely_depend_on_batch_mates(themed, onnx_embedder):
    texts, _ = _sample(themed)
    together = onnx_embedder.encode(texts)
    alone = np.vstack([onnx_embedder.encode([t]) for t in texts[:8]])
    np.testing.assert_array_equal(onnx_embedder.encode(texts), together)  # same input, same bits
    # int8 activations are scaled per batch, so batch mates move a vector a little
    assert (together[:8] * alone).sum(axis=1).min() > 0.98


def test_onnx_segments_agree_with_the_torch_segments(themed, embedder, onnx_embedder):
    texts, themes = themed
    fb = nm.Feedback.from_texts(texts)
    plain = nm.SegmentModel(embedding=embedder, use_cache=False, random_state=0).fit(fb)
    fast = nm.SegmentModel(embedding=onnx_embedder, use_cache=False, random_state=0).fit(fb)
    # both find the themes about as well; HDBSCAN may split a theme differently for each, so
    # the two segmentations need not match one to one, but agree far beyond chance (~0.02)
    quality = {name: normalized_mutual_info_score(themes, model.labels_)
               for name, model in (("torch", plain), ("onnx", fast))}
    assert quality["onnx"] > 0.7 and quality["onnx"] > quality["torch"] - 0.15
    assert normalized_mutual_info_score(plain.labels_, fast.labels_) > 0.5


def test_fast_embedders_are_registered_and_rebuild_from_their_config(model_store):
    assert isinstance(resolve_embedder("onnx"), OnnxEmbedder)
    rebuilt = embedder_from_config(OnnxEmbedder(cache_dir=model_store).get_config())
    assert isinstance(rebuilt, OnnxEmbedder) and str(rebuilt.cache_dir) == model_store
    names = {OnnxEmbedder().name, nm.SentenceTransformerEmbedder().name}
    assert len(names) == 2  # the embedding cache never mixes their vectors


def test_the_removed_static_mode_is_a_clear_error():
    with pytest.raises(nm.NoomarketingError, match="no longer offered"):
        resolve_embedder("static")
    with pytest.raises(nm.NoomarketingError, match="no longer offered"):
        nm.SegmentModel(embedding="static", language="off").embed(["late parcel"])


@pytest.mark.slow
def test_saved_model_with_a_fast_embedder_loads_and_predicts_the_same(
    themed, onnx_embedder, tmp_path
):
    texts, _ = themed
    model = nm.SegmentModel(embedding=onnx_embedder, use_cache=False, random_state=0)
    model.fit(texts)
    model.save(tmp_path / "m")
    loaded = nm.SegmentModel.load(tmp_path / "m")
    assert isinstance(loaded.embedder_, OnnxEmbedder)
    np.testing.assert_array_equal(loaded.predict(texts[:20]), model.predict(texts[:20]))


def test_default_is_the_onnx_model_and_torch_is_one_name_away(onnx_embedder):
    assert isinstance(resolve_embedder(None), OnnxEmbedder)
    assert isinstance(resolve_embedder("default"), OnnxEmbedder)
    assert isinstance(resolve_embedder("torch"), nm.SentenceTransformerEmbedder)


def test_default_falls_back_to_torch_with_the_reason_logged(monkeypatch, caplog):
    import noomarketing.embedding as embedding

    monkeypatch.setattr(embedding, "onnx_unavailable", lambda: "onnxruntime is not installed")
    with caplog.at_level("WARNING", logger="noomarketing.embedding"):
        chosen = resolve_embedder(None)
    assert isinstance(chosen, nm.SentenceTransformerEmbedder)
    assert "torch model: onnxruntime is not installed" in caplog.text


def test_onnx_window_is_a_choice_with_its_own_cache_identity(onnx_embedder, model_store):
    narrow = OnnxEmbedder(cache_dir=model_store, max_tokens=128, progress=False)
    assert narrow.name != onnx_embedder.name
    short = ["late parcel", "rude support"]
    np.testing.assert_allclose(narrow.encode(short), onnx_embedder.encode(short), atol=1e-6)
    long_cos = float((narrow.encode([LONG]) * onnx_embedder.encode([LONG])).sum())
    assert 0.9 < long_cos < 0.99999  # reads less of a long text: close, not the same
    with pytest.raises(nm.NoomarketingError, match="max_tokens"):
        OnnxEmbedder(cache_dir=model_store, max_tokens=1000).encode(["x"])
