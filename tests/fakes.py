"""A tiny deterministic embedder for tests of everything around the model (cheap to run often).

Words are hashed into a bag-of-words vector, so texts sharing words are similar and identical
texts are identical; it is not a language model and its segments mean nothing more.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np


class HashEmbedder:
    name = "hash-test"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()) or [text]:
                digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8)
                value = int.from_bytes(digest.digest(), "little")
                out[i, value % self.dim] += 1.0
                out[i, (value >> 20) % self.dim] += 0.5
            norm = float(np.linalg.norm(out[i]))
            if norm == 0:
                out[i, 0] = 1.0
            else:
                out[i] /= norm
        return out


def fake_model(**kwargs):
    """A SegmentModel with the hash embedder, no cache, no language detection by default."""
    import noomarketing as nm

    options = {"embedding": HashEmbedder(), "use_cache": False, "language": "off",
               "progress": False}
    options.update(kwargs)
    return nm.SegmentModel(**options)


class TableEmbedder:
    """Vectors looked up in a table: the test fixes each sentence's cosine to the centroid."""

    def __init__(self, table):
        self.table = table

    def encode(self, texts):
        return np.array([self.table[t] for t in texts], dtype=np.float32)


def unit_at(cosine):
    """A 2-d unit vector at ``cosine`` to the centroid (1, 0)."""
    return [cosine, float(np.sqrt(1 - cosine**2))]
