import numpy as np
import pytest

from noomarketing.embedding import CachedEmbedder, resolve_embedder
from noomarketing.schema import NoomarketingError


def test_default_model_is_real_offline_and_normalised(embedder):
    vectors = embedder.encode(["the parcel was late", "delivery arrived late", "I love the color"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] + 0.2  # same meaning is closer than another topic


def test_cache_hits_on_second_call_and_returns_the_same_vectors(embedder, tmp_path):
    cached = CachedEmbedder(embedder, cache_dir=tmp_path)
    first = cached.encode(["a b", "c d", "a b"])
    assert cached.misses_ == 2  # duplicates are embedded once
    again = CachedEmbedder(embedder, cache_dir=tmp_path)
    second = again.encode(["c d", "a b"])
    assert again.misses_ == 0 and again.hits_ == 2
    np.testing.assert_array_equal(second, first[[1, 0]])


def test_any_object_with_encode_works_and_bad_specs_fail_clearly():
    class Fake:
        def encode(self, texts):
            return np.ones((len(texts), 3))

    assert isinstance(resolve_embedder(Fake()), Fake)
    with pytest.raises(NoomarketingError, match="embedding must be"):
        resolve_embedder(42)


def test_unknown_model_name_is_a_clear_error_not_a_download():
    emb = resolve_embedder("no-such-org/no-such-model")
    with pytest.raises(NoomarketingError, match="could not load embedding model"):
        emb.encode(["x"])


def test_cache_keeps_at_most_its_bound_and_drops_the_oldest_first(embedder, tmp_path):
    cached = CachedEmbedder(embedder, cache_dir=tmp_path, max_vectors=3)
    cached.encode(["first text", "second text"])
    cached.encode(["third text", "fourth text"])  # four stored: the oldest goes
    assert cached.removed_ == 1
    again = CachedEmbedder(embedder, cache_dir=tmp_path, max_vectors=3)
    again.encode(["second text", "third text", "fourth text"])
    assert (again.hits_, again.misses_, again.removed_) == (3, 0, 0)
    again.encode(["first text"])  # embedded anew, and the then-oldest makes room
    assert (again.misses_, again.removed_) == (1, 1)


def test_one_call_over_the_bound_keeps_its_own_vectors(embedder, tmp_path):
    cached = CachedEmbedder(embedder, cache_dir=tmp_path, max_vectors=1)
    cached.encode(["old text"])
    cached.encode(["new one", "new two"])
    assert cached.removed_ == 1  # the old vector only, never those just written
    again = CachedEmbedder(embedder, cache_dir=tmp_path, max_vectors=1)
    again.encode(["new one", "new two"])
    assert again.hits_ == 2
